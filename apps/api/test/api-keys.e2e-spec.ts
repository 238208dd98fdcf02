import { API_KEY_SCOPES, parseApiKey, sha256 } from '@consortium/auth';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Organisation } from '../src/modules/organisations/organisation.entity';
import { User } from '../src/modules/users/user.entity';
import { anApiKey, anOrganisation, auditEventsFor, aUser, signIn } from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

const FORBIDDEN = { type: 'urn:consortium:problem:forbidden', status: 403 };
const NOT_FOUND = { type: 'urn:consortium:problem:not-found', status: 404 };
const UNAUTHENTICATED = { type: 'urn:consortium:problem:unauthenticated', status: 401 };

describe('API keys', () => {
  let test: TestApp;
  let ds: DataSource;
  let home: Organisation;
  let other: Organisation;
  let admin: User;
  let adminAuth: Record<string, string>;
  let otherAdminAuth: Record<string, string>;

  beforeAll(async () => {
    test = await createTestApp();
    ds = test.dataSource;
    home = await anOrganisation(ds);
    other = await anOrganisation(ds);
    admin = await aUser(ds, home, ['org_admin']);
    adminAuth = (await signIn(test, admin)).auth;
    otherAdminAuth = (await signIn(test, await aUser(ds, other, ['org_admin']))).auth;
  });
  afterAll(() => test.close());

  const createKey = (auth: Record<string, string>, body: object) =>
    test.http().post('/api/v1/api-keys').set(auth).send(body);
  const listKeys = (auth: Record<string, string>, query = '') =>
    test.http().get(`/api/v1/api-keys${query}`).set(auth);
  const revokeKey = (auth: Record<string, string>, id: string) =>
    test.http().post(`/api/v1/api-keys/${id}/revoke`).set(auth);
  const me = (key: string) => test.http().get('/api/v1/auth/me').set('X-API-Key', key);

  describe('creating a key', () => {
    it('shows the whole key once, stores only a hash of its secret, and audits the creation', async () => {
      const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();

      const response = await createKey(adminAuth, {
        name: 'Usage feed from the Norfolk service desk',
        scopes: ['usage:write', 'catalogue:read'],
        expiresAt,
      }).expect(201);

      const { key, id, prefix } = response.body;
      expect(key).toMatch(/^csk_[a-z0-9]{10}_[A-Za-z0-9_-]{43}$/);
      expect(response.body).toMatchObject({
        name: 'Usage feed from the Norfolk service desk',
        prefix: parseApiKey(key)!.prefix,
        scopes: ['usage:write', 'catalogue:read'],
        expiresAt,
        revokedAt: null,
        lastUsedAt: null,
        createdBy: { id: admin.id, name: admin.name, email: admin.email },
      });
      const [row] = await ds.query('SELECT * FROM api_keys WHERE id = $1', [id]);
      expect(row).toMatchObject({
        organisation_id: home.id,
        prefix,
        secret_hash: sha256(parseApiKey(key)!.secret),
      });
      expect(JSON.stringify(row)).not.toContain(parseApiKey(key)!.secret);

      const [event] = await auditEventsFor(ds, id);
      expect(event).toMatchObject({
        action: 'api_key.created',
        actorType: 'user',
        actorId: admin.id,
        organisationId: home.id,
        requestId: response.headers['x-request-id'],
        changes: {
          name: 'Usage feed from the Norfolk service desk',
          prefix,
          scopes: ['usage:write', 'catalogue:read'],
        },
      });
      expect(JSON.stringify(event.changes)).not.toContain(parseApiKey(key)!.secret);
      // now() is the transaction's start time: equal timestamps mean the key and its audit event were one transaction.
      expect(event.occurredAt).toEqual(row.created_at);
    });

    it('makes a key that works at once, for its organisation, and records when it was used', async () => {
      const response = await createKey(adminAuth, {
        name: 'Catalogue sync',
        scopes: ['catalogue:read'],
      }).expect(201);
      expect(response.body.expiresAt).toBeNull();

      const who = await me(response.body.key).expect(200);

      expect(who.body).toMatchObject({ kind: 'api_key', id: response.body.id, organisationId: home.id });
      const [row] = await ds.query('SELECT last_used_at FROM api_keys WHERE id = $1', [response.body.id]);
      expect(row.last_used_at).toBeInstanceOf(Date);
      const listed = await listKeys(adminAuth).expect(200);
      const mine = listed.body.data.find((k: { id: string }) => k.id === response.body.id);
      expect(mine.lastUsedAt).toEqual(row.last_used_at.toISOString());
    });

    it.each([
      ['no scopes', { name: 'k', scopes: [] }, 'scopes'],
      ['an unknown scope', { name: 'k', scopes: ['catalogue:read', 'everything'] }, 'scopes'],
      ['a repeated scope', { name: 'k', scopes: ['catalogue:read', 'catalogue:read'] }, 'scopes'],
      ['no name', { scopes: ['catalogue:read'] }, 'name'],
      [
        'an expiry in the past',
        { name: 'k', scopes: ['catalogue:read'], expiresAt: '2020-01-01T00:00:00Z' },
        'expiresAt',
      ],
      [
        'an expiry that is not a date',
        { name: 'k', scopes: ['catalogue:read'], expiresAt: 'next week' },
        'expiresAt',
      ],
      [
        'an unknown field',
        { name: 'k', scopes: ['catalogue:read'], organisationId: randomUUID() },
        'organisationId',
      ],
    ])('refuses %s with a 400 problem naming the field', async (_case, body, field) => {
      const response = await createKey(adminAuth, body).expect(400);
      expect(response.body).toMatchObject({ type: 'urn:consortium:problem:validation-error', status: 400 });
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('accepts every documented scope', async () => {
      const response = await createKey(adminAuth, { name: 'Everything', scopes: [...API_KEY_SCOPES] }).expect(
        201,
      );
      expect(response.body.scopes).toEqual([...API_KEY_SCOPES]);
    });

    it('is for organisation administrators only', async () => {
      for (const role of ['viewer', 'service_manager', 'finance'] as const) {
        const { auth } = await signIn(test, await aUser(ds, home, [role]));
        const response = await createKey(auth, { name: 'k', scopes: ['catalogue:read'] }).expect(403);
        expect(response.body).toMatchObject(FORBIDDEN);
      }
      await createKey({}, { name: 'k', scopes: ['catalogue:read'] }).expect(401);
    });

    it('cannot be done with an API key, whatever its scopes', async () => {
      const { header } = await anApiKey(ds, home, [...API_KEY_SCOPES]);
      const response = await createKey(header, { name: 'k', scopes: ['catalogue:read'] }).expect(403);
      expect(response.body).toMatchObject({
        ...FORBIDDEN,
        detail: 'This endpoint is not available to API keys',
      });
    });
  });

  describe('listing keys', () => {
    it('shows the organisation’s own keys, never a secret, and not other organisations’ keys', async () => {
      const own = await anApiKey(ds, home, ['charges:read'], { createdByUserId: admin.id });
      const theirs = await anApiKey(ds, other, ['charges:read']);

      const response = await listKeys(adminAuth, '?limit=200').expect(200);

      const ids = response.body.data.map((k: { id: string }) => k.id);
      expect(ids).toContain(own.apiKey.id);
      expect(ids).not.toContain(theirs.apiKey.id);
      const listed = response.body.data.find((k: { id: string }) => k.id === own.apiKey.id);
      expect(listed).toEqual({
        id: own.apiKey.id,
        name: own.apiKey.name,
        prefix: own.apiKey.prefix,
        scopes: ['charges:read'],
        createdAt: own.apiKey.createdAt.toISOString(),
        lastUsedAt: null,
        revokedAt: null,
        expiresAt: null,
        createdBy: { id: admin.id, name: admin.name, email: admin.email },
      });
      expect(JSON.stringify(response.body)).not.toContain(own.key);
      expect(JSON.stringify(response.body)).not.toMatch(/secret/i);
    });

    it('pages through the keys with the shared cursor convention', async () => {
      const organisation = await anOrganisation(ds);
      const orgAdmin = await aUser(ds, organisation, ['org_admin']);
      const created = [];
      for (const name of ['alpha', 'bravo', 'charlie']) {
        created.push((await anApiKey(ds, organisation, ['ledger:read'], { name })).apiKey.id);
      }
      const { auth } = await signIn(test, orgAdmin);

      const first = await listKeys(auth, '?sort=name&limit=2').expect(200);
      const second = await listKeys(auth, `?sort=name&limit=2&cursor=${first.body.page.nextCursor}`).expect(
        200,
      );

      expect(first.body.data.map((k: { name: string }) => k.name)).toEqual(['alpha', 'bravo']);
      expect(second.body.data.map((k: { name: string }) => k.name)).toEqual(['charlie']);
      expect(second.body.page.nextCursor).toBeNull();
      await listKeys(auth, '?sort=secretHash').expect(400);
    });

    it('is open to an API key holding organisation:read, and to no other key', async () => {
      const reader = await anApiKey(ds, home, ['organisation:read']);
      const other = await anApiKey(ds, home, ['catalogue:read', 'charges:write']);

      await listKeys(reader.header).expect(200);
      const response = await listKeys(other.header).expect(403);

      expect(response.body).toMatchObject({
        ...FORBIDDEN,
        detail: 'This API key needs one of the scopes: organisation:read',
      });
    });

    it('is closed to users who are not organisation administrators', async () => {
      const { auth } = await signIn(test, await aUser(ds, home, ['finance']));
      await listKeys(auth).expect(403);
    });
  });

  describe('revoking a key', () => {
    it('stops the key working at once and audits the revocation', async () => {
      const { apiKey, key } = await anApiKey(ds, home, ['catalogue:read']);
      await me(key).expect(200);

      const response = await revokeKey(adminAuth, apiKey.id).expect(200);

      expect(response.body).toMatchObject({ id: apiKey.id, revokedAt: expect.any(String) });
      const refused = await me(key).expect(401);
      expect(refused.body).toMatchObject(UNAUTHENTICATED);
      const [event] = await auditEventsFor(ds, apiKey.id);
      expect(event).toMatchObject({
        action: 'api_key.revoked',
        actorType: 'user',
        actorId: admin.id,
        organisationId: home.id,
        requestId: response.headers['x-request-id'],
        changes: { revokedAt: { from: null, to: response.body.revokedAt } },
      });
    });

    it('is idempotent: revoking again changes nothing and writes no second event', async () => {
      const { apiKey } = await anApiKey(ds, home, ['catalogue:read']);
      const first = await revokeKey(adminAuth, apiKey.id).expect(200);

      const second = await revokeKey(adminAuth, apiKey.id).expect(200);

      expect(second.body.revokedAt).toBe(first.body.revokedAt);
      expect((await auditEventsFor(ds, apiKey.id)).map((e) => e.action)).toEqual(['api_key.revoked']);
    });

    it('answers 404 for another organisation’s key, and leaves that key working', async () => {
      const { apiKey, key } = await anApiKey(ds, home, ['catalogue:read']);

      const response = await revokeKey(otherAdminAuth, apiKey.id).expect(404);

      expect(response.body).toMatchObject(NOT_FOUND);
      await me(key).expect(200);
      expect(await auditEventsFor(ds, apiKey.id)).toEqual([]);
    });

    it('answers 404 for an unknown key and 400 for an id that is not a UUID', async () => {
      await revokeKey(adminAuth, randomUUID()).expect(404);
      await revokeKey(adminAuth, 'not-a-uuid').expect(400);
    });

    it('cannot be done with an API key, not even to the key itself', async () => {
      const { apiKey, header } = await anApiKey(ds, home, [...API_KEY_SCOPES]);
      await revokeKey(header, apiKey.id).expect(403);
    });

    it('cannot be done by a user who is not an organisation administrator', async () => {
      const { apiKey } = await anApiKey(ds, home, ['catalogue:read']);
      const { auth } = await signIn(test, await aUser(ds, home, ['service_manager']));
      await revokeKey(auth, apiKey.id).expect(403);
    });
  });

  describe('presenting a key', () => {
    it('refuses an expired key', async () => {
      const { key } = await anApiKey(ds, home, ['catalogue:read'], {
        expiresAt: new Date(Date.now() - 1000),
      });
      const response = await me(key).expect(401);
      expect(response.body).toMatchObject(UNAUTHENTICATED);
    });

    it('refuses a key whose secret is wrong, and a malformed key', async () => {
      const { key } = await anApiKey(ds, home, ['catalogue:read']);
      const tampered = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
      await me(tampered).expect(401);
      await me('csk_not-a-key').expect(401);
    });

    it('refuses a key on an endpoint for users only, even with every scope', async () => {
      const { header } = await anApiKey(ds, home, [...API_KEY_SCOPES]);
      const response = await test.http().get('/api/v1/users').set(header).expect(403);
      expect(response.body).toMatchObject({
        ...FORBIDDEN,
        detail: 'This endpoint is not available to API keys',
      });
    });
  });
});
