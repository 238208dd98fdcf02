import * as classValidator from 'class-validator';
import {
  aClientAddress,
  aConsortiumWithMembers,
  anOrganisation,
  aService,
  aUser,
  bearerFor,
  TEST_PASSWORD,
} from './support/builders';
import { createTestApp, type TestApp } from './support/test-app';

/** `{"email":…,"password":…,"k0":0,…}`: a body far wider than any request of the API needs. */
const wideBody = (members: number, fields: Record<string, unknown> = {}) => {
  const wide = Array.from({ length: members }, (_, i) => `"k${i}":${i}`).join(',');
  const own = JSON.stringify(fields).slice(1, -1);
  return `{${own}${own ? ',' : ''}${wide}}`;
};
const TOO_WIDE = {
  type: 'urn:consortium:problem:payload-too-large',
  status: 413,
  code: 'body-too-wide',
  detail: 'An object in the body has more than 1000 members',
};

describe('Request bodies over the size limits', () => {
  let test: TestApp;
  let world: Awaited<ReturnType<typeof aConsortiumWithMembers>>;
  let validate: jest.SpyInstance;

  beforeAll(async () => {
    // A small anonymous budget in a day-long window, so counting is visible and never straddles a window.
    test = await createTestApp({ RATE_LIMIT_WINDOW_SECONDS: '86400', RATE_LIMIT_ANONYMOUS_REQUESTS: '3' });
    world = await aConsortiumWithMembers(test.dataSource);
    validate = jest.spyOn(classValidator, 'validate');
  });
  afterAll(async () => {
    validate.mockRestore();
    await test.close();
  });
  beforeEach(() => validate.mockClear());

  const postText = (path: string, body: string, headers: Record<string, string> = {}) =>
    test.http().post(path).set(headers).set('content-type', 'application/json').send(body);

  it('refuses a 60,000-member sign-in with a 413 problem before validating it, even with the right password', async () => {
    const user = await aUser(test.dataSource, world.home, ['viewer']);
    const response = await postText(
      '/api/v1/auth/login',
      wideBody(60_000, { email: user.email, password: TEST_PASSWORD }),
      { 'X-Forwarded-For': aClientAddress() },
    ).expect(413);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject(TOO_WIDE);
    expect(response.body).not.toHaveProperty('accessToken');
    expect(validate).not.toHaveBeenCalled();
    // The same sign-in, narrow, is validated (and succeeds): the spy sees validation when it happens.
    await test
      .http()
      .post('/api/v1/auth/login')
      .send({ email: user.email, password: TEST_PASSWORD })
      .expect(200);
    expect(validate).toHaveBeenCalled();
  });

  it('counts refused anonymous bodies against the address’s budget, sign-in included, and answers 429 beyond it', async () => {
    const address = aClientAddress();
    const from = { 'X-Forwarded-For': address };
    const refused = await postText('/api/v1/auth/login', wideBody(2_000), from).expect(413);
    expect(refused.headers).toMatchObject({ 'ratelimit-limit': '3', 'ratelimit-remaining': '2' });
    await postText('/api/v1/auth/refresh', wideBody(2_000), from).expect(413);
    await postText('/api/v1/auth/logout', wideBody(2_000), from).expect(413);
    const spent = await postText('/api/v1/auth/login', wideBody(2_000), from).expect(429);
    expect(spent.body).toMatchObject({ type: 'urn:consortium:problem:rate-limited' });
    // Sign-in itself keeps its own limit on failed attempts, not the request budget.
    const user = await aUser(test.dataSource, world.home, ['viewer']);
    await test
      .http()
      .post('/api/v1/auth/login')
      .set(from)
      .send({ email: user.email, password: TEST_PASSWORD })
      .expect(200);
  });

  it('answers /health/ready within 200 ms while four 60,000-member bodies are being refused', async () => {
    const body = wideBody(60_000);
    const attacks = Array.from({ length: 4 }, () =>
      postText('/api/v1/auth/login', body, { 'X-Forwarded-For': aClientAddress() }).then((r) => r.status),
    );
    const started = Date.now();
    const ready = await test.http().get('/api/v1/health/ready');
    const answeredIn = Date.now() - started;
    expect(ready.status).toBe(200);
    expect(answeredIn).toBeLessThan(200);
    expect(await Promise.all(attacks)).toEqual([413, 413, 413, 413]);
  });

  it('refuses over-wide bodies from any signed-in viewer or manager (quote, price plan, contacts, consortium rules) and changes nothing', async () => {
    const ds = test.dataSource;
    const service = await aService(ds, world.consortium, world.home);
    const viewer = await bearerFor(test, world.otherUsers.viewer);
    const manager = await bearerFor(test, world.homeUsers.manager);
    const admin = await bearerFor(test, world.consortiumAdmin);
    const refusals = [
      postText(`/api/v1/services/${service.id}/quote`, `{"quantity":1,"usage":${wideBody(60_000)}}`, viewer),
      postText(`/api/v1/services/${service.id}/price-versions`, `{"pricePlan":${wideBody(5_000)}}`, manager),
      test
        .http()
        .patch(`/api/v1/services/${service.id}`)
        .set(manager)
        .set('content-type', 'application/json')
        .send(`{"contacts":[${wideBody(1_500, { name: 'Ann', email: 'ann@example.gov.uk' })}]}`),
      test
        .http()
        .patch(`/api/v1/consortia/${world.consortium.id}`)
        .set(admin)
        .set('content-type', 'application/json')
        .send(`{"rules":${wideBody(60_000)}}`),
    ];
    for (const response of await Promise.all(refusals)) {
      expect(response.status).toBe(413);
      expect(response.body).toMatchObject(TOO_WIDE);
    }
    expect(validate).not.toHaveBeenCalled();
    const [{ versions }] = await ds.query(
      'SELECT count(*)::int AS versions FROM price_versions WHERE service_id = $1',
      [service.id],
    );
    expect(versions).toBe(1);
  });

  it('refuses an array of more than 1,000 items and a body nested more than 32 levels, unparsed', async () => {
    const auth = await bearerFor(test, world.homeUsers.admin);
    const items = await postText(
      '/api/v1/api-keys',
      `{"name":"Wide","scopes":[${Array.from({ length: 1_001 }, () => '"audit:read"').join(',')}]}`,
      auth,
    ).expect(413);
    expect(items.body).toMatchObject({
      code: 'body-too-wide',
      detail: expect.stringContaining('1000 items'),
    });
    const deep = await postText(
      '/api/v1/api-keys',
      `{"name":"Deep","scopes":["audit:read"],"x":${'['.repeat(32)}${']'.repeat(32)}}`,
      auth,
    ).expect(413);
    expect(deep.body).toMatchObject({ code: 'body-too-deep' });
    expect(validate).not.toHaveBeenCalled();
    const keys = await test.dataSource.query('SELECT 1 FROM api_keys WHERE organisation_id = $1', [
      world.home.id,
    ]);
    expect(keys).toHaveLength(0);
  });

  it('refuses a quote whose usage names more metrics than its documented maxProperties', async () => {
    const service = await aService(test.dataSource, world.consortium, world.home);
    const usage = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`metric_${i}`, '1']));
    const response = await test
      .http()
      .post(`/api/v1/services/${service.id}/quote`)
      .set(await bearerFor(test, world.otherUsers.viewer))
      .send({ quantity: 1, usage })
      .expect(400);
    expect(response.body.errors).toEqual([{ field: 'usage', message: 'usage may have at most 10 entries' }]);
  });

  it.each(['toString', 'constructor', 'valueOf', 'hasOwnProperty'])(
    'refuses a body property named %s as unknown instead of ignoring it, and creates nothing',
    async (name) => {
      const organisation = await anOrganisation(test.dataSource);
      const auth = await bearerFor(test, await aUser(test.dataSource, organisation, ['org_admin']));
      const response = await postText(
        '/api/v1/api-keys',
        `{"name":"Ledger sync","scopes":["audit:read"],"${name}":"x"}`,
        auth,
      ).expect(400);
      expect(response.body).toMatchObject({
        type: 'urn:consortium:problem:validation-error',
        errors: [{ field: name, message: `property ${name} should not exist` }],
      });
      const keys = await test.dataSource.query('SELECT 1 FROM api_keys WHERE organisation_id = $1', [
        organisation.id,
      ]);
      expect(keys).toHaveLength(0);
    },
  );
});
