import { DataSource } from 'typeorm';
import { Membership } from '../src/modules/consortia/membership.entity';
import {
  aNewServiceBody,
  aConsortiumWithMembers,
  anApiKey,
  anOrganisation,
  aPerUnitPlan,
  aPriceVersion,
  aService,
  aSubscriptionTo,
  auditEventsFor,
  auditEventsOfRequest,
  aUser,
  bearerFor,
} from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

const FORBIDDEN = { type: 'urn:consortium:problem:forbidden', status: 403 };
const NOT_FOUND = { type: 'urn:consortium:problem:not-found', status: 404 };
const CONFLICT = { type: 'urn:consortium:problem:conflict', status: 409 };
const INVALID = { type: 'urn:consortium:problem:validation-error', status: 400 };

type Auth = Record<string, string>;
type Cast = Awaited<ReturnType<typeof aConsortiumWithMembers>>;

describe('service catalogue', () => {
  let test: TestApp;
  let ds: DataSource;
  let cast: Cast;
  /** Bearer headers: the providing organisation (home), a fellow member (other), and people outside. */
  let as: {
    manager: Auth;
    admin: Auth;
    finance: Auth;
    viewer: Auth;
    otherManager: Auth;
    otherViewer: Auth;
    consortiumAdmin: Auth;
    outsider: Auth;
  };

  beforeAll(async () => {
    test = await createTestApp();
    ds = test.dataSource;
    cast = await aConsortiumWithMembers(ds);
    const outsider = await aUser(ds, await anOrganisation(ds), ['service_manager']);
    as = {
      manager: await bearerFor(test, cast.homeUsers.manager),
      admin: await bearerFor(test, cast.homeUsers.admin),
      finance: await bearerFor(test, cast.homeUsers.finance),
      viewer: await bearerFor(test, cast.homeUsers.viewer),
      otherManager: await bearerFor(test, cast.otherUsers.manager),
      otherViewer: await bearerFor(test, cast.otherUsers.viewer),
      consortiumAdmin: await bearerFor(test, cast.consortiumAdmin),
      outsider: await bearerFor(test, outsider),
    };
  });
  afterAll(() => test.close());

  const api = () => test.http();
  const get = (auth: Auth, id: string) => api().get(`/api/v1/services/${id}`).set(auth);
  const create = (auth: Auth, body: object) => api().post('/api/v1/services').set(auth).send(body);
  const update = (auth: Auth, id: string, body: object) =>
    api().patch(`/api/v1/services/${id}`).set(auth).send(body);
  const step = (auth: Auth, id: string, action: string) =>
    api().post(`/api/v1/services/${id}/${action}`).set(auth).send();
  const changePrice = (auth: Auth, id: string, pricePlan: object) =>
    api().post(`/api/v1/services/${id}/price-versions`).set(auth).send({ pricePlan });
  const history = (auth: Auth, id: string, query = '') =>
    api().get(`/api/v1/services/${id}/price-versions${query}`).set(auth);
  const quote = (auth: Auth, id: string, body: object) =>
    api().post(`/api/v1/services/${id}/quote`).set(auth).send(body);

  const aNewService = (overrides: Record<string, unknown> = {}) =>
    aNewServiceBody(cast.consortium.id, overrides);

  describe('POST /services', () => {
    it('lists a new service as a draft provided by the caller’s organisation, with price version 1 in GBP', async () => {
      const response = await create(as.manager, aNewService()).expect(201);

      expect(response.body).toEqual({
        id: expect.any(String),
        consortiumId: cast.consortium.id,
        provider: { id: cast.home.id, name: cast.home.name, type: cast.home.type },
        category: 'disaster_recovery',
        title: 'Disaster recovery hosting',
        summary: 'Standby servers in our second data centre.',
        description: 'Replicated storage and standby servers, tested twice a year.',
        serviceLevel: {
          hoursOfCover: '24x7',
          responseTargetHours: 0.5,
          resolutionTargetHours: 4,
          availabilityPercent: '99.95',
        },
        capacity: { limit: 20, unit: 'units', inUse: 0, remaining: 20 },
        vatTreatment: 'outside_scope',
        contacts: [{ name: 'Jo Byrne', email: 'jo.byrne@norfolk.gov.uk', role: 'Service owner' }],
        status: 'draft',
        publishedAt: null,
        price: {
          priceVersionId: expect.any(String),
          version: 1,
          model: 'per_unit',
          plan: { model: 'per_unit', unitPrice: '450.00', unitName: 'server', currency: 'GBP' },
          currency: 'GBP',
          createdAt: expect.any(String),
        },
        compliance: { status: 'compliant', attestations: [] },
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
    });

    it('records the listing in the audit trail with its consortium, in the same request', async () => {
      const response = await create(as.admin, aNewService()).expect(201);

      const events = await auditEventsOfRequest(ds, response.headers['x-request-id']);
      expect(events).toEqual([
        expect.objectContaining({
          action: 'service.created',
          entityType: 'service',
          entityId: response.body.id,
          consortiumId: cast.consortium.id,
          organisationId: cast.home.id,
          actorId: cast.homeUsers.admin.id,
        }),
      ]);
      expect(events[0].changes).toMatchObject({ status: { from: null, to: 'draft' }, priceVersion: 1 });
    });

    it('refuses a viewer and a finance user (403)', async () => {
      await create(as.viewer, aNewService()).expect(403);
      const response = await create(as.finance, aNewService()).expect(403);
      expect(response.body).toMatchObject(FORBIDDEN);
    });

    it('answers 404 for a consortium the caller’s organisation is not a member of', async () => {
      const response = await create(as.outsider, aNewService()).expect(404);
      expect(response.body).toMatchObject(NOT_FOUND);
    });

    it('admits an API key with catalogue:write and refuses one without it (403)', async () => {
      const reader = await anApiKey(ds, cast.home, ['catalogue:read']);
      const writer = await anApiKey(ds, cast.home, ['catalogue:write']);

      const refused = await create(reader.header, aNewService()).expect(403);
      const created = await create(writer.header, aNewService()).expect(201);

      expect(refused.body).toMatchObject(FORBIDDEN);
      expect(created.body.provider.id).toBe(cast.home.id);
    });

    it('names every problem of a bad price plan in errors[] (400 invalid-price-plan)', async () => {
      const response = await create(
        as.manager,
        aNewService({
          pricePlan: {
            model: 'graduated',
            tiers: [
              { upTo: 100, unitPrice: '5.00' },
              { upTo: 50, unitPrice: '-4' },
              { upTo: 500, unitPrice: '3.00' },
            ],
            colour: 'blue',
          },
        }),
      ).expect(400);

      expect(response.body).toMatchObject({ ...INVALID, code: 'invalid-price-plan' });
      const fields = response.body.errors.map((e: { field: string }) => e.field);
      expect(fields).toEqual(
        expect.arrayContaining([
          'pricePlan.colour',
          'pricePlan.tiers[1].upTo',
          'pricePlan.tiers[1].unitPrice',
          'pricePlan.tiers[2].upTo',
        ]),
      );
    });

    it('refuses a price plan in a currency the consortium does not trade in, and an unknown model', async () => {
      const otherCurrency = await create(
        as.manager,
        aNewService({ pricePlan: { model: 'flat_fee', feePerPeriod: '100.00', currency: 'EUR' } }),
      ).expect(400);
      const unknownModel = await create(
        as.manager,
        aNewService({ pricePlan: { model: 'auction', price: '1' } }),
      ).expect(400);

      expect(otherCurrency.body.errors).toEqual([
        { field: 'pricePlan.currency', message: expect.any(String) },
      ]);
      expect(unknownModel.body.errors).toEqual([{ field: 'pricePlan.model', message: expect.any(String) }]);
    });

    it('refuses unknown fields, missing fields and malformed values with a validation problem', async () => {
      const { title: _title, ...withoutTitle } = aNewService();
      const response = await create(as.manager, {
        ...withoutTitle,
        consortiumId: 'not-a-uuid',
        colour: 'blue',
        serviceLevel: { ...aNewService().serviceLevel, availabilityPercent: 99.9, extra: 1 },
        capacity: { limit: 0, unit: 'units' },
        contacts: [{ name: 'Jo', email: 'not-an-email' }],
        vatTreatment: 'zero',
      }).expect(400);

      expect(response.body).toMatchObject(INVALID);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      const fields = new Set(response.body.errors.map((e: { field: string }) => e.field));
      expect([...fields]).toEqual(
        expect.arrayContaining([
          'title',
          'consortiumId',
          'colour',
          'serviceLevel.availabilityPercent',
          'serviceLevel.extra',
          'capacity.limit',
          'contacts.0.email',
          'vatTreatment',
        ]),
      );
    });

    it('refuses a member whose membership is suspended: the consortium is no longer its to list in (404)', async () => {
      const { consortium, home, homeUsers } = await aConsortiumWithMembers(ds);
      await ds.getRepository(Membership).update(
        { consortiumId: consortium.id, organisationId: home.id },
        {
          status: 'suspended',
        },
      );

      await create(
        await bearerFor(test, homeUsers.manager),
        aNewService({ consortiumId: consortium.id }),
      ).expect(404);
    });
  });

  describe('GET /services/:id', () => {
    it('shows a published service to a fellow member with its provider, price, compliance and capacity in use', async () => {
      const service = await aService(ds, cast.consortium, cast.home, {
        capacityLimit: 50,
        capacityUnit: 'units',
      });
      const consumers = await Promise.all([1, 2, 3, 4, 5].map(() => anOrganisation(ds)));
      await aSubscriptionTo(ds, service, consumers[0], { status: 'active', quantity: 10 });
      await aSubscriptionTo(ds, service, consumers[1], { status: 'suspended', quantity: 5 });
      await aSubscriptionTo(ds, service, consumers[2], { status: 'notice_given', quantity: 3 });
      await aSubscriptionTo(ds, service, consumers[3], { status: 'requested', quantity: 20 });
      await aSubscriptionTo(ds, service, consumers[4], { status: 'ended', quantity: 7 });

      const response = await get(as.otherViewer, service.id).expect(200);

      expect(response.body).toMatchObject({
        id: service.id,
        status: 'published',
        provider: { id: cast.home.id, name: cast.home.name, type: cast.home.type },
        price: { version: 1, model: 'per_unit', plan: aPerUnitPlan(), currency: 'GBP' },
        compliance: { status: 'compliant', attestations: [] },
        capacity: { limit: 50, unit: 'units', inUse: 18, remaining: 32 },
      });
    });

    it('counts subscribing organisations, not quantities, when capacity is in subscribers', async () => {
      const service = await aService(ds, cast.consortium, cast.home, {
        capacityLimit: 3,
        capacityUnit: 'subscribers',
      });
      await aSubscriptionTo(ds, service, await anOrganisation(ds), { quantity: 40 });
      await aSubscriptionTo(ds, service, await anOrganisation(ds), { quantity: 2, status: 'suspended' });
      await aSubscriptionTo(ds, service, await anOrganisation(ds), { quantity: 9, status: 'rejected' });

      const response = await get(as.otherViewer, service.id).expect(200);

      expect(response.body.capacity).toEqual({ limit: 3, unit: 'subscribers', inUse: 2, remaining: 1 });
    });

    it('shows an unlimited service with no remaining figure', async () => {
      const service = await aService(ds, cast.consortium, cast.home, { capacityLimit: null });
      await aSubscriptionTo(ds, service, cast.other);

      const response = await get(as.otherViewer, service.id).expect(200);

      expect(response.body.capacity).toEqual({ limit: null, unit: 'subscribers', inUse: 1, remaining: null });
    });

    it('shows a draft only to its provider: fellow members and consortium administrators get 404', async () => {
      const draft = await aService(ds, cast.consortium, cast.other, { status: 'draft' });

      await get(as.otherViewer, draft.id).expect(200);
      await get(as.manager, draft.id).expect(404);
      const response = await get(as.consortiumAdmin, draft.id).expect(404);

      expect(response.body).toMatchObject(NOT_FOUND);
    });

    it('shows a suspended or retired service to its administrators and subscribers, not to other members', async () => {
      const suspended = await aService(ds, cast.consortium, cast.other, { status: 'suspended' });
      const retired = await aService(ds, cast.consortium, cast.other, { status: 'retired' });
      await aSubscriptionTo(ds, retired, cast.home, { status: 'ended' });

      await get(as.consortiumAdmin, suspended.id).expect(200);
      await get(as.manager, suspended.id).expect(404);
      await get(as.manager, retired.id).expect(200);
      await get(as.otherViewer, suspended.id).expect(200);
    });

    it('answers 404 to an organisation outside the consortium, and 400 for an id that is not a uuid', async () => {
      const service = await aService(ds, cast.consortium, cast.home);

      await get(as.outsider, service.id).expect(404);
      const malformed = await get(as.manager, 'not-a-uuid').expect(400);

      expect(malformed.body).toMatchObject({ status: 400 });
    });

    it('is readable with an API key holding catalogue:read, and not without it', async () => {
      const service = await aService(ds, cast.consortium, cast.home);
      const reader = await anApiKey(ds, cast.other, ['catalogue:read']);
      const other = await anApiKey(ds, cast.other, ['members:read']);

      await get(reader.header, service.id).expect(200);
      await get(other.header, service.id).expect(403);
    });
  });

  describe('PATCH /services/:id', () => {
    it('changes the descriptive fields, service level, capacity, contacts and VAT treatment, audited', async () => {
      const service = await aService(ds, cast.consortium, cast.home);
      const changes = {
        title: 'Cloud backup',
        category: 'hosting_and_data_centre',
        serviceLevel: {
          hoursOfCover: 'Mon–Fri 08:00–18:00',
          responseTargetHours: 2,
          resolutionTargetHours: 8,
          availabilityPercent: '99.9',
        },
        capacity: { limit: 200, unit: 'units' },
        contacts: [{ name: 'Ade Okafor', email: 'ade@example.gov.uk', phone: '01603 222222' }],
        vatTreatment: 'standard',
      };

      const response = await update(as.manager, service.id, changes).expect(200);

      expect(response.body).toMatchObject({
        ...changes,
        capacity: { limit: 200, unit: 'units', inUse: 0, remaining: 200 },
        summary: service.summary,
      });
      const [event] = await auditEventsOfRequest(ds, response.headers['x-request-id']);
      expect(event).toMatchObject({ action: 'service.updated', consortiumId: cast.consortium.id });
      expect(event.changes).toMatchObject({
        title: { from: service.title, to: 'Cloud backup' },
        vatTreatment: { from: 'outside_scope', to: 'standard' },
        capacityLimit: { from: null, to: 200 },
      });
    });

    it('records nothing when nothing actually changes', async () => {
      const service = await aService(ds, cast.consortium, cast.home);

      await update(as.manager, service.id, {
        title: service.title,
        serviceLevel: { ...service.serviceLevel },
      }).expect(200);

      expect(await auditEventsFor(ds, service.id)).toEqual([]);
    });

    it('does not change the price: pricePlan is an unknown field here (400)', async () => {
      const service = await aService(ds, cast.consortium, cast.home, { status: 'draft' });

      const response = await update(as.manager, service.id, { pricePlan: aPerUnitPlan() }).expect(400);

      expect(response.body.errors).toEqual([{ field: 'pricePlan', message: expect.any(String) }]);
    });

    it('refuses another member’s service: 403 when it can be seen, 404 when it cannot', async () => {
      const published = await aService(ds, cast.consortium, cast.other);
      const draft = await aService(ds, cast.consortium, cast.other, { status: 'draft' });

      const visible = await update(as.manager, published.id, { title: 'Mine now' }).expect(403);
      await update(as.manager, draft.id, { title: 'Mine now' }).expect(404);
      await update(as.outsider, published.id, { title: 'Mine now' }).expect(404);

      expect(visible.body).toMatchObject(FORBIDDEN);
    });

    it('refuses the provider’s viewers and finance users (403)', async () => {
      const service = await aService(ds, cast.consortium, cast.home);

      await update(as.viewer, service.id, { title: 'x' }).expect(403);
      await update(as.finance, service.id, { title: 'x' }).expect(403);
    });

    it('refuses to lower capacity below what subscriptions in force hold (409 capacity-below-use)', async () => {
      const service = await aService(ds, cast.consortium, cast.home, {
        capacityLimit: 10,
        capacityUnit: 'units',
      });
      await aSubscriptionTo(ds, service, cast.other, { quantity: 6 });

      const response = await update(as.manager, service.id, { capacity: { limit: 5, unit: 'units' } }).expect(
        409,
      );
      await update(as.manager, service.id, { capacity: { limit: 6, unit: 'units' } }).expect(200);
      await update(as.manager, service.id, { capacity: { limit: 1, unit: 'subscribers' } }).expect(200);

      expect(response.body).toMatchObject({ ...CONFLICT, code: 'capacity-below-use' });
    });

    it('refuses to change a retired service (409 service-retired)', async () => {
      const service = await aService(ds, cast.consortium, cast.home, { status: 'retired' });

      const response = await update(as.manager, service.id, { title: 'Back again' }).expect(409);

      expect(response.body).toMatchObject({ ...CONFLICT, code: 'service-retired' });
    });
  });

  describe('lifecycle', () => {
    it('publishes, suspends, resumes and retires a service, auditing each step', async () => {
      const created = await create(as.manager, aNewService()).expect(201);
      const id = created.body.id as string;

      const published = await step(as.manager, id, 'publish').expect(200);
      const suspended = await step(as.admin, id, 'suspend').expect(200);
      const resumed = await step(as.manager, id, 'resume').expect(200);
      const retired = await step(as.manager, id, 'retire').expect(200);

      expect(published.body).toMatchObject({ status: 'published', publishedAt: expect.any(String) });
      expect(suspended.body.status).toBe('suspended');
      expect(resumed.body).toMatchObject({ status: 'published', publishedAt: published.body.publishedAt });
      expect(retired.body.status).toBe('retired');
      const trail = await auditEventsFor(ds, id);
      expect(trail.map((e) => [e.action, e.changes.status])).toEqual([
        ['service.created', { from: null, to: 'draft' }],
        ['service.published', { from: 'draft', to: 'published' }],
        ['service.suspended', { from: 'published', to: 'suspended' }],
        ['service.resumed', { from: 'suspended', to: 'published' }],
        ['service.retired', { from: 'published', to: 'retired' }],
      ]);
    });

    it('retires a suspended service', async () => {
      const service = await aService(ds, cast.consortium, cast.home, { status: 'suspended' });

      const response = await step(as.manager, service.id, 'retire').expect(200);

      expect(response.body.status).toBe('retired');
    });

    it.each([
      ['draft', 'suspend'],
      ['draft', 'resume'],
      ['draft', 'retire'],
      ['published', 'publish'],
      ['published', 'resume'],
      ['suspended', 'publish'],
      ['suspended', 'suspend'],
      ['retired', 'publish'],
      ['retired', 'suspend'],
      ['retired', 'resume'],
      ['retired', 'retire'],
    ] as const)('refuses to %s service %s (409 illegal-transition)', async (status, action) => {
      const service = await aService(ds, cast.consortium, cast.home, { status });

      const response = await step(as.manager, service.id, action).expect(409);

      expect(response.body).toMatchObject({ ...CONFLICT, code: 'illegal-transition' });
      expect((await ds.query('SELECT status FROM services WHERE id = $1', [service.id]))[0].status).toBe(
        status,
      );
    });

    it('refuses to publish or resume while the provider’s membership is suspended (409), but lets it suspend', async () => {
      const { consortium, home, homeUsers } = await aConsortiumWithMembers(ds);
      const draft = await aService(ds, consortium, home, { status: 'draft' });
      const suspended = await aService(ds, consortium, home, { status: 'suspended' });
      const published = await aService(ds, consortium, home);
      await ds.getRepository(Membership).update(
        { consortiumId: consortium.id, organisationId: home.id },
        {
          status: 'suspended',
        },
      );
      const manager = await bearerFor(test, homeUsers.manager);

      const publishing = await step(manager, draft.id, 'publish').expect(409);
      const resuming = await step(manager, suspended.id, 'resume').expect(409);
      await step(manager, published.id, 'suspend').expect(200);

      expect(publishing.body).toMatchObject({ ...CONFLICT, code: 'provider-not-active-member' });
      expect(resuming.body).toMatchObject({ code: 'provider-not-active-member' });
    });

    it('refuses another member (403), a viewer (403), an outsider (404) and a key without catalogue:write (403)', async () => {
      const service = await aService(ds, cast.consortium, cast.home);
      const reader = await anApiKey(ds, cast.home, ['catalogue:read']);

      await step(as.otherManager, service.id, 'suspend').expect(403);
      await step(as.viewer, service.id, 'suspend').expect(403);
      await step(as.outsider, service.id, 'suspend').expect(404);
      await step(reader.header, service.id, 'suspend').expect(403);

      expect((await ds.query('SELECT status FROM services WHERE id = $1', [service.id]))[0].status).toBe(
        'published',
      );
    });
  });

  describe('price versions', () => {
    const newPlan = { model: 'flat_fee', feePerPeriod: '1500.00', setupFee: '250.00' };

    it('appends version 2 as the current price, leaving version 1 and the subscriptions on it unchanged', async () => {
      const service = await aService(ds, cast.consortium, cast.home);
      const subscription = await aSubscriptionTo(ds, service, cast.other);

      const response = await changePrice(as.manager, service.id, newPlan).expect(201);
      const current = await get(as.otherViewer, service.id).expect(200);
      const versions = await history(as.otherViewer, service.id).expect(200);

      expect(response.body).toMatchObject({
        serviceId: service.id,
        version: 2,
        isCurrent: true,
        model: 'flat_fee',
        plan: { ...newPlan, currency: 'GBP' },
        createdByUserId: cast.homeUsers.manager.id,
      });
      expect(current.body.price).toMatchObject({ version: 2, priceVersionId: response.body.id });
      expect(
        versions.body.data.map((v: { version: number; isCurrent: boolean }) => [v.version, v.isCurrent]),
      ).toEqual([
        [2, true],
        [1, false],
      ]);
      expect(versions.body.data[1].plan).toEqual(aPerUnitPlan());
      const [held] = await ds.query(
        `SELECT pv.version FROM subscriptions s JOIN price_versions pv ON pv.id = s.price_version_id WHERE s.id = $1`,
        [subscription],
      );
      expect(held.version).toBe(1);
    });

    it('refuses a price too large for a ledger in pence (400 invalid-price-plan) and keeps the current version', async () => {
      const service = await aService(ds, cast.consortium, cast.home);

      const response = await changePrice(as.manager, service.id, {
        model: 'per_unit',
        unitPrice: '99999999999999999999999999999999',
      }).expect(400);

      expect(response.body).toMatchObject({ ...INVALID, code: 'invalid-price-plan' });
      expect(response.body.errors).toEqual([
        expect.objectContaining({
          field: 'pricePlan.unitPrice',
          message: expect.stringMatching(/at most 1,000,000,000/),
        }),
      ]);
      const versions = await history(as.manager, service.id).expect(200);
      expect(versions.body.data.map((v: { version: number }) => v.version)).toEqual([1]);
    });

    it('audits the price change with the versions it moved between', async () => {
      const service = await aService(ds, cast.consortium, cast.home);
      await aPriceVersion(ds, service, aPerUnitPlan({ unitPrice: '13.00' }));

      const response = await changePrice(as.manager, service.id, newPlan).expect(201);

      const [event] = await auditEventsOfRequest(ds, response.headers['x-request-id']);
      expect(event).toMatchObject({
        action: 'service.price_changed',
        entityId: service.id,
        consortiumId: cast.consortium.id,
      });
      expect(event.changes).toMatchObject({
        priceVersion: { from: 2, to: 3 },
        priceVersionId: response.body.id,
      });
    });

    it('changes a draft’s price the same way, by appending a version', async () => {
      const draft = await aService(ds, cast.consortium, cast.home, { status: 'draft' });

      const response = await changePrice(as.manager, draft.id, newPlan).expect(201);

      expect(response.body.version).toBe(2);
    });

    it('pages through the history oldest first when asked', async () => {
      const service = await aService(ds, cast.consortium, cast.home);
      await aPriceVersion(ds, service, aPerUnitPlan({ unitPrice: '13.00' }));
      await aPriceVersion(ds, service, aPerUnitPlan({ unitPrice: '14.00' }));

      const first = await history(as.manager, service.id, '?sort=version&limit=2').expect(200);
      const second = await history(
        as.manager,
        service.id,
        `?sort=version&limit=2&cursor=${first.body.page.nextCursor}`,
      ).expect(200);

      expect([...first.body.data, ...second.body.data].map((v: { version: number }) => v.version)).toEqual([
        1, 2, 3,
      ]);
      expect(second.body.page.nextCursor).toBeNull();
    });

    it('is kept by the database: a stored version cannot be rewritten', async () => {
      const service = await aService(ds, cast.consortium, cast.home);

      await expect(
        ds.query(`UPDATE price_versions SET plan = '{}' WHERE service_id = $1`, [service.id]),
      ).rejects.toThrow();
    });

    it('refuses a bad plan (400), a retired service (409) and another member’s service (403)', async () => {
      const service = await aService(ds, cast.consortium, cast.home);
      const retired = await aService(ds, cast.consortium, cast.home, { status: 'retired' });

      const bad = await changePrice(as.manager, service.id, {
        model: 'per_unit',
        unitPrice: '0.0000001',
      }).expect(400);
      const late = await changePrice(as.manager, retired.id, newPlan).expect(409);
      await changePrice(as.otherManager, service.id, newPlan).expect(403);
      await changePrice(as.viewer, service.id, newPlan).expect(403);

      expect(bad.body).toMatchObject({ code: 'invalid-price-plan' });
      expect(bad.body.errors[0].field).toBe('pricePlan.unitPrice');
      expect(late.body).toMatchObject({ ...CONFLICT, code: 'service-retired' });
      const [{ count }] = await ds.query(
        'SELECT count(*)::int AS count FROM price_versions WHERE service_id = $1',
        [service.id],
      );
      expect(count).toBe(1);
    });

    it('hides the history of a service the caller cannot see (404)', async () => {
      const draft = await aService(ds, cast.consortium, cast.home, { status: 'draft' });

      await history(as.otherViewer, draft.id).expect(404);
    });
  });

  describe('POST /services/:id/quote', () => {
    it('prices one full period of a graduated plan, with the set-up fee and standard-rate VAT', async () => {
      const service = await aService(ds, cast.consortium, cast.home, {
        vatTreatment: 'standard',
        plan: {
          model: 'graduated',
          currency: 'GBP',
          unitName: 'site',
          setupFee: '250.00',
          tiers: [
            { upTo: 100, unitPrice: '5.00' },
            { upTo: null, unitPrice: '4.00' },
          ],
        },
      });

      const response = await quote(as.otherViewer, service.id, { quantity: 150 }).expect(200);

      const pence = (amountMinor: string) => ({ amountMinor, currency: 'GBP' });
      expect(response.body).toMatchObject({
        serviceId: service.id,
        priceVersion: 1,
        priceModel: 'graduated',
        vatTreatment: 'standard',
        quantity: 150,
        period: { cycle: 'monthly', key: expect.stringMatching(/^\d{4}-\d{2}$/) },
        periodTotals: { net: pence('70000'), vat: pence('14000'), gross: pence('84000') },
        setupFee: { kind: 'setup_fee', amount: pence('25000'), vat: pence('5000') },
        firstPeriodTotals: { net: pence('95000'), vat: pence('19000'), gross: pence('114000') },
      });
      expect(
        response.body.lines.map((l: { key: string; quantity: string; amount: object }) => [
          l.key,
          l.quantity,
          l.amount,
        ]),
      ).toEqual([
        ['tier:1', '100', pence('50000')],
        ['tier:2', '50', pence('20000')],
      ]);
      expect(response.body.lines[0]).toMatchObject({ unitRate: '5.00', vatRate: '0.2' });
    });

    it('prices metered usage beyond the allowance at a fraction of a penny, rounded once, half to even', async () => {
      const service = await aService(ds, cast.consortium, cast.home, {
        plan: {
          model: 'metered',
          currency: 'GBP',
          metric: 'storage_gb',
          unitPrice: '0.0125',
          includedPerPeriod: '500',
        },
      });

      const response = await quote(as.otherViewer, service.id, {
        quantity: 1,
        usage: { storage_gb: '1734.5' },
      }).expect(200);

      expect(response.body.lines).toEqual([
        expect.objectContaining({
          key: 'usage:storage_gb',
          quantity: '1234.5',
          unitRate: '0.0125',
          exactAmount: '15.43125',
          amount: { amountMinor: '1543', currency: 'GBP' },
          vat: { amountMinor: '0', currency: 'GBP' },
          usage: { metric: 'storage_gb', used: '1734.5', included: '500', billable: '1234.5' },
        }),
      ]);
      expect(response.body.setupFee).toBeNull();
    });

    it('quotes the current version after a price change', async () => {
      const service = await aService(ds, cast.consortium, cast.home);
      await aPriceVersion(ds, service, aPerUnitPlan({ unitPrice: '20.00' }));

      const response = await quote(as.otherViewer, service.id, { quantity: 3 }).expect(200);

      expect(response.body).toMatchObject({
        priceVersion: 2,
        periodTotals: { net: { amountMinor: '6000', currency: 'GBP' } },
      });
    });

    it('refuses a metric the plan does not charge for (422), usage that is not a decimal string (400) and no quantity (400)', async () => {
      const service = await aService(ds, cast.consortium, cast.home);

      const unknownMetric = await quote(as.otherViewer, service.id, {
        quantity: 1,
        usage: { api_calls: '10' },
      }).expect(422);
      const floatUsage = await quote(as.otherViewer, service.id, {
        quantity: 1,
        usage: { storage_gb: 1.5 },
      }).expect(400);
      const noQuantity = await quote(as.otherViewer, service.id, {}).expect(400);

      expect(unknownMetric.body).toMatchObject({ status: 422, code: 'unknown-metric' });
      expect(floatUsage.body.errors).toEqual([{ field: 'usage.storage_gb', message: expect.any(String) }]);
      expect(noQuantity.body.errors.map((e: { field: string }) => e.field)).toContain('quantity');
    });

    it('answers 404 for a service the caller cannot see', async () => {
      const draft = await aService(ds, cast.consortium, cast.home, { status: 'draft' });

      await quote(as.otherViewer, draft.id, { quantity: 1 }).expect(404);
      await quote(as.outsider, draft.id, { quantity: 1 }).expect(404);
    });
  });
});
