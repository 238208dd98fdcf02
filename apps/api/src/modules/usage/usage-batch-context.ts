import type { BillingCycle, BillingPeriodStatus, SubscriptionStatus } from '@consortium/domain';
import type { EntityManager } from 'typeorm';
import { preparedQueryIn } from '../../database/prepared-query';
import { USAGE_BARRIER_KEY_SQL } from './usage-barrier';
import { periodTotalKey } from './usage-period-limit';

export interface SubscriptionForUsage {
  id: string;
  consortiumId: string;
  status: SubscriptionStatus;
  startDate: string;
  endDate: string | null;
  priceVersionId: string;
  plan: unknown;
  cycle: BillingCycle;
}

export interface PeriodRow {
  id: string;
  consortiumId: string;
  key: string;
  status: BillingPeriodStatus;
  startDate: string;
  endDate: string;
}

/** What a batch reports: each (subscription, metric, UK day) once, and the first and last day. */
export interface UsageBatchKeys {
  subscriptionIds: string[];
  metrics: string[];
  days: string[];
  firstDay: string;
  lastDay: string;
}

/** Everything a batch is judged against, read in one round trip. */
export interface UsageBatchContext {
  /** The caller's subscriptions among those reported: others' are simply not found, so never revealed. */
  subscriptions: Map<string, SubscriptionForUsage>;
  /** The periods of those subscriptions' consortia that overlap the batch's days. */
  periods: PeriodRow[];
  /** Stored usage in millionths of a unit, by periodTotalKey; a total not found is 0. */
  totals: Map<string, bigint>;
}

/**
 * Reads the caller's subscriptions, the periods covering the batch's days and the running totals of usage those
 * days fall in (usage_period_totals, committed batches only), in one statement rather than one each: a batch's
 * time is mostly round trips. The periods are share-locked, so none can start closing before the batch commits
 * (a close waits for the batch, and the batch waits for a close in progress), and then the usage barrier is taken
 * shared on each, after its row lock as a charge run takes them: a run never reads a period's usage half-written.
 */
export async function readUsageBatchContext(
  manager: EntityManager,
  provider: string,
  keys: UsageBatchKeys,
): Promise<UsageBatchContext> {
  const [row]: {
    subscriptions: SubscriptionForUsage[] | null;
    periods: PeriodRow[] | null;
    totals: { subscriptionId: string; metric: string; periodId: string; micro: string }[] | null;
  }[] = await preparedQueryIn(
    manager,
    'usage_batch_context',
    `WITH subscription AS (
       SELECT s.id, s.consortium_id, s.status, s.start_date, s.end_date, s.price_version_id, pv.plan,
              c.billing_cycle
         FROM subscriptions s
         JOIN price_versions pv ON pv.id = s.price_version_id
         JOIN consortia c ON c.id = s.consortium_id
        WHERE s.id = ANY($2::uuid[]) AND s.provider_organisation_id = $1
     ), period AS (
       SELECT p.id, p.consortium_id, p.key, p.status, p.start_date, p.end_date
         FROM billing_periods p
        WHERE p.consortium_id IN (SELECT consortium_id FROM subscription)
          AND p.start_date <= $6::date AND p.end_date >= $5::date
        ORDER BY p.id
          FOR SHARE
     ), barrier AS (
       SELECT count(*) FROM (SELECT pg_advisory_xact_lock_shared(${USAGE_BARRIER_KEY_SQL('id')}) FROM period) AS locked
     )
     SELECT
       (SELECT json_agg(json_build_object('id', id, 'consortiumId', consortium_id, 'status', status,
                                          'startDate', start_date::text, 'endDate', end_date::text,
                                          'priceVersionId', price_version_id, 'plan', plan,
                                          'cycle', billing_cycle))
          FROM subscription) AS subscriptions,
       (SELECT json_agg(json_build_object('id', id, 'consortiumId', consortium_id, 'key', key, 'status', status,
                                          'startDate', start_date::text, 'endDate', end_date::text) ORDER BY id)
          FROM period) AS periods,
       (SELECT count FROM barrier) AS barriers,
       (SELECT json_agg(json_build_object('subscriptionId', t.subscription_id, 'metric', t.metric,
                                          'periodId', t.billing_period_id,
                                          'micro', (t.quantity * 1000000)::numeric(40, 0)::text))
          FROM (SELECT DISTINCT p.id, k.subscription_id, k.metric
                  FROM unnest($2::uuid[], $3::text[], $4::date[]) AS k(subscription_id, metric, day)
                  JOIN subscription s ON s.id = k.subscription_id
                  JOIN period p ON p.consortium_id = s.consortium_id AND k.day BETWEEN p.start_date AND p.end_date
               ) AS k
          JOIN usage_period_totals t
            ON t.subscription_id = k.subscription_id AND t.billing_period_id = k.id AND t.metric = k.metric
       ) AS totals`,
    [provider, keys.subscriptionIds, keys.metrics, keys.days, keys.firstDay, keys.lastDay],
  );
  return {
    subscriptions: new Map((row.subscriptions ?? []).map((s) => [s.id, s])),
    periods: row.periods ?? [],
    totals: new Map(
      (row.totals ?? []).map((t) => [
        periodTotalKey(t.subscriptionId, t.metric, t.periodId),
        BigInt(t.micro),
      ]),
    ),
  };
}
