import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  aConsortiumWithMembers,
  aDatedSubscription,
  anApiKey,
  aService,
  someUsage,
} from './support/builders';
import { aSpecDatabase, asOwner, migrateAsOwner, runServer, type SpecDatabase } from './support/databases';
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
/** In the previous calendar month, so in another billing period than now (subscriptions start 75 days ago). */
const lastMonth = () => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15, 12)).toISOString();
};

/** Totals that differ from the sum of their stored, unvoided events (a total left at 0 by withdrawals agrees). */
async function totalsDisagreeing(ds: DataSource): Promise<unknown[]> {
  return ds.query(
    `SELECT subscription_id, billing_period_id, metric, t.quantity::text AS total, e.quantity::text AS events
       FROM usage_period_totals t
       FULL JOIN (SELECT subscription_id, billing_period_id, metric, sum(quantity) AS quantity FROM usage_events
                   WHERE voided_at IS NULL GROUP BY subscription_id, billing_period_id, metric) e
            USING (subscription_id, billing_period_id, metric)
      WHERE t.quantity IS DISTINCT FROM e.quantity AND NOT (e.quantity IS NULL AND t.quantity = 0)`,
  );
}

/**
 * A small world: a provider with metered services, a consumer subscribed to them, the provider's usage key, and
 * helpers to report and withdraw usage through the API and read the running totals.
 */
async function aMeteredWorld(test: TestApp) {
  const ds = test.dataSource;
  const world = await aConsortiumWithMembers(ds);
  const key = (await anApiKey(ds, world.home, ['usage:write'])).header;
  const run = randomBytes(4).toString('hex');
  let n = 0;
  const aSubscription = async () => {
    const service = await aService(ds, world.consortium, world.home, { plan: METERED });
    return aDatedSubscription(ds, service, world.other, { startDate: isoDay(-75) });
  };
  const anEvent = (subscriptionId: string, quantity: string, occurredAt = hoursAgo(1)) => ({
    eventId: `evt-${run}-${++n}`,
    subscriptionId,
    metric: 'storage_gb',
    quantity,
    occurredAt,
  });
  const post = (events: unknown[]) => test.http().post('/api/v1/usage-events').set(key).send({ events });
  const withdraw = (eventIds: string[]) =>
    test
      .http()
      .post('/api/v1/usage-events/void')
      .set(key)
      .send({ eventIds, reason: 'Meter read twice' })
      .expect(200);
  /** Each period's total for the subscription, by period start, as exact decimal text. */
  const totals = async (subscriptionId: string): Promise<Record<string, string>> => {
    const rows: { start: string; quantity: string }[] = await ds.query(
      `SELECT p.start_date::text AS start, t.quantity::text AS quantity
         FROM usage_period_totals t JOIN billing_periods p ON p.id = t.billing_period_id
        WHERE t.subscription_id = $1 AND t.metric = 'storage_gb'`,
      [subscriptionId],
    );
    return Object.fromEntries(rows.map((r) => [r.start, Number(r.quantity).toString()]));
  };
  /** Stores `quantity` units straight into the subscription's current period (found by reporting 0 units). */
  const alreadyReported = async (subscriptionId: string, quantity: string) => {
    const first = anEvent(subscriptionId, '0');
    await post([first]).expect(200);
    const [{ periodId }] = await ds.query(
      'SELECT billing_period_id AS "periodId" FROM usage_events WHERE event_id = $1',
      [first.eventId],
    );
    await someUsage(ds, {
      subscriptionId,
      billingPeriodId: periodId,
      metric: 'storage_gb',
      quantities: [quantity],
      at: hoursAgo(2),
    });
    return periodId as string;
  };
  return { world, aSubscription, anEvent, post, withdraw, totals, alreadyReported };
}

const outcomes = (body: { results: { status: string; code?: string }[] }) =>
  body.results.map((r) => r.code ?? r.status);

describe('Running totals of usage per subscription, metric and billing period', () => {
  let test: TestApp;
  let usage: Awaited<ReturnType<typeof aMeteredWorld>>;

  beforeAll(async () => {
    test = await createTestApp();
    usage = await aMeteredWorld(test);
  });

  afterAll(() => test.close());

  it('adds a stored batch to the totals of its subscriptions and periods, replays and refusals left out', async () => {
    const [first, second] = [await usage.aSubscription(), await usage.aSubscription()];
    const events = [
      usage.anEvent(first, '12.5'),
      usage.anEvent(first, '0.000001'),
      usage.anEvent(first, '7', lastMonth()),
      usage.anEvent(second, '3'),
      usage.anEvent(second, '-1'),
    ];
    const response = await usage.post(events).expect(200);
    expect(outcomes(response.body)).toEqual([
      'accepted',
      'accepted',
      'accepted',
      'accepted',
      'invalid-quantity',
    ]);
    const replay = await usage.post([events[0], usage.anEvent(second, '2')]).expect(200);
    expect(outcomes(replay.body)).toEqual(['duplicate', 'accepted']);

    const thisMonth = `${isoDay(0).slice(0, 7)}-01`;
    const previousMonth = lastMonth().slice(0, 8) + '01';
    expect(await usage.totals(first)).toEqual({ [thisMonth]: '12.500001', [previousMonth]: '7' });
    expect(await usage.totals(second)).toEqual({ [thisMonth]: '5' });
    expect(await totalsDisagreeing(test.dataSource)).toEqual([]);
  });

  it('counts usage inserted by any statement, not only through the API', async () => {
    const subscription = await usage.aSubscription();
    const periodId = await usage.alreadyReported(subscription, '1000');
    await someUsage(test.dataSource, {
      subscriptionId: subscription,
      billingPeriodId: periodId,
      metric: 'storage_gb',
      quantities: ['0.25', '0.75', '98'],
      at: hoursAgo(3),
    });
    expect(Object.values(await usage.totals(subscription))).toEqual(['1099']);
  });

  it('subtracts a withdrawn event once, and withdrawing it again changes nothing', async () => {
    const subscription = await usage.aSubscription();
    const events = [usage.anEvent(subscription, '40'), usage.anEvent(subscription, '2.5')];
    await usage.post(events).expect(200);
    expect(Object.values(await usage.totals(subscription))).toEqual(['42.5']);

    expect((await usage.withdraw([events[0].eventId])).body.voided).toBe(1);
    expect(Object.values(await usage.totals(subscription))).toEqual(['2.5']);
    expect((await usage.withdraw([events[0].eventId, events[1].eventId])).body).toMatchObject({
      voided: 1,
      alreadyVoided: 1,
    });
    expect(Object.values(await usage.totals(subscription))).toEqual(['0']);
    expect(await totalsDisagreeing(test.dataSource)).toEqual([]);
  });

  it('frees room under the limit when usage is withdrawn', async () => {
    const subscription = await usage.aSubscription();
    await usage.alreadyReported(subscription, '999999999000');
    const near = usage.anEvent(subscription, '1000');
    await usage.post([near]).expect(200);
    const refused = await usage.post([usage.anEvent(subscription, '1')]).expect(200);
    expect(outcomes(refused.body)).toEqual(['period-usage-limit']);
    await usage.withdraw([near.eventId]);
    const accepted = await usage.post([usage.anEvent(subscription, '1000')]).expect(200);
    expect(outcomes(accepted.body)).toEqual(['accepted']);
    expect(Object.values(await usage.totals(subscription))).toEqual(['1000000000000']);
  });

  it('loses nothing when concurrent batches add to the same totals in different orders', async () => {
    const subscriptions = [
      await usage.aSubscription(),
      await usage.aSubscription(),
      await usage.aSubscription(),
    ];
    const batches = Array.from({ length: 6 }, (_, b) =>
      Array.from({ length: 30 }, (_, i) => usage.anEvent(subscriptions[(b + i) % 3], `${(i % 7) + 1}.5`)),
    );
    const responses = await Promise.all(batches.map((events) => usage.post(events)));
    for (const response of responses) expect(response.body).toMatchObject({ accepted: 30, rejected: 0 });
    const expected = batches.flat().reduce((sum, e) => sum + Number(e.quantity), 0);
    const stored = await Promise.all(subscriptions.map(usage.totals));
    expect(stored.flatMap(Object.values).reduce((sum, q) => sum + Number(q), 0)).toBe(expected);
    expect(await totalsDisagreeing(test.dataSource)).toEqual([]);
  });

  it('lets concurrent batches near the limit take only as much as fits', async () => {
    const subscription = await usage.aSubscription();
    await usage.alreadyReported(subscription, '999000000000');
    // Three of these fit (999.9e9 units), the fourth would pass 1e12: exactly one batch is refused.
    const batches = Array.from({ length: 4 }, () => [usage.anEvent(subscription, '300000000')]);
    const responses = await Promise.all(batches.map((events) => usage.post(events).expect(200)));
    const results = responses.flatMap((r) => outcomes(r.body)).sort();
    expect(results).toEqual(['accepted', 'accepted', 'accepted', 'period-usage-limit']);
    expect(Object.values(await usage.totals(subscription))).toEqual(['999900000000']);
  });

  it('refuses any other change to a total, by the API role and by the owner alike', async () => {
    const subscription = await usage.aSubscription();
    await usage.post([usage.anEvent(subscription, '5')]).expect(200);
    await expect(
      test.dataSource.query('UPDATE usage_period_totals SET quantity = 0 WHERE subscription_id = $1', [
        subscription,
      ]),
    ).rejects.toThrow(/permission denied/);
    const asTheOwner = (sql: string) => asOwner((owner) => owner.query(sql, [subscription]));
    await expect(
      asTheOwner('UPDATE usage_period_totals SET quantity = 0 WHERE subscription_id = $1'),
    ).rejects.toThrow(/not allowed/);
    await expect(asTheOwner('DELETE FROM usage_period_totals WHERE subscription_id = $1')).rejects.toThrow(
      /not allowed/,
    );
    await expect(
      asTheOwner(
        `INSERT INTO usage_period_totals (subscription_id, billing_period_id, metric, quantity)
         SELECT $1, billing_period_id, 'other_metric', 1 FROM usage_period_totals WHERE subscription_id = $1`,
      ),
    ).rejects.toThrow(/not allowed/);
    await expect(asOwner((owner) => owner.query('TRUNCATE usage_period_totals'))).rejects.toThrow(
      /not allowed/,
    );
    expect(Object.values(await usage.totals(subscription))).toEqual(['5']);
  });
});

describe('The migration that adds the running totals', () => {
  let database: SpecDatabase;
  let test: TestApp;

  beforeAll(async () => {
    database = await aSpecDatabase('usage_period_totals');
    test = await createTestApp({}, database.url);
  });

  afterAll(async () => {
    await test?.close();
    await database?.drop();
  });

  it('sums the usage already stored, withdrawn events left out', async () => {
    const usage = await aMeteredWorld(test);
    const [first, second] = [await usage.aSubscription(), await usage.aSubscription()];
    const periodId = await usage.alreadyReported(first, '0');
    // As before the migration: no totals table, no triggers; events stored and one withdrawn.
    await asOwner(
      (owner) =>
        owner.query(`DROP TABLE usage_period_totals;
                     DROP FUNCTION add_usage_to_period_totals() CASCADE;
                     DROP FUNCTION check_usage_period_total_change();
                     DELETE FROM schema_migrations WHERE name = 'UsagePeriodTotals1797000000002'`),
      database.ownerUrl,
    );
    for (const subscriptionId of [first, second]) {
      await someUsage(test.dataSource, {
        subscriptionId,
        billingPeriodId: periodId,
        metric: 'storage_gb',
        quantities: ['10', '2.5', '100'],
        at: hoursAgo(2),
      });
    }
    await test.dataSource.query(
      `UPDATE usage_events SET voided_at = now(), void_reason = 'Meter fault', voided_by_label = 'test'
        WHERE subscription_id = $1 AND quantity = 100`,
      [second],
    );

    expect(await migrateAsOwner(runServer().serverUrl, database.name)).toEqual([
      'UsagePeriodTotals1797000000002',
    ]);
    expect(Object.values(await usage.totals(first))).toEqual(['112.5']);
    expect(Object.values(await usage.totals(second))).toEqual(['12.5']);
    expect(await totalsDisagreeing(test.dataSource)).toEqual([]);
    // And from then on the triggers keep them.
    await usage.post([usage.anEvent(second, '0.5')]).expect(200);
    expect(Object.values(await usage.totals(second))).toEqual(['13']);
  });
});
