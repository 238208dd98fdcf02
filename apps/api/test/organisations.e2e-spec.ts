import { DataSource } from 'typeorm';
import { Organisation } from '../src/modules/organisations/organisation.entity';
import { User } from '../src/modules/users/user.entity';
import {
  aConsortiumWithMembers,
  aMembership,
  anApiKey,
  anOrganisation,
  aSuperadmin,
  auditEventsOfRequest,
  aUser,
  bearerFor,
  signIn,
  TEST_PASSWORD,
  unique,
} from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

describe('organisations', () => {
  let test: TestApp;
  let ds: DataSource;
  beforeAll(async () => {
    test = await createTestApp();
    ds = test.dataSource;
  });
  afterAll(() => test.close());

  /** A consortium with two members, and an organisation outside it with its own administrator. */
  async function aWorld() {
    const world = await aConsortiumWithMembers(ds);
    const outsider = await anOrganisation(ds, { type: 'police' });
    const outsiderAdmin = await aUser(ds, outsider, ['org_admin']);
    return {
      ...world,
      outsider,
      auth: {
        homeAdmin: await bearerFor(test, world.homeUsers.admin),
        homeViewer: await bearerFor(test, world.homeUsers.viewer),
        otherAdmin: await bearerFor(test, world.otherUsers.admin),
        consortiumAdmin: await bearerFor(test, world.consortiumAdmin),
        outsiderAdmin: await bearerFor(test, outsiderAdmin),
      },
    };
  }

  const ids = (response: { body: { data: { id: string }[] } }) => response.body.data.map((o) => o.id).sort();

  describe('GET /organisations', () => {
    it('lists the caller’s organisation and its fellow members, never organisations outside its consortia', async () => {
      const w = await aWorld();
      const response = await test.http().get('/api/v1/organisations').set(w.auth.homeViewer).expect(200);
      expect(ids(response)).toEqual([w.home.id, w.other.id].sort());
      expect(response.body.page).toEqual({ nextCursor: null, limit: 50 });
      expect(response.body.data.find((o: { id: string }) => o.id === w.home.id)).toEqual({
        id: w.home.id,
        name: w.home.name,
        type: 'district_council',
        region: 'East of England',
        contactName: null,
        contactEmail: null,
        contactPhone: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const outside = await test.http().get('/api/v1/organisations').set(w.auth.outsiderAdmin).expect(200);
      expect(ids(outside)).toEqual([w.outsider.id]);
    });

    it('hides organisations that have only asked to join from members, but shows them to the consortium’s administrators', async () => {
      const w = await aWorld();
      await aMembership(ds, w.consortium, w.outsider, 'requested');
      const asMember = await test.http().get('/api/v1/organisations').set(w.auth.homeAdmin).expect(200);
      expect(ids(asMember)).not.toContain(w.outsider.id);
      const asAdmin = await test.http().get('/api/v1/organisations').set(w.auth.consortiumAdmin).expect(200);
      expect(ids(asAdmin)).toEqual([w.home.id, w.other.id, w.outsider.id].sort());
    });

    it('stops showing a former member’s fellow members', async () => {
      const w = await aWorld();
      await ds.query(`UPDATE consortium_memberships SET status = 'left' WHERE organisation_id = $1`, [
        w.other.id,
      ]);
      const response = await test.http().get('/api/v1/organisations').set(w.auth.otherAdmin).expect(200);
      expect(ids(response)).toEqual([w.other.id]);
    });

    it('shows a superadmin every organisation', async () => {
      const w = await aWorld();
      const superadmin = await bearerFor(test, await aSuperadmin(ds));
      const response = await test
        .http()
        .get('/api/v1/organisations')
        .query({ q: w.outsider.name })
        .set(superadmin)
        .expect(200);
      expect(ids(response)).toEqual([w.outsider.id]);
    });

    it('filters by type, region (ignoring case) and part of the name', async () => {
      const w = await aWorld();
      await ds
        .getRepository(Organisation)
        .update({ id: w.other.id }, { type: 'fire_and_rescue', region: 'Kent' });
      const byType = await test
        .http()
        .get('/api/v1/organisations')
        .query({ type: 'fire_and_rescue' })
        .set(w.auth.homeAdmin)
        .expect(200);
      expect(ids(byType)).toEqual([w.other.id]);
      const byRegion = await test
        .http()
        .get('/api/v1/organisations')
        .query({ region: 'east of england' })
        .set(w.auth.homeAdmin)
        .expect(200);
      expect(ids(byRegion)).toEqual([w.home.id]);
      const byName = await test
        .http()
        .get('/api/v1/organisations')
        .query({ q: w.other.name.slice(-6).toUpperCase() })
        .set(w.auth.homeAdmin)
        .expect(200);
      expect(ids(byName)).toEqual([w.other.id]);
      const wildcard = await test
        .http()
        .get('/api/v1/organisations')
        .query({ q: '%' })
        .set(w.auth.homeAdmin)
        .expect(200);
      expect(wildcard.body.data).toEqual([]);
    });

    it('sorts by name either way', async () => {
      const w = await aWorld();
      const names = [w.home.name, w.other.name].sort();
      const ascending = await test.http().get('/api/v1/organisations').set(w.auth.homeAdmin).expect(200);
      expect(ascending.body.data.map((o: { name: string }) => o.name)).toEqual(names);
      const descending = await test
        .http()
        .get('/api/v1/organisations')
        .query({ sort: '-name' })
        .set(w.auth.homeAdmin)
        .expect(200);
      expect(descending.body.data.map((o: { name: string }) => o.name)).toEqual([...names].reverse());
    });

    it('pages by creation time without repeating or skipping organisations created in the same millisecond', async () => {
      const superadmin = await bearerFor(test, await aSuperadmin(ds));
      const prefix = unique('Paging Council');
      // One statement: every row gets the same millisecond but its own microseconds.
      await ds.query(
        `INSERT INTO organisations (name, type, region, created_at)
         SELECT $1 || ' ' || n, 'district_council', 'East of England',
                date_trunc('milliseconds', now()) + make_interval(secs => n / 1000000.0)
           FROM generate_series(1, 7) AS n`,
        [prefix],
      );
      for (const sort of ['createdAt', '-createdAt']) {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const response: { body: { data: { name: string }[]; page: { nextCursor: string | null } } } =
            await test
              .http()
              .get('/api/v1/organisations')
              .query({ q: prefix, sort, limit: 2, ...(cursor ? { cursor } : {}) })
              .set(superadmin)
              .expect(200);
          seen.push(...response.body.data.map((o) => o.name));
          cursor = response.body.page.nextCursor;
        } while (cursor && seen.length < 20);
        const expected = [1, 2, 3, 4, 5, 6, 7].map((n) => `${prefix} ${n}`);
        expect(seen).toEqual(sort === 'createdAt' ? expected : expected.reverse());
      }
    });

    it('rejects a cursor it did not issue, or one issued for another sort, with a 400 problem', async () => {
      const w = await aWorld();
      const forged = Buffer.from(JSON.stringify({ s: 'createdAt', v: 'not a date', id: w.home.id })).toString(
        'base64url',
      );
      const badValue = await test
        .http()
        .get('/api/v1/organisations')
        .query({ sort: 'createdAt', cursor: forged })
        .set(w.auth.homeAdmin)
        .expect(400);
      expect(badValue.body).toMatchObject({ type: 'urn:consortium:problem:validation-error' });
      expect(badValue.body.errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
      await test
        .http()
        .get('/api/v1/organisations')
        .query({ sort: 'name', cursor: forged })
        .set(w.auth.homeAdmin)
        .expect(400);
      await test
        .http()
        .get('/api/v1/organisations')
        .query({ cursor: 'garbage' })
        .set(w.auth.homeAdmin)
        .expect(400);
    });

    it('rejects unknown filters, unknown types and unsortable fields with 400 problems', async () => {
      const w = await aWorld();
      const unknown = await test
        .http()
        .get('/api/v1/organisations')
        .query({ colour: 'red' })
        .set(w.auth.homeAdmin)
        .expect(400);
      expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'colour' })]);
      const badType = await test
        .http()
        .get('/api/v1/organisations')
        .query({ type: 'parish_council' })
        .set(w.auth.homeAdmin)
        .expect(400);
      expect(badType.body.errors).toEqual([expect.objectContaining({ field: 'type' })]);
      const badSort = await test
        .http()
        .get('/api/v1/organisations')
        .query({ sort: 'region' })
        .set(w.auth.homeAdmin)
        .expect(400);
      expect(badSort.body.errors).toEqual([expect.objectContaining({ field: 'sort' })]);
    });

    it('is open to API keys with organisation:read or members:read, and to no other key', async () => {
      const w = await aWorld();
      for (const scope of ['organisation:read', 'members:read'] as const) {
        const key = await anApiKey(ds, w.home, [scope]);
        const response = await test.http().get('/api/v1/organisations').set(key.header).expect(200);
        expect(ids(response)).toEqual([w.home.id, w.other.id].sort());
      }
      const other = await anApiKey(ds, w.home, ['catalogue:read']);
      const refused = await test.http().get('/api/v1/organisations').set(other.header).expect(403);
      expect(refused.body.type).toBe('urn:consortium:problem:forbidden');
    });

    it('refuses anonymous callers', async () => {
      await test.http().get('/api/v1/organisations').expect(401);
    });
  });

  describe('GET /organisations/:id', () => {
    it('shows the caller’s own organisation and a fellow member', async () => {
      const w = await aWorld();
      const own = await test
        .http()
        .get(`/api/v1/organisations/${w.home.id}`)
        .set(w.auth.homeViewer)
        .expect(200);
      expect(own.body).toMatchObject({ id: w.home.id, name: w.home.name });
      await test.http().get(`/api/v1/organisations/${w.other.id}`).set(w.auth.homeViewer).expect(200);
    });

    it('answers 404, not 403, for an organisation the caller shares no consortium with', async () => {
      const w = await aWorld();
      const response = await test
        .http()
        .get(`/api/v1/organisations/${w.outsider.id}`)
        .set(w.auth.homeAdmin)
        .expect(404);
      expect(response.body).toMatchObject({ type: 'urn:consortium:problem:not-found', status: 404 });
      const key = await anApiKey(ds, w.home, ['organisation:read']);
      await test.http().get(`/api/v1/organisations/${w.outsider.id}`).set(key.header).expect(404);
    });

    it('answers 400 for a malformed id', async () => {
      const w = await aWorld();
      const response = await test
        .http()
        .get('/api/v1/organisations/norfolk')
        .set(w.auth.homeAdmin)
        .expect(400);
      expect(response.body.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    });
  });

  describe('PATCH /organisations/:id', () => {
    it('lets an organisation’s administrator change its details, and audits the change in the same request', async () => {
      const w = await aWorld();
      const name = unique('Broadland District Council');
      const response = await test
        .http()
        .patch(`/api/v1/organisations/${w.home.id}`)
        .set(w.auth.homeAdmin)
        .send({ name, contactEmail: ' ICT@Broadland.gov.uk ', contactPhone: '01603 431133' })
        .expect(200);
      expect(response.body).toMatchObject({
        name,
        contactEmail: 'ict@broadland.gov.uk',
        contactPhone: '01603 431133',
        type: 'district_council',
      });
      const events = await auditEventsOfRequest(ds, response.headers['x-request-id']);
      expect(events).toEqual([
        expect.objectContaining({
          action: 'organisation.updated',
          actorId: w.homeUsers.admin.id,
          organisationId: w.home.id,
          consortiumId: null,
          entityType: 'organisation',
          entityId: w.home.id,
          requestId: response.headers['x-request-id'],
          changes: {
            name: { from: w.home.name, to: name },
            contactEmail: { from: null, to: 'ict@broadland.gov.uk' },
            contactPhone: { from: null, to: '01603 431133' },
          },
        }),
      ]);

      const cleared = await test
        .http()
        .patch(`/api/v1/organisations/${w.home.id}`)
        .set(w.auth.homeAdmin)
        .send({ contactPhone: null })
        .expect(200);
      expect(cleared.body.contactPhone).toBeNull();
    });

    it('writes no audit event when nothing changes', async () => {
      const w = await aWorld();
      const response = await test
        .http()
        .patch(`/api/v1/organisations/${w.home.id}`)
        .set(w.auth.homeAdmin)
        .send({ region: w.home.region })
        .expect(200);
      expect(await auditEventsOfRequest(ds, response.headers['x-request-id'])).toEqual([]);
    });

    it('refuses a viewer (403), a fellow member’s administrator (403) and an outsider (404)', async () => {
      const w = await aWorld();
      const patch = (id: string, auth: Record<string, string>) =>
        test.http().patch(`/api/v1/organisations/${id}`).set(auth).send({ region: 'Wales' });
      await patch(w.home.id, w.auth.homeViewer).expect(403);
      const fellow = await patch(w.home.id, w.auth.otherAdmin).expect(403);
      expect(fellow.body.type).toBe('urn:consortium:problem:forbidden');
      await patch(w.home.id, w.auth.outsiderAdmin).expect(404);
      const key = await anApiKey(ds, w.home, ['organisation:read', 'members:read']);
      await test
        .http()
        .patch(`/api/v1/organisations/${w.home.id}`)
        .set(key.header)
        .send({ region: 'Wales' })
        .expect(403);
      expect((await ds.getRepository(Organisation).findOneByOrFail({ id: w.home.id })).region).toBe(
        'East of England',
      );
    });

    it('leaves the type to a superadmin', async () => {
      const w = await aWorld();
      const refused = await test
        .http()
        .patch(`/api/v1/organisations/${w.home.id}`)
        .set(w.auth.homeAdmin)
        .send({ type: 'unitary_council' })
        .expect(403);
      expect(refused.body.detail).toMatch(/superadmin/);
      // Sending the current type is not a change.
      await test
        .http()
        .patch(`/api/v1/organisations/${w.home.id}`)
        .set(w.auth.homeAdmin)
        .send({ type: 'district_council' })
        .expect(200);
      const superadmin = await bearerFor(test, await aSuperadmin(ds));
      const changed = await test
        .http()
        .patch(`/api/v1/organisations/${w.home.id}`)
        .set(superadmin)
        .send({ type: 'unitary_council' })
        .expect(200);
      expect(changed.body.type).toBe('unitary_council');
    });

    it('refuses a name another organisation already has, whatever its case (409)', async () => {
      const w = await aWorld();
      const response = await test
        .http()
        .patch(`/api/v1/organisations/${w.home.id}`)
        .set(w.auth.homeAdmin)
        .send({ name: w.other.name.toUpperCase() })
        .expect(409);
      expect(response.body).toMatchObject({ type: 'urn:consortium:problem:conflict', code: 'name-taken' });
    });

    it('validates the body: unknown fields, a bad email, an empty name and a bad id are 400 problems', async () => {
      const w = await aWorld();
      const response = await test
        .http()
        .patch(`/api/v1/organisations/${w.home.id}`)
        .set(w.auth.homeAdmin)
        .send({ name: '  ', contactEmail: 'not an email', budget: 155_000_000 })
        .expect(400);
      expect(response.body).toMatchObject({ type: 'urn:consortium:problem:validation-error', status: 400 });
      expect(response.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'budget',
        'contactEmail',
        'name',
      ]);
      await test
        .http()
        .patch('/api/v1/organisations/not-a-uuid')
        .set(w.auth.homeAdmin)
        .send({ region: 'Wales' })
        .expect(400);
    });
  });

  describe('POST /organisations', () => {
    it('lets a superadmin register an organisation with its first administrator, who can then sign in', async () => {
      const superadminUser = await aSuperadmin(ds);
      const superadmin = await bearerFor(test, superadminUser);
      const name = unique('Eastern Inshore Fisheries and Conservation Authority');
      const email = `Chief.Officer.${Date.now()}@Eastern-IFCA.gov.uk`;
      const response = await test
        .http()
        .post('/api/v1/organisations')
        .set(superadmin)
        .send({
          name,
          type: 'other_public_body',
          region: 'East of England',
          contactName: 'Chief Officer',
          admin: { email, name: 'Chief Officer', password: TEST_PASSWORD },
        })
        .expect(201);
      expect(response.body).toMatchObject({
        name,
        type: 'other_public_body',
        contactName: 'Chief Officer',
        contactEmail: null,
        admin: { email: email.toLowerCase(), name: 'Chief Officer', roles: ['org_admin'] },
      });
      expect(JSON.stringify(response.body)).not.toContain(TEST_PASSWORD);

      const events = await auditEventsOfRequest(ds, response.headers['x-request-id']);
      expect(events.map((e) => e.action).sort()).toEqual(['organisation.created', 'user.created']);
      for (const event of events) {
        expect(event).toMatchObject({ actorId: superadminUser.id, organisationId: response.body.id });
        expect(JSON.stringify(event.changes)).not.toContain(TEST_PASSWORD);
      }

      const admin = await ds.getRepository(User).findOneByOrFail({ id: response.body.admin.id });
      const session = await signIn(test, admin);
      const own = await test
        .http()
        .get(`/api/v1/organisations/${response.body.id}`)
        .set(session.auth)
        .expect(200);
      expect(own.body.name).toBe(name);
    });

    it('refuses anyone but a superadmin, including an organisation administrator and an API key', async () => {
      const w = await aWorld();
      const body = {
        name: unique('Rogue Council'),
        type: 'district_council',
        region: 'East of England',
        admin: { email: `rogue.${Date.now()}@example.gov.uk`, name: 'Rogue', password: TEST_PASSWORD },
      };
      await test.http().post('/api/v1/organisations').set(w.auth.homeAdmin).send(body).expect(403);
      await test.http().post('/api/v1/organisations').set(w.auth.consortiumAdmin).send(body).expect(403);
      const key = await anApiKey(ds, w.home, ['organisation:read']);
      await test.http().post('/api/v1/organisations').set(key.header).send(body).expect(403);
      expect(await ds.getRepository(Organisation).countBy({ name: body.name })).toBe(0);
    });

    it('refuses an email that already belongs to a user, and a name already taken (409), creating nothing', async () => {
      const w = await aWorld();
      const superadmin = await bearerFor(test, await aSuperadmin(ds));
      const name = unique('Duplicate Council');
      const takenEmail = await test
        .http()
        .post('/api/v1/organisations')
        .set(superadmin)
        .send({
          name,
          type: 'district_council',
          region: 'East of England',
          admin: { email: w.homeUsers.admin.email, name: 'Someone', password: TEST_PASSWORD },
        })
        .expect(409);
      expect(takenEmail.body.code).toBe('email-taken');
      expect(await ds.getRepository(Organisation).countBy({ name })).toBe(0);
      const takenName = await test
        .http()
        .post('/api/v1/organisations')
        .set(superadmin)
        .send({
          name: w.home.name,
          type: 'district_council',
          region: 'East of England',
          admin: { email: `fresh.${Date.now()}@example.gov.uk`, name: 'Someone', password: TEST_PASSWORD },
        })
        .expect(409);
      expect(takenName.body.code).toBe('name-taken');
    });

    it('validates the organisation and its administrator: missing admin, short password, unknown type', async () => {
      const superadmin = await bearerFor(test, await aSuperadmin(ds));
      const noAdmin = await test
        .http()
        .post('/api/v1/organisations')
        .set(superadmin)
        .send({ name: unique('No Admin Council'), type: 'district_council', region: 'East of England' })
        .expect(400);
      expect(noAdmin.body.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'admin' })]),
      );
      const weak = await test
        .http()
        .post('/api/v1/organisations')
        .set(superadmin)
        .send({
          name: unique('Weak Council'),
          type: 'parish_council',
          region: 'East of England',
          admin: { email: 'weak@example.gov.uk', name: 'Weak', password: 'short', isSuperadmin: true },
        })
        .expect(400);
      expect(weak.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'admin.isSuperadmin',
        'admin.password',
        'type',
      ]);
    });
  });
});
