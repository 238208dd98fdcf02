import { addDays, addMonths } from '@consortium/domain';
import { DataSource } from 'typeorm';
import { ukToday } from '../src/modules/catalogue/compliance-status';
import { Service } from '../src/modules/catalogue/service.entity';
import { termEndDate } from '../src/modules/subscriptions/subscription-dates';
import {
  aConsortiumWithMembers,
  aMembership,
  anApiKey,
  anOrganisation,
  aPriceVersion,
  aService,
  aSubscriptionTo,
  auditEventsFor,
  aUser,
  bearerFor,
  makeConsortiumAdmin,
} from './support/builders';
import { asOwner } from './support/databases';
import { createTestApp, TestApp } from './support/test-app';

type Auth = Record<string, string>;

const FORBIDDEN = { type: 'urn:consortium:problem:forbidden', status: 403 };
const NOT_FOUND = { type: 'urn:consortium:problem:not-found', status: 404 };
const VALIDATION = { type: 'urn:consortium:problem:validation-error', status: 400 };
const conflictWith = (code: string) => ({ type: 'urn:consortium:problem:conflict', status: 409, code });

describe('subscriptions', () => {
  let test: TestApp;
  let ds: DataSource;
  let today: string;
  beforeAll(async () => {
    test = await createTestApp();
    ds = test.dataSource;
    today = ukToday();
  });
  afterAll(() => test.close());

  /**
   * A consortium where `provider` publishes a per-unit service and `consumer` may take it, with a third member
   * (`bystander`), an organisation outside the consortium and the consortium's administrator.
   */
  async function aMarket(serviceFields: Partial<Service> = {}) {
    const world = await aConsortiumWithMembers(ds);
    const bystander = await anOrganisation(ds);
    await aMembership(ds, world.consortium, bystander);
    const outsider = await anOrganisation(ds);
    const service = await aService(ds, world.consortium, world.home, serviceFields);
    return {
      ...world,
      service,
      provider: world.home,
      consumer: world.other,
      bystander,
      outsider,
      auth: {
        provider: await bearerFor(test, world.homeUsers.manager),
        providerAdmin: await bearerFor(test, world.homeUsers.admin),
        consumer: await bearerFor(test, world.otherUsers.manager),
        consumerAdmin: await bearerFor(test, world.otherUsers.admin),
        consumerViewer: await bearerFor(test, world.otherUsers.viewer),
        consumerFinance: await bearerFor(test, world.otherUsers.finance),
        consortiumAdmin: await bearerFor(test, world.consortiumAdmin),
        bystander: await bearerFor(test, await aUser(ds, bystander, ['service_manager'])),
        outsider: await bearerFor(test, await aUser(ds, outsider, ['org_admin'])),
      },
    };
  }
  type Market = Awaited<ReturnType<typeof aMarket>>;

  const aRequest = (serviceId: string, overrides: object = {}) => ({
    serviceId,
    quantity: 25,
    startDate: today,
    termMonths: 12,
    noticePeriodMonths: 3,
    ...overrides,
  });
  const request = (auth: Auth, body: object) =>
    test.http().post('/api/v1/subscriptions').set(auth).send(body);
  const act = (auth: Auth, id: string, action: string, body?: object) => {
    const call = test.http().post(`/api/v1/subscriptions/${id}/${action}`).set(auth);
    return body ? call.send(body) : call;
  };
  const get = (auth: Auth, id: string) => test.http().get(`/api/v1/subscriptions/${id}`).set(auth);
  const list = (auth: Auth, query = '') => test.http().get(`/api/v1/subscriptions${query}`).set(auth);
  const historyOf = async (auth: Auth, id: string) =>
    (await test.http().get(`/api/v1/subscriptions/${id}/history`).set(auth).expect(200)).body.data.map(
      (e: { event: string }) => e.event,
    );

  /** The consumer's request, made through the API. */
  async function requested(m: Market, overrides: object = {}): Promise<string> {
    const response = await request(m.auth.consumer, aRequest(m.service.id, overrides)).expect(201);
    return response.body.id as string;
  }

  /** The consumer's request, approved by the provider. */
  async function active(m: Market, overrides: object = {}): Promise<string> {
    const id = await requested(m, overrides);
    await act(m.auth.provider, id, 'approve').expect(200);
    return id;
  }

  const notificationsOf = (organisationId: string, entityId: string) =>
    ds.query(
      `SELECT kind, title, body, consortium_id AS "consortiumId" FROM notifications
        WHERE organisation_id = $1 AND entity_id = $2 ORDER BY created_at, kind`,
      [organisationId, entityId],
    );
  const outboxOf = (entityId: string) =>
    ds.query(
      `SELECT topic, organisation_id AS "organisationId", payload FROM outbox_events
        WHERE payload->>'entityId' = $1 ORDER BY id`,
      [entityId],
    );

  describe('requesting a service', () => {
    it('records the request at the service’s current price version, with its history, quantity, audit and a request to approve for the provider', async () => {
      const m = await aMarket();

      const response = await request(m.auth.consumer, {
        ...aRequest(m.service.id),
        purchaseOrderReference: 'PO-2026-0142',
        costCentre: 'ICT-DR-01',
        baselineAnnualCost: { amountMinor: '9500000', currency: 'GBP' },
      }).expect(201);

      expect(response.body).toEqual({
        id: expect.any(String),
        consortiumId: m.consortium.id,
        status: 'requested',
        statusReason: null,
        serviceId: m.service.id,
        serviceTitle: m.service.title,
        consumerOrganisationId: m.consumer.id,
        consumerOrganisationName: m.consumer.name,
        providerOrganisationId: m.provider.id,
        providerOrganisationName: m.provider.name,
        priceVersion: 1,
        priceVersionId: expect.any(String),
        servicePriceVersion: 1,
        quantity: 25,
        startDate: today,
        termMonths: 12,
        termEndDate: termEndDate(today, 12),
        noticePeriodMonths: 3,
        endDate: null,
        purchaseOrderReference: 'PO-2026-0142',
        costCentre: 'ICT-DR-01',
        baselineAnnualCost: { amountMinor: '9500000', currency: 'GBP' },
        currency: 'GBP',
        decidedAt: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        pricePlan: expect.objectContaining({ model: 'per_unit', unitPrice: '12.50' }),
        quantities: [{ quantity: 25, effectiveFrom: today }],
        availableActions: ['approve', 'reject', 'cancel'],
      });
      const id = response.body.id as string;
      expect(await historyOf(m.auth.consumer, id)).toEqual(['requested']);
      const audit = await auditEventsFor(ds, id);
      expect(audit).toEqual([
        expect.objectContaining({ action: 'subscription.requested', organisationId: m.consumer.id }),
      ]);
      const [{ consortium_id }] = await ds.query(
        'SELECT consortium_id FROM audit_events WHERE entity_id = $1',
        [id],
      );
      expect(consortium_id).toBe(m.consortium.id);
      expect(await notificationsOf(m.provider.id, id)).toEqual([
        {
          kind: 'subscription.requested',
          title: `${m.consumer.name} asks to subscribe to ${m.service.title}`,
          body: expect.stringContaining('Approve or reject the request'),
          consortiumId: m.consortium.id,
        },
      ]);
      expect(await notificationsOf(m.consumer.id, id)).toEqual([]);
      expect(await outboxOf(id)).toEqual([
        {
          topic: 'subscription.requested',
          organisationId: m.provider.id,
          payload: expect.objectContaining({
            kind: 'subscription.requested',
            entityType: 'subscription',
            entityId: id,
            data: expect.objectContaining({ status: 'requested', quantity: 25, priceVersion: 1 }),
          }),
        },
      ]);
    });

    it('lets an organisation administrator request too, and an API key with subscriptions:write', async () => {
      const m = await aMarket();
      const second = await aService(ds, m.consortium, m.provider);
      const key = await anApiKey(ds, m.consumer, ['subscriptions:write']);

      await request(m.auth.consumerAdmin, aRequest(m.service.id)).expect(201);
      const byKey = await request(key.header, aRequest(second.id)).expect(201);

      const [event] = await ds.query(
        'SELECT actor_label FROM subscription_events WHERE subscription_id = $1',
        [byKey.body.id],
      );
      expect(event.actor_label).toMatch(/^api-key:/);
    });

    it('refuses a member’s request for its own service (422 own-service)', async () => {
      const m = await aMarket();
      const response = await request(m.auth.provider, aRequest(m.service.id)).expect(422);
      expect(response.body).toMatchObject({ status: 422, code: 'own-service' });
    });

    it.each(['suspended', 'retired'] as const)(
      'refuses a request for a %s service (409 service-not-open-for-subscription)',
      async (status) => {
        const m = await aMarket({ status });
        const response = await request(m.auth.consumer, aRequest(m.service.id)).expect(409);
        expect(response.body).toMatchObject(conflictWith('service-not-open-for-subscription'));
      },
    );

    it('does not reveal another member’s draft service (404)', async () => {
      const m = await aMarket({ status: 'draft' });
      const response = await request(m.auth.consumer, aRequest(m.service.id)).expect(404);
      expect(response.body).toMatchObject(NOT_FOUND);
    });

    it('refuses a second open subscription to the same service, but allows a new request once the first is rejected', async () => {
      const m = await aMarket();
      const first = await requested(m);

      const again = await request(m.auth.consumerAdmin, aRequest(m.service.id)).expect(409);
      expect(again.body).toMatchObject(conflictWith('subscription-already-open'));

      await act(m.auth.provider, first, 'reject', { reason: 'No capacity this quarter' }).expect(200);
      await request(m.auth.consumer, aRequest(m.service.id)).expect(201);
    });

    it('lets only one of two simultaneous requests for the same service through', async () => {
      const m = await aMarket();
      const responses = await Promise.all(
        [m.auth.consumer, m.auth.consumerAdmin].map((auth) => request(auth, aRequest(m.service.id))),
      );
      expect(responses.map((r) => r.status).sort()).toEqual([201, 409]);
      const [{ count }] = await ds.query(
        'SELECT count(*)::int AS count FROM subscriptions WHERE service_id = $1',
        [m.service.id],
      );
      expect(count).toBe(1);
    });

    it('does not reveal a service of a consortium the caller is not an active member of (404)', async () => {
      const m = await aMarket();
      const suspendedMember = await anOrganisation(ds);
      await aMembership(ds, m.consortium, suspendedMember, 'suspended');
      const suspendedAuth = await bearerFor(test, await aUser(ds, suspendedMember, ['org_admin']));

      await request(m.auth.outsider, aRequest(m.service.id)).expect(404);
      await request(suspendedAuth, aRequest(m.service.id)).expect(404);
    });

    it('refuses viewers, finance officers and API keys without subscriptions:write (403)', async () => {
      const m = await aMarket();
      const readOnlyKey = await anApiKey(ds, m.consumer, ['subscriptions:read', 'catalogue:read']);

      for (const auth of [m.auth.consumerViewer, m.auth.consumerFinance, readOnlyKey.header]) {
        const response = await request(auth, aRequest(m.service.id)).expect(403);
        expect(response.body).toMatchObject(FORBIDDEN);
      }
      const [{ count }] = await ds.query(
        'SELECT count(*)::int AS count FROM subscriptions WHERE service_id = $1',
        [m.service.id],
      );
      expect(count).toBe(0);
    });

    it.each([
      ['a zero quantity', { quantity: 0 }, 'quantity'],
      ['a fractional quantity', { quantity: 2.5 }, 'quantity'],
      ['a date that does not exist', { startDate: '2026-02-30' }, 'startDate'],
      ['a date with a time', { startDate: '2026-04-01T00:00:00Z' }, 'startDate'],
      ['a start more than 31 days ago', { startDate: 'BACKDATED' }, 'startDate'],
      ['a start more than two years ahead', { startDate: 'FAR_AHEAD' }, 'startDate'],
      ['a term of no months', { termMonths: 0 }, 'termMonths'],
      ['a negative notice period', { noticePeriodMonths: -1 }, 'noticePeriodMonths'],
      [
        'a baseline in pounds rather than pence',
        { baselineAnnualCost: { amountMinor: '950.50', currency: 'GBP' } },
        'baselineAnnualCost.amountMinor',
      ],
      [
        'a baseline as a number',
        { baselineAnnualCost: { amountMinor: 9500000, currency: 'GBP' } },
        'baselineAnnualCost.amountMinor',
      ],
      [
        'a baseline in an unknown currency',
        { baselineAnnualCost: { amountMinor: '100', currency: 'EUR' } },
        'baselineAnnualCost.currency',
      ],
      ['a service id that is not a uuid', { serviceId: 'dr-hosting' }, 'serviceId'],
      ['an unknown field', { discount: '10%' }, 'discount'],
    ])('refuses %s with a 400 naming the field', async (_label, overrides, field) => {
      const m = await aMarket();
      const body: Record<string, unknown> = { ...aRequest(m.service.id), ...overrides };
      if (body.startDate === 'BACKDATED') body.startDate = addDays(today, -32);
      if (body.startDate === 'FAR_AHEAD') body.startDate = addDays(addMonths(today, 24), 1);

      const response = await request(m.auth.consumer, body).expect(400);

      expect(response.body).toMatchObject(VALIDATION);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('accepts a start up to 31 days ago, for a service that began before the paperwork', async () => {
      const m = await aMarket();
      await request(m.auth.consumer, aRequest(m.service.id, { startDate: addDays(today, -31) })).expect(201);
    });
  });

  describe('approving and rejecting', () => {
    it('activates the subscription when the provider approves, and tells the consumer', async () => {
      const m = await aMarket();
      const id = await requested(m);

      const response = await act(m.auth.provider, id, 'approve').expect(200);

      expect(response.body).toMatchObject({ status: 'active', decidedAt: expect.any(String) });
      expect(response.body.availableActions).toEqual(['suspend', 'give_notice']);
      expect(await historyOf(m.auth.provider, id)).toEqual(['requested', 'approved']);
      expect(await notificationsOf(m.consumer.id, id)).toEqual([
        expect.objectContaining({
          kind: 'subscription.approved',
          title: `${m.provider.name} approved your subscription to ${m.service.title}`,
        }),
      ]);
      expect((await outboxOf(id)).map((e: { topic: string }) => e.topic)).toEqual([
        'subscription.requested',
        'subscription.approved',
      ]);
      expect((await auditEventsFor(ds, id)).map((e) => [e.action, e.organisationId])).toEqual([
        ['subscription.requested', m.consumer.id],
        ['subscription.approved', m.provider.id],
      ]);
    });

    it('rejects with the provider’s reason, which the consumer reads', async () => {
      const m = await aMarket();
      const id = await requested(m);

      const response = await act(m.auth.providerAdmin, id, 'reject', {
        reason: 'Our DR site is full until April',
      }).expect(200);

      expect(response.body).toMatchObject({
        status: 'rejected',
        statusReason: 'Our DR site is full until April',
      });
      expect(await notificationsOf(m.consumer.id, id)).toEqual([
        expect.objectContaining({
          kind: 'subscription.rejected',
          body: 'Reason: Our DR site is full until April',
        }),
      ]);
    });

    it('needs a reason to reject (400)', async () => {
      const m = await aMarket();
      const id = await requested(m);
      const response = await act(m.auth.provider, id, 'reject', { reason: '   ' }).expect(400);
      expect(response.body.errors).toEqual([{ field: 'reason', message: expect.any(String) }]);
    });

    it('never lets the consumer approve or reject its own request (403)', async () => {
      const m = await aMarket();
      const id = await requested(m);

      for (const [action, body] of [
        ['approve', undefined],
        ['reject', { reason: 'Changed our mind' }],
      ] as const) {
        const response = await act(m.auth.consumerAdmin, id, action, body).expect(403);
        expect(response.body).toMatchObject(FORBIDDEN);
      }
      expect((await get(m.auth.consumer, id).expect(200)).body.status).toBe('requested');
    });

    it('does not reveal a request to another member or an outsider (404)', async () => {
      const m = await aMarket();
      const id = await requested(m);
      await act(m.auth.bystander, id, 'approve').expect(404);
      await act(m.auth.outsider, id, 'approve').expect(404);
    });

    it('refuses to decide a request twice (409 illegal-transition)', async () => {
      const m = await aMarket();
      const id = await active(m);
      const response = await act(m.auth.provider, id, 'approve').expect(409);
      expect(response.body).toMatchObject({
        ...conflictWith('illegal-transition'),
        detail: 'Cannot approve a subscription that is active',
      });
      await act(m.auth.provider, id, 'reject', { reason: 'Too late' }).expect(409);
    });

    it('refuses to approve a request once the service has been suspended (409)', async () => {
      const m = await aMarket();
      const id = await requested(m);
      await ds.getRepository(Service).update({ id: m.service.id }, { status: 'suspended' });

      const response = await act(m.auth.provider, id, 'approve').expect(409);
      expect(response.body).toMatchObject(conflictWith('service-not-open-for-subscription'));
    });
    it('refuses to approve a request from an organisation no longer an active member (409)', async () => {
      const m = await aMarket();
      const id = await requested(m);
      await ds.query(
        "UPDATE consortium_memberships SET status = 'suspended' WHERE consortium_id = $1 AND organisation_id = $2",
        [m.consortium.id, m.consumer.id],
      );

      const response = await act(m.auth.provider, id, 'approve').expect(409);
      expect(response.body).toMatchObject(conflictWith('consumer-not-active-member'));
    });
  });

  describe('capacity', () => {
    it('refuses an approval that would take a service past its capacity in units (409 capacity-exhausted)', async () => {
      const m = await aMarket({ capacityLimit: 100, capacityUnit: 'units' });
      await aSubscriptionTo(ds, m.service, m.bystander, { status: 'active', quantity: 60 });
      await aSubscriptionTo(ds, m.service, await anOrganisation(ds), { status: 'suspended', quantity: 20 });
      const id = await requested(m, { quantity: 21 });

      const response = await act(m.auth.provider, id, 'approve').expect(409);

      expect(response.body).toMatchObject({
        ...conflictWith('capacity-exhausted'),
        details: { capacityLimit: 100, capacityUnit: 'units', inUse: 80, needed: 21 },
      });
      expect((await get(m.auth.provider, id).expect(200)).body.status).toBe('requested');
    });

    it('approves exactly as many of many simultaneous requests as the service has room for', async () => {
      const m = await aMarket({ capacityLimit: 5, capacityUnit: 'subscribers' });
      const ids: string[] = [];
      for (let i = 0; i < 12; i += 1) {
        const consumer = await anOrganisation(ds);
        await aMembership(ds, m.consortium, consumer);
        ids.push(await aSubscriptionTo(ds, m.service, consumer, { status: 'requested' }));
      }

      const responses = await Promise.all(ids.map((id) => act(m.auth.provider, id, 'approve')));

      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(5);
      expect(statuses.filter((s) => s === 409)).toHaveLength(7);
      for (const refused of responses.filter((r) => r.status === 409)) {
        expect(refused.body.code).toBe('capacity-exhausted');
      }
      const [{ count }] = await ds.query(
        "SELECT count(*)::int AS count FROM subscriptions WHERE service_id = $1 AND status = 'active'",
        [m.service.id],
      );
      expect(count).toBe(5);
    });

    it('approves simultaneous requests in units without ever exceeding the capacity', async () => {
      const m = await aMarket({ capacityLimit: 50, capacityUnit: 'units' });
      const ids: string[] = [];
      for (let i = 0; i < 10; i += 1) {
        const consumer = await anOrganisation(ds);
        await aMembership(ds, m.consortium, consumer);
        ids.push(await aSubscriptionTo(ds, m.service, consumer, { status: 'requested', quantity: 7 }));
      }

      const responses = await Promise.all(ids.map((id) => act(m.auth.provider, id, 'approve')));

      expect(responses.filter((r) => r.status === 200)).toHaveLength(7);
      const [{ held }] = await ds.query(
        "SELECT sum(quantity)::int AS held FROM subscriptions WHERE service_id = $1 AND status = 'active'",
        [m.service.id],
      );
      expect(held).toBe(49);
    });
  });

  describe('the lifecycle after approval', () => {
    it('suspends with a reason and resumes, telling the consumer each time (the provider)', async () => {
      const m = await aMarket();
      const id = await active(m);

      const suspended = await act(m.auth.provider, id, 'suspend', { reason: 'Unpaid cross-charges' }).expect(
        200,
      );
      expect(suspended.body).toMatchObject({ status: 'suspended', statusReason: 'Unpaid cross-charges' });
      const resumed = await act(m.auth.provider, id, 'resume').expect(200);
      expect(resumed.body).toMatchObject({ status: 'active', statusReason: null });

      expect(await historyOf(m.auth.consumer, id)).toEqual(['requested', 'approved', 'suspended', 'resumed']);
      expect((await notificationsOf(m.consumer.id, id)).map((n: { kind: string }) => n.kind)).toEqual([
        'subscription.approved',
        'subscription.suspended',
        'subscription.resumed',
      ]);
    });

    it('lets only the provider suspend or resume (403 for the consumer)', async () => {
      const m = await aMarket();
      const id = await active(m);
      await act(m.auth.consumer, id, 'suspend', { reason: 'We would like a break' }).expect(403);
      await act(m.auth.provider, id, 'suspend', { reason: 'Maintenance' }).expect(200);
      await act(m.auth.consumer, id, 'resume').expect(403);
    });

    it('refuses to suspend a request or resume an active subscription (409 illegal-transition)', async () => {
      const m = await aMarket();
      const id = await requested(m);
      const suspend = await act(m.auth.provider, id, 'suspend', { reason: 'Maintenance' }).expect(409);
      expect(suspend.body).toMatchObject(conflictWith('illegal-transition'));
      await act(m.auth.provider, id, 'approve').expect(200);
      await act(m.auth.provider, id, 'resume').expect(409);
    });

    it('lets the consumer withdraw its request, telling the provider, but not an active subscription', async () => {
      const m = await aMarket();
      const id = await requested(m);
      await act(m.auth.provider, id, 'cancel').expect(403);

      const cancelled = await act(m.auth.consumer, id, 'cancel', { reason: 'Budget withdrawn' }).expect(200);

      expect(cancelled.body).toMatchObject({ status: 'cancelled', statusReason: 'Budget withdrawn' });
      expect(await notificationsOf(m.provider.id, id)).toEqual([
        expect.objectContaining({ kind: 'subscription.requested' }),
        expect.objectContaining({ kind: 'subscription.cancelled', body: 'Reason: Budget withdrawn' }),
      ]);
      const activeId = await active(m);
      const response = await act(m.auth.consumer, activeId, 'cancel').expect(409);
      expect(response.body).toMatchObject(conflictWith('illegal-transition'));
    });

    it('ends on the later of the term’s end and the notice period when the consumer gives notice', async () => {
      const m = await aMarket();
      const id = await active(m, { termMonths: 36, noticePeriodMonths: 6 });

      const response = await act(m.auth.consumer, id, 'give-notice', { reason: 'Moving to Kent' }).expect(
        200,
      );

      expect(response.body).toMatchObject({
        status: 'notice_given',
        endDate: termEndDate(today, 36),
        statusReason: 'Moving to Kent',
        availableActions: ['end'],
      });
      expect(await notificationsOf(m.provider.id, id)).toContainEqual(
        expect.objectContaining({
          kind: 'subscription.notice_given',
          title: `${m.consumer.name} gave notice on ${m.service.title}`,
        }),
      );
    });

    it('runs the notice period past a term that has (nearly) run out when the provider gives notice', async () => {
      const m = await aMarket();
      const id = await active(m, { startDate: addDays(today, -20), termMonths: 1, noticePeriodMonths: 3 });

      const response = await act(m.auth.provider, id, 'give-notice').expect(200);

      expect(response.body).toMatchObject({ status: 'notice_given', endDate: addMonths(today, 3) });
      expect(await notificationsOf(m.consumer.id, id)).toContainEqual(
        expect.objectContaining({ kind: 'subscription.notice_given' }),
      );
    });

    it('refuses notice on a request, and a second notice (409 illegal-transition)', async () => {
      const m = await aMarket();
      const id = await requested(m);
      await act(m.auth.consumer, id, 'give-notice').expect(409);
      await act(m.auth.provider, id, 'approve').expect(200);
      await act(m.auth.consumer, id, 'give-notice').expect(200);
      const again = await act(m.auth.provider, id, 'give-notice').expect(409);
      expect(again.body).toMatchObject(conflictWith('illegal-transition'));
    });

    it('ends a subscription once its notice has run out, not before', async () => {
      const m = await aMarket();
      const running = await active(m, { termMonths: 12 });
      await act(m.auth.consumer, running, 'give-notice').expect(200);
      const early = await act(m.auth.provider, running, 'end').expect(409);
      expect(early.body).toMatchObject(conflictWith('notice-not-run-out'));

      // A term long over, with no notice period: notice ends it today.
      const lapsed = await aService(ds, m.consortium, m.provider);
      const old = await request(
        m.auth.consumer,
        aRequest(lapsed.id, { startDate: addDays(today, -31), termMonths: 1, noticePeriodMonths: 0 }),
      ).expect(201);
      await act(m.auth.provider, old.body.id, 'approve').expect(200);
      const notice = await act(m.auth.provider, old.body.id, 'give-notice').expect(200);
      expect(notice.body.endDate).toBe(today);

      const ended = await act(m.auth.provider, old.body.id, 'end').expect(200);

      expect(ended.body).toMatchObject({ status: 'ended', endDate: today, availableActions: [] });
      expect(await historyOf(m.auth.consumer, old.body.id)).toEqual([
        'requested',
        'approved',
        'notice_given',
        'ended',
      ]);
      expect(await notificationsOf(m.consumer.id, old.body.id)).toContainEqual(
        expect.objectContaining({ kind: 'subscription.ended' }),
      );
    });

    it('refuses to end a subscription that is not under notice (409 illegal-transition)', async () => {
      const m = await aMarket();
      const id = await active(m);
      const response = await act(m.auth.provider, id, 'end').expect(409);
      expect(response.body).toMatchObject(conflictWith('illegal-transition'));
    });

    it('refuses every change to viewers and finance officers (403), whatever the side', async () => {
      const m = await aMarket();
      const id = await active(m);
      const providerViewer = await bearerFor(test, m.homeUsers.viewer);
      for (const auth of [m.auth.consumerViewer, m.auth.consumerFinance, providerViewer]) {
        await act(auth, id, 'suspend', { reason: 'x' }).expect(403);
        await act(auth, id, 'give-notice').expect(403);
        await act(auth, id, 'quantity', { quantity: 2, effectiveFrom: today }).expect(403);
        await act(auth, id, 'accept-price').expect(403);
      }
    });

    it('refuses a consortium administrator who is not a party (403), though they can see it', async () => {
      const m = await aMarket();
      const id = await active(m);
      const admin = await aUser(ds, m.bystander, ['service_manager']);
      await makeConsortiumAdmin(ds, m.consortium, admin);
      const auth = await bearerFor(test, admin);

      await get(auth, id).expect(200);
      const response = await act(auth, id, 'suspend', { reason: 'Consortium decision' }).expect(403);
      expect(response.body).toMatchObject(FORBIDDEN);
    });
  });

  describe('quantity changes', () => {
    it('changes the quantity from a date, keeping the schedule and history, and tells the provider', async () => {
      const m = await aMarket();
      const id = await active(m, { quantity: 25 });

      const response = await act(m.auth.consumer, id, 'quantity', {
        quantity: 40,
        effectiveFrom: today,
      }).expect(200);

      expect(response.body).toMatchObject({
        quantity: 40,
        quantities: [{ quantity: 40, effectiveFrom: today }],
      });
      const history = await test
        .http()
        .get(`/api/v1/subscriptions/${id}/history`)
        .set(m.auth.provider)
        .expect(200);
      expect(history.body.data.at(-1)).toMatchObject({
        event: 'quantity_changed',
        fromStatus: 'active',
        toStatus: 'active',
        details: { from: 25, to: 40, effectiveFrom: today },
      });
      expect(await notificationsOf(m.provider.id, id)).toContainEqual(
        expect.objectContaining({ kind: 'subscription.quantity_changed' }),
      );
    });

    it('schedules a future change after the current quantity, and a later instruction replaces what it overlaps', async () => {
      const m = await aMarket();
      const id = await active(m, { quantity: 25 });
      const inAMonth = addMonths(today, 1);
      const inTwoMonths = addMonths(today, 2);

      await act(m.auth.consumer, id, 'quantity', { quantity: 30, effectiveFrom: inTwoMonths }).expect(200);
      const response = await act(m.auth.consumer, id, 'quantity', {
        quantity: 28,
        effectiveFrom: inAMonth,
      }).expect(200);

      expect(response.body.quantities).toEqual([
        { quantity: 25, effectiveFrom: today },
        { quantity: 28, effectiveFrom: inAMonth },
      ]);
      expect(response.body.quantity).toBe(28);
    });

    it('re-checks capacity on an increase (409 capacity-exhausted) but always allows a decrease', async () => {
      const m = await aMarket({ capacityLimit: 100, capacityUnit: 'units' });
      await aSubscriptionTo(ds, m.service, m.bystander, { status: 'active', quantity: 70 });
      const id = await active(m, { quantity: 30 });

      const increase = await act(m.auth.consumer, id, 'quantity', {
        quantity: 31,
        effectiveFrom: today,
      }).expect(409);
      expect(increase.body).toMatchObject(conflictWith('capacity-exhausted'));
      await ds.query('UPDATE services SET capacity_limit = 80 WHERE id = $1', [m.service.id]);
      await act(m.auth.consumer, id, 'quantity', { quantity: 20, effectiveFrom: today }).expect(200);

      const after = await get(m.auth.consumer, id).expect(200);
      expect(after.body.quantity).toBe(20);
    });

    it('lets only the consumer change the quantity (403 for the provider)', async () => {
      const m = await aMarket();
      const id = await active(m);
      const response = await act(m.auth.provider, id, 'quantity', {
        quantity: 2,
        effectiveFrom: today,
      }).expect(403);
      expect(response.body).toMatchObject(FORBIDDEN);
    });

    it('refuses a quantity change to a request that is not yet in force (409)', async () => {
      const m = await aMarket();
      const id = await requested(m);
      const response = await act(m.auth.consumer, id, 'quantity', {
        quantity: 2,
        effectiveFrom: today,
      }).expect(409);
      expect(response.body).toMatchObject(conflictWith('subscription-not-in-force'));
    });

    it.each([
      ['in the past', { quantity: 5, effectiveFrom: 'YESTERDAY' }, 'effectiveFrom'],
      ['of zero', { quantity: 0, effectiveFrom: 'TODAY' }, 'quantity'],
      ['without a date', { quantity: 5 }, 'effectiveFrom'],
    ])('refuses a change %s (400)', async (_label, body: Record<string, unknown>, field) => {
      const m = await aMarket();
      const id = await active(m);
      const dated = {
        ...body,
        ...(body.effectiveFrom === 'YESTERDAY' ? { effectiveFrom: addDays(today, -1) } : {}),
        ...(body.effectiveFrom === 'TODAY' ? { effectiveFrom: today } : {}),
      };
      const response = await act(m.auth.consumer, id, 'quantity', dated).expect(400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });
  });

  describe('price versions', () => {
    it('keeps the agreed price version when the service’s price changes, until the consumer accepts the new one', async () => {
      const m = await aMarket();
      const id = await active(m);
      await aPriceVersion(ds, m.service, {
        model: 'per_unit',
        currency: 'GBP',
        unitPrice: '14.00',
        unitName: 'device',
      });

      const before = await get(m.auth.consumer, id).expect(200);
      expect(before.body).toMatchObject({ priceVersion: 1, servicePriceVersion: 2 });
      expect(before.body.pricePlan.unitPrice).toBe('12.50');
      await act(m.auth.provider, id, 'accept-price').expect(403);

      const accepted = await act(m.auth.consumer, id, 'accept-price').expect(200);

      expect(accepted.body).toMatchObject({ priceVersion: 2, servicePriceVersion: 2 });
      expect(accepted.body.pricePlan.unitPrice).toBe('14.00');
      const history = await test
        .http()
        .get(`/api/v1/subscriptions/${id}/history`)
        .set(m.auth.provider)
        .expect(200);
      expect(history.body.data.at(-1)).toMatchObject({
        event: 'price_accepted',
        details: { fromVersion: 1, toVersion: 2 },
      });
      expect(await notificationsOf(m.provider.id, id)).toContainEqual(
        expect.objectContaining({ kind: 'subscription.price_accepted' }),
      );
      const again = await act(m.auth.consumer, id, 'accept-price').expect(409);
      expect(again.body).toMatchObject(conflictWith('already-on-current-price'));
    });

    it('agrees a new request to the newest price version', async () => {
      const m = await aMarket();
      await aPriceVersion(ds, m.service, { model: 'flat_fee', currency: 'GBP', feePerPeriod: '4000.00' });
      const id = await requested(m);
      const response = await get(m.auth.provider, id).expect(200);
      expect(response.body).toMatchObject({ priceVersion: 2, pricePlan: { model: 'flat_fee' } });
    });
  });

  describe('reading subscriptions', () => {
    /** A market where the consumer takes one service and provides another to the bystander. */
    async function aBusyMarket() {
      const m = await aMarket();
      const taken = await active(m, { startDate: addDays(today, 10) });
      const consumerService = await aService(ds, m.consortium, m.consumer);
      const bystanderAuth = m.auth.bystander;
      const provided = (
        await request(bystanderAuth, aRequest(consumerService.id, { startDate: addDays(today, 5) })).expect(
          201,
        )
      ).body.id as string;
      const elsewhere = await aService(ds, m.consortium, m.bystander);
      const unrelated = (await request(m.auth.provider, aRequest(elsewhere.id)).expect(201)).body
        .id as string;
      return { m, taken, provided, unrelated, consumerService };
    }
    const idsOf = (body: { data: { id: string }[] }) => body.data.map((s) => s.id);

    it('shows an organisation both sides by default, or one side with role', async () => {
      const { m, taken, provided } = await aBusyMarket();

      const both = await list(m.auth.consumerViewer).expect(200);
      const consuming = await list(m.auth.consumerViewer, '?role=consumer').expect(200);
      const providing = await list(m.auth.consumerViewer, '?role=provider').expect(200);

      expect(idsOf(both.body).sort()).toEqual([taken, provided].sort());
      expect(idsOf(consuming.body)).toEqual([taken]);
      expect(idsOf(providing.body)).toEqual([provided]);
      expect(providing.body.data[0]).toMatchObject({
        consumerOrganisationName: m.bystander.name,
        providerOrganisationName: m.consumer.name,
        status: 'requested',
      });
    });

    it('shows a consortium administrator every subscription in the consortium when asked for it', async () => {
      const { m, taken, provided, unrelated } = await aBusyMarket();

      const all = await list(m.auth.consortiumAdmin, `?consortiumId=${m.consortium.id}`).expect(200);
      const own = await list(m.auth.consumer, `?consortiumId=${m.consortium.id}`).expect(200);

      expect(idsOf(all.body).sort()).toEqual([taken, provided, unrelated].sort());
      expect(idsOf(own.body).sort()).toEqual([taken, provided].sort());
    });

    it('filters by status and service, sorts by start date and pages with a cursor', async () => {
      const { m, taken, provided, unrelated } = await aBusyMarket();
      const admin = `?consortiumId=${m.consortium.id}`;

      const requestedOnly = await list(m.auth.consortiumAdmin, `${admin}&status=requested`).expect(200);
      const ofService = await list(m.auth.consortiumAdmin, `${admin}&serviceId=${m.service.id}`).expect(200);
      const first = await list(m.auth.consortiumAdmin, `${admin}&sort=-startDate&limit=2`).expect(200);
      const second = await list(
        m.auth.consortiumAdmin,
        `${admin}&sort=-startDate&limit=2&cursor=${first.body.page.nextCursor}`,
      ).expect(200);

      expect(idsOf(requestedOnly.body).sort()).toEqual([provided, unrelated].sort());
      expect(idsOf(ofService.body)).toEqual([taken]);
      expect([...idsOf(first.body), ...idsOf(second.body)]).toEqual([taken, provided, unrelated]);
      expect(second.body.page).toEqual({ nextCursor: null, limit: 2 });
    });

    it('refuses an unknown role, status or sort (400)', async () => {
      const m = await aMarket();
      await list(m.auth.consumer, '?role=broker').expect(400);
      await list(m.auth.consumer, '?status=pending').expect(400);
      await list(m.auth.consumer, '?sort=quantity').expect(400);
    });

    it('does not reveal a subscription, or its history, to another member or an outsider (404)', async () => {
      const { m, taken } = await aBusyMarket();

      await get(m.auth.bystander, taken).expect(404);
      await get(m.auth.outsider, taken).expect(404);
      await test.http().get(`/api/v1/subscriptions/${taken}/history`).set(m.auth.bystander).expect(404);
      const others = await list(m.auth.bystander, `?consortiumId=${m.consortium.id}`).expect(200);
      expect(idsOf(others.body)).not.toContain(taken);
    });

    it('shows either side and the consortium administrator the subscription', async () => {
      const { m, taken } = await aBusyMarket();
      for (const auth of [m.auth.consumerViewer, m.auth.provider, m.auth.consortiumAdmin]) {
        const response = await get(auth, taken).expect(200);
        expect(response.body).toMatchObject({ id: taken, serviceTitle: m.service.title, status: 'active' });
      }
    });

    it('serves API keys with subscriptions:read, and refuses keys without it (403)', async () => {
      const { m, taken } = await aBusyMarket();
      const reader = await anApiKey(ds, m.consumer, ['subscriptions:read']);
      const catalogueOnly = await anApiKey(ds, m.consumer, ['catalogue:read']);

      const response = await list(reader.header, '?role=consumer').expect(200);
      expect(idsOf(response.body)).toEqual([taken]);
      await get(reader.header, taken).expect(200);
      await act(reader.header, taken, 'give-notice').expect(403);
      const refused = await list(catalogueOnly.header).expect(403);
      expect(refused.body).toMatchObject(FORBIDDEN);
    });

    it('answers 404 for a subscription that does not exist', async () => {
      const m = await aMarket();
      await get(m.auth.consumer, '00000000-0000-4000-8000-000000000000').expect(404);
      await get(m.auth.consumer, 'not-a-uuid').expect(400);
    });
  });

  it('keeps the history append-only in the database', async () => {
    const m = await aMarket();
    const id = await requested(m);
    // Even the owner, who may try where the API's role may not.
    await expect(
      asOwner((owner) =>
        owner.query("UPDATE subscription_events SET event = 'approved' WHERE subscription_id = $1", [id]),
      ),
    ).rejects.toThrow(/append-only/);
  });
});
