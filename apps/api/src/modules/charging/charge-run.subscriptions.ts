import type { QuantityChange, SubscriptionStatus, VatTreatment } from '@consortium/domain';
import type { EntityManager, QueryRunner } from 'typeorm';

/**
 * Subscriptions charged for a period: in force at some point of it. Suspended subscriptions ARE charged: a
 * suspension keeps the subscription and its share of the service's capacity (see the subscriptions module), so
 * the consumer keeps paying for what is reserved for it; the provider gives notice to stop the charges.
 */
export const CHARGED_STATUSES: readonly SubscriptionStatus[] = [
  'active',
  'suspended',
  'notice_given',
  'ended',
];

/** $1 consortium, $2 period start, $3 period end, $4 statuses: subscriptions in force on some day of the period. */
export const IN_FORCE_SQL = `s.consortium_id = $1 AND s.status = ANY($4::subscription_status[])
  AND s.start_date <= $3::date AND (s.end_date IS NULL OR s.end_date >= $2::date)
  AND (s.status <> 'ended' OR s.end_date IS NOT NULL)`;

/** A subscription's usage of one metric in the period, withdrawn events aside. */
export interface UsageTotal {
  total: string;
  events: number;
  /** The highest event id counted: any event written later has a higher one (see UsageBarrier). */
  throughEventId: string;
}

/** A subscription in force in the period, with everything pricing it needs. */
export interface ChargedSubscription {
  id: string;
  providerId: string;
  consumerId: string;
  serviceId: string;
  priceVersionId: string;
  startDate: string;
  endDate: string | null;
  /** The first quantity recorded: in force before any change. */
  quantity: number;
  quantityChanges: QuantityChange[];
  plan: unknown;
  vatTreatment: VatTreatment;
  /** Per metric; a metric with no event is absent. */
  usage: Map<string, UsageTotal>;
}

interface PeriodScope {
  id: string;
  consortiumId: string;
  startDate: string;
  endDate: string;
}

/** The period's usage per subscription, then per metric. */
export type PeriodUsage = Map<string, Map<string, UsageTotal>>;

/** One per connection: the run reads through its own connection. */
const CURSOR = 'charge_run_subscriptions';

/**
 * Reads the period's usage, summed per subscription and metric by one aggregate (which PostgreSQL may run in
 * parallel) rather than one per chunk, and opens the period's subscriptions for reading in id order: a holdable
 * cursor, materialised by the server when the caller's transaction commits, so the run holds a chunk of them at a
 * time. The usage totals stay in memory for the run: one per subscription and metric used (a few hundred bytes
 * each) however many events there are; subscriptions and lines are held a chunk at a time.
 *
 * The caller's transaction must hold the usage barrier exclusively (lockUsageOfPeriod): every event up to the
 * highest id counted here is in the totals, and any written later gets a higher id.
 */
export async function openChargedSubscriptions(
  manager: EntityManager,
  period: PeriodScope,
): Promise<PeriodUsage> {
  const rows: ({ subscriptionId: string; metric: string } & UsageTotal)[] = await manager.query(
    `SELECT subscription_id AS "subscriptionId", metric, sum(quantity)::text AS total, count(*)::int AS events,
            max(id)::text AS "throughEventId"
       FROM usage_events
      WHERE billing_period_id = $1 AND voided_at IS NULL
      GROUP BY subscription_id, metric`,
    [period.id],
  );
  const usage: PeriodUsage = new Map();
  for (const { subscriptionId, metric, ...total } of rows) {
    const perMetric = usage.get(subscriptionId) ?? new Map<string, UsageTotal>();
    perMetric.set(metric, total);
    usage.set(subscriptionId, perMetric);
  }
  await manager.query(
    `DECLARE ${CURSOR} NO SCROLL CURSOR WITH HOLD FOR
     SELECT s.id, s.provider_organisation_id AS "providerId", s.consumer_organisation_id AS "consumerId",
            s.service_id AS "serviceId", s.price_version_id AS "priceVersionId",
            s.start_date::text AS "startDate", s.end_date::text AS "endDate", pv.plan,
            sv.vat_treatment AS "vatTreatment",
            coalesce((SELECT q.quantity FROM subscription_quantities q WHERE q.subscription_id = s.id
                       ORDER BY q.effective_from LIMIT 1), s.quantity) AS quantity,
            coalesce((SELECT json_agg(json_build_object('effectiveFrom', q.effective_from::text,
                                                        'quantity', q.quantity) ORDER BY q.effective_from)
                        FROM subscription_quantities q
                       WHERE q.subscription_id = s.id AND q.effective_from <= $3::date), '[]') AS "quantityChanges"
       FROM subscriptions s
       JOIN price_versions pv ON pv.id = s.price_version_id
       JOIN services sv ON sv.id = s.service_id
      WHERE ${IN_FORCE_SQL}
      ORDER BY s.id`,
    [period.consortiumId, period.startDate, period.endDate, CHARGED_STATUSES],
  );
  return usage;
}

/** The next `limit` subscriptions from the cursor, with their usage; fewer at its end. */
export async function nextChargedSubscriptions(
  manager: EntityManager,
  limit: number,
  usage: PeriodUsage,
): Promise<ChargedSubscription[]> {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new Error(`Invalid chunk size ${limit}`);
  const rows: Omit<ChargedSubscription, 'usage'>[] = await manager.query(
    `FETCH FORWARD ${limit} FROM ${CURSOR}`,
  );
  return rows.map((row) => ({ ...row, usage: usage.get(row.id) ?? new Map<string, UsageTotal>() }));
}

/** A holdable cursor outlives transactions: closed before the connection goes back to the pool. */
export async function closeChargedSubscriptions(runner: QueryRunner): Promise<void> {
  await runner.query('CLOSE ALL');
}
