import {
  groupThousands,
  MAX_USAGE_EVENT_QUANTITY,
  MAX_USAGE_PER_SUBSCRIPTION_PERIOD,
  usageBoundMicroUnits,
  usageMicroUnits,
} from '@consortium/domain';
import type { EntityManager } from 'typeorm';
import type { CanonicalUsageEvent } from './usage-event-input';

/** An event about to be stored in a billing period. */
export interface PeriodUsage {
  readonly event: CanonicalUsageEvent;
  readonly periodId: string;
}

const LIMIT = usageBoundMicroUnits(MAX_USAGE_PER_SUBSCRIPTION_PERIOD);
/** The most one event adds: a total this far from the limit cannot pass it with one more event. */
const MARGIN = usageBoundMicroUnits(MAX_USAGE_EVENT_QUANTITY);

export const PERIOD_USAGE_LIMIT_REASON =
  `A subscription may report at most ${groupThousands(String(MAX_USAGE_PER_SUBSCRIPTION_PERIOD))} units of a ` +
  'metric in one billing period, and this event would pass that';

/** How a (subscription, metric, billing period) total is keyed in the maps below. */
export const periodTotalKey = (subscriptionId: string, metric: string, periodId: string): string =>
  `${subscriptionId}|${metric}|${periodId}`;

/** One (subscription, metric, billing period) the batch reports usage for. */
interface Total {
  readonly key: string;
  readonly subscriptionId: string;
  readonly metric: string;
  readonly periodId: string;
  /** What the batch adds, in millionths of a unit. */
  added: bigint;
  readonly usages: { usage: PeriodUsage; micro: bigint }[];
}

/**
 * The events that would take their subscription's usage of a metric in a billing period past
 * MAX_USAGE_PER_SUBSCRIPTION_PERIOD: refused one by one, in request order, the others stored.
 *
 * `stored` holds the batch's (subscription, metric, period) totals, read with the rest of what the batch is judged
 * against (voided events left out, kept running by triggers: see storedTotals), and most batches end there. A total
 * that the batch brings within one event's maximum of the limit, or grows by more than one event's maximum, is at
 * risk: for each the batch takes a transaction-scoped advisory lock (in key order, so batches never deadlock), reads
 * the total again and judges exactly, leaving out events already stored (replays are not stored twice).
 * Batches at risk on the same total are so judged one after the other, each against what the one before
 * committed. Batches that add at most one event's maximum to a total far from the limit take no lock and make no
 * query here, so the limit can then be passed only while several batches for the same total are in flight at once,
 * by at most one event's maximum (0.1% of the limit) for each other batch in flight.
 */
export async function usageOverPeriodLimit<T extends PeriodUsage>(
  manager: EntityManager,
  provider: string,
  usages: readonly T[],
  stored: ReadonlyMap<string, bigint>,
): Promise<Set<T>> {
  if (usages.length === 0) return new Set();
  const totals = new Map<string, Total>();
  for (const usage of usages) {
    const { subscriptionId, metric } = usage.event;
    const key = periodTotalKey(subscriptionId, metric, usage.periodId);
    let total = totals.get(key);
    if (!total) {
      total = { key, subscriptionId, metric, periodId: usage.periodId, added: 0n, usages: [] };
      totals.set(key, total);
    }
    const micro = usageMicroUnits(usage.event.quantity);
    total.added += micro;
    total.usages.push({ usage, micro });
  }
  const atRisk = [...totals.values()].filter(
    (total) => total.added > MARGIN || (stored.get(total.key) ?? 0n) + total.added + MARGIN > LIMIT,
  );
  if (atRisk.length === 0) return new Set();

  atRisk.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  await manager.query(
    `SELECT pg_advisory_xact_lock(k)
       FROM (SELECT DISTINCT hashtextextended('usage-period-limit|' || t, 0) AS k FROM unnest($1::text[]) AS t) keys
      ORDER BY k`,
    [atRisk.map((total) => total.key)],
  );
  const current = await storedTotals(manager, atRisk);
  const alreadyStored = await storedEventIds(
    manager,
    provider,
    atRisk.flatMap((total) => total.usages.map(({ usage }) => usage.event.eventId)),
  );
  const refused = new Set<T>();
  for (const total of atRisk) {
    let running = current.get(total.key) ?? 0n;
    for (const { usage, micro } of total.usages) {
      if (alreadyStored.has(usage.event.eventId)) continue;
      if (running + micro > LIMIT) refused.add(usage as T);
      else running += micro;
    }
  }
  return refused;
}

/**
 * Stored usage per total, in millionths of a unit; withdrawn (voided) events do not count. Read from
 * usage_period_totals, which triggers on usage_events keep in the storing transaction: committed batches only, as
 * a sum over the events was.
 */
async function storedTotals(manager: EntityManager, totals: readonly Total[]): Promise<Map<string, bigint>> {
  const rows: { subscriptionId: string; metric: string; periodId: string; micro: string }[] =
    await manager.query(
      `SELECT subscription_id AS "subscriptionId", metric, billing_period_id AS "periodId",
              (quantity * 1000000)::numeric(40, 0)::text AS micro
         FROM usage_period_totals
        WHERE (subscription_id, billing_period_id, metric) IN
              (SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[]))`,
      [totals.map((t) => t.subscriptionId), totals.map((t) => t.periodId), totals.map((t) => t.metric)],
    );
  return new Map(rows.map((r) => [periodTotalKey(r.subscriptionId, r.metric, r.periodId), BigInt(r.micro)]));
}

async function storedEventIds(manager: EntityManager, provider: string, ids: string[]): Promise<Set<string>> {
  const rows: { event_id: string }[] = await manager.query(
    'SELECT event_id FROM usage_events WHERE provider_organisation_id = $1 AND event_id = ANY($2::text[])',
    [provider, ids],
  );
  return new Set(rows.map((r) => r.event_id));
}
