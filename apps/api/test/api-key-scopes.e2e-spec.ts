import { API_KEY_SCOPES, type ApiKeyScope } from '@consortium/auth';
import { randomUUID } from 'node:crypto';
import { buildOpenApiDocument } from '../src/openapi';
import {
  aBillingPeriod,
  aConsortiumWithMembers,
  anApiKey,
  anOrganisation,
  aPostedCharge,
  bearerFor,
} from './support/builders';
import { type Route, routesOf } from './support/routes';
import { createTestApp, TestApp } from './support/test-app';

/** Routes that admit any API key: a key may always ask who it is. */
const OPEN_TO_EVERY_KEY = ['GET /api/v1/auth/me'];

/** What an integration must never do with a key: mint keys, manage people, run the consortium or the books. */
const NEVER_FOR_API_KEYS = [
  'POST /api/v1/api-keys',
  'POST /api/v1/api-keys/{id}/revoke',
  'POST /api/v1/users',
  'PATCH /api/v1/users/{id}',
  'POST /api/v1/organisations',
  'PATCH /api/v1/organisations/{id}',
  'PUT /api/v1/organisations/{id}/ledger-codes',
  'POST /api/v1/consortia/{id}/admins',
  'POST /api/v1/billing-periods/{id}/close',
  'POST /api/v1/billing-periods/{id}/charge-runs',
];

describe('API-key scopes', () => {
  let test: TestApp;
  let routes: Route[];
  beforeAll(async () => {
    test = await createTestApp();
    routes = routesOf(test);
  });
  afterAll(() => test.close());

  const openToKeys = () => routes.filter((route) => !route.isPublic && route.scopes !== undefined);

  it('finds the routes (the walk of the router works)', () => {
    expect(routes.length).toBeGreaterThan(80);
    expect(routes.map((route) => route.name)).toContain('POST /api/v1/usage-events');
  });

  it('makes every endpoint open to API keys name the scope it needs', () => {
    const unscoped = openToKeys()
      .filter((route) => route.scopes?.length === 0)
      .map((route) => route.name);
    expect(unscoped).toEqual(OPEN_TO_EVERY_KEY);
    for (const route of openToKeys()) {
      for (const scope of route.scopes ?? []) expect(API_KEY_SCOPES).toContain(scope);
    }
  });

  it('keeps key management, user management and consortium administration closed to API keys', () => {
    const names = new Map(routes.map((route) => [route.name, route]));
    for (const name of NEVER_FOR_API_KEYS) {
      expect(names.has(name)).toBe(true);
      expect({ name, scopes: names.get(name)?.scopes }).toEqual({ name, scopes: undefined });
    }
  });

  it('gives every scope a key can hold at least one endpoint', () => {
    const used = new Set(openToKeys().flatMap((route) => route.scopes ?? []));
    expect(API_KEY_SCOPES.filter((scope) => !used.has(scope))).toEqual([]);
  });

  it('documents, for each operation, whether API keys may call it and with which scopes', () => {
    const document = buildOpenApiDocument(test.app);
    const documented = new Map<string, { scopes?: string[]; security?: Record<string, string[]>[] }>();
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (operation && typeof operation === 'object' && 'responses' in operation) {
          documented.set(`${method.toUpperCase()} ${path}`, {
            scopes: (operation as Record<string, unknown>)['x-api-key-scopes'] as string[] | undefined,
            security: (operation as { security?: Record<string, string[]>[] }).security,
          });
        }
      }
    }
    for (const route of routes.filter((r) => documented.has(r.name))) {
      const operation = documented.get(route.name);
      const keyAllowed = (operation?.security ?? []).some((requirement) => 'api-key' in requirement);
      expect({ route: route.name, keyAllowed, scopes: operation?.scopes }).toEqual({
        route: route.name,
        keyAllowed: route.scopes !== undefined && !route.isPublic,
        scopes: route.isPublic ? undefined : route.scopes,
      });
    }
    // Every route open to keys is in the document, so integrators can see what they may call.
    expect(openToKeys().filter((route) => !documented.has(route.name))).toEqual([]);
  });

  describe('a key without the scope an endpoint names is refused with 403; with it, it gets past the check', () => {
    const id = randomUUID();
    it.each<[string, string, ApiKeyScope, ApiKeyScope[]]>([
      ['GET', '/api/v1/services', 'catalogue:read', ['usage:write', 'charges:read']],
      ['POST', '/api/v1/usage-events', 'usage:write', ['catalogue:read', 'catalogue:write']],
      ['GET', `/api/v1/cross-charges/${id}`, 'charges:read', ['ledger:read']],
      ['POST', `/api/v1/cross-charges/${id}/issue`, 'charges:write', ['charges:read']],
      [
        'GET',
        `/api/v1/billing-periods/${id}/finance-export`,
        'exports:read',
        ['charges:read', 'ledger:read'],
      ],
      ['GET', '/api/v1/audit-events', 'audit:read', ['organisation:read']],
      ['GET', '/api/v1/webhooks', 'webhooks:manage', ['events:read']],
      ['GET', '/api/v1/events', 'events:read', ['webhooks:manage']],
    ])('%s %s needs %s', async (method, path, needed, others) => {
      const organisation = await anOrganisation(test.dataSource);
      const without = await anApiKey(test.dataSource, organisation, others);
      const withScope = await anApiKey(test.dataSource, organisation, [needed]);
      const call = (header: Record<string, string>) =>
        test
          .http()
          [method === 'GET' ? 'get' : 'post'](path)
          .set(header)
          .send(method === 'GET' ? undefined : {});

      const refused = await call(without.header).expect(403);
      expect(refused.body).toMatchObject({ type: 'urn:consortium:problem:forbidden', status: 403 });
      expect(refused.body.detail).toContain(needed);
      expect([401, 403]).not.toContain((await call(withScope.header)).status);
    });

    it('refuses every key, whatever its scopes, on an endpoint closed to API keys', async () => {
      const key = await anApiKey(test.dataSource, await anOrganisation(test.dataSource), [...API_KEY_SCOPES]);
      const response = await test
        .http()
        .post('/api/v1/api-keys')
        .set(key.header)
        .send({ name: 'Minted by a key', scopes: ['catalogue:read'] })
        .expect(403);
      expect(response.body.detail).toBe('This endpoint is not available to API keys');
    });
  });

  it("lets the payer's finance system record its settlement payment with a charges:write key, and nobody else's key", async () => {
    const world = await aConsortiumWithMembers(test.dataSource);
    const period = await aBillingPeriod(test, world.consortium, '2026-03-10');
    await aPostedCharge(test, {
      consortiumId: world.consortium.id,
      billingPeriodId: period.id,
      providerId: world.home.id,
      consumerId: world.other.id,
      amountMinor: 42_000,
    });
    const closed = await test
      .http()
      .post(`/api/v1/billing-periods/${period.id}/close`)
      .set(await bearerFor(test, world.consortiumAdmin))
      .send({})
      .expect(200);
    const [payment] = closed.body.payments;
    expect(payment).toMatchObject({ payerOrganisationId: world.other.id });
    const record = async (organisation: typeof world.home, scopes: ApiKeyScope[]) =>
      test
        .http()
        .post(`/api/v1/settlement-payments/${payment.id}/record`)
        .set((await anApiKey(test.dataSource, organisation, scopes)).header)
        .set('Idempotency-Key', randomUUID())
        .send({ paymentReference: 'BACS-API-1' });

    expect((await record(world.other, ['charges:read'])).status).toBe(403);
    expect((await record(world.home, ['charges:write'])).status).toBe(403);
    const recorded = await record(world.other, ['charges:write']);
    expect(recorded.status).toBe(200);
    expect(recorded.body).toMatchObject({ status: 'recorded', paymentReference: 'BACS-API-1' });
  });
});
