import { DataSource } from 'typeorm';
import { Organisation } from '../src/modules/organisations/organisation.entity';
import { RateLimitService } from '../src/modules/rate-limits/rate-limit.service';
import { aClientAddress, anApiKey, anOrganisation, aUser, bearerFor, signIn } from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

// Small budgets in a day-long window, so a test never straddles a window boundary.
const LIMITS = {
  RATE_LIMIT_WINDOW_SECONDS: '86400',
  RATE_LIMIT_API_KEY_REQUESTS: '3',
  RATE_LIMIT_USER_REQUESTS: '2',
  RATE_LIMIT_ANONYMOUS_REQUESTS: '2',
};
const RATE_LIMITED = { type: 'urn:consortium:problem:rate-limited', status: 429 };

describe('rate limits', () => {
  let test: TestApp;
  let secondInstance: TestApp;
  let ds: DataSource;
  let organisation: Organisation;

  beforeAll(async () => {
    [test, secondInstance] = await Promise.all([createTestApp(LIMITS), createTestApp(LIMITS)]);
    ds = test.dataSource;
    organisation = await anOrganisation(ds);
  });
  afterAll(() => Promise.all([test.close(), secondInstance.close()]));

  const me = (app: TestApp, headers: Record<string, string>) =>
    app.http().get('/api/v1/auth/me').set(headers);

  it('states the API key’s budget on every response and refuses the call beyond it with a 429 problem and Retry-After', async () => {
    const { header } = await anApiKey(ds, organisation, ['catalogue:read']);

    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await me(test, header).expect(200);
      expect(response.headers).toMatchObject({ 'ratelimit-limit': '3', 'ratelimit-policy': '3;w=86400' });
      expect(Number(response.headers['ratelimit-reset'])).toBeGreaterThan(0);
      remaining.push(response.headers['ratelimit-remaining']);
    }
    expect(remaining).toEqual(['2', '1', '0']);

    const refused = await me(test, header).expect(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ ...RATE_LIMITED, retryAfterSeconds: expect.any(Number) });
    expect(refused.body.detail).toMatch(/At most 3 requests in 86400 s are allowed for each API key/);
    expect(refused.headers['retry-after']).toBe(String(refused.body.retryAfterSeconds));
    expect(refused.headers['ratelimit-remaining']).toBe('0');
  });

  it('counts each API key on its own, even within one organisation', async () => {
    const spent = await anApiKey(ds, organisation, ['catalogue:read']);
    const fresh = await anApiKey(ds, organisation, ['catalogue:read']);
    for (let i = 0; i < 3; i++) await me(test, spent.header).expect(200);

    await me(test, spent.header).expect(429);
    const response = await me(test, fresh.header).expect(200);
    expect(response.headers['ratelimit-remaining']).toBe('2');
  });

  it('shares one budget across API instances on the same database', async () => {
    const { header } = await anApiKey(ds, organisation, ['catalogue:read']);

    await me(test, header).expect(200);
    const onSecond = await me(secondInstance, header).expect(200);
    expect(onSecond.headers['ratelimit-remaining']).toBe('1');
    await me(test, header).expect(200);
    await me(secondInstance, header).expect(429);
  });

  it('limits each signed-in user, and a refused change changes nothing', async () => {
    const admin = await aUser(ds, organisation, ['org_admin']);
    const auth = await bearerFor(test, admin);
    await me(test, auth).expect(200);
    await me(test, auth).expect(200);

    const refused = await test
      .http()
      .post('/api/v1/api-keys')
      .set(auth)
      .send({ name: 'Refused key', scopes: ['catalogue:read'] })
      .expect(429);

    expect(refused.body.detail).toMatch(/for each user/);
    const [{ count }] = await ds.query(
      `SELECT count(*)::int AS count FROM api_keys WHERE organisation_id = $1 AND name = 'Refused key'`,
      [organisation.id],
    );
    expect(count).toBe(0);
  });

  it('counts refused calls too: a key without the scope still spends its budget and sees the headers', async () => {
    const { header } = await anApiKey(ds, organisation, ['catalogue:read']);
    const forbidden = await test.http().get('/api/v1/audit-events').set(header).expect(403);
    expect(forbidden.headers['ratelimit-remaining']).toBe('2');
  });

  it('limits anonymous calls per client address', async () => {
    const address = aClientAddress();
    const refresh = (from: string) =>
      test
        .http()
        .post('/api/v1/auth/refresh')
        .set('X-Forwarded-For', from)
        .send({ refreshToken: 'not-a-real-refresh-token-but-long-enough-to-validate' });

    for (let i = 0; i < 2; i++) {
      const response = await refresh(address);
      expect(response.status).not.toBe(429);
      expect(response.headers['ratelimit-limit']).toBe('2');
    }
    const refused = await refresh(address).expect(429);
    expect(refused.body.detail).toMatch(/for each client address/);
    expect((await refresh(aClientAddress())).status).not.toBe(429);
  });

  it('counts calls refused for bad credentials against the client address, so keys and tokens cannot be guessed freely', async () => {
    const address = aClientAddress();
    const guess = (headers: Record<string, string>, from = address) =>
      me(test, { ...headers, 'X-Forwarded-For': from });

    const badKey = await guess({ 'X-API-Key': 'ck_live_notarealkey_000000000000000000000000' });
    expect(badKey.status).toBe(401);
    expect(badKey.headers).toMatchObject({ 'ratelimit-limit': '2', 'ratelimit-remaining': '1' });
    expect((await guess({ Authorization: 'Bearer not.a.token' })).status).toBe(401);
    const refused = await guess({ 'X-API-Key': 'ck_live_notarealkey_111111111111111111111111' }).expect(429);
    expect(refused.body).toMatchObject(RATE_LIMITED);
    expect(refused.body.detail).toMatch(/for each client address/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Another address, and a caller who authenticates, each have their own budget.
    expect((await guess({}, aClientAddress())).status).toBe(401);
    const user = await aUser(ds, organisation, ['viewer']);
    expect((await guess(await bearerFor(test, user))).status).toBe(200);
  });

  it('leaves sign-in (which limits failed attempts itself) and the health checks unlimited', async () => {
    const address = aClientAddress();
    const user = await aUser(ds, organisation, ['viewer']);
    for (let i = 0; i < 3; i++) {
      const health = await test
        .http()
        .get('/api/v1/health/ready')
        .set('X-Forwarded-For', address)
        .expect(200);
      expect(health.headers['ratelimit-limit']).toBeUndefined();
    }
    const login = await test
      .http()
      .post('/api/v1/auth/login')
      .set('X-Forwarded-For', address)
      .send({ email: user.email, password: 'not the password' })
      .expect(401);
    expect(login.headers['ratelimit-limit']).toBeUndefined();
    await signIn(test, user);
  });

  it('says when to come back when failed sign-ins from an address are slowed down too', async () => {
    const user = await aUser(ds, organisation, ['viewer']);
    const address = aClientAddress();
    const attempt = () =>
      test
        .http()
        .post('/api/v1/auth/login')
        .set('X-Forwarded-For', address)
        .send({ email: user.email, password: 'not the password' });
    for (let i = 0; i < 5; i++) await attempt().expect(401);
    // The wait after five failures is a second by default: make it ten minutes, so the test cannot outrun it.
    await ds.query(
      `UPDATE sign_in_throttles SET not_before = now() + interval '10 minutes' WHERE email = $1 AND address = $2`,
      [user.email, address],
    );

    const slowed = await attempt().expect(429);
    expect(slowed.body).toMatchObject({ ...RATE_LIMITED, notBefore: expect.any(String) });
    expect(slowed.body.retryAfterSeconds).toBeGreaterThan(0);
    expect(slowed.body.retryAfterSeconds).toBeLessThanOrEqual(600);
    expect(slowed.headers['retry-after']).toBe(String(slowed.body.retryAfterSeconds));
  });

  it('forgets the counters of ended windows, and keeps the current ones', async () => {
    const { apiKey, header } = await anApiKey(ds, organisation, ['catalogue:read']);
    await me(test, header).expect(200);
    await ds.query(
      `INSERT INTO rate_limit_counters (bucket, window_start, hits) VALUES ($1, now() - interval '2 days', 7)`,
      [`user:${organisation.id}`],
    );

    const forgotten = await test.app.get(RateLimitService).forgetEndedWindows(86_400);

    expect(forgotten).toBeGreaterThanOrEqual(1);
    const buckets = await ds.query(`SELECT bucket FROM rate_limit_counters WHERE bucket = ANY($1)`, [
      [`user:${organisation.id}`, `api-key:${apiKey.id}`],
    ]);
    expect(buckets).toEqual([{ bucket: `api-key:${apiKey.id}` }]);
  });

  it('turns a limit off when it is set to 0', async () => {
    const unlimited = await createTestApp({ ...LIMITS, RATE_LIMIT_USER_REQUESTS: '0' });
    try {
      const auth = await bearerFor(unlimited, await aUser(ds, organisation, ['viewer']));
      for (let i = 0; i < 3; i++) {
        const response = await me(unlimited, auth).expect(200);
        expect(response.headers['ratelimit-limit']).toBeUndefined();
      }
    } finally {
      await unlimited.close();
    }
  });
});
