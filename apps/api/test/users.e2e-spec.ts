import { API_KEY_SCOPES } from '@consortium/auth';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Organisation } from '../src/modules/organisations/organisation.entity';
import { User } from '../src/modules/users/user.entity';
import { anApiKey, anOrganisation, auditEventsFor, aUser, signIn } from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

const FORBIDDEN = { type: 'urn:consortium:problem:forbidden', status: 403 };
const NOT_FOUND = { type: 'urn:consortium:problem:not-found', status: 404 };
const CONFLICT = { type: 'urn:consortium:problem:conflict', status: 409 };
const NEW_PASSWORD = 'a-long-enough-password';

type Auth = Record<string, string>;

describe('users', () => {
  let test: TestApp;
  let ds: DataSource;
  let home: Organisation;
  let other: Organisation;
  let admin: User;
  let adminAuth: Auth;
  let otherAdmin: User;
  let otherAdminAuth: Auth;

  beforeAll(async () => {
    test = await createTestApp();
    ds = test.dataSource;
    home = await anOrganisation(ds);
    other = await anOrganisation(ds);
    admin = await aUser(ds, home, ['org_admin']);
    otherAdmin = await aUser(ds, other, ['org_admin']);
    adminAuth = (await signIn(test, admin)).auth;
    otherAdminAuth = (await signIn(test, otherAdmin)).auth;
  });
  afterAll(() => test.close());

  const list = (auth: Auth, query = '') => test.http().get(`/api/v1/users${query}`).set(auth);
  const get = (auth: Auth, id: string) => test.http().get(`/api/v1/users/${id}`).set(auth);
  const create = (auth: Auth, body: object) => test.http().post('/api/v1/users').set(auth).send(body);
  const update = (auth: Auth, id: string, body: object) =>
    test.http().patch(`/api/v1/users/${id}`).set(auth).send(body);
  const aNewUser = (overrides: object = {}) => ({
    email: `new.${randomUUID()}@example.gov.uk`,
    name: 'Priya Shah',
    roles: ['finance'],
    password: NEW_PASSWORD,
    ...overrides,
  });
  const emailsOf = (body: { data: { email: string }[] }) => body.data.map((u) => u.email);

  /** An organisation of its own, for tests that look at the whole list. */
  async function aStaffedOrganisation() {
    const organisation = await anOrganisation(ds);
    const orgAdmin = await aUser(ds, organisation, ['org_admin'], {
      name: 'Alice Admin',
      email: `alice.${randomUUID()}@example.gov.uk`,
    });
    const cio = await aUser(ds, organisation, ['service_manager', 'finance'], {
      name: 'Carol CIO',
      email: `carol.${randomUUID()}@example.gov.uk`,
    });
    const clerk = await aUser(ds, organisation, ['finance'], {
      name: 'Bob Clerk',
      email: `bob.${randomUUID()}@example.gov.uk`,
      status: 'disabled',
    });
    return { organisation, orgAdmin, cio, clerk, auth: (await signIn(test, orgAdmin)).auth };
  }

  describe('GET /users', () => {
    it('lists the caller’s own organisation’s users by name, without password hashes', async () => {
      const staff = await aStaffedOrganisation();

      const response = await list(staff.auth).expect(200);

      expect(response.body.data.map((u: User) => u.name)).toEqual(['Alice Admin', 'Bob Clerk', 'Carol CIO']);
      expect(response.body.page).toEqual({ nextCursor: null, limit: 50 });
      expect(response.body.data[0]).toEqual({
        id: staff.orgAdmin.id,
        organisationId: staff.organisation.id,
        email: staff.orgAdmin.email,
        name: 'Alice Admin',
        roles: ['org_admin'],
        status: 'active',
        isSuperadmin: false,
        lastLoginAt: expect.any(String),
        createdAt: staff.orgAdmin.createdAt.toISOString(),
        updatedAt: expect.any(String),
      });
      expect(JSON.stringify(response.body)).not.toMatch(/argon2|password/i);
    });

    it('filters by role, status and a fragment of the name or email', async () => {
      const staff = await aStaffedOrganisation();

      const finance = await list(staff.auth, '?role=finance').expect(200);
      const disabled = await list(staff.auth, '?status=disabled').expect(200);
      const byName = await list(staff.auth, '?q=CAROL').expect(200);
      const byEmail = await list(
        staff.auth,
        `?q=${encodeURIComponent(staff.clerk.email.slice(0, 12))}`,
      ).expect(200);
      const wildcard = await list(staff.auth, '?q=%25').expect(200);

      expect(emailsOf(finance.body)).toEqual([staff.clerk.email, staff.cio.email]);
      expect(emailsOf(disabled.body)).toEqual([staff.clerk.email]);
      expect(emailsOf(byName.body)).toEqual([staff.cio.email]);
      expect(emailsOf(byEmail.body)).toEqual([staff.clerk.email]);
      expect(wildcard.body.data).toEqual([]);
    });

    it('sorts by email or creation time, either way, and pages with a cursor', async () => {
      const staff = await aStaffedOrganisation();
      const byEmail = [staff.orgAdmin.email, staff.clerk.email, staff.cio.email].sort();

      const descending = await list(staff.auth, '?sort=-email').expect(200);
      const first = await list(staff.auth, '?sort=email&limit=2').expect(200);
      const second = await list(
        staff.auth,
        `?sort=email&limit=2&cursor=${first.body.page.nextCursor}`,
      ).expect(200);
      const newestFirst = await list(staff.auth, '?sort=-createdAt').expect(200);

      expect(emailsOf(descending.body)).toEqual([...byEmail].reverse());
      expect([...emailsOf(first.body), ...emailsOf(second.body)]).toEqual(byEmail);
      expect(second.body.page.nextCursor).toBeNull();
      expect(emailsOf(newestFirst.body)).toEqual([staff.clerk.email, staff.cio.email, staff.orgAdmin.email]);
    });

    it('pages by creation time without repeating or skipping anyone', async () => {
      const staff = await aStaffedOrganisation();
      const seen: string[] = [];
      let cursor = '';
      do {
        const response = await list(
          staff.auth,
          `?sort=createdAt&limit=1${cursor && `&cursor=${cursor}`}`,
        ).expect(200);
        seen.push(...emailsOf(response.body));
        cursor = response.body.page.nextCursor ?? '';
      } while (cursor && seen.length < 10);
      expect(seen).toEqual([staff.orgAdmin.email, staff.cio.email, staff.clerk.email]);
    });

    it('refuses an unknown filter value or sort field with a 400 problem', async () => {
      await list(adminAuth, '?role=superadmin').expect(400);
      await list(adminAuth, '?status=deleted').expect(400);
      const response = await list(adminAuth, '?sort=passwordHash').expect(400);
      expect(response.body.errors).toEqual([
        { field: 'sort', message: expect.stringContaining('name, email, createdAt') },
      ]);
    });

    it('never shows another organisation’s users, even when asked for them', async () => {
      const response = await list(adminAuth, '?limit=200').expect(200);
      expect(response.body.data.every((u: User) => u.organisationId === home.id)).toBe(true);
      expect(emailsOf(response.body)).not.toContain(otherAdmin.email);

      const asked = await list(adminAuth, `?organisationId=${other.id}`).expect(404);
      expect(asked.body).toMatchObject(NOT_FOUND);
    });

    it('is closed to users who are not organisation administrators, and to API keys', async () => {
      for (const role of ['viewer', 'service_manager', 'finance'] as const) {
        const { auth } = await signIn(test, await aUser(ds, home, [role]));
        expect((await list(auth).expect(403)).body).toMatchObject(FORBIDDEN);
      }
      const { header } = await anApiKey(ds, home, [...API_KEY_SCOPES]);
      await list(header).expect(403);
      await list({}).expect(401);
    });
  });

  describe('GET /users/:id', () => {
    it('shows a user of the caller’s organisation', async () => {
      const viewer = await aUser(ds, home, ['viewer']);
      const response = await get(adminAuth, viewer.id).expect(200);
      expect(response.body).toMatchObject({ id: viewer.id, email: viewer.email, roles: ['viewer'] });
      expect(response.body).not.toHaveProperty('passwordHash');
    });

    it('answers 404 for another organisation’s user, as for one that does not exist', async () => {
      const response = await get(adminAuth, otherAdmin.id).expect(404);
      expect(response.body).toMatchObject(NOT_FOUND);
      await get(otherAdminAuth, admin.id).expect(404);
      await get(adminAuth, randomUUID()).expect(404);
      await get(adminAuth, 'not-a-uuid').expect(400);
    });

    it('is closed to a viewer, even for themselves', async () => {
      const viewer = await aUser(ds, home, ['viewer']);
      const { auth } = await signIn(test, viewer);
      await get(auth, viewer.id).expect(403);
    });
  });

  describe('POST /users', () => {
    it('creates a user in the caller’s organisation who can then sign in, and audits it without the password', async () => {
      const body = aNewUser({
        email: `Priya.Shah.${randomUUID()}@Example.GOV.uk`,
        roles: ['viewer', 'finance'],
      });

      const response = await create(adminAuth, body).expect(201);

      expect(response.body).toEqual({
        id: expect.any(String),
        organisationId: home.id,
        email: body.email.toLowerCase(),
        name: 'Priya Shah',
        roles: ['finance', 'viewer'],
        status: 'active',
        isSuperadmin: false,
        lastLoginAt: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      await test
        .http()
        .post('/api/v1/auth/login')
        .send({ email: body.email, password: NEW_PASSWORD })
        .expect(200);

      const [event] = await auditEventsFor(ds, response.body.id);
      expect(event).toMatchObject({
        action: 'user.created',
        actorType: 'user',
        actorId: admin.id,
        organisationId: home.id,
        requestId: response.headers['x-request-id'],
        changes: {
          email: body.email.toLowerCase(),
          name: 'Priya Shah',
          roles: ['finance', 'viewer'],
          status: 'active',
        },
      });
      expect(JSON.stringify(event.changes)).not.toMatch(/password|argon2/i);
      expect(JSON.stringify(event.changes)).not.toContain(NEW_PASSWORD);
      const [row] = await ds.query('SELECT created_at, password_hash FROM users WHERE id = $1', [
        response.body.id,
      ]);
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
      // now() is the transaction's start time: equal timestamps mean the user and its audit event were one transaction.
      expect(event.occurredAt).toEqual(row.created_at);
    });

    it('refuses an email that is already taken, whatever its case, with a 409 problem and no audit event', async () => {
      const response = await create(adminAuth, aNewUser({ email: otherAdmin.email.toUpperCase() })).expect(
        409,
      );
      expect(response.body).toMatchObject({ ...CONFLICT, code: 'email-taken' });
      const [{ count }] = await ds.query(
        `SELECT count(*)::int AS count FROM audit_events WHERE action = 'user.created' AND changes->>'email' = $1`,
        [otherAdmin.email],
      );
      expect(count).toBe(0);
    });

    it.each([
      ['a password shorter than 12 characters', { password: 'short-pass1' }, 'password'],
      ['a malformed email', { email: 'priya.shah' }, 'email'],
      ['no roles', { roles: [] }, 'roles'],
      ['an unknown role', { roles: ['finance', 'treasurer'] }, 'roles'],
      ['the superadmin role', { roles: ['superadmin'] }, 'roles'],
      ['a superadmin flag', { isSuperadmin: true }, 'isSuperadmin'],
      ['an empty name', { name: '   ' }, 'name'],
    ])('refuses %s with a 400 problem naming the field', async (_case, overrides, field) => {
      const response = await create(adminAuth, aNewUser(overrides)).expect(400);
      expect(response.body).toMatchObject({ type: 'urn:consortium:problem:validation-error', status: 400 });
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('cannot put a user in another organisation', async () => {
      const body = aNewUser({ organisationId: other.id });
      const response = await create(adminAuth, body).expect(404);
      expect(response.body).toMatchObject(NOT_FOUND);
      expect(await ds.getRepository(User).existsBy({ email: body.email })).toBe(false);
    });

    it('is forbidden to viewers, service managers and finance', async () => {
      for (const role of ['viewer', 'service_manager', 'finance'] as const) {
        const { auth } = await signIn(test, await aUser(ds, home, [role]));
        const body = aNewUser();
        expect((await create(auth, body).expect(403)).body).toMatchObject(FORBIDDEN);
        expect(await ds.getRepository(User).existsBy({ email: body.email })).toBe(false);
      }
    });

    it('is forbidden to an API key, whatever its scopes', async () => {
      const { header } = await anApiKey(ds, home, [...API_KEY_SCOPES]);
      const response = await create(header, aNewUser()).expect(403);
      expect(response.body).toMatchObject({
        ...FORBIDDEN,
        detail: 'This endpoint is not available to API keys',
      });
    });
  });

  describe('PATCH /users/:id', () => {
    it('renames a user and changes their roles, auditing the difference', async () => {
      const user = await aUser(ds, home, ['viewer'], { name: 'Sam Jones' });

      const response = await update(adminAuth, user.id, {
        name: 'Samira Jones',
        roles: ['viewer', 'service_manager'],
      }).expect(200);

      expect(response.body).toMatchObject({
        id: user.id,
        name: 'Samira Jones',
        roles: ['service_manager', 'viewer'],
      });
      const [event] = await auditEventsFor(ds, user.id);
      expect(event).toMatchObject({
        action: 'user.updated',
        actorType: 'user',
        actorId: admin.id,
        organisationId: home.id,
        requestId: response.headers['x-request-id'],
        changes: {
          name: { from: 'Sam Jones', to: 'Samira Jones' },
          roles: { from: ['viewer'], to: ['service_manager', 'viewer'] },
        },
      });
      const [row] = await ds.query('SELECT updated_at FROM users WHERE id = $1', [user.id]);
      expect(event.occurredAt).toEqual(row.updated_at);
    });

    it('writes nothing when nothing changes', async () => {
      const user = await aUser(ds, home, ['viewer', 'finance']);
      await update(adminAuth, user.id, { name: user.name, roles: ['viewer', 'finance'] }).expect(200);
      expect(await auditEventsFor(ds, user.id)).toEqual([]);
    });

    it('disables a user: their sessions end in the same transaction and they can no longer sign in', async () => {
      const user = await aUser(ds, home, ['service_manager']);
      const session = await signIn(test, user);
      await test.http().get('/api/v1/auth/me').set(session.auth).expect(200);

      const response = await update(adminAuth, user.id, { status: 'disabled' }).expect(200);

      expect(response.body.status).toBe('disabled');
      const tokens = await ds.query('SELECT revoked_at FROM refresh_tokens WHERE user_id = $1', [user.id]);
      const [event] = await auditEventsFor(ds, user.id).then((events) =>
        events.filter((e) => e.action === 'user.updated'),
      );
      expect(tokens.map((t: { revoked_at: Date }) => t.revoked_at)).toEqual([event.occurredAt]);
      expect(event.changes).toEqual({ status: { from: 'active', to: 'disabled' } });
      await test.http().get('/api/v1/auth/me').set(session.auth).expect(401);
      await test.http().post('/api/v1/auth/refresh').send({ refreshToken: session.refreshToken }).expect(401);
      await test
        .http()
        .post('/api/v1/auth/login')
        .send({ email: user.email, password: 'correct-horse-battery-staple' })
        .expect(401);

      await update(adminAuth, user.id, { status: 'active' }).expect(200);
      await signIn(test, user);
      // Enabled again, the user signs in afresh: the sessions that were ended stay ended.
      await test.http().get('/api/v1/auth/me').set(session.auth).expect(401);
      await test.http().post('/api/v1/auth/refresh').send({ refreshToken: session.refreshToken }).expect(401);
      const [{ reasons }] = await ds.query(
        `SELECT array_agg(DISTINCT revoked_reason::text) AS reasons FROM sessions WHERE user_id = $1 AND revoked_at IS NOT NULL`,
        [user.id],
      );
      expect(reasons).toEqual(['user_disabled']);
    });

    it('takes a role’s rights away from the user’s signed-in sessions on their next request', async () => {
      const user = await aUser(ds, home, ['org_admin', 'viewer']);
      const session = await signIn(test, user);
      await test.http().get('/api/v1/users').set(session.auth).expect(200);

      await update(adminAuth, user.id, { roles: ['viewer'] }).expect(200);

      await test.http().get('/api/v1/users').set(session.auth).expect(403);
      await test.http().get('/api/v1/auth/me').set(session.auth).expect(200);
    });

    it('will not let administrators disable themselves or give up their own org_admin role (409)', async () => {
      const self = await aUser(ds, home, ['org_admin', 'finance']);
      const { auth } = await signIn(test, self);

      const disable = await update(auth, self.id, { status: 'disabled' }).expect(409);
      const demote = await update(auth, self.id, { roles: ['finance'] }).expect(409);

      expect(disable.body).toMatchObject({ ...CONFLICT, code: 'self-lockout' });
      expect(demote.body).toMatchObject({ ...CONFLICT, code: 'self-lockout' });
      await update(auth, self.id, { name: 'Still In Charge', roles: ['org_admin'] }).expect(200);
      const after = await ds.getRepository(User).findOneByOrFail({ id: self.id });
      expect(after).toMatchObject({ status: 'active', roles: ['org_admin'], name: 'Still In Charge' });
    });

    it('lets one administrator demote another', async () => {
      const colleague = await aUser(ds, home, ['org_admin']);
      await update(adminAuth, colleague.id, { roles: ['viewer'] }).expect(200);
    });

    it('answers 404 for another organisation’s user and changes nothing', async () => {
      const theirs = await aUser(ds, other, ['viewer']);

      const response = await update(adminAuth, theirs.id, { status: 'disabled', name: 'Hijacked' }).expect(
        404,
      );

      expect(response.body).toMatchObject(NOT_FOUND);
      expect(await ds.getRepository(User).findOneByOrFail({ id: theirs.id })).toMatchObject({
        status: 'active',
        name: theirs.name,
      });
      expect(await auditEventsFor(ds, theirs.id)).toEqual([]);
    });

    it('refuses a superadmin grant, an unknown status and unknown fields with a 400 problem', async () => {
      const user = await aUser(ds, home, ['viewer']);
      await update(adminAuth, user.id, { roles: ['superadmin'] }).expect(400);
      await update(adminAuth, user.id, { isSuperadmin: true }).expect(400);
      await update(adminAuth, user.id, { status: 'deleted' }).expect(400);
      await update(adminAuth, user.id, { email: 'someone.else@example.gov.uk' }).expect(400);
      expect(await ds.getRepository(User).findOneByOrFail({ id: user.id })).toMatchObject({
        isSuperadmin: false,
        email: user.email,
      });
    });

    it('is forbidden to non-administrators and to API keys', async () => {
      const user = await aUser(ds, home, ['viewer']);
      const { auth } = await signIn(test, await aUser(ds, home, ['finance', 'service_manager']));
      await update(auth, user.id, { name: 'Changed' }).expect(403);
      const { header } = await anApiKey(ds, home, [...API_KEY_SCOPES]);
      await update(header, user.id, { name: 'Changed' }).expect(403);
    });

    it('does not let an organisation administrator change a superadmin of their organisation', async () => {
      const superadmin = await aUser(ds, home, ['viewer'], { isSuperadmin: true });
      const response = await update(adminAuth, superadmin.id, { status: 'disabled' }).expect(403);
      expect(response.body).toMatchObject(FORBIDDEN);
    });
  });

  describe('a superadmin', () => {
    let superadminAuth: Auth;
    beforeAll(async () => {
      const platform = await anOrganisation(ds);
      superadminAuth = (await signIn(test, await aUser(ds, platform, [], { isSuperadmin: true }))).auth;
    });

    it('lists, reads and changes any organisation’s users, and the audit names that organisation', async () => {
      const theirs = await aUser(ds, other, ['viewer']);

      const listed = await list(superadminAuth, `?organisationId=${other.id}&limit=200`).expect(200);
      await get(superadminAuth, theirs.id).expect(200);
      await update(superadminAuth, theirs.id, { roles: ['viewer', 'finance'] }).expect(200);

      expect(emailsOf(listed.body)).toEqual(expect.arrayContaining([otherAdmin.email, theirs.email]));
      const [event] = await auditEventsFor(ds, theirs.id);
      expect(event).toMatchObject({ action: 'user.updated', organisationId: other.id });
    });

    it('creates a user in a named organisation, but not in one that does not exist', async () => {
      const response = await create(superadminAuth, aNewUser({ organisationId: other.id })).expect(201);
      expect(response.body.organisationId).toBe(other.id);
      await create(superadminAuth, aNewUser({ organisationId: randomUUID() })).expect(404);
    });
  });
});
