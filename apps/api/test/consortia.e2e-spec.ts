import { DataSource } from 'typeorm';
import { Consortium } from '../src/modules/consortia/consortium.entity';
import { ConsortiumAdmin } from '../src/modules/consortia/consortium-admin.entity';
import { Membership } from '../src/modules/consortia/membership.entity';
import {
  aConsortium,
  aConsortiumWithMembers,
  aMembership,
  anApiKey,
  anOrganisation,
  aSuperadmin,
  auditEventsOfRequest,
  aUser,
  bearerFor,
  unique,
} from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

type Auth = Record<string, string>;

describe('consortia', () => {
  let test: TestApp;
  let ds: DataSource;
  beforeAll(async () => {
    test = await createTestApp();
    ds = test.dataSource;
  });
  afterAll(() => test.close());

  async function aWorld() {
    const world = await aConsortiumWithMembers(ds);
    const outsider = await anOrganisation(ds);
    const outsiderAdmin = await aUser(ds, outsider, ['org_admin']);
    return {
      ...world,
      outsider,
      outsiderAdmin,
      auth: {
        admin: await bearerFor(test, world.consortiumAdmin),
        homeAdmin: await bearerFor(test, world.homeUsers.admin),
        homeManager: await bearerFor(test, world.homeUsers.manager),
        homeViewer: await bearerFor(test, world.homeUsers.viewer),
        otherAdmin: await bearerFor(test, world.otherUsers.admin),
        outsiderAdmin: await bearerFor(test, outsiderAdmin),
      },
    };
  }

  const path = (id: string, suffix = '') => `/api/v1/consortia/${id}${suffix}`;

  describe('GET /consortia', () => {
    it('lists the consortia the caller’s organisation has a membership of, with its status and whether the caller administers each', async () => {
      const w = await aWorld();
      const pending = await aConsortium(ds);
      await aMembership(ds, pending, w.home, 'requested');
      const asViewer = await test.http().get('/api/v1/consortia').set(w.auth.homeViewer).expect(200);
      expect(asViewer.body.data).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ id: w.consortium.id, membershipStatus: 'active', isAdmin: false }),
          expect.objectContaining({ id: pending.id, membershipStatus: 'requested', isAdmin: false }),
        ]),
      );
      expect(asViewer.body.data).toHaveLength(2);
      const asAdmin = await test.http().get('/api/v1/consortia').set(w.auth.admin).expect(200);
      expect(asAdmin.body.data).toContainEqual(
        expect.objectContaining({
          id: w.consortium.id,
          name: w.consortium.name,
          billingCycle: 'monthly',
          currency: 'GBP',
          rules: { acceptsJoinRequests: true, paymentTermsDays: 30 },
          membershipStatus: 'active',
          isAdmin: true,
        }),
      );
      const filtered = await test
        .http()
        .get('/api/v1/consortia')
        .query({ membershipStatus: 'requested' })
        .set(w.auth.homeViewer)
        .expect(200);
      expect(filtered.body.data.map((c: { id: string }) => c.id)).toEqual([pending.id]);
      const outside = await test.http().get('/api/v1/consortia').set(w.auth.outsiderAdmin).expect(200);
      expect(outside.body.data).toEqual([]);
    });

    it('is open to API keys with members:read only', async () => {
      const w = await aWorld();
      const reader = await anApiKey(ds, w.home, ['members:read']);
      const response = await test.http().get('/api/v1/consortia').set(reader.header).expect(200);
      expect(response.body.data).toEqual([expect.objectContaining({ id: w.consortium.id, isAdmin: false })]);
      const other = await anApiKey(ds, w.home, ['ledger:read']);
      await test.http().get('/api/v1/consortia').set(other.header).expect(403);
    });
  });

  describe('GET /consortia/directory', () => {
    it('lists consortia that accept requests to join, with only their name, description and member count', async () => {
      const w = await aWorld();
      const closed = await aConsortium(ds, {
        name: `${w.consortium.name} closed`,
        rules: { acceptsJoinRequests: false, paymentTermsDays: 30 },
      });
      await aMembership(ds, w.consortium, w.outsider, 'requested');
      const response = await test
        .http()
        .get('/api/v1/consortia/directory')
        .query({ q: w.consortium.name })
        .set(w.auth.outsiderAdmin)
        .expect(200);
      expect(response.body.data).toEqual([
        { id: w.consortium.id, name: w.consortium.name, description: null, memberCount: 2 },
      ]);
      expect(response.body.data.map((c: { id: string }) => c.id)).not.toContain(closed.id);
    });

    it('is open to any signed-in user and to API keys with members:read, not to anonymous callers', async () => {
      const w = await aWorld();
      await test.http().get('/api/v1/consortia/directory').set(w.auth.homeViewer).expect(200);
      const reader = await anApiKey(ds, w.outsider, ['members:read']);
      await test.http().get('/api/v1/consortia/directory').set(reader.header).expect(200);
      const other = await anApiKey(ds, w.outsider, ['catalogue:read']);
      await test.http().get('/api/v1/consortia/directory').set(other.header).expect(403);
      await test.http().get('/api/v1/consortia/directory').expect(401);
    });
  });

  describe('GET /consortia/:id', () => {
    it('shows a consortium to its active members and its administrators', async () => {
      const w = await aWorld();
      const asMember = await test.http().get(path(w.consortium.id)).set(w.auth.homeViewer).expect(200);
      expect(asMember.body).toMatchObject({
        id: w.consortium.id,
        membershipStatus: 'active',
        isAdmin: false,
        memberCount: 2,
      });
      const asAdmin = await test.http().get(path(w.consortium.id)).set(w.auth.admin).expect(200);
      expect(asAdmin.body.isAdmin).toBe(true);
      const superadmin = await bearerFor(test, await aSuperadmin(ds));
      const asSuperadmin = await test.http().get(path(w.consortium.id)).set(superadmin).expect(200);
      expect(asSuperadmin.body).toMatchObject({ membershipStatus: null, isAdmin: false });
    });

    it('answers 404 to outsiders, applicants and suspended members alike', async () => {
      const w = await aWorld();
      const outside = await test.http().get(path(w.consortium.id)).set(w.auth.outsiderAdmin).expect(404);
      expect(outside.body.type).toBe('urn:consortium:problem:not-found');
      await aMembership(ds, w.consortium, w.outsider, 'requested');
      await test.http().get(path(w.consortium.id)).set(w.auth.outsiderAdmin).expect(404);
      await ds.getRepository(Membership).update({ organisationId: w.other.id }, { status: 'suspended' });
      await test.http().get(path(w.consortium.id)).set(w.auth.otherAdmin).expect(404);
      await test.http().get(path('00000000-0000-4000-8000-000000000000')).set(w.auth.homeAdmin).expect(404);
    });

    it('answers 400 for a malformed id', async () => {
      const w = await aWorld();
      await test.http().get('/api/v1/consortia/eastern-counties').set(w.auth.homeAdmin).expect(400);
    });
  });

  describe('POST /consortia', () => {
    it('founds a consortium with the caller’s organisation as its first member and the caller as its administrator', async () => {
      const w = await aWorld();
      const name = unique('Eastern Counties ICT Consortium');
      const response = await test
        .http()
        .post('/api/v1/consortia')
        .set(w.auth.homeAdmin)
        .send({
          name,
          description: 'Shared networks, disaster recovery and PSN compliance',
          billingCycle: 'quarterly',
          rules: { paymentTermsDays: 45 },
        })
        .expect(201);
      expect(response.body).toMatchObject({
        name,
        billingCycle: 'quarterly',
        currency: 'GBP',
        rules: { acceptsJoinRequests: true, paymentTermsDays: 45 },
        membershipStatus: 'active',
        isAdmin: true,
        memberCount: 1,
      });
      const id = response.body.id;
      const membership = await ds.getRepository(Membership).findOneByOrFail({ consortiumId: id });
      expect(membership).toMatchObject({ organisationId: w.home.id, status: 'active' });
      expect(membership.joinedAt).not.toBeNull();
      expect(await ds.getRepository(ConsortiumAdmin).findBy({ consortiumId: id })).toEqual([
        expect.objectContaining({ userId: w.homeUsers.admin.id }),
      ]);
      const me = await test.http().get('/api/v1/auth/me').set(w.auth.homeAdmin).expect(200);
      expect(me.body.consortiumAdminOf).toContain(id);

      const events = await auditEventsOfRequest(ds, response.headers['x-request-id']);
      expect(events.map((e) => e.action).sort()).toEqual([
        'consortium.admin_added',
        'consortium.created',
        'membership.founded',
      ]);
      for (const event of events) {
        expect(event).toMatchObject({
          actorId: w.homeUsers.admin.id,
          consortiumId: id,
          organisationId: w.home.id,
          requestId: response.headers['x-request-id'],
        });
      }
    });

    it('refuses a viewer, a service manager and an API key', async () => {
      const w = await aWorld();
      const body = { name: unique('Not Allowed Consortium'), billingCycle: 'monthly' };
      await test.http().post('/api/v1/consortia').set(w.auth.homeViewer).send(body).expect(403);
      await test.http().post('/api/v1/consortia').set(w.auth.homeManager).send(body).expect(403);
      const key = await anApiKey(ds, w.home, ['members:read']);
      await test.http().post('/api/v1/consortia').set(key.header).send(body).expect(403);
      expect(await ds.getRepository(Consortium).countBy({ name: body.name })).toBe(0);
    });

    it('refuses a name that is taken (409)', async () => {
      const w = await aWorld();
      const response = await test
        .http()
        .post('/api/v1/consortia')
        .set(w.auth.homeAdmin)
        .send({ name: w.consortium.name.toLowerCase(), billingCycle: 'monthly' })
        .expect(409);
      expect(response.body).toMatchObject({ type: 'urn:consortium:problem:conflict', code: 'name-taken' });
    });

    it('validates the consortium: GBP only, known billing cycles, sane rules, no unknown fields', async () => {
      const w = await aWorld();
      const response = await test
        .http()
        .post('/api/v1/consortia')
        .set(w.auth.homeAdmin)
        .send({
          name: unique('Invalid Consortium'),
          billingCycle: 'weekly',
          currency: 'EUR',
          rules: { paymentTermsDays: -1, approvalQuorum: 3 },
          ledger: 'x',
        })
        .expect(400);
      expect(response.body).toMatchObject({ type: 'urn:consortium:problem:validation-error', status: 400 });
      expect(response.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'billingCycle',
        'currency',
        'ledger',
        'rules.approvalQuorum',
        'rules.paymentTermsDays',
      ]);
    });
  });

  describe('PATCH /consortia/:id', () => {
    it('lets the consortium’s administrator change its rules and details, and audits the change', async () => {
      const w = await aWorld();
      const response = await test
        .http()
        .patch(path(w.consortium.id))
        .set(w.auth.admin)
        .send({ description: 'Network and DR', rules: { acceptsJoinRequests: false } })
        .expect(200);
      expect(response.body).toMatchObject({
        description: 'Network and DR',
        rules: { acceptsJoinRequests: false, paymentTermsDays: 30 },
      });
      const events = await auditEventsOfRequest(ds, response.headers['x-request-id']);
      expect(events).toEqual([
        expect.objectContaining({
          action: 'consortium.updated',
          actorId: w.consortiumAdmin.id,
          consortiumId: w.consortium.id,
          entityType: 'consortium',
          entityId: w.consortium.id,
          changes: {
            description: { from: null, to: 'Network and DR' },
            rules: {
              from: { acceptsJoinRequests: true, paymentTermsDays: 30 },
              to: { acceptsJoinRequests: false, paymentTermsDays: 30 },
            },
          },
        }),
      ]);
    });

    it('refuses members who do not administer it (403) and administrators of other consortia (404)', async () => {
      const w = await aWorld();
      const patch = (auth: Auth) =>
        test.http().patch(path(w.consortium.id)).set(auth).send({ billingCycle: 'quarterly' });
      await patch(w.auth.homeAdmin).expect(403);
      await patch(w.auth.homeManager).expect(403);
      const elsewhere = await aConsortiumWithMembers(ds);
      // An administrator of another consortium who is also a member here sees this one but may not change it.
      await aMembership(ds, w.consortium, elsewhere.home);
      await patch(await bearerFor(test, elsewhere.consortiumAdmin)).expect(403);
      const stranger = await aConsortiumWithMembers(ds);
      const response = await patch(await bearerFor(test, stranger.consortiumAdmin)).expect(404);
      expect(response.body.type).toBe('urn:consortium:problem:not-found');
      expect((await ds.getRepository(Consortium).findOneByOrFail({ id: w.consortium.id })).billingCycle).toBe(
        'monthly',
      );
    });

    it('refuses another currency than GBP and unknown fields', async () => {
      const w = await aWorld();
      const response = await test
        .http()
        .patch(path(w.consortium.id))
        .set(w.auth.admin)
        .send({ currency: 'USD', members: [] })
        .expect(400);
      expect(response.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'currency',
        'members',
      ]);
    });
  });

  describe('consortium administrators', () => {
    it('lists the administrators to an administrator, and refuses members who are not (403)', async () => {
      const w = await aWorld();
      const response = await test.http().get(path(w.consortium.id, '/admins')).set(w.auth.admin).expect(200);
      expect(response.body.data).toEqual([
        {
          userId: w.consortiumAdmin.id,
          name: w.consortiumAdmin.name,
          email: w.consortiumAdmin.email,
          organisationId: w.home.id,
          organisationName: w.home.name,
          grantedAt: expect.any(String),
        },
      ]);
      await test.http().get(path(w.consortium.id, '/admins')).set(w.auth.homeAdmin).expect(403);
      const key = await anApiKey(ds, w.home, ['members:read']);
      await test.http().get(path(w.consortium.id, '/admins')).set(key.header).expect(403);
    });

    it('appoints a user of an active member, then removes them, auditing both', async () => {
      const w = await aWorld();
      const added = await test
        .http()
        .post(path(w.consortium.id, '/admins'))
        .set(w.auth.admin)
        .send({ userId: w.otherUsers.finance.id })
        .expect(201);
      expect(added.body).toMatchObject({ userId: w.otherUsers.finance.id, organisationId: w.other.id });
      const [addEvent] = await auditEventsOfRequest(ds, added.headers['x-request-id']);
      expect(addEvent).toMatchObject({
        action: 'consortium.admin_added',
        actorId: w.consortiumAdmin.id,
        consortiumId: w.consortium.id,
        entityType: 'user',
        entityId: w.otherUsers.finance.id,
      });
      // The new administrator can act at once.
      const financeAuth = await bearerFor(test, w.otherUsers.finance);
      await test.http().get(path(w.consortium.id, '/admins')).set(financeAuth).expect(200);

      const removed = await test
        .http()
        .delete(path(w.consortium.id, `/admins/${w.otherUsers.finance.id}`))
        .set(w.auth.admin)
        .expect(204);
      const [removeEvent] = await auditEventsOfRequest(ds, removed.headers['x-request-id']);
      expect(removeEvent).toMatchObject({
        action: 'consortium.admin_removed',
        consortiumId: w.consortium.id,
        entityId: w.otherUsers.finance.id,
      });
      await test.http().get(path(w.consortium.id, '/admins')).set(financeAuth).expect(403);
    });

    it('refuses to appoint a user of an organisation that is not an active member', async () => {
      const w = await aWorld();
      // Outside the consortium altogether: not this consortium's business.
      await test
        .http()
        .post(path(w.consortium.id, '/admins'))
        .set(w.auth.admin)
        .send({ userId: w.outsiderAdmin.id })
        .expect(404);
      // An applicant: known to the consortium, but not yet a member.
      await aMembership(ds, w.consortium, w.outsider, 'requested');
      const response = await test
        .http()
        .post(path(w.consortium.id, '/admins'))
        .set(w.auth.admin)
        .send({ userId: w.outsiderAdmin.id })
        .expect(422);
      expect(response.body.code).toBe('admin-not-active-member');
      await test
        .http()
        .post(path(w.consortium.id, '/admins'))
        .set(w.auth.admin)
        .send({ userId: w.consortiumAdmin.id })
        .expect(409);
    });

    it('never removes the last administrator (409)', async () => {
      const w = await aWorld();
      const response = await test
        .http()
        .delete(path(w.consortium.id, `/admins/${w.consortiumAdmin.id}`))
        .set(w.auth.admin)
        .expect(409);
      expect(response.body).toMatchObject({ type: 'urn:consortium:problem:conflict', code: 'last-admin' });
      expect(await ds.getRepository(ConsortiumAdmin).countBy({ consortiumId: w.consortium.id })).toBe(1);
      await test
        .http()
        .delete(path(w.consortium.id, `/admins/${w.homeUsers.viewer.id}`))
        .set(w.auth.admin)
        .expect(404);
    });

    it('keeps administrators’ business to administrators: members 403, administrators elsewhere 404, bad ids 400', async () => {
      const w = await aWorld();
      const add = (auth: Auth) =>
        test.http().post(path(w.consortium.id, '/admins')).set(auth).send({ userId: w.homeUsers.admin.id });
      await add(w.auth.homeAdmin).expect(403);
      await add(w.auth.homeManager).expect(403);
      const stranger = await aConsortiumWithMembers(ds);
      await add(await bearerFor(test, stranger.consortiumAdmin)).expect(404);
      await test
        .http()
        .delete(path(w.consortium.id, `/admins/${w.consortiumAdmin.id}`))
        .set(w.auth.homeAdmin)
        .expect(403);
      await test.http().delete(path(w.consortium.id, '/admins/not-a-uuid')).set(w.auth.admin).expect(400);
      const badBody = await test
        .http()
        .post(path(w.consortium.id, '/admins'))
        .set(w.auth.admin)
        .send({ userId: 'someone' })
        .expect(400);
      expect(badBody.body.errors).toEqual([expect.objectContaining({ field: 'userId' })]);
      expect(await ds.getRepository(ConsortiumAdmin).countBy({ consortiumId: w.consortium.id })).toBe(1);
    });
  });
});
