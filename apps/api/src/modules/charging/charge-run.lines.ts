import { formatDecimal } from '@consortium/domain';
import type { EntityManager } from 'typeorm';
import { lineDetail, type PricedDraftLine } from './charge-run.pricing';
import type { ChargedSubscription } from './charge-run.subscriptions';

/** A line to write on a draft. */
export interface LineToWrite {
  crossChargeId: string;
  subscription: ChargedSubscription;
  line: PricedDraftLine;
}

/**
 * Replaces the draft lines of a chunk of subscriptions (in id order) with `lines`, in one statement, and moves
 * each draft's totals by exactly the lines removed and added. Lines of charges that have left draft stay.
 */
export async function replaceDraftLines(
  manager: EntityManager,
  periodId: string,
  runId: string,
  subscriptionIds: string[],
  lines: LineToWrite[],
): Promise<void> {
  const usageOf = ({ subscription, line }: LineToWrite) =>
    line.usageMetric === null ? undefined : subscription.usage.get(line.usageMetric);
  await manager.query(
    `WITH replaced AS MATERIALIZED (
       -- The chunk's id range bounds the scan of (billing_period_id, subscription_id) whatever the statistics say
       -- (they lag behind a run's own writes): a plan over the whole period tests every line of it instead.
       SELECT l.id FROM cross_charge_lines l
        WHERE l.billing_period_id = $1 AND l.subscription_id BETWEEN $2 AND $3
          AND l.subscription_id = ANY($4::uuid[])),
     removed AS (
       DELETE FROM cross_charge_lines l USING replaced r, cross_charges c
        WHERE l.id = r.id AND c.id = l.cross_charge_id AND c.status = 'draft'
       RETURNING l.cross_charge_id, l.net_minor, l.vat_minor),
     added AS (
       INSERT INTO cross_charge_lines (cross_charge_id, billing_period_id, subscription_id, service_id,
                                       price_version_id, line_key, kind, description, quantity, unit_rate,
                                       net_minor, vat_minor, vat_treatment, detail, service_days, unit_days,
                                       usage_metric, usage_quantity, usage_events, usage_through_event_id,
                                       charge_run_id)
       SELECT l.cross_charge_id, $1, l.subscription_id, l.service_id, l.price_version_id, l.line_key, l.kind,
              l.description, l.quantity, l.unit_rate, l.net_minor, l.vat_minor, l.vat_treatment, l.detail,
              l.service_days, l.unit_days, l.usage_metric, l.usage_quantity, l.usage_events, l.through, $5
         -- The details travel as one JSON array: as a jsonb[] each would be escaped into array syntax first.
         FROM ROWS FROM (unnest($6::uuid[]), unnest($7::uuid[]), unnest($8::uuid[]), unnest($9::uuid[]),
                         unnest($10::text[]), unnest($11::text[]), unnest($12::text[]), unnest($13::text[]),
                         unnest($14::text[]), unnest($15::bigint[]), unnest($16::bigint[]), unnest($17::text[]),
                         jsonb_array_elements($18::jsonb), unnest($19::int[]), unnest($20::numeric[]),
                         unnest($21::text[]), unnest($22::numeric[]), unnest($23::int[]), unnest($24::bigint[]))
              AS l(cross_charge_id, subscription_id, service_id, price_version_id, line_key, kind, description,
                   quantity, unit_rate, net_minor, vat_minor, vat_treatment, detail, service_days, unit_days,
                   usage_metric, usage_quantity, usage_events, through)
       RETURNING cross_charge_id, net_minor, vat_minor),
     moves AS (
       SELECT cross_charge_id, sum(net) AS net, sum(vat) AS vat
         FROM (SELECT cross_charge_id, -net_minor AS net, -vat_minor AS vat FROM removed
               UNION ALL SELECT cross_charge_id, net_minor, vat_minor FROM added) m
        GROUP BY cross_charge_id)
     UPDATE cross_charges c
        SET net_minor = c.net_minor + m.net, vat_minor = c.vat_minor + m.vat,
            gross_minor = c.gross_minor + m.net + m.vat, charge_run_id = $5, updated_at = now()
       FROM moves m
      WHERE c.id = m.cross_charge_id`,
    [
      periodId,
      subscriptionIds[0],
      subscriptionIds[subscriptionIds.length - 1],
      subscriptionIds,
      runId,
      lines.map((l) => l.crossChargeId),
      lines.map((l) => l.subscription.id),
      lines.map((l) => l.subscription.serviceId),
      lines.map((l) => l.subscription.priceVersionId),
      lines.map((l) => l.line.key),
      lines.map((l) => l.line.kind),
      lines.map((l) => l.line.description),
      lines.map((l) => formatDecimal(l.line.quantity)),
      lines.map((l) => l.line.desired?.unitRate ?? null),
      lines.map((l) => l.line.netMinor.toString()),
      lines.map((l) => l.line.vatMinor.toString()),
      lines.map((l) => l.line.desired?.vatTreatment ?? l.subscription.vatTreatment),
      JSON.stringify(lines.map((l) => lineDetail(l.line))),
      lines.map((l) => l.line.serviceDays),
      lines.map((l) => (l.line.unitDays ? formatDecimal(l.line.unitDays) : null)),
      lines.map((l) => l.line.usageMetric),
      lines.map((l) => (l.line.usageQuantity ? formatDecimal(l.line.usageQuantity) : null)),
      lines.map((l) => l.line.usageEvents),
      lines.map((l) => usageOf(l)?.throughEventId ?? null),
    ],
  );
}
