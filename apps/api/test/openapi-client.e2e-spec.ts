import {
  ConsortiumApiError,
  createConsortiumClient,
  idempotencyKey,
  paginate,
  unwrap,
  type ConsortiumClient,
} from '@consortium/api-client';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  aBillingPeriod,
  aConsortiumWithMembers,
  aDatedSubscription,
  anApiKey,
  aService,
  TEST_PASSWORD,
} from './support/builders';
import { createTestApp, type TestApp } from './support/test-app';

const METERED = {
  model: 'metered',
  currency: 'GBP',
  metric: 'storage_gb',
  unitPrice: '0.10',
  includedPerPeriod: '100',
};
const isoDay = (offsetDays: number) =>
  new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

/** The typed client (libs/api-client) against the real API listening on a port, as an integrator's script uses it. */
describe('The typed API client against a running API', () => {
  let test: TestApp;
  let baseUrl: string;
  let world: Awaited<ReturnType<typeof aConsortiumWithMembers>>;
  let integrator: ConsortiumClient;
  let subscriptionId: string;

  beforeAll(async () => {
    test = await createTestApp();
    await test.app.listen(0, '127.0.0.1');
    baseUrl = await test.app.getUrl();
    world = await aConsortiumWithMembers(test.dataSource);
    const metered = await aService(test.dataSource, world.consortium, world.home, { plan: METERED });
    subscriptionId = await aDatedSubscription(test.dataSource, metered, world.other, {
      startDate: isoDay(-40),
    });
    const { key } = await anApiKey(test.dataSource, world.home, ['catalogue:read', 'usage:write']);
    integrator = createConsortiumClient({ baseUrl, apiKey: key, userAgent: 'council-finance-sync/1.0' });
  });

  afterAll(() => test.close());

  it('lists every item of a list across its cursor pages with paginate()', async () => {
    for (let i = 0; i < 4; i++) await aService(test.dataSource, world.consortium, world.home);
    const titles: string[] = [];
    let pages = 0;
    for await (const service of paginate((cursor) => {
      pages += 1;
      return integrator.GET('/api/v1/services', {
        params: { query: { providerId: world.home.id, limit: 2, cursor } },
      });
    })) {
      titles.push(service.title);
    }
    expect(titles).toHaveLength(5); // the metered service and the four above
    expect(new Set(titles).size).toBe(5);
    expect(pages).toBe(3);
  });

  it('posts usage with an API key; a replay of the batch is counted once', async () => {
    const run = randomBytes(4).toString('hex');
    const body = {
      events: [1, 2].map((n) => ({
        eventId: `client-${run}-${n}`,
        subscriptionId,
        metric: 'storage_gb',
        quantity: '12.5',
        occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
      })),
    };
    const first = unwrap(await integrator.POST('/api/v1/usage-events', { body }));
    expect(first).toMatchObject({ accepted: 2, duplicates: 0, rejected: 0 });
    const replay = unwrap(await integrator.POST('/api/v1/usage-events', { body }));
    expect(replay).toMatchObject({ accepted: 0, duplicates: 2, rejected: 0 });
  });

  it('signs in with a password and retries a money-moving write under one idempotency key without acting twice', async () => {
    const anonymous = createConsortiumClient({ baseUrl });
    const tokens = unwrap(
      await anonymous.POST('/api/v1/auth/login', {
        body: { email: world.consortiumAdmin.email, password: TEST_PASSWORD },
      }),
    );
    const admin = createConsortiumClient({ baseUrl, getAccessToken: () => tokens.accessToken });
    const period = await aBillingPeriod(test, world.consortium, isoDay(0));
    const key = idempotencyKey();
    const start = () =>
      admin.POST('/api/v1/billing-periods/{id}/charge-runs', {
        params: { path: { id: period.id }, header: { 'Idempotency-Key': key } },
      });

    const first = await start();
    const retry = await start();
    expect(first.response.status).toBe(202);
    expect(retry.response.status).toBe(202);
    expect(retry.response.headers.get('idempotent-replayed')).toBe('true');
    expect(unwrap(retry).id).toBe(unwrap(first).id);
    const [{ count }] = await test.dataSource.query(
      'SELECT count(*)::int AS count FROM charge_runs WHERE billing_period_id = $1',
      [period.id],
    );
    expect(count).toBe(1);
  });

  it('surfaces a refusal as a ConsortiumApiError carrying the problem and the request id it sent', async () => {
    const requestId = `client-test-${randomUUID()}`;
    const client = createConsortiumClient({
      baseUrl,
      apiKey: (await anApiKey(test.dataSource, world.home, ['catalogue:read'])).key,
      requestId: () => requestId,
    });
    const missing = randomUUID();
    const error = await client
      .GET('/api/v1/services/{id}', { params: { path: { id: missing } } })
      .then(unwrap)
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ConsortiumApiError);
    const problem = error as ConsortiumApiError;
    expect(problem.status).toBe(404);
    expect(problem.type).toBe('urn:consortium:problem:not-found');
    expect(problem.requestId).toBe(requestId);
    expect(problem.problem.status).toBe(404);
  });

  it('refuses to be configured with both an API key and an access token', () => {
    expect(() => createConsortiumClient({ baseUrl, apiKey: 'csk_x', accessToken: 'y' })).toThrow(TypeError);
  });
});
