import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { User } from '../src/modules/users/user.entity';
import {
  aClientAddress,
  aConsortiumWithMembers,
  anApiKey,
  anOrganisation,
  auditEventsFor,
  aUser,
  signIn,
  TEST_PASSWORD,
} from './support/builders';
import { createTestApp, TEST_JWT_SECRET, TestApp } from './support/test-app';

const WRONG_CREDENTIALS = 'The email or password is not right';
const UNAUTHENTICATED = { type: 'urn:consortium:problem:unauthenticated', status: 401 };

describe('authentication', () => {
  let test: TestApp;
  let ds: DataSource;
  beforeAll(async () => {
    test = await createTestApp();
    ds = test.dataSource;
  });
  afterAll(() => test.close());

  const login = (body: object, address = aClientAddress()) =>
    test.http().post('/api/v1/auth/login').set('X-Forwarded-For', address).send(body);
  const me = (headers: Record<string, string>) => test.http().get('/api/v1/auth/me').set(headers);
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const refresh = (refreshToken: string) => test.http().post('/api/v1/auth/refresh').send({ refreshToken });

  async function aSignedInUser() {
    const organisation = await anOrganisation(ds);
    const user = await aUser(ds, organisation, ['service_manager']);
    return { organisation, user, session: await signIn(test, user) };
  }

  describe('sign-in', () => {
    it('issues a bearer access token and a refresh token for the right password, and audits it', async () => {
      const organisation = await anOrganisation(ds);
      const user = await aUser(ds, organisation, ['finance']);

      const response = await login({ email: user.email, password: TEST_PASSWORD }).expect(200);

      expect(response.body).toEqual({
        accessToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: 900,
        refreshToken: expect.any(String),
        refreshTokenExpiresAt: expect.any(String),
      });
      await me(bearer(response.body.accessToken)).expect(200);
      const [event] = await auditEventsFor(ds, user.id);
      expect(event).toMatchObject({ action: 'auth.login', actorType: 'user', actorId: user.id });
      expect(event.requestId).toBe(response.headers['x-request-id']);
      const [{ last_login_at }] = await ds.query('SELECT last_login_at FROM users WHERE id = $1', [user.id]);
      expect(last_login_at).not.toBeNull();
    });

    it('treats the email case-insensitively', async () => {
      const user = await aUser(ds, await anOrganisation(ds), ['viewer']);
      await login({ email: user.email.toUpperCase(), password: TEST_PASSWORD }).expect(200);
    });

    it('refuses a wrong password with a 401 problem', async () => {
      const user = await aUser(ds, await anOrganisation(ds), ['viewer']);
      const response = await login({ email: user.email, password: 'not-the-password' }).expect(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ ...UNAUTHENTICATED, detail: WRONG_CREDENTIALS });
      expect(response.body).not.toHaveProperty('accessToken');
    });

    it('answers an unknown email exactly as a wrong password, so it does not reveal who has an account', async () => {
      const response = await login({
        email: `nobody.${randomUUID()}@example.gov.uk`,
        password: 'whatever',
      }).expect(401);
      expect(response.body).toMatchObject({ ...UNAUTHENTICATED, detail: WRONG_CREDENTIALS });
    });

    it('refuses a disabled user with the same answer even when the password is right', async () => {
      const user = await aUser(ds, await anOrganisation(ds), ['viewer'], { status: 'disabled' });
      const response = await login({ email: user.email, password: TEST_PASSWORD }).expect(401);
      expect(response.body.detail).toBe(WRONG_CREDENTIALS);
    });
  });

  describe('sign-in validation', () => {
    it('answers a missing password and a malformed email with a 400 problem naming each field', async () => {
      const response = await login({ email: 'not-an-email' }).expect(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ type: 'urn:consortium:problem:validation-error', status: 400 });
      const fields = (response.body.errors as { field: string }[]).map((error) => error.field);
      expect(fields).toEqual(expect.arrayContaining(['email', 'password']));
    });

    it('rejects an unknown field rather than ignoring it', async () => {
      const user = await aUser(ds, await anOrganisation(ds), ['viewer']);
      const response = await login({ email: user.email, password: TEST_PASSWORD, isSuperadmin: true }).expect(
        400,
      );
      expect(response.body.errors).toEqual([
        { field: 'isSuperadmin', message: 'property isSuperadmin should not exist' },
      ]);
    });

    it('does not count a malformed request as a failed sign-in', async () => {
      const user = await aUser(ds, await anOrganisation(ds), ['viewer']);
      await login({ email: user.email, password: '' }).expect(400);
      const [{ count }] = await ds.query(
        'SELECT count(*)::int AS count FROM login_failures WHERE email = $1',
        [user.email],
      );
      expect(count).toBe(0);
    });
  });

  describe('rate limiting of failed sign-ins', () => {
    it('refuses further attempts for an email after five failures (429 problem), even with the right password', async () => {
      const user = await aUser(ds, await anOrganisation(ds), ['viewer']);
      for (let attempt = 0; attempt < 5; attempt++) {
        await login({ email: user.email, password: 'wrong-password' }).expect(401);
      }

      const response = await login({ email: user.email, password: TEST_PASSWORD }).expect(429);

      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({
        type: 'urn:consortium:problem:rate-limited',
        status: 429,
        retryAfterSeconds: 900,
      });
      expect(response.body).not.toHaveProperty('accessToken');
    });

    it('forgets an email’s failures once it signs in successfully', async () => {
      const user = await aUser(ds, await anOrganisation(ds), ['viewer']);
      for (let attempt = 0; attempt < 4; attempt++) {
        await login({ email: user.email, password: 'wrong-password' }).expect(401);
      }
      await login({ email: user.email, password: TEST_PASSWORD }).expect(200);
      for (let attempt = 0; attempt < 4; attempt++) {
        await login({ email: user.email, password: 'wrong-password' }).expect(401);
      }
      await login({ email: user.email, password: TEST_PASSWORD }).expect(200);
    });

    it('refuses an address that failed thirty times, whatever email it tries next', async () => {
      const address = aClientAddress();
      const user = await aUser(ds, await anOrganisation(ds), ['viewer']);
      for (let attempt = 0; attempt < 30; attempt++) {
        await login(
          { email: `guess.${attempt}.${randomUUID()}@example.gov.uk`, password: 'x' },
          address,
        ).expect(401);
      }

      await login({ email: user.email, password: TEST_PASSWORD }, address).expect(429);
      await login({ email: user.email, password: TEST_PASSWORD }, aClientAddress()).expect(200);
    });
  });

  describe('refresh tokens', () => {
    it('exchanges a refresh token for a new pair, after which the old one no longer works', async () => {
      const { session } = await aSignedInUser();

      const first = await refresh(session.refreshToken).expect(200);
      expect(first.body.refreshToken).not.toBe(session.refreshToken);
      await me(bearer(first.body.accessToken)).expect(200);

      const reused = await refresh(session.refreshToken).expect(401);
      expect(reused.body).toMatchObject(UNAUTHENTICATED);
    });

    it('revokes the whole family when a rotated token is reused, so the newest token fails too', async () => {
      const { session } = await aSignedInUser();
      const second = await refresh(session.refreshToken).expect(200);
      const third = await refresh(second.body.refreshToken).expect(200);

      await refresh(session.refreshToken).expect(401);

      await refresh(third.body.refreshToken).expect(401);
    });

    it('leaves the user’s other sessions alone when one family is revoked', async () => {
      const { user, session } = await aSignedInUser();
      const otherSession = await signIn(test, user);
      await refresh(session.refreshToken).expect(200);

      await refresh(session.refreshToken).expect(401);

      await refresh(otherSession.refreshToken).expect(200);
    });

    it('refuses an unknown refresh token and validates the body', async () => {
      await refresh('an-unknown-refresh-token-of-plausible-length').expect(401);
      const response = await test.http().post('/api/v1/auth/refresh').send({}).expect(400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain('refreshToken');
    });
  });

  describe('sign-out', () => {
    it('revokes the refresh token and its family, and audits it', async () => {
      const { user, session } = await aSignedInUser();
      const rotated = await refresh(session.refreshToken).expect(200);

      const response = await test
        .http()
        .post('/api/v1/auth/logout')
        .send({ refreshToken: rotated.body.refreshToken })
        .expect(204);

      await refresh(rotated.body.refreshToken).expect(401);
      const events = await auditEventsFor(ds, user.id);
      expect(events.map((event) => event.action)).toEqual(['auth.login', 'auth.logout']);
      expect(events[1]).toMatchObject({
        actorType: 'user',
        actorId: user.id,
        organisationId: user.organisationId,
        requestId: response.headers['x-request-id'],
      });
    });

    it('accepts an unknown refresh token without revealing anything', async () => {
      await test
        .http()
        .post('/api/v1/auth/logout')
        .send({ refreshToken: 'an-unknown-refresh-token-of-plausible-length' })
        .expect(204);
    });
  });

  describe('access tokens', () => {
    const jwt = new JwtService({ secret: TEST_JWT_SECRET });
    const claimsOf = (user: User) => ({ sub: user.id, org: user.organisationId, typ: 'access' });

    it('accepts a token signed with the API’s key (the forgery tests below would pass vacuously otherwise)', async () => {
      const { user } = await aSignedInUser();
      await me(bearer(jwt.sign(claimsOf(user), { expiresIn: 60 }))).expect(200);
    });

    it('refuses an expired access token', async () => {
      const { user } = await aSignedInUser();
      const expired = jwt.sign({ ...claimsOf(user), exp: Math.floor(Date.now() / 1000) - 60 });
      const response = await me(bearer(expired)).expect(401);
      expect(response.body).toMatchObject(UNAUTHENTICATED);
    });

    it('refuses a token signed with another key', async () => {
      const { user } = await aSignedInUser();
      const forged = new JwtService({ secret: 'another-signing-key-that-is-long-enough-too' }).sign(
        claimsOf(user),
        {
          expiresIn: 60,
        },
      );
      await me(bearer(forged)).expect(401);
    });

    it('refuses an unsigned token', async () => {
      const { user } = await aSignedInUser();
      const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
      const exp = Math.floor(Date.now() / 1000) + 60;
      await me(
        bearer(`${encode({ alg: 'none', typ: 'JWT' })}.${encode({ ...claimsOf(user), exp })}.`),
      ).expect(401);
    });

    it('refuses a correctly signed token that is not an access token', async () => {
      const { user } = await aSignedInUser();
      await me(bearer(jwt.sign({ ...claimsOf(user), typ: 'refresh' }, { expiresIn: 60 }))).expect(401);
    });

    it('stops working as soon as its user is disabled, and so does the refresh token', async () => {
      const { user, session } = await aSignedInUser();
      await me(session.auth).expect(200);

      await ds.getRepository(User).update({ id: user.id }, { status: 'disabled' });

      await me(session.auth).expect(401);
      await refresh(session.refreshToken).expect(401);
    });
  });

  describe('GET /auth/me', () => {
    it('describes a signed-in user: roles, organisation and consortia', async () => {
      const cast = await aConsortiumWithMembers(ds);
      const session = await signIn(test, cast.consortiumAdmin);

      const response = await me(session.auth).expect(200);

      expect(response.body).toEqual({
        kind: 'user',
        id: cast.consortiumAdmin.id,
        label: cast.consortiumAdmin.email,
        organisationId: cast.home.id,
        roles: ['viewer'],
        scopes: [],
        isSuperadmin: false,
        consortiumAdminOf: [cast.consortium.id],
        activeConsortia: [cast.consortium.id],
      });
    });

    it('describes an API key: its scopes and organisation, no roles', async () => {
      const cast = await aConsortiumWithMembers(ds);
      const { apiKey, header } = await anApiKey(ds, cast.other, ['catalogue:read', 'usage:write']);

      const response = await me(header).expect(200);

      expect(response.body).toEqual({
        kind: 'api_key',
        id: apiKey.id,
        label: `api-key:${apiKey.prefix}`,
        organisationId: cast.other.id,
        roles: [],
        scopes: ['catalogue:read', 'usage:write'],
        isSuperadmin: false,
        consortiumAdminOf: [],
        activeConsortia: [cast.consortium.id],
      });
    });

    it('refuses a caller with neither token nor key', async () => {
      await me({}).expect(401);
      await me(bearer('not-a-jwt')).expect(401);
    });
  });
});
