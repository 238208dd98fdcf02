import { DataSource } from 'typeorm';
import { Membership } from '../src/modules/consortia/membership.entity';
import {
  aConsortium,
  aConsortiumWithMembers,
  aMembership,
  anApiKey,
  anOrganisation,
  auditEventsOfRequest,
  aUser,
  bearerFor,
  makeConsortiumAdmin,
} from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

type Auth = Record<string, string>;

/** Polls until the condition holds (a synchronisation point, not a timing assertion). */
async function waitUntil(condition: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the condition never held');
}

describe('consortium memberships', () => {
  let test: TestApp;
  let ds: DataSource;
  beforeAll(async () => {
    test = await createTestApp();
    ds = test.dataSource;
  });
  afterAll(() => test.close());

  /** A consortium with two active members and its administrator, plus an organisation outside it. */
  async function aWorld(rules = { acceptsJoinRequests: true, paymentTermsDays: 30 }) {
    const world = await aConsortiumWithMembers(ds);
    await ds.getRepository('Consortium').update({ id: world.consortium.id }, { rules });
    const applicant = await anOrganisation(ds, { type: 'school_trust' });
    const applicantAdmin = await aUser(ds, applicant, ['org_admin']);
    const applicantViewer = await aUser(ds, applicant, ['viewer']);
    return {
      ...world,
      applicant,
      auth: {
        admin: await bearerFor(test, world.consortiumAdmin),
        homeAdmin: await bearerFor(test, world.homeUsers.admin),
        homeManager: await bearerFor(test, world.homeUsers.manager),
        homeViewer: await bearerFor(test, world.homeUsers.viewer),
        otherAdmin: await bearerFor(test, world.otherUsers.admin),
        applicantAdmin: await bearerFor(test, applicantAdmin),
        applicantViewer: await bearerFor(test, applicantViewer),
      },
    };
  }

  const path = (consortiumId: string, suffix = '') => `/api/v1/consortia/${consortiumId}${suffix}`;
  const act = (consortiumId: string, organisationId: string, action: string, auth: Auth, body?: object) => {
    const call = test
      .http()
      .post(path(consortiumId, `/members/${organisationId}/${action}`))
      .set(auth);
    return body ? call.send(body) : call;
  };
  const membershipOf = (consortiumId: string, organisationId: string) =>
    ds.getRepository(Membership).findOneByOrFail({ consortiumId, organisationId });

  describe('joining by request', () => {
    it('records a request to join, then admits the organisation when an administrator approves it', async () => {
      const w = await aWorld();
      const requested = await test
        .http()
        .post(path(w.consortium.id, '/join-requests'))
        .set(w.auth.applicantAdmin)
        .send({ note: 'We would like to buy disaster recovery from Norfolk' })
        .expect(201);
      expect(requested.body).toMatchObject({
        consortiumId: w.consortium.id,
        organisationId: w.applicant.id,
        organisationName: w.applicant.name,
        status: 'requested',
        note: 'We would like to buy disaster recovery from Norfolk',
        joinedAt: null,
      });
      // Not a member yet: the consortium itself stays hidden.
      await test.http().get(path(w.consortium.id)).set(w.auth.applicantAdmin).expect(404);

      const approved = await act(w.consortium.id, w.applicant.id, 'approve', w.auth.admin, {
        reason: 'Welcome',
      }).expect(200);
      expect(approved.body).toMatchObject({ status: 'active', note: 'Welcome', leftAt: null });
      expect(new Date(approved.body.joinedAt).getTime()).not.toBeNaN();

      const [requestEvent] = await auditEventsOfRequest(ds, requested.headers['x-request-id']);
      expect(requestEvent).toMatchObject({
        action: 'membership.requested',
        actorType: 'user',
        consortiumId: w.consortium.id,
        organisationId: w.applicant.id,
        entityType: 'membership',
        entityId: requested.body.id,
        changes: { status: { from: null, to: 'requested' } },
      });
      const [approveEvent] = await auditEventsOfRequest(ds, approved.headers['x-request-id']);
      expect(approveEvent).toMatchObject({
        action: 'membership.approved',
        actorId: w.consortiumAdmin.id,
        consortiumId: w.consortium.id,
        organisationId: w.applicant.id,
        entityId: requested.body.id,
        requestId: approved.headers['x-request-id'],
        changes: { status: { from: 'requested', to: 'active' }, note: 'Welcome' },
      });

      const consortium = await test.http().get(path(w.consortium.id)).set(w.auth.applicantAdmin).expect(200);
      expect(consortium.body).toMatchObject({ membershipStatus: 'active', memberCount: 3 });
    });

    it('accepts a request without a body', async () => {
      const w = await aWorld();
      const response = await test
        .http()
        .post(path(w.consortium.id, '/join-requests'))
        .set(w.auth.applicantAdmin)
        .expect(201);
      expect(response.body).toMatchObject({ status: 'requested', note: null });
    });

    it('turns a request down when an administrator rejects it, and lets the organisation ask again', async () => {
      const w = await aWorld();
      await test.http().post(path(w.consortium.id, '/join-requests')).set(w.auth.applicantAdmin).expect(201);
      const rejected = await act(w.consortium.id, w.applicant.id, 'reject', w.auth.admin, {
        reason: 'Not in the eastern region',
      }).expect(200);
      expect(rejected.body).toMatchObject({ status: 'rejected', joinedAt: null });
      const [event] = await auditEventsOfRequest(ds, rejected.headers['x-request-id']);
      expect(event).toMatchObject({
        action: 'membership.rejected',
        changes: { status: { from: 'requested', to: 'rejected' }, note: 'Not in the eastern region' },
      });
      const again = await test
        .http()
        .post(path(w.consortium.id, '/join-requests'))
        .set(w.auth.applicantAdmin)
        .expect(201);
      expect(again.body).toMatchObject({ id: rejected.body.id, status: 'requested' });
    });

    it('refuses a request to a consortium that only admits by invitation (422, with the reason)', async () => {
      const w = await aWorld({ acceptsJoinRequests: false, paymentTermsDays: 30 });
      const response = await test
        .http()
        .post(path(w.consortium.id, '/join-requests'))
        .set(w.auth.applicantAdmin)
        .expect(422);
      expect(response.body).toMatchObject({ status: 422, code: 'join-requests-closed' });
      expect(response.body.detail).toMatch(/does not accept requests to join/);
      expect(await ds.getRepository(Membership).countBy({ organisationId: w.applicant.id })).toBe(0);
    });

    it('refuses a second request while the first is pending (409 illegal transition)', async () => {
      const w = await aWorld();
      await test.http().post(path(w.consortium.id, '/join-requests')).set(w.auth.applicantAdmin).expect(201);
      const response = await test
        .http()
        .post(path(w.consortium.id, '/join-requests'))
        .set(w.auth.applicantAdmin)
        .expect(409);
      expect(response.body).toMatchObject({
        type: 'urn:consortium:problem:conflict',
        code: 'illegal-transition',
      });
    });

    it('refuses a request from a viewer, an API key, or for a consortium that does not exist', async () => {
      const w = await aWorld();
      await test.http().post(path(w.consortium.id, '/join-requests')).set(w.auth.applicantViewer).expect(403);
      const key = await anApiKey(ds, w.applicant, ['members:read']);
      await test.http().post(path(w.consortium.id, '/join-requests')).set(key.header).expect(403);
      const missing = await test
        .http()
        .post(path('00000000-0000-4000-8000-000000000000', '/join-requests'))
        .set(w.auth.applicantAdmin)
        .expect(404);
      expect(missing.body.type).toBe('urn:consortium:problem:not-found');
    });

    it('lets only a consortium administrator decide on a request', async () => {
      const w = await aWorld();
      await test.http().post(path(w.consortium.id, '/join-requests')).set(w.auth.applicantAdmin).expect(201);
      // A member's service manager, and the applicant itself: they lack the role.
      await act(w.consortium.id, w.applicant.id, 'approve', w.auth.homeManager).expect(403);
      await act(w.consortium.id, w.applicant.id, 'approve', w.auth.applicantAdmin).expect(403);
      await act(w.consortium.id, w.applicant.id, 'reject', w.auth.homeAdmin).expect(403);
      // The administrator of another consortium cannot even see this request.
      const elsewhere = await aConsortiumWithMembers(ds);
      const elsewhereAdmin = await bearerFor(test, elsewhere.consortiumAdmin);
      await act(w.consortium.id, w.applicant.id, 'approve', elsewhereAdmin).expect(404);
      expect((await membershipOf(w.consortium.id, w.applicant.id)).status).toBe('requested');
    });
  });

  describe('joining by invitation', () => {
    it('records an invitation, then admits the organisation when it accepts', async () => {
      const w = await aWorld();
      const invited = await test
        .http()
        .post(path(w.consortium.id, '/invitations'))
        .set(w.auth.admin)
        .send({ organisationId: w.applicant.id, note: 'Join us for PSN compliance' })
        .expect(201);
      expect(invited.body).toMatchObject({ organisationId: w.applicant.id, status: 'invited' });
      const [inviteEvent] = await auditEventsOfRequest(ds, invited.headers['x-request-id']);
      expect(inviteEvent).toMatchObject({
        action: 'membership.invited',
        actorId: w.consortiumAdmin.id,
        consortiumId: w.consortium.id,
        organisationId: w.applicant.id,
        changes: { status: { from: null, to: 'invited' } },
      });

      // The invited organisation finds the invitation among its consortia.
      const mine = await test.http().get('/api/v1/consortia').set(w.auth.applicantAdmin).expect(200);
      expect(mine.body.data).toEqual([
        expect.objectContaining({ id: w.consortium.id, membershipStatus: 'invited', isAdmin: false }),
      ]);

      const accepted = await act(w.consortium.id, w.applicant.id, 'accept', w.auth.applicantAdmin).expect(
        200,
      );
      expect(accepted.body).toMatchObject({ status: 'active' });
      expect(accepted.body.joinedAt).not.toBeNull();
      const [acceptEvent] = await auditEventsOfRequest(ds, accepted.headers['x-request-id']);
      expect(acceptEvent).toMatchObject({
        action: 'membership.accepted',
        actorId: expect.any(String),
        consortiumId: w.consortium.id,
        changes: { status: { from: 'invited', to: 'active' } },
      });
    });

    it('ends an invitation the organisation declines', async () => {
      const w = await aWorld();
      await test
        .http()
        .post(path(w.consortium.id, '/invitations'))
        .set(w.auth.admin)
        .send({ organisationId: w.applicant.id })
        .expect(201);
      const declined = await act(w.consortium.id, w.applicant.id, 'decline', w.auth.applicantAdmin, {
        reason: 'We run our own network',
      }).expect(200);
      expect(declined.body).toMatchObject({ status: 'declined', note: 'We run our own network' });
      const [event] = await auditEventsOfRequest(ds, declined.headers['x-request-id']);
      expect(event).toMatchObject({
        action: 'membership.declined',
        changes: { status: { from: 'invited', to: 'declined' } },
      });
    });

    it('lets only the invited organisation’s administrators answer an invitation', async () => {
      const w = await aWorld();
      await test
        .http()
        .post(path(w.consortium.id, '/invitations'))
        .set(w.auth.admin)
        .send({ organisationId: w.applicant.id })
        .expect(201);
      // The consortium's administrator can see the invitation but it is not theirs to accept.
      const byAdmin = await act(w.consortium.id, w.applicant.id, 'accept', w.auth.admin).expect(403);
      expect(byAdmin.body.type).toBe('urn:consortium:problem:forbidden');
      // Another member's administrator cannot see a pending invitation at all.
      await act(w.consortium.id, w.applicant.id, 'accept', w.auth.otherAdmin).expect(404);
      // The invited organisation's viewer lacks the role.
      await act(w.consortium.id, w.applicant.id, 'decline', w.auth.applicantViewer).expect(403);
      expect((await membershipOf(w.consortium.id, w.applicant.id)).status).toBe('invited');
    });

    it('refuses invitations from anyone but the consortium’s administrators', async () => {
      const w = await aWorld();
      const send = (auth: Auth) =>
        test
          .http()
          .post(path(w.consortium.id, '/invitations'))
          .set(auth)
          .send({ organisationId: w.applicant.id });
      await send(w.auth.homeAdmin).expect(403);
      await send(w.auth.homeManager).expect(403);
      const elsewhere = await aConsortiumWithMembers(ds);
      await send(await bearerFor(test, elsewhere.consortiumAdmin)).expect(404);
      const key = await anApiKey(ds, w.home, ['members:read']);
      await test
        .http()
        .post(path(w.consortium.id, '/invitations'))
        .set(key.header)
        .send({ organisationId: w.applicant.id })
        .expect(403);
      expect(await ds.getRepository(Membership).countBy({ organisationId: w.applicant.id })).toBe(0);
    });

    it('refuses to invite an organisation that does not exist, or one that is already a member', async () => {
      const w = await aWorld();
      await test
        .http()
        .post(path(w.consortium.id, '/invitations'))
        .set(w.auth.admin)
        .send({ organisationId: '00000000-0000-4000-8000-000000000000' })
        .expect(404);
      const again = await test
        .http()
        .post(path(w.consortium.id, '/invitations'))
        .set(w.auth.admin)
        .send({ organisationId: w.other.id })
        .expect(409);
      expect(again.body).toMatchObject({
        type: 'urn:consortium:problem:conflict',
        code: 'illegal-transition',
      });
    });

    it('validates the invitation: a missing or malformed organisation id and unknown fields are 400 problems', async () => {
      const w = await aWorld();
      const missing = await test
        .http()
        .post(path(w.consortium.id, '/invitations'))
        .set(w.auth.admin)
        .send({})
        .expect(400);
      expect(missing.body).toMatchObject({ type: 'urn:consortium:problem:validation-error', status: 400 });
      expect(missing.body.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'organisationId' })]),
      );
      const malformed = await test
        .http()
        .post(path(w.consortium.id, '/invitations'))
        .set(w.auth.admin)
        .send({ organisationId: 'norfolk' })
        .expect(400);
      expect(malformed.body.errors[0].field).toBe('organisationId');
      const unknown = await test
        .http()
        .post(path(w.consortium.id, '/invitations'))
        .set(w.auth.admin)
        .send({ organisationId: w.applicant.id, status: 'active' })
        .expect(400);
      expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'status' })]);
    });
  });

  describe('suspension', () => {
    it('suspends a member and reinstates it, keeping the date it first joined', async () => {
      const w = await aWorld();
      const before = await membershipOf(w.consortium.id, w.other.id);
      const suspended = await act(w.consortium.id, w.other.id, 'suspend', w.auth.admin, {
        reason: 'Unpaid charges',
      }).expect(200);
      expect(suspended.body).toMatchObject({ status: 'suspended', note: 'Unpaid charges' });
      expect(new Date(suspended.body.joinedAt)).toEqual(before.joinedAt);

      // Fellow members still see the suspended member, but not the reason.
      const members = await test
        .http()
        .get(path(w.consortium.id, '/members'))
        .query({ status: 'suspended' })
        .set(w.auth.homeViewer)
        .expect(200);
      expect(members.body.data).toEqual([
        expect.objectContaining({ organisationId: w.other.id, status: 'suspended', note: null }),
      ]);

      const reinstated = await act(w.consortium.id, w.other.id, 'reinstate', w.auth.admin).expect(200);
      expect(reinstated.body).toMatchObject({ status: 'active', note: null });
      expect(new Date(reinstated.body.joinedAt)).toEqual(before.joinedAt);
      const events = [
        ...(await auditEventsOfRequest(ds, suspended.headers['x-request-id'])),
        ...(await auditEventsOfRequest(ds, reinstated.headers['x-request-id'])),
      ];
      expect(events.map((e) => [e.action, e.changes.status])).toEqual([
        ['membership.suspended', { from: 'active', to: 'suspended' }],
        ['membership.reinstated', { from: 'suspended', to: 'active' }],
      ]);
    });

    it('refuses a suspension by a member’s administrator, who can see the member (403)', async () => {
      const w = await aWorld();
      await act(w.consortium.id, w.other.id, 'suspend', w.auth.homeAdmin).expect(403);
      await act(w.consortium.id, w.other.id, 'suspend', w.auth.homeViewer).expect(403);
      expect((await membershipOf(w.consortium.id, w.other.id)).status).toBe('active');
    });
  });

  describe('leaving', () => {
    it('records when a member leaves, and lets it ask to join again later', async () => {
      const w = await aWorld();
      const left = await act(w.consortium.id, w.other.id, 'leave', w.auth.otherAdmin).expect(200);
      expect(left.body).toMatchObject({ status: 'left' });
      expect(left.body.leftAt).not.toBeNull();
      const [event] = await auditEventsOfRequest(ds, left.headers['x-request-id']);
      expect(event).toMatchObject({
        action: 'membership.left',
        actorId: w.otherUsers.admin.id,
        consortiumId: w.consortium.id,
        changes: { status: { from: 'active', to: 'left' } },
      });
      // A former member no longer sees the consortium.
      await test.http().get(path(w.consortium.id)).set(w.auth.otherAdmin).expect(404);

      const again = await test
        .http()
        .post(path(w.consortium.id, '/join-requests'))
        .set(w.auth.otherAdmin)
        .expect(201);
      expect(again.body).toMatchObject({
        id: left.body.id,
        status: 'requested',
        joinedAt: null,
        leftAt: null,
      });
    });

    it('refuses to let one member take another out (403), or a non-administrator leave (403)', async () => {
      const w = await aWorld();
      await act(w.consortium.id, w.other.id, 'leave', w.auth.homeAdmin).expect(403);
      await act(w.consortium.id, w.home.id, 'leave', w.auth.homeManager).expect(403);
      // The consortium's administrator decides on requests, not on whether a member stays.
      await act(w.consortium.id, w.other.id, 'leave', w.auth.admin).expect(403);
      expect((await membershipOf(w.consortium.id, w.other.id)).status).toBe('active');
    });

    it('keeps a consortium from losing its last administrator when that administrator’s organisation leaves', async () => {
      const w = await aWorld();
      // The consortium's only administrator is a user of `home`.
      const blocked = await act(w.consortium.id, w.home.id, 'leave', w.auth.homeAdmin).expect(409);
      expect(blocked.body).toMatchObject({ type: 'urn:consortium:problem:conflict', code: 'last-admin' });
      expect((await membershipOf(w.consortium.id, w.home.id)).status).toBe('active');

      const successor = w.otherUsers.finance;
      await makeConsortiumAdmin(ds, w.consortium, successor);
      const left = await act(w.consortium.id, w.home.id, 'leave', w.auth.homeAdmin).expect(200);
      const events = await auditEventsOfRequest(ds, left.headers['x-request-id']);
      expect(events.map((e) => e.action).sort()).toEqual(['consortium.admin_removed', 'membership.left']);
      expect(events.every((e) => e.consortiumId === w.consortium.id)).toBe(true);
      const admins = await ds.query('SELECT user_id FROM consortium_admins WHERE consortium_id = $1', [
        w.consortium.id,
      ]);
      expect(admins).toEqual([{ user_id: successor.id }]);
      // The former administrator has lost the role with the membership.
      await test.http().get(path(w.consortium.id, '/members')).set(w.auth.admin).expect(404);
    });
  });

  describe('illegal transitions', () => {
    it.each([
      ['approve', 'active'],
      ['reinstate', 'active'],
      ['reject', 'suspended'],
      ['suspend', 'requested'],
    ] as const)(
      'refuses to %s a membership that is %s with a 409 conflict problem',
      async (action, status) => {
        const w = await aWorld();
        await aMembership(ds, w.consortium, w.applicant, status);
        const response = await act(w.consortium.id, w.applicant.id, action, w.auth.admin).expect(409);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(response.body).toMatchObject({
          type: 'urn:consortium:problem:conflict',
          status: 409,
          code: 'illegal-transition',
          details: { from: status, action },
        });
        expect((await membershipOf(w.consortium.id, w.applicant.id)).status).toBe(status);
        expect(await auditEventsOfRequest(ds, response.headers['x-request-id'])).toEqual([]);
      },
    );

    it('refuses an organisation’s own action that its status does not allow', async () => {
      const w = await aWorld();
      await test.http().post(path(w.consortium.id, '/join-requests')).set(w.auth.applicantAdmin).expect(201);
      const response = await act(w.consortium.id, w.applicant.id, 'accept', w.auth.applicantAdmin).expect(
        409,
      );
      expect(response.body.detail).toBe('Cannot accept a membership that is requested');
    });

    it('answers 404 for an action on a membership that does not exist', async () => {
      const w = await aWorld();
      await act(w.consortium.id, w.applicant.id, 'approve', w.auth.admin).expect(404);
    });
  });

  describe('concurrency', () => {
    it('applies exactly one of two simultaneous approvals of the same request', async () => {
      const w = await aWorld();
      const requested = await test
        .http()
        .post(path(w.consortium.id, '/join-requests'))
        .set(w.auth.applicantAdmin)
        .expect(201);
      // Hold the membership row so both approvals are in flight at once, then let them race.
      const blocker = ds.createQueryRunner();
      await blocker.connect();
      try {
        await blocker.startTransaction();
        await blocker.query('SELECT 1 FROM consortium_memberships WHERE id = $1 FOR UPDATE', [
          requested.body.id,
        ]);
        const [{ pid }] = await blocker.query('SELECT pg_backend_pid() AS pid');
        const approvals = [
          act(w.consortium.id, w.applicant.id, 'approve', w.auth.admin).then((r) => r),
          act(w.consortium.id, w.applicant.id, 'approve', w.auth.admin).then((r) => r),
        ];
        // Both approvals are queued behind the blocker (directly, or behind each other).
        await waitUntil(async () => {
          const [{ waiting }] = await ds.query(
            `WITH RECURSIVE blocked(pid) AS (
               SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))
               UNION SELECT a.pid FROM pg_stat_activity a JOIN blocked b ON b.pid = ANY(pg_blocking_pids(a.pid)))
             SELECT count(*)::int AS waiting FROM blocked`,
            [pid],
          );
          return waiting === 2;
        });
        await blocker.commitTransaction();
        const responses = await Promise.all(approvals);
        expect(responses.map((r) => r.status).sort()).toEqual([200, 409]);
      } finally {
        await blocker.release();
      }
      const events = await ds.query(
        `SELECT count(*)::int AS n FROM audit_events WHERE action = 'membership.approved' AND entity_id = $1`,
        [requested.body.id],
      );
      expect(events).toEqual([{ n: 1 }]);
    });
  });

  describe('the member list', () => {
    it('shows members the active and suspended members, and administrators every membership', async () => {
      const w = await aWorld();
      const invitee = await anOrganisation(ds);
      await aMembership(ds, w.consortium, w.applicant, 'requested');
      await aMembership(ds, w.consortium, invitee, 'invited');
      const ids = (response: { body: { data: { organisationId: string }[] } }) =>
        response.body.data.map((m) => m.organisationId).sort();

      const asMember = await test
        .http()
        .get(path(w.consortium.id, '/members'))
        .set(w.auth.homeViewer)
        .expect(200);
      expect(ids(asMember)).toEqual([w.home.id, w.other.id].sort());
      const asAdmin = await test.http().get(path(w.consortium.id, '/members')).set(w.auth.admin).expect(200);
      expect(ids(asAdmin)).toEqual([w.home.id, w.other.id, w.applicant.id, invitee.id].sort());
      const requests = await test
        .http()
        .get(path(w.consortium.id, '/members'))
        .query({ status: 'requested' })
        .set(w.auth.admin)
        .expect(200);
      expect(ids(requests)).toEqual([w.applicant.id]);
      const hidden = await test
        .http()
        .get(path(w.consortium.id, '/members'))
        .query({ status: 'requested' })
        .set(w.auth.homeViewer)
        .expect(200);
      expect(hidden.body.data).toEqual([]);
    });

    it('pages through members in name order', async () => {
      const w = await aWorld();
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const response: {
          body: { data: { organisationName: string }[]; page: { nextCursor: string | null } };
        } = await test
          .http()
          .get(path(w.consortium.id, '/members'))
          .query({ limit: 1, ...(cursor ? { cursor } : {}) })
          .set(w.auth.homeViewer)
          .expect(200);
        seen.push(...response.body.data.map((m) => m.organisationName));
        cursor = response.body.page.nextCursor;
      } while (cursor);
      expect(seen).toEqual([w.home.name, w.other.name].sort());
    });

    it('is not found for an organisation outside the consortium, or one that has only asked to join', async () => {
      const w = await aWorld();
      await test.http().get(path(w.consortium.id, '/members')).set(w.auth.applicantAdmin).expect(404);
      await aMembership(ds, w.consortium, w.applicant, 'requested');
      await test.http().get(path(w.consortium.id, '/members')).set(w.auth.applicantAdmin).expect(404);
    });

    it('is open to API keys with members:read only', async () => {
      const w = await aWorld();
      const reader = await anApiKey(ds, w.home, ['members:read']);
      await test.http().get(path(w.consortium.id, '/members')).set(reader.header).expect(200);
      const other = await anApiKey(ds, w.home, ['catalogue:read']);
      const refused = await test.http().get(path(w.consortium.id, '/members')).set(other.header).expect(403);
      expect(refused.body.type).toBe('urn:consortium:problem:forbidden');
    });

    it('rejects a malformed consortium id, an unknown status filter and unknown parameters with 400', async () => {
      const w = await aWorld();
      const badId = await test
        .http()
        .get('/api/v1/consortia/not-a-uuid/members')
        .set(w.auth.admin)
        .expect(400);
      expect(badId.body.status).toBe(400);
      const badStatus = await test
        .http()
        .get(path(w.consortium.id, '/members'))
        .query({ status: 'expelled' })
        .set(w.auth.admin)
        .expect(400);
      expect(badStatus.body.errors).toEqual([expect.objectContaining({ field: 'status' })]);
      await test
        .http()
        .get(path(w.consortium.id, '/members'))
        .query({ colour: 'red' })
        .set(w.auth.admin)
        .expect(400);
    });
  });

  describe('validation of decisions', () => {
    it('rejects a malformed organisation id in the path, and unknown fields in the body', async () => {
      const w = await aWorld();
      const badId = await test
        .http()
        .post(path(w.consortium.id, '/members/not-a-uuid/approve'))
        .set(w.auth.admin)
        .expect(400);
      expect(badId.body.type).toMatch(/^urn:consortium:problem:/);
      const unknown = await act(w.consortium.id, w.other.id, 'suspend', w.auth.admin, {
        reason: 'x',
        until: '2027-01-01',
      }).expect(400);
      expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'until' })]);
      const emptyReason = await act(w.consortium.id, w.other.id, 'suspend', w.auth.admin, {
        reason: '   ',
      }).expect(400);
      expect(emptyReason.body.errors).toEqual([expect.objectContaining({ field: 'reason' })]);
    });

    it('has no route for an action the lifecycle does not know', async () => {
      const w = await aWorld();
      await act(w.consortium.id, w.other.id, 'expel', w.auth.admin).expect(404);
    });
  });

  it('lets a consortium administrator of a fresh consortium act only there', async () => {
    const a = await aConsortium(ds);
    const w = await aWorld();
    await aMembership(ds, a, w.applicant, 'requested');
    // w's administrator does not administer `a` and is not a member of it.
    await act(a.id, w.applicant.id, 'approve', w.auth.admin).expect(404);
  });
});
