import { sha256, throttledAddress } from '@consortium/auth';
import { JwtService } from '@nestjs/jwt';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Response, Test } from 'supertest';
import { DataSource } from 'typeorm';
import { loadEnvironment } from '../src/config/environment';
import { User } from '../src/modules/users/user.entity';
import {
  aClientAddress,
  aConsortiumWithMembers,
  anApiKey,
  anOrganisation,
  auditEventsFor,
  aUser,
  bearerFor,
  signIn,
  TEST_PASSWORD,
} from './support/builders';
import { createTestApp, TEST_JWT_SECRET, TestApp } from './support/test-app';

const WRONG_CREDENTIALS = 'The email or password is not right';
const UNAUTHENTICATED = { type: 'urn:consortium:problem:unauthenticated', status: 401 };
/** The default of REFRESH_TOKEN_REUSE_GRACE_SECONDS, which the main test app runs with. */
const REUSE_GRACE_SECONDS = 30;

describe('authentication', () => {
  let test: TestApp;
  let ds: DataSource;
  // A second instance on the same database, and one with the reuse grace period turned off.
  let otherInstance: TestApp;
  let strict: TestApp;
  // And one whose sign-in waits start at a minute, so no test could outrun one.
  let throttled: TestApp;
  beforeAll(async () => {
    test = await createTestApp();
    ds = test.dataSource;
    otherInstance = await createTestApp();
    strict = await createTestApp({ REFRESH_TOKEN_REUSE_GRACE_SECONDS: '0' });
    throttled = await createTestApp({ SIGN_IN_FIRST_DELAY_SECONDS: '60', SIGN_IN_MAX_DELAY_SECONDS: '3600' });
  });
  afterAll(async () => {
    await Promise.all([test.close(), otherInstance.close(), strict.close(), throttled.close()]);
  });

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
        'SELECT count(*)::int AS count FROM sign_in_throttles WHERE email = $1',
        [user.email],
      );
      expect(count).toBe(0);
    });
  });

  describe('slowing down failed sign-ins (per email and address, never a lock of the account)', () => {
    const RATE_LIMITED = { type: 'urn:consortium:problem:rate-limited', status: 429 };
    /** The throttled app's first wait: long enough that no test outruns it, so nothing depends on timing. */
    const FIRST_DELAY = 60;
    const MAX_DELAY = 3600;
    const attempt = (email: string, password: string, address: string) =>
      throttled.http().post('/api/v1/auth/login').set('X-Forwarded-For', address).send({ email, password });
    /** Fails to sign in as `email` from `address`, `times` times (each a 401). */
    async function fail(email: string, address: string, times = 1) {
      for (let n = 0; n < times; n++) await attempt(email, 'not-the-password', address).expect(401);
    }

    /** The count of an email from an address ('' for the address's own, across emails), and the wait it set. */
    async function throttleOf(email: string, address: string) {
      const [row] = await ds.query<{ failures: number; wait: number }[]>(
        `SELECT failures, round(extract(epoch FROM not_before - updated_at))::int AS wait
           FROM sign_in_throttles WHERE email = $1 AND address = $2`,
        [email, address],
      );
      return row;
    }

    /** Moves every wait of an address into the past, as if the time had passed. */
    async function letTheWaitPass(address: string) {
      await ds.query(
        `UPDATE sign_in_throttles SET not_before = now() - interval '1 second' WHERE address = $1`,
        [address],
      );
    }

    it('refuses the right password from the address that kept failing, with a 429 naming when to try again', async () => {
      const user = await aUser(ds, await anOrganisation(ds), ['finance']);
      const attacker = aClientAddress();
      await fail(user.email, attacker, 5);

      const refused = await attempt(user.email, TEST_PASSWORD, attacker).expect(429);

      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({ ...RATE_LIMITED, notBefore: expect.any(String) });
      expect(refused.body.detail).toBe(
        'Too many failed sign-ins for this email from your address: ' +
          `try again in ${refused.body.retryAfterSeconds === 60 ? '1 minute' : `${refused.body.retryAfterSeconds} seconds`} ` +
          `(not before ${(refused.body.notBefore as string).slice(11, 19)} UTC)`,
      );
      expect(refused.body.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(refused.body.retryAfterSeconds).toBeLessThanOrEqual(FIRST_DELAY);
      expect(refused.headers['retry-after']).toBe(String(refused.body.retryAfterSeconds));
      expect(refused.body).not.toHaveProperty('accessToken');
      // Refused attempts are not counted: the wait does not grow while the client waits.
      expect(await throttleOf(user.email, throttledAddress(attacker))).toEqual({
        failures: 5,
        wait: FIRST_DELAY,
      });
    });

    it('lets the owner sign in with the right password from another address while an attacker is slowed down', async () => {
      const user = await aUser(ds, await anOrganisation(ds), ['finance']);
      const attacker = aClientAddress();
      await fail(user.email, attacker, 5);
      await attempt(user.email, 'another-guess', attacker).expect(429);

      const owner = await attempt(user.email, TEST_PASSWORD, aClientAddress()).expect(200);

      await me(bearer(owner.body.accessToken)).expect(200);
      // The owner signing in does not give the attacker's address its guesses back.
      await attempt(user.email, TEST_PASSWORD, attacker).expect(429);
    });

    it('doubles the wait with each further failure, up to the longest, and lets the right password in once it is over', async () => {
      const user = await aUser(ds, await anOrganisation(ds), ['viewer']);
      const address = aClientAddress();
      const counted = throttledAddress(address);
      await fail(user.email, address, 5);
      expect(await throttleOf(user.email, counted)).toEqual({ failures: 5, wait: FIRST_DELAY });

      const waits = [];
      for (let n = 0; n < 3; n++) {
        await letTheWaitPass(counted);
        await fail(user.email, address);
        waits.push((await throttleOf(user.email, counted)).wait);
      }
      expect(waits).toEqual([2 * FIRST_DELAY, 4 * FIRST_DELAY, 8 * FIRST_DELAY]);
      await ds.query(`UPDATE sign_in_throttles SET failures = 40 WHERE email = $1 AND address = $2`, [
        user.email,
        counted,
      ]);
      await letTheWaitPass(counted);
      await fail(user.email, address);
      expect(await throttleOf(user.email, counted)).toEqual({ failures: 41, wait: MAX_DELAY });

      await letTheWaitPass(counted);
      await attempt(user.email, TEST_PASSWORD, address).expect(200);
      expect(await throttleOf(user.email, counted)).toBeUndefined();
    });

    it('forgets an email’s failures from an address once it signs in there', async () => {
      const user = await aUser(ds, await anOrganisation(ds), ['viewer']);
      const address = aClientAddress();
      await fail(user.email, address, 4);
      await attempt(user.email, TEST_PASSWORD, address).expect(200);
      await fail(user.email, address, 4);
      await attempt(user.email, TEST_PASSWORD, address).expect(200);
    });

    it('forgets failures after a day without any', async () => {
      const user = await aUser(ds, await anOrganisation(ds), ['viewer']);
      const address = aClientAddress();
      await fail(user.email, address, 5);
      await ds.query(
        `UPDATE sign_in_throttles SET updated_at = now() - interval '25 hours', not_before = now() - interval '24 hours'
          WHERE address = $1`,
        [throttledAddress(address)],
      );

      await fail(user.email, address);

      expect(await throttleOf(user.email, throttledAddress(address))).toEqual({ failures: 1, wait: 0 });
    });

    it('lets only the free attempts of a burst of simultaneous guesses reach the password check', async () => {
      const user = await aUser(ds, await anOrganisation(ds), ['viewer']);
      const address = aClientAddress();

      const burst = await Promise.all(
        Array.from({ length: 20 }, () => attempt(user.email, 'not-the-password', address).then((r) => r)),
      );

      const statuses = burst.map((response) => response.status).sort();
      expect(statuses).toEqual([...Array(5).fill(401), ...Array(15).fill(429)]);
      expect(await throttleOf(user.email, throttledAddress(address))).toEqual({
        failures: 5,
        wait: FIRST_DELAY,
      });
    });

    it('counts an IPv6 client by its /64, so a fresh address in the same network does not start afresh', async () => {
      const user = await aUser(ds, await anOrganisation(ds), ['viewer']);
      const network = `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}`;
      for (let n = 1; n <= 5; n++) await fail(user.email, `${network}::${n}`);

      await attempt(user.email, TEST_PASSWORD, `${network}::99`).expect(429);
      await attempt(user.email, TEST_PASSWORD, `${network}:1::1`).expect(429);
      await attempt(user.email, TEST_PASSWORD, aClientAddress()).expect(200);
    });

    it('slows an address that failed thirty times, whatever email it tries next, and no one else', async () => {
      const address = aClientAddress();
      const user = await aUser(ds, await anOrganisation(ds), ['viewer']);
      for (let n = 0; n < 30; n++) await fail(`guess.${n}.${randomUUID()}@example.gov.uk`, address);

      const refused = await attempt(user.email, TEST_PASSWORD, address).expect(429);

      expect(refused.body.detail).toMatch(/^Too many failed sign-ins from your address: try again in /);
      await attempt(user.email, TEST_PASSWORD, aClientAddress()).expect(200);
    });

    it('gives an address its attempt back when the password is right, so an office is not slowed by its own sign-ins', async () => {
      const address = aClientAddress();
      const counted = throttledAddress(address);
      const [colleague, other] = await Promise.all([
        aUser(ds, await anOrganisation(ds), ['viewer']),
        aUser(ds, await anOrganisation(ds), ['viewer']),
      ]);
      await fail(colleague.email, address);
      await ds.query(`UPDATE sign_in_throttles SET failures = 28 WHERE email = '' AND address = $1`, [
        counted,
      ]);

      await attempt(other.email, TEST_PASSWORD, address).expect(200);
      await attempt(other.email, TEST_PASSWORD, address).expect(200);

      expect((await throttleOf('', counted)).failures).toBe(28);
      await fail(colleague.email, address, 2);
      await attempt(other.email, TEST_PASSWORD, address).expect(429);
    });

    it('records an audit event for the account when an address starts being slowed down for it, once', async () => {
      const user = await aUser(ds, await anOrganisation(ds), ['finance']);
      const address = aClientAddress();

      await fail(user.email, address, 5);
      await letTheWaitPass(throttledAddress(address));
      await fail(user.email, address);

      const throttledEvents = (await auditEventsFor(ds, user.id)).filter(
        (event) => event.action === 'auth.sign_in_throttled',
      );
      expect(throttledEvents).toEqual([
        expect.objectContaining({
          actorType: 'system',
          organisationId: user.organisationId,
          changes: { address: throttledAddress(address), failures: 5, notBefore: expect.any(String) },
        }),
      ]);
    });

    it('tells the organisation’s administrators (a notification and an audit event) when an account keeps failing, from anywhere', async () => {
      const organisation = await anOrganisation(ds);
      const [user, admin] = await Promise.all([
        aUser(ds, organisation, ['finance']),
        aUser(ds, organisation, ['org_admin']),
      ]);
      const addresses = [aClientAddress(), aClientAddress(), aClientAddress()];
      // Ten failures spread over three addresses, so none of them is slowed down: still reported.
      await fail(user.email, addresses[0], 4);
      await fail(user.email, addresses[1], 3);
      await fail(user.email, addresses[2], 2);
      const notifications = async () =>
        (
          await test
            .http()
            .get('/api/v1/notifications?kind=security.sign_in_failures')
            .set(await bearerFor(test, admin))
            .expect(200)
        ).body.data;
      expect(await notifications()).toEqual([]);

      await fail(user.email, addresses[2]);

      expect(await notifications()).toEqual([
        expect.objectContaining({
          kind: 'security.sign_in_failures',
          title: `Repeated failed sign-ins for ${user.email}`,
          body: expect.stringContaining('10 failed sign-in attempts'),
          entityType: 'user',
          entityId: user.id,
        }),
      ]);
      const reported = (await auditEventsFor(ds, user.id)).filter(
        (event) => event.action === 'auth.sign_in_failures_reported',
      );
      expect(reported).toEqual([
        expect.objectContaining({
          actorType: 'system',
          organisationId: organisation.id,
          changes: { failures: 10, addresses: 3 },
        }),
      ]);
      // Not again for the next failure: at twice as many.
      await fail(user.email, aClientAddress());
      expect(await notifications()).toHaveLength(1);
    });
  });

  /** The stored row of a refresh token, as the audit trail and reuse detection see it. */
  async function storedToken(refreshToken: string) {
    const [row] = await ds.query<
      {
        id: string;
        family_id: string;
        rotated_from_id: string | null;
        replaced_at: Date | null;
        revoked_at: Date | null;
      }[]
    >(
      'SELECT id, family_id, rotated_from_id, replaced_at, revoked_at FROM refresh_tokens WHERE token_hash = $1',
      [sha256(refreshToken)],
    );
    return row;
  }

  /** How many successors a refresh token has. */
  async function successorsOf(tokenId: string): Promise<number> {
    const [{ count }] = await ds.query(
      'SELECT count(*)::int AS count FROM refresh_tokens WHERE rotated_from_id = $1',
      [tokenId],
    );
    return count;
  }

  /** Moves a rotated token's rotation (and issue) back past the reuse grace period, instead of waiting for it. */
  async function outlastReuseGrace(refreshToken: string) {
    const [moved] = await ds.query(
      `UPDATE refresh_tokens
          SET replaced_at = replaced_at - make_interval(secs => $2), created_at = created_at - make_interval(secs => $2)
        WHERE token_hash = $1 AND replaced_at IS NOT NULL
        RETURNING id`,
      [sha256(refreshToken), REUSE_GRACE_SECONDS + 1],
    );
    expect(moved).toHaveLength(1);
  }

  describe('refresh tokens', () => {
    it('exchanges a refresh token for a new pair in the same family, recording which token it replaced', async () => {
      const { session } = await aSignedInUser();

      const first = await refresh(session.refreshToken).expect(200);

      expect(first.body.refreshToken).not.toBe(session.refreshToken);
      await me(bearer(first.body.accessToken)).expect(200);
      const [used, successor] = [
        await storedToken(session.refreshToken),
        await storedToken(first.body.refreshToken),
      ];
      expect(used.replaced_at).not.toBeNull();
      expect(used.rotated_from_id).toBeNull();
      expect(successor).toMatchObject({
        family_id: used.family_id,
        rotated_from_id: used.id,
        replaced_at: null,
      });
    });

    it('refuses a rotated token presented again after the grace period', async () => {
      const { session } = await aSignedInUser();
      await refresh(session.refreshToken).expect(200);
      await outlastReuseGrace(session.refreshToken);

      const reused = await refresh(session.refreshToken).expect(401);

      expect(reused.body).toMatchObject(UNAUTHENTICATED);
    });

    it('ends the session when a rotated token is reused after the grace period, so the newest tokens fail too', async () => {
      const { user, session } = await aSignedInUser();
      const second = await refresh(session.refreshToken).expect(200);
      const third = await refresh(second.body.refreshToken).expect(200);
      await outlastReuseGrace(session.refreshToken);

      await refresh(session.refreshToken).expect(401);

      await refresh(third.body.refreshToken).expect(401);
      expect((await storedToken(third.body.refreshToken)).revoked_at).not.toBeNull();
      // The access tokens of the session stop at once too, on this instance and any other.
      await me(bearer(third.body.accessToken)).expect(401);
      await otherInstance.http().get('/api/v1/auth/me').set(bearer(second.body.accessToken)).expect(401);
      const [{ revoked_reason }] = await ds.query('SELECT revoked_reason FROM sessions WHERE id = $1', [
        (await storedToken(session.refreshToken)).family_id,
      ]);
      expect(revoked_reason).toBe('refresh_token_reused');
      const ended = (await auditEventsFor(ds, user.id)).filter(
        (event) => event.action === 'auth.session_ended',
      );
      expect(ended).toEqual([
        expect.objectContaining({
          actorType: 'system',
          organisationId: user.organisationId,
          changes: { reason: 'refresh token reused' },
        }),
      ]);
    });

    it('records one audit event when a reused token ends the session, none when it is presented again', async () => {
      const { user, session } = await aSignedInUser();
      await refresh(session.refreshToken).expect(200);
      await outlastReuseGrace(session.refreshToken);

      await refresh(session.refreshToken).expect(401);
      await refresh(session.refreshToken).expect(401);

      const actions = (await auditEventsFor(ds, user.id)).map((event) => event.action);
      expect(actions.filter((action) => action === 'auth.session_ended')).toHaveLength(1);
    });

    it('leaves the user’s other sessions alone when one family is revoked', async () => {
      const { user, session } = await aSignedInUser();
      const otherSession = await signIn(test, user);
      await refresh(session.refreshToken).expect(200);
      await outlastReuseGrace(session.refreshToken);

      await refresh(session.refreshToken).expect(401);

      await refresh(otherSession.refreshToken).expect(200);
    });

    it('refuses an unknown refresh token and validates the body', async () => {
      await refresh('an-unknown-refresh-token-of-plausible-length').expect(401);
      const response = await test.http().post('/api/v1/auth/refresh').send({}).expect(400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain('refreshToken');
    });
  });

  describe('reuse grace period after a rotation', () => {
    it('gives a retry of the same refresh token (its answer lost) the successor already issued, and keeps the session', async () => {
      const { session } = await aSignedInUser();
      const lost = await refresh(session.refreshToken).expect(200);

      const retried = await refresh(session.refreshToken).expect(200);

      expect(retried.body.refreshToken).toBe(lost.body.refreshToken);
      expect(retried.body.refreshTokenExpiresAt).toBe(lost.body.refreshTokenExpiresAt);
      await me(bearer(retried.body.accessToken)).expect(200);
      const used = await storedToken(session.refreshToken);
      expect(await storedToken(retried.body.refreshToken)).toMatchObject({
        family_id: used.family_id,
        rotated_from_id: used.id,
        revoked_at: null,
      });
      expect(await successorsOf(used.id)).toBe(1);
      // Nothing was revoked: the one successor rotates on.
      const next = await refresh(retried.body.refreshToken).expect(200);
      await me(bearer(next.body.accessToken)).expect(200);
      await me(bearer(lost.body.accessToken)).expect(200);
    });

    it('gives ten concurrent refreshes of one token, on two instances, one and the same successor', async () => {
      const { session } = await aSignedInUser();

      const responses = await queuedOnTokenLock(
        session.refreshToken,
        Array.from(
          { length: 10 },
          (_, n) => () =>
            (n % 2 === 0 ? test : otherInstance)
              .http()
              .post('/api/v1/auth/refresh')
              .send({ refreshToken: session.refreshToken }),
        ),
      );

      expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200));
      const successors = new Set(responses.map((response) => response.body.refreshToken as string));
      expect(successors.size).toBe(1);
      const used = await storedToken(session.refreshToken);
      expect(await successorsOf(used.id)).toBe(1);
      for (const response of responses) await me(bearer(response.body.accessToken)).expect(200);
      await refresh([...successors][0]).expect(200);
    });

    it('refuses, within the window, a token whose successor’s session was signed out since', async () => {
      const { session } = await aSignedInUser();
      const rotated = await refresh(session.refreshToken).expect(200);
      await test
        .http()
        .post('/api/v1/auth/logout')
        .send({ refreshToken: rotated.body.refreshToken })
        .expect(204);

      await refresh(session.refreshToken).expect(401);
    });

    it('measures the window from the first rotation: a reuse within it does not extend it', async () => {
      const { session } = await aSignedInUser();
      const first = await refresh(session.refreshToken).expect(200);
      const firstRotation = (await storedToken(session.refreshToken)).replaced_at;
      await refresh(session.refreshToken).expect(200);
      expect((await storedToken(session.refreshToken)).replaced_at).toEqual(firstRotation);
      await outlastReuseGrace(session.refreshToken);

      await refresh(session.refreshToken).expect(401);

      await refresh(first.body.refreshToken).expect(401);
    });

    it('refuses, within the window, a token whose session was signed out, and issues nothing for it', async () => {
      const { user, session } = await aSignedInUser();
      const rotated = await refresh(session.refreshToken).expect(200);
      await test
        .http()
        .post('/api/v1/auth/logout')
        .send({ refreshToken: rotated.body.refreshToken })
        .expect(204);

      const response = await refresh(session.refreshToken).expect(401);

      expect(response.body).toMatchObject(UNAUTHENTICATED);
      const [{ live }] = await ds.query(
        'SELECT count(*)::int AS live FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL',
        [user.id],
      );
      expect(live).toBe(0);
    });

    it('refuses, within the window, a token of a family revoked for reuse', async () => {
      const { session } = await aSignedInUser();
      const second = await refresh(session.refreshToken).expect(200);
      await refresh(second.body.refreshToken).expect(200);
      await outlastReuseGrace(session.refreshToken);
      await refresh(session.refreshToken).expect(401);

      // The second token was rotated a moment ago, but its family is revoked.
      await refresh(second.body.refreshToken).expect(401);
    });

    it('refuses, within the window, a token of a user who was disabled', async () => {
      const { user, session } = await aSignedInUser();
      await refresh(session.refreshToken).expect(200);
      await ds.getRepository(User).update({ id: user.id }, { status: 'disabled' });

      await refresh(session.refreshToken).expect(401);
    });

    it('refuses, within the window, a rotated token that has expired', async () => {
      const { session } = await aSignedInUser();
      await refresh(session.refreshToken).expect(200);
      await ds.query(
        `UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1`,
        [sha256(session.refreshToken)],
      );

      await refresh(session.refreshToken).expect(401);
    });

    it('lets two refreshes of one token at the same instant, on two instances, both succeed with the same successor', async () => {
      const { session } = await aSignedInUser();

      const [onOne, onOther] = await refreshedTogether(session.refreshToken, [test, otherInstance]);

      expect([onOne.status, onOther.status]).toEqual([200, 200]);
      expect(onOne.body.refreshToken).toBe(onOther.body.refreshToken);
      const used = await storedToken(session.refreshToken);
      for (const pair of [onOne, onOther]) await me(bearer(pair.body.accessToken)).expect(200);
      expect(await storedToken(onOne.body.refreshToken)).toMatchObject({
        family_id: used.family_id,
        rotated_from_id: used.id,
        revoked_at: null,
      });
      await refresh(onOne.body.refreshToken).expect(200);
    });
  });

  describe('with the reuse grace period set to 0', () => {
    it('refuses an immediate retry and revokes the family, as strict rotation does', async () => {
      const { session } = await aSignedInUser();
      const rotated = await strict
        .http()
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: session.refreshToken });
      expect(rotated.status).toBe(200);

      const retried = await strict
        .http()
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: session.refreshToken });

      expect(retried.status).toBe(401);
      expect(retried.body).toMatchObject(UNAUTHENTICATED);
      await refresh(rotated.body.refreshToken).expect(401);
    });

    it('lets only one of two simultaneous refreshes of one token succeed, and the other revokes the family', async () => {
      const { session } = await aSignedInUser();

      const responses = await refreshedTogether(session.refreshToken, [strict, strict]);

      expect(responses.map((response) => response.status).sort()).toEqual([200, 401]);
      const winner = responses.find((response) => response.status === 200)!;
      await refresh(winner.body.refreshToken).expect(401);
    });
  });

  describe('the sign-in throttle settings', () => {
    it('default to five failures per email and address, thirty per address, waits from 1 s to 15 min, a report at ten', () => {
      expect(loadEnvironment({})).toMatchObject({
        SIGN_IN_FAILURES_BEFORE_DELAY: 5,
        SIGN_IN_ADDRESS_FAILURES_BEFORE_DELAY: 30,
        SIGN_IN_FIRST_DELAY_SECONDS: 1,
        SIGN_IN_MAX_DELAY_SECONDS: 900,
        SIGN_IN_ALERT_AFTER_FAILURES: 10,
      });
    });

    it.each([
      ['SIGN_IN_FAILURES_BEFORE_DELAY', '0'],
      ['SIGN_IN_ADDRESS_FAILURES_BEFORE_DELAY', 'many'],
      ['SIGN_IN_FIRST_DELAY_SECONDS', '0'],
      ['SIGN_IN_MAX_DELAY_SECONDS', '86401'],
      ['SIGN_IN_ALERT_AFTER_FAILURES', '-1'],
    ])('refuse %s=%s at start', (name, value) => {
      expect(() => loadEnvironment({ [name]: value })).toThrow(new RegExp(name));
    });
  });

  describe('the reuse grace period setting', () => {
    it('defaults to 30 seconds and is refused at start when negative, above 300 or not a number', () => {
      expect(loadEnvironment({}).REFRESH_TOKEN_REUSE_GRACE_SECONDS).toBe(REUSE_GRACE_SECONDS);
      for (const value of ['-1', '301', 'soon']) {
        expect(() => loadEnvironment({ REFRESH_TOKEN_REUSE_GRACE_SECONDS: value })).toThrow(
          /REFRESH_TOKEN_REUSE_GRACE_SECONDS/,
        );
      }
    });
  });

  /** Sends one refresh of the same token to each app so that they meet in the database at the same instant. */
  const refreshedTogether = (refreshToken: string, apps: TestApp[]) =>
    queuedOnTokenLock(
      refreshToken,
      apps.map((app) => () => app.http().post('/api/v1/auth/refresh').send({ refreshToken })),
    );

  /**
   * Locks a token's row, sends the requests one by one, each once the one before is queued on that lock, then
   * releases it: the requests then reach the row in that order, as concurrent requests can.
   */
  async function queuedOnTokenLock(refreshToken: string, requests: (() => Test)[]) {
    const holder = ds.createQueryRunner();
    await holder.connect();
    try {
      await holder.startTransaction();
      await holder.query('SELECT id FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE', [
        sha256(refreshToken),
      ]);
      const sent: Promise<Response>[] = [];
      for (const [index, send] of requests.entries()) {
        // then() sends the request now, while the lock is held; supertest sends nothing until it is awaited.
        sent.push(send().then((response) => response));
        await untilQueuedOnTokenLock(index + 1);
      }
      await holder.commitTransaction();
      return await Promise.all(sent);
    } finally {
      await holder.release();
    }
  }

  /**
   * Polls (bounded) until `count` requests wait for a row lock of the token or of its session (refreshes and
   * sign-outs lock the session first, so all but the first wait there).
   */
  async function untilQueuedOnTokenLock(count: number) {
    for (let attempt = 0; attempt < 500; attempt++) {
      const [{ waiting }] = await ds.query(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'
            AND (query LIKE '%refresh_tokens%' OR query LIKE '%sessions%')`,
      );
      if (waiting >= count) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`${count} refreshes never queued on the token's row lock`);
  }

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

    it('also revokes the pair issued by a refresh that was in flight while the session was signed out', async () => {
      const { session } = await aSignedInUser();
      const rotated = await refresh(session.refreshToken).expect(200);
      const token = rotated.body.refreshToken as string;

      const [inFlight, signedOut] = await queuedOnTokenLock(token, [
        () => test.http().post('/api/v1/auth/refresh').send({ refreshToken: token }),
        () => test.http().post('/api/v1/auth/logout').send({ refreshToken: token }),
      ]);

      expect([inFlight.status, signedOut.status]).toEqual([200, 204]);
      expect((await storedToken(inFlight.body.refreshToken)).revoked_at).not.toBeNull();
      await refresh(inFlight.body.refreshToken).expect(401);
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
    /** The claims of an access token of the user's live session (the one signIn() opened). */
    const claimsOf = async (user: User) => {
      const [{ id }] = await ds.query(
        'SELECT id FROM sessions WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1',
        [user.id],
      );
      return { sub: user.id, org: user.organisationId, typ: 'access', sid: id as string };
    };

    it('accepts a token signed with the API’s key (the forgery tests below would pass vacuously otherwise)', async () => {
      const { user } = await aSignedInUser();
      await me(bearer(jwt.sign(await claimsOf(user), { expiresIn: 60 }))).expect(200);
    });

    it('names the session it was issued in, and refreshing keeps to that session', async () => {
      const { session } = await aSignedInUser();
      const sid = (token: string) => (jwt.decode(token) as { sid: string }).sid;
      const family = (await storedToken(session.refreshToken)).family_id;

      const rotated = await refresh(session.refreshToken).expect(200);

      expect(sid(session.accessToken)).toBe(family);
      expect(sid(rotated.body.accessToken)).toBe(family);
    });

    it('refuses a correctly signed token that names no session (as issued before sessions), or a session not its user’s', async () => {
      const { user } = await aSignedInUser();
      const other = await aSignedInUser();
      const { sid: _sid, ...sessionless } = await claimsOf(user);

      await me(bearer(jwt.sign(sessionless, { expiresIn: 60 }))).expect(401);
      const borrowed = { ...(await claimsOf(user)), sid: (await claimsOf(other.user)).sid };
      await me(bearer(jwt.sign(borrowed, { expiresIn: 60 }))).expect(401);
      await me(bearer(jwt.sign({ ...(await claimsOf(user)), sid: randomUUID() }, { expiresIn: 60 }))).expect(
        401,
      );
    });

    it('refuses an expired access token', async () => {
      const { user } = await aSignedInUser();
      const expired = jwt.sign({ ...(await claimsOf(user)), exp: Math.floor(Date.now() / 1000) - 60 });
      const response = await me(bearer(expired)).expect(401);
      expect(response.body).toMatchObject(UNAUTHENTICATED);
    });

    it('refuses a token signed with another key', async () => {
      const { user } = await aSignedInUser();
      const forged = new JwtService({ secret: 'another-signing-key-that-is-long-enough-too' }).sign(
        await claimsOf(user),
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
        bearer(`${encode({ alg: 'none', typ: 'JWT' })}.${encode({ ...(await claimsOf(user)), exp })}.`),
      ).expect(401);
    });

    it('refuses a correctly signed token that is not an access token', async () => {
      const { user } = await aSignedInUser();
      await me(bearer(jwt.sign({ ...(await claimsOf(user)), typ: 'refresh' }, { expiresIn: 60 }))).expect(
        401,
      );
    });

    it('stops working as soon as its user is disabled, and so does the refresh token', async () => {
      const { user, session } = await aSignedInUser();
      await me(session.auth).expect(200);

      await ds.getRepository(User).update({ id: user.id }, { status: 'disabled' });

      await me(session.auth).expect(401);
      await refresh(session.refreshToken).expect(401);
    });

    it('stops working on its next request once its session is signed out, on every instance', async () => {
      const { session } = await aSignedInUser();
      const rotated = await refresh(session.refreshToken).expect(200);
      await me(bearer(rotated.body.accessToken)).expect(200);
      await otherInstance.http().get('/api/v1/auth/me').set(session.auth).expect(200);

      await test
        .http()
        .post('/api/v1/auth/logout')
        .send({ refreshToken: rotated.body.refreshToken })
        .expect(204);

      for (const app of [test, otherInstance]) {
        for (const token of [session.accessToken, rotated.body.accessToken]) {
          const refused = await app.http().get('/api/v1/auth/me').set(bearer(token)).expect(401);
          expect(refused.body).toMatchObject(UNAUTHENTICATED);
        }
      }
    });

    it('leaves the user’s other sessions working when one is signed out', async () => {
      const { user, session } = await aSignedInUser();
      const elsewhere = await signIn(test, user);

      await test.http().post('/api/v1/auth/logout').send({ refreshToken: session.refreshToken }).expect(204);

      await me(session.auth).expect(401);
      await me(elsewhere.auth).expect(200);
    });

    it('loses a role’s rights on its next request once the role is taken away, on every instance', async () => {
      const organisation = await anOrganisation(ds);
      const user = await aUser(ds, organisation, ['org_admin', 'viewer']);
      const session = await signIn(test, user);
      const listUsers = (app: TestApp) => app.http().get('/api/v1/users').set(session.auth);
      await listUsers(test).expect(200);
      await listUsers(otherInstance).expect(200);

      await ds.query(`UPDATE users SET roles = '{viewer}' WHERE id = $1`, [user.id]);

      await listUsers(test).expect(403);
      await listUsers(otherInstance).expect(403);
      const mine = await me(session.auth).expect(200);
      expect(mine.body.roles).toEqual(['viewer']);
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
