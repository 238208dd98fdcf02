import { Organisation } from '../src/modules/organisations/organisation.entity';
import { anOrganisation, aUser, bearerFor } from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

describe('API platform', () => {
  let test: TestApp;
  beforeAll(async () => (test = await createTestApp()));
  afterAll(() => test.close());

  it('answers liveness without authentication', async () => {
    const response = await test.http().get('/api/v1/health').expect(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('answers readiness after checking PostgreSQL', async () => {
    const response = await test.http().get('/api/v1/health/ready').expect(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('answers an unknown route with a 404 problem document', async () => {
    const response = await test.http().get('/api/v1/no-such-thing').expect(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({
      type: 'urn:consortium:problem:not-found',
      status: 404,
      title: 'Not found',
    });
    expect(response.body.requestId).toEqual(response.headers['x-request-id']);
  });

  it('keeps a sane caller-supplied request id and echoes it', async () => {
    const response = await test.http().get('/api/v1/health').set('X-Request-Id', 'trace-123').expect(200);
    expect(response.headers['x-request-id']).toBe('trace-123');
  });

  it('refuses an anonymous call to a protected endpoint with a 401 problem', async () => {
    const response = await test.http().get('/api/v1/auth/me').expect(401);
    expect(response.body).toMatchObject({ type: 'urn:consortium:problem:unauthenticated', status: 401 });
    expect(JSON.stringify(response.body)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('answers malformed JSON with a 400 problem, not a 500', async () => {
    const response = await test
      .http()
      .post('/api/v1/auth/login')
      .set('content-type', 'application/json')
      .send('{"email": ')
      .expect(400);
    expect(response.body).toMatchObject({ type: 'urn:consortium:problem:bad-request', status: 400 });
  });

  it('answers a path with broken percent-encoding with a 400 problem document', async () => {
    const response = await test.http().get('/api/v1/services/%E0%A4%A').expect(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ type: 'urn:consortium:problem:bad-request', status: 400 });
    expect(response.body.detail).toEqual(expect.any(String));
    expect(response.body.requestId).toEqual(response.headers['x-request-id']);
  });

  it('answers headers over the size limit with a 431 problem document', async () => {
    const response = await test.http().get('/api/v1/health').set('X-Padding', 'a'.repeat(20_000));
    expect(response.status).toBe(431);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(response.text)).toMatchObject({
      type: 'urn:consortium:problem:headers-too-large',
      status: 431,
      title: expect.any(String),
      detail: expect.any(String),
    });
  });

  it('answers an over-long path parameter with a 414 problem document', async () => {
    const response = await test
      .http()
      .get(`/api/v1/services/${'x'.repeat(3000)}`)
      .expect(414);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ type: 'urn:consortium:problem:uri-too-long', status: 414 });
    expect(response.body.title).toEqual(expect.any(String));
    expect(response.body.requestId).toEqual(response.headers['x-request-id']);
  });

  it('answers a path id that is not a UUID with a validation problem naming the parameter', async () => {
    const organisation = await anOrganisation(test.dataSource);
    const auth = await bearerFor(test, await aUser(test.dataSource, organisation, ['org_admin']));
    const response = await test.http().get('/api/v1/users/not-a-uuid').set(auth).expect(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({
      type: 'urn:consortium:problem:validation-error',
      errors: [{ field: 'id', message: 'id must be a UUID' }],
    });
  });

  it('names only the malformed one of two path ids', async () => {
    const organisation = await anOrganisation(test.dataSource);
    const auth = await bearerFor(test, await aUser(test.dataSource, organisation, ['finance']));
    const response = await test
      .http()
      .post(`/api/v1/cross-charges/${organisation.id}/lines/12345/dispute`)
      .set(auth)
      .send({ reason: 'Not a line of ours' })
      .expect(400);
    expect(response.body.errors).toEqual([{ field: 'lineId', message: 'lineId must be a UUID' }]);
  });

  it('refuses a NUL character in a query filter as a field error, not a database failure', async () => {
    const organisation = await anOrganisation(test.dataSource);
    const auth = await bearerFor(test, await aUser(test.dataSource, organisation, ['org_admin']));
    const response = await test.http().get('/api/v1/users').query({ q: 'a\u0000b' }).set(auth).expect(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({
      type: 'urn:consortium:problem:validation-error',
      errors: [{ field: 'q', message: expect.stringContaining('NUL') }],
    });
  });

  it('refuses a NUL character inside a body as a field error and changes nothing', async () => {
    const organisation = await anOrganisation(test.dataSource, { contactName: 'Before' });
    const auth = await bearerFor(test, await aUser(test.dataSource, organisation, ['org_admin']));
    const response = await test
      .http()
      .patch(`/api/v1/organisations/${organisation.id}`)
      .set(auth)
      .send({ contactName: 'After\u0000' })
      .expect(400);
    expect(response.body).toMatchObject({
      type: 'urn:consortium:problem:validation-error',
      errors: [{ field: 'contactName', message: expect.stringContaining('NUL') }],
    });
    const stored = await test.dataSource.getRepository(Organisation).findOneByOrFail({ id: organisation.id });
    expect(stored.contactName).toBe('Before');
  });

  it('refuses a body nested thousands of levels deep unparsed with a 413 problem, not a stack overflow', async () => {
    const organisation = await anOrganisation(test.dataSource);
    const auth = await bearerFor(test, await aUser(test.dataSource, organisation, ['org_admin']));
    const depth = 100_000;
    const response = await test
      .http()
      .post('/api/v1/api-keys')
      .set(auth)
      .set('content-type', 'application/json')
      .send(`{"name":${'['.repeat(depth)}${']'.repeat(depth)},"scopes":["audit:read"]}`)
      .expect(413);
    expect(response.body).toMatchObject({
      type: 'urn:consortium:problem:payload-too-large',
      code: 'body-too-deep',
      detail: expect.stringContaining('nested more than 32 levels'),
    });
    const keys = await test.dataSource.query('SELECT 1 FROM api_keys WHERE organisation_id = $1', [
      organisation.id,
    ]);
    expect(keys).toHaveLength(0);
  });

  it('takes an empty body labelled application/json as no body on an action that needs none', async () => {
    const organisation = await anOrganisation(test.dataSource);
    const auth = await bearerFor(test, await aUser(test.dataSource, organisation, ['org_admin']));
    const response = await test
      .http()
      .post('/api/v1/notifications/read-all')
      .set(auth)
      .set('content-type', 'application/json')
      .expect(200);
    expect(response.body).toEqual({ marked: 0 });
  });

  it.each(['application/json; charset=utf-8', 'Application/JSON'])(
    'parses a body sent as %s, and still refuses prototype poisoning',
    async (contentType) => {
      const organisation = await anOrganisation(test.dataSource);
      const auth = await bearerFor(test, await aUser(test.dataSource, organisation, ['org_admin']));
      const created = await test
        .http()
        .post('/api/v1/api-keys')
        .set(auth)
        .set('content-type', contentType)
        .send('{"name":"Ledger sync","scopes":["audit:read"]}')
        .expect(201);
      expect(created.body.name).toBe('Ledger sync');
      const poisoned = await test
        .http()
        .post('/api/v1/api-keys')
        .set(auth)
        .set('content-type', contentType)
        .send('{"__proto__":{"admin":true},"name":"x","scopes":["audit:read"]}')
        .expect(400);
      expect(poisoned.body.type).toBe('urn:consortium:problem:bad-request');
    },
  );

  it.each(['text/plain', 'application/x-www-form-urlencoded'])(
    'refuses a %s body with a 415 problem and creates nothing',
    async (contentType) => {
      const organisation = await anOrganisation(test.dataSource);
      const auth = await bearerFor(test, await aUser(test.dataSource, organisation, ['org_admin']));
      const body = contentType === 'text/plain' ? '{"name":"Ledger","scopes":["audit:read"]}' : 'name=Ledger';
      const response = await test
        .http()
        .post('/api/v1/api-keys')
        .set(auth)
        .set('content-type', contentType)
        .send(body)
        .expect(415);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({
        type: 'urn:consortium:problem:unsupported-media-type',
        status: 415,
      });
      expect(response.body.detail).toContain('application/json');
      const keys = await test.dataSource.query('SELECT 1 FROM api_keys WHERE organisation_id = $1', [
        organisation.id,
      ]);
      expect(keys).toHaveLength(0);
    },
  );

  it('serves the OpenAPI document', async () => {
    const response = await test.http().get('/api/docs/openapi.json').expect(200);
    expect(response.body.openapi).toMatch(/^3\./);
    expect(response.body.components.securitySchemes).toHaveProperty('bearer');
    expect(response.body.components.securitySchemes).toHaveProperty('api-key');
  });
});
