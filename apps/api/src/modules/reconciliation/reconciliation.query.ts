import type { EntityManager } from 'typeorm';
import { CHARGED_STATUSES } from '../charging/charge-run.subscriptions';

/** One subscription's days in force, or one of its metrics' usage, against what the period's charges charge. */
export interface ReconciliationRow {
  subscriptionId: string;
  serviceId: string;
  serviceTitle: string;
  providerId: string;
  providerName: string;
  consumerId: string;
  consumerName: string;
  /** `days` for the days in force (and days × quantity), `usage` for one metric's events. */
  measure: 'days' | 'usage';
  metric: string | null;
  /** Days in force (days) or accepted events (usage) not withdrawn. */
  expectedCount: number;
  /** Days × quantity in force (days) or accepted quantity (usage), exact decimal text. */
  expectedQuantity: string | null;
  chargedCount: number;
  chargedQuantity: string | null;
  withdrawnCount: number;
  withdrawnQuantity: string;
  /** References of the period's charges (not void) holding lines for it. */
  charges: string[];
  /** Expected and charged agree: nothing unbilled, nothing twice. */
  agrees: boolean;
}

/**
 * THE completeness invariant, as one query: for every subscription of the period, each day it was in force (at the
 * quantity in force that day) and each accepted usage event, per metric, against what the period's draft, issued
 * and supplementary charges (all but void ones) charge. Withdrawn events are counted apart. A row whose expected
 * and charged figures differ is unbilled (or charged twice); a period is complete when no row differs.
 *
 * Days expected are worked out here independently of the pricing code: from the subscription's dates and its
 * quantity history (the first recorded quantity stands before any change), for plans with a recurring charge;
 * a flat fee counts days only. `providerId` limits the rows to one provider's subscriptions.
 */
export async function reconcilePeriod(
  manager: EntityManager,
  billingPeriodId: string,
  options: { providerId?: string; differencesOnly?: boolean } = {},
): Promise<ReconciliationRow[]> {
  return manager.query(
    `WITH p AS (SELECT id, consortium_id, start_date, end_date FROM billing_periods WHERE id = $1),
     in_force AS (
       SELECT s.id, greatest(s.start_date, p.start_date) AS f,
              least(coalesce(s.end_date, p.end_date), p.end_date) AS t, s.quantity AS fallback,
              pv.plan->>'model' AS model
         FROM subscriptions s CROSS JOIN p JOIN price_versions pv ON pv.id = s.price_version_id
        WHERE s.consortium_id = p.consortium_id AND s.status = ANY($2::subscription_status[])
          AND s.start_date <= p.end_date AND (s.end_date IS NULL OR s.end_date >= p.start_date)
          AND (s.status <> 'ended' OR s.end_date IS NOT NULL)
          AND pv.plan->>'model' <> 'metered'),
     quantities AS (
       SELECT q.subscription_id, q.quantity,
              CASE WHEN row_number() OVER w = 1 THEN '-infinity'::date ELSE q.effective_from END AS f,
              coalesce(lead(q.effective_from) OVER w - 1, 'infinity'::date) AS t
         FROM subscription_quantities q WHERE q.subscription_id IN (SELECT id FROM in_force)
       WINDOW w AS (PARTITION BY q.subscription_id ORDER BY q.effective_from)),
     segments AS (
       SELECT i.id, greatest(i.f, q.f) AS f, least(i.t, q.t) AS t, q.quantity, i.model
         FROM in_force i JOIN quantities q ON q.subscription_id = i.id
       UNION ALL
       SELECT i.id, i.f, i.t, i.fallback, i.model FROM in_force i
        WHERE NOT EXISTS (SELECT 1 FROM subscription_quantities q WHERE q.subscription_id = i.id)),
     expected_days AS (
       SELECT id AS subscription_id, sum(t - f + 1)::int AS days,
              CASE WHEN min(model) = 'flat_fee' THEN NULL ELSE sum((t - f + 1) * quantity) END AS unit_days
         FROM segments WHERE t >= f GROUP BY id),
     lines AS (
       SELECT l.subscription_id, l.service_days, l.unit_days, l.usage_metric, l.usage_events, l.usage_quantity,
              c.reference
         FROM cross_charge_lines l JOIN cross_charges c ON c.id = l.cross_charge_id
        WHERE l.billing_period_id = $1 AND c.status <> 'void'),
     charged_days AS (
       SELECT subscription_id, sum(service_days)::int AS days, sum(unit_days) AS unit_days
         FROM lines WHERE service_days IS NOT NULL GROUP BY subscription_id),
     days AS (
       SELECT coalesce(e.subscription_id, c.subscription_id) AS subscription_id, 'days' AS measure,
              NULL::text AS metric, coalesce(e.days, 0) AS expected_count, e.unit_days AS expected_quantity,
              coalesce(c.days, 0) AS charged_count, c.unit_days AS charged_quantity,
              0 AS withdrawn_count, 0::numeric AS withdrawn_quantity
         FROM expected_days e FULL JOIN charged_days c ON c.subscription_id = e.subscription_id),
     accepted AS (
       SELECT subscription_id, metric,
              count(*) FILTER (WHERE voided_at IS NULL)::int AS events,
              coalesce(sum(quantity) FILTER (WHERE voided_at IS NULL), 0) AS quantity,
              count(*) FILTER (WHERE voided_at IS NOT NULL)::int AS withdrawn_events,
              coalesce(sum(quantity) FILTER (WHERE voided_at IS NOT NULL), 0) AS withdrawn_quantity
         FROM usage_events WHERE billing_period_id = $1 GROUP BY subscription_id, metric),
     charged_usage AS (
       SELECT subscription_id, usage_metric AS metric, sum(usage_events)::int AS events,
              sum(usage_quantity) AS quantity
         FROM lines WHERE usage_metric IS NOT NULL GROUP BY subscription_id, usage_metric),
     usage AS (
       SELECT coalesce(a.subscription_id, c.subscription_id), 'usage', coalesce(a.metric, c.metric),
              coalesce(a.events, 0), coalesce(a.quantity, 0), coalesce(c.events, 0), coalesce(c.quantity, 0),
              coalesce(a.withdrawn_events, 0), coalesce(a.withdrawn_quantity, 0)
         FROM accepted a FULL JOIN charged_usage c ON c.subscription_id = a.subscription_id AND c.metric = a.metric),
     rows AS (SELECT * FROM days UNION ALL SELECT * FROM usage)
     SELECT r.subscription_id AS "subscriptionId", s.service_id AS "serviceId", sv.title AS "serviceTitle",
            s.provider_organisation_id AS "providerId", prov.name AS "providerName",
            s.consumer_organisation_id AS "consumerId", cons.name AS "consumerName",
            r.measure, r.metric, r.expected_count AS "expectedCount",
            r.expected_quantity::text AS "expectedQuantity", r.charged_count AS "chargedCount",
            r.charged_quantity::text AS "chargedQuantity", r.withdrawn_count AS "withdrawnCount",
            r.withdrawn_quantity::text AS "withdrawnQuantity",
            (r.expected_count = r.charged_count
             AND r.expected_quantity IS NOT DISTINCT FROM r.charged_quantity) AS agrees,
            coalesce((SELECT array_agg(DISTINCT l.reference ORDER BY l.reference) FROM lines l
                       WHERE l.subscription_id = r.subscription_id), '{}') AS charges
       FROM rows r
       JOIN subscriptions s ON s.id = r.subscription_id
       JOIN services sv ON sv.id = s.service_id
       JOIN organisations prov ON prov.id = s.provider_organisation_id
       JOIN organisations cons ON cons.id = s.consumer_organisation_id
      WHERE ($3::uuid IS NULL OR s.provider_organisation_id = $3)
        AND (NOT $4 OR r.expected_count <> r.charged_count
             OR r.expected_quantity IS DISTINCT FROM r.charged_quantity)
      ORDER BY prov.name, cons.name, sv.title, r.subscription_id, r.measure, r.metric`,
    [billingPeriodId, CHARGED_STATUSES, options.providerId ?? null, options.differencesOnly ?? false],
  );
}
