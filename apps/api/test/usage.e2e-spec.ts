import { randomBytes } from 'node:crypto';
import {
  aBillingPeriod,
  aConsortiumWithMembers,
  aDatedSubscription,
  anApiKey,
  anOrganisation,
  aService,
  aUser,
  bearerFor,
  someUsage,
} from './support/builders';
import { createTestApp, type TestApp } from './support/test-app';

const METERED = {
  model: 'metered',
  currency: 'GBP',
  metric: 'storage_gb',
  unitPrice: '0.10',
  includedPerPeriod: '100',
};

const isoDay = (offsetDays: number) =>
  new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();

describe('Usage ingestion (POST /api/v1/usage-events)', () => {
  let test: TestApp;
  let world: Awaited<ReturnType<typeof aConsortiumWithMembers>>;
  let subscriptionId: string;
  let perUnitSubscriptionId: string;
  let othersSubscriptionId: string;
  let key: { 'X-API-Key': string };
  const run = randomBytes(4).toString('hex');
  let n = 0;
  const id = () => `evt-${run}-${++n}`;

  const post = (events: unknown[], auth: Record<string, string> = key) =>
    test.http().post('/api/v1/usage-events').set(auth).send({ events });
  const anEvent = (overrides: Record<string, unknown> = {}) => ({
    eventId: id(),
    subscriptionId,
    metric: 'storage_gb',
    quantity: '12.5',
    occurredAt: hoursAgo(1),
    ...overrides,
  });
  const storedCount = async (eventIds: string[]) => {
    const [{ count }] = await test.dataSource.query(
      'SELECT count(*)::int AS count FROM usage_events WHERE provider_organisation_id = $1 AND event_id = ANY($2)',
      [world.home.id, eventIds],
    );
    return count as number;
  };

  beforeAll(async () => {
    test = await createTestApp();
    const ds = test.dataSource;
    world = await aConsortiumWithMembers(ds);
    const metered = await aService(ds, world.consortium, world.home, { plan: METERED });
    const perUnit = await aService(ds, world.consortium, world.home);
    const othersService = await aService(ds, world.consortium, world.other, { plan: METERED });
    subscriptionId = await aDatedSubscription(ds, metered, world.other, { startDate: isoDay(-75) });
    perUnitSubscriptionId = await aDatedSubscription(ds, perUnit, world.other, { startDate: isoDay(-75) });
    othersSubscriptionId = await aDatedSubscription(ds, othersService, world.home, {
      startDate: isoDay(-75),
    });
    key = (await anApiKey(ds, world.home, ['usage:write'])).header;
  });

  afterAll(() => test.close());

  it('accepts a batch and answers every event in request order', async () => {
    const events = [anEvent(), anEvent({ quantity: 3 }), anEvent({ quantity: '0.000001' })];
    const response = await post(events).expect(200);
    expect(response.body).toEqual({
      accepted: 3,
      duplicates: 0,
      rejected: 0,
      results: events.map((e) => ({ eventId: e.eventId, status: 'accepted' })),
    });
    const rows = await test.dataSource.query(
      `SELECT u.event_id AS "eventId", u.quantity::text AS quantity, p.key
         FROM usage_events u JOIN billing_periods p ON p.id = u.billing_period_id
        WHERE u.event_id = ANY($1) ORDER BY u.event_id`,
      [events.map((e) => e.eventId)],
    );
    expect(rows.map((r: { quantity: string }) => r.quantity).sort()).toEqual(
      ['0.000001', '12.500000', '3.000000'].sort(),
    );
  });

  it('acknowledges a replayed event as a duplicate without storing it twice', async () => {
    const event = anEvent();
    await post([event]).expect(200);
    const replay = await post([event, { ...event, quantity: '12.500' }]).expect(200);
    expect(replay.body).toMatchObject({ accepted: 0, duplicates: 2, rejected: 0 });
    expect(replay.body.results).toEqual([
      { eventId: event.eventId, status: 'duplicate' },
      { eventId: event.eventId, status: 'duplicate' },
    ]);
    expect(await storedCount([event.eventId])).toBe(1);
  });

  it('rejects the same event id with a different body as a conflicting duplicate', async () => {
    const event = anEvent();
    await post([event]).expect(200);
    const reuse = await post([{ ...event, quantity: '99' }, anEvent()]).expect(200);
    expect(reuse.body).toMatchObject({ accepted: 1, duplicates: 0, rejected: 1 });
    expect(reuse.body.results[0]).toMatchObject({ status: 'rejected', code: 'conflicting-duplicate' });
    const [{ quantity }] = await test.dataSource.query(
      'SELECT quantity::text AS quantity FROM usage_events WHERE event_id = $1',
      [event.eventId],
    );
    expect(quantity).toBe('12.500000');
  });

  it('rejects a repeated id within one batch when the bodies differ', async () => {
    const event = anEvent();
    const response = await post([event, { ...event, quantity: '1' }]).expect(200);
    expect(response.body.results.map((r: { status: string; code?: string }) => r.code ?? r.status)).toEqual([
      'accepted',
      'conflicting-duplicate',
    ]);
  });

  it('rejects each bad event with its reason and still accepts the good ones', async () => {
    const events = [
      anEvent({ subscriptionId: othersSubscriptionId }),
      anEvent({ subscriptionId: '00000000-0000-4000-8000-000000000000' }),
      anEvent({ metric: 'bandwidth_gb' }),
      anEvent({ subscriptionId: perUnitSubscriptionId }),
      anEvent({ occurredAt: `${isoDay(-90)}T12:00:00Z` }),
      anEvent({ quantity: '-1' }),
      anEvent({ quantity: '1.1234567' }),
      anEvent({ quantity: 1e-7 }),
      anEvent({ occurredAt: '2026-01-01 10:00' }),
      anEvent({ occurredAt: new Date(Date.now() + 86_400_000).toISOString() }),
      { ...anEvent(), extra: true },
      { quantity: '1' },
      anEvent(),
    ];
    const response = await post(events).expect(200);
    expect(response.body.results.map((r: { status: string; code?: string }) => r.code ?? r.status)).toEqual([
      'not-your-subscription',
      'not-your-subscription',
      'unknown-metric',
      'unknown-metric',
      'subscription-not-in-force',
      'invalid-quantity',
      'invalid-quantity',
      'invalid-quantity',
      'invalid-event',
      'occurred-in-future',
      'invalid-event',
      'invalid-event',
      'accepted',
    ]);
    expect(response.body).toMatchObject({ accepted: 1, duplicates: 0, rejected: 12 });
    expect(response.body.results[0].reason).toEqual(expect.any(String));
    expect(await storedCount(events.map((e) => (e as { eventId?: string }).eventId ?? ''))).toBe(1);
  });

  it('rejects usage in a period that is no longer open', async () => {
    const day = isoDay(-40);
    const period = await aBillingPeriod(test, world.consortium, day, 'closed');
    const response = await post([anEvent({ occurredAt: `${day}T12:00:00Z` }), anEvent()]).expect(200);
    expect(response.body.results[0]).toMatchObject({ status: 'rejected', code: 'period-not-open' });
    expect(response.body.results[1]).toMatchObject({ status: 'accepted' });
    const [{ count }] = await test.dataSource.query(
      'SELECT count(*)::int AS count FROM usage_events WHERE billing_period_id = $1',
      [period.id],
    );
    expect(count).toBe(0);
  });

  it('refuses a batch of more than 1,000 events whole', async () => {
    const events = Array.from({ length: 1001 }, () => anEvent());
    const response = await post(events).expect(413);
    expect(response.body).toMatchObject({
      type: 'urn:consortium:problem:payload-too-large',
      status: 413,
      code: 'body-too-wide',
      detail: 'An array in the body has more than 1000 items',
    });
    expect(await storedCount(events.map((e) => e.eventId))).toBe(0);
  });

  it('refuses an empty or missing list of events', async () => {
    await post([]).expect(400);
    await test.http().post('/api/v1/usage-events').set(key).send({}).expect(400);
  });

  it("lets the provider's service managers report usage", async () => {
    const auth = await bearerFor(test, world.homeUsers.manager);
    const response = await post([anEvent()], auth).expect(200);
    expect(response.body.accepted).toBe(1);
  });

  it('rejects usage reported by the consumer of the subscription as not its subscription', async () => {
    const auth = await bearerFor(test, world.otherUsers.manager);
    const response = await post([anEvent()], auth).expect(200);
    expect(response.body.results[0]).toMatchObject({ status: 'rejected', code: 'not-your-subscription' });
  });

  it('refuses a viewer, a finance user and an API key without usage:write', async () => {
    await post([anEvent()], await bearerFor(test, world.homeUsers.viewer)).expect(403);
    await post([anEvent()], await bearerFor(test, world.homeUsers.finance)).expect(403);
    const readOnly = await anApiKey(test.dataSource, world.home, ['charges:read']);
    await post([anEvent()], readOnly.header).expect(403);
    await test
      .http()
      .post('/api/v1/usage-events')
      .send({ events: [anEvent()] })
      .expect(401);
  });

  it('rejects every event of an organisation outside the consortium', async () => {
    const outsider = await anOrganisation(test.dataSource);
    const auth = await bearerFor(test, await aUser(test.dataSource, outsider, ['org_admin']));
    const response = await post([anEvent(), anEvent()], auth).expect(200);
    expect(response.body).toMatchObject({ accepted: 0, rejected: 2 });
  });

  it('writes one audit event per batch with its counts', async () => {
    const response = await post([anEvent(), anEvent(), anEvent({ metric: 'nope' })]).expect(200);
    const rows = await test.dataSource.query(
      `SELECT action, consortium_id AS "consortiumId", changes FROM audit_events WHERE request_id = $1`,
      [response.headers['x-request-id']],
    );
    expect(rows).toEqual([
      {
        action: 'usage.recorded',
        consortiumId: world.consortium.id,
        changes: expect.objectContaining({ accepted: 2, duplicates: 0, rejected: 1 }),
      },
    ]);
  });

  it('stores each event once when many batches with overlapping ids arrive together', async () => {
    const ids = Array.from({ length: 300 }, () => id());
    const bodies = new Map(ids.map((eventId) => [eventId, anEvent({ eventId })]));
    // Eight batches of 150 ids from overlapping windows, in shuffled orders.
    const batches = Array.from({ length: 8 }, (_, b) => {
      const window = ids.slice((b * 20) % 150, ((b * 20) % 150) + 150);
      return [...window].sort(() => Math.random() - 0.5).map((eventId) => bodies.get(eventId));
    });
    const responses = await Promise.all(batches.map((events) => post(events)));
    for (const response of responses) expect(response.status).toBe(200);
    const distinct = new Set(batches.flat().map((e) => e?.eventId));
    const accepted = responses.reduce((sum, r) => sum + (r.body.accepted as number), 0);
    const duplicates = responses.reduce((sum, r) => sum + (r.body.duplicates as number), 0);
    expect(accepted).toBe(distinct.size);
    expect(duplicates).toBe(batches.flat().length - distinct.size);
    expect(await storedCount([...distinct] as string[])).toBe(distinct.size);
  });

  describe('exact quantities and bounds', () => {
    /** A batch sent as JSON text, so numbers reach the API exactly as written. */
    const postText = (json: string) =>
      test.http().post('/api/v1/usage-events').set(key).set('content-type', 'application/json').send(json);
    const eventJson = (eventId: string, quantity: string, subscription = subscriptionId) =>
      `{"eventId":"${eventId}","subscriptionId":"${subscription}","metric":"storage_gb",` +
      `"quantity":${quantity},"occurredAt":"${hoursAgo(1)}"}`;
    const outcomes = (body: { results: { status: string; code?: string }[] }) =>
      body.results.map((r) => r.code ?? r.status);
    /** A metered subscription of its own, so its period total starts at zero. */
    const aFreshSubscription = async () => {
      const service = await aService(test.dataSource, world.consortium, world.home, { plan: METERED });
      return aDatedSubscription(test.dataSource, service, world.other, { startDate: isoDay(-75) });
    };
    /** Stores `quantity` units straight into the subscription's current period (found by reporting 0 units). */
    const alreadyReported = async (subscription: string, quantity: string) => {
      const first = anEvent({ subscriptionId: subscription, quantity: '0' });
      await post([first]).expect(200);
      const [{ periodId }] = await test.dataSource.query(
        'SELECT billing_period_id AS "periodId" FROM usage_events WHERE event_id = $1',
        [first.eventId],
      );
      await someUsage(test.dataSource, {
        subscriptionId: subscription,
        billingPeriodId: periodId,
        metric: 'storage_gb',
        quantities: [quantity],
        at: hoursAgo(2),
      });
    };
    const periodTotal = async (subscription: string) => {
      const [{ total }] = await test.dataSource.query(
        'SELECT coalesce(sum(quantity), 0)::text AS total FROM usage_events WHERE subscription_id = $1',
        [subscription],
      );
      return total as string;
    };

    it('rejects a JSON-number quantity it cannot read exactly, telling the integrator to send a string', async () => {
      const [beyond2to53, manyDecimals, exact] = [id(), id(), id()];
      const response = await postText(
        `{"events":[${eventJson(beyond2to53, '9007199254740993')},${eventJson(manyDecimals, '0.10000000000000001')},` +
          `${eventJson(exact, '12.25')}]}`,
      ).expect(200);
      expect(outcomes(response.body)).toEqual(['quantity-not-exact', 'quantity-not-exact', 'accepted']);
      expect(response.body.results[0].reason).toBe(
        'quantity 9007199254740993 cannot be represented exactly as a JSON number (it would be read as ' +
          '9007199254740992): send it as a decimal string, e.g. "9007199254740993"',
      );
      expect(response.body.results[1].reason).toContain('send it as a decimal string');
      expect(await storedCount([beyond2to53, manyDecimals, exact])).toBe(1);
    });

    it('judges the same values sent as strings exactly: too large, or too many decimal places', async () => {
      const response = await post([
        anEvent({ quantity: '9007199254740993' }),
        anEvent({ quantity: '0.10000000000000001' }),
      ]).expect(200);
      expect(outcomes(response.body)).toEqual(['quantity-too-large', 'invalid-quantity']);
    });

    it('accepts up to 1,000,000,000 units and six decimal places in one event, and refuses more', async () => {
      const events = [
        anEvent({ quantity: '1000000000' }),
        anEvent({ quantity: 1000000000 }),
        anEvent({ quantity: '0.000001' }),
        anEvent({ quantity: '1000000000.000001' }),
        anEvent({ quantity: 1000000001 }),
        anEvent({ quantity: '999999999999999999' }),
        anEvent({ quantity: '0.1000000' }),
      ];
      const response = await post(events).expect(200);
      expect(outcomes(response.body)).toEqual([
        'accepted',
        'accepted',
        'accepted',
        'quantity-too-large',
        'quantity-too-large',
        'quantity-too-large',
        'invalid-quantity',
      ]);
      expect(response.body.results[3].reason).toBe(
        'quantity may be at most 1,000,000,000 units per event: report larger usage as several events',
      );
      expect(await storedCount(events.slice(3).map((e) => e.eventId))).toBe(0);
    });

    it('refuses, event by event, usage past 1,000,000,000,000 units of a metric in a period for one subscription', async () => {
      const subscription = await aFreshSubscription();
      await alreadyReported(subscription, '998000000000');
      const events = [
        anEvent({ subscriptionId: subscription, quantity: '1000000000' }),
        anEvent({ subscriptionId: subscription, quantity: '1000000000.000001' }),
        anEvent({ subscriptionId: subscription, quantity: '999999999.5' }),
        anEvent({ subscriptionId: subscription, quantity: '1000000000' }),
        anEvent({ subscriptionId: subscription, quantity: '0.5' }),
        anEvent({ subscriptionId: subscription, quantity: '0.000001' }),
      ];
      const response = await post(events).expect(200);
      expect(outcomes(response.body)).toEqual([
        'accepted',
        'quantity-too-large',
        'accepted',
        'period-usage-limit',
        'accepted',
        'period-usage-limit',
      ]);
      expect(response.body.results[3].reason).toBe(
        'A subscription may report at most 1,000,000,000,000 units of a metric in one billing period, and this ' +
          'event would pass that',
      );
      expect(await periodTotal(subscription)).toBe('1000000000000.000000');
      expect(await storedCount([events[3].eventId, events[5].eventId])).toBe(0);
    });

    it('does not count withdrawn (voided) usage toward the limit', async () => {
      const subscription = await aFreshSubscription();
      await alreadyReported(subscription, '999999999000');
      const refused = await post([anEvent({ subscriptionId: subscription, quantity: '1001' })]).expect(200);
      expect(outcomes(refused.body)).toEqual(['period-usage-limit']);
      await test.dataSource.query(
        `UPDATE usage_events SET voided_at = now(), void_reason = 'Meter fault', voided_by_label = 'test'
          WHERE subscription_id = $1 AND quantity = 999999999000`,
        [subscription],
      );
      const accepted = await post([anEvent({ subscriptionId: subscription, quantity: '1001' })]).expect(200);
      expect(outcomes(accepted.body)).toEqual(['accepted']);
    });

    it('answers a replay at the limit as a duplicate, not as usage past the limit', async () => {
      const subscription = await aFreshSubscription();
      await alreadyReported(subscription, '999999999000');
      const last = anEvent({ subscriptionId: subscription, quantity: '1000' });
      await post([last]).expect(200);
      const replay = await post([anEvent({ subscriptionId: subscription, quantity: '1' }), last]).expect(200);
      expect(outcomes(replay.body)).toEqual(['period-usage-limit', 'duplicate']);
      expect(await periodTotal(subscription)).toBe('1000000000000.000000');
    });

    it('lets only one of two concurrent batches take a subscription past the limit', async () => {
      const subscription = await aFreshSubscription();
      await alreadyReported(subscription, '999000000000');
      // Each batch alone fits (999e9 + 600e9 + ... no: 999e9 + 0.6e9 ≤ 1e12), the two together do not.
      const batches = Array.from({ length: 2 }, () => [
        anEvent({ subscriptionId: subscription, quantity: '600000000' }),
      ]);
      const responses = await Promise.all(batches.map((events) => post(events)));
      const results = responses.flatMap((r) => outcomes(r.body));
      expect(results.sort()).toEqual(['accepted', 'period-usage-limit']);
      expect(await periodTotal(subscription)).toBe('999600000000.000000');
    });
  });
});
