import type { Actor } from '@consortium/auth';
import {
  billingPeriodFor,
  billingPeriodFromKey,
  billingPeriodLabel,
  type BillingCycle,
  type BillingPeriod,
  periodAllows,
  pricePlanMetrics,
  type SubscriptionStatus,
  validatePricePlan,
} from '@consortium/domain';
import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { ProblemException } from '../../common/problem';
import { preparedQueryIn } from '../../database/prepared-query';
import { AuditService } from '../audit/audit.service';
import { BillingPeriodsService } from '../billing-periods/billing-periods.service';
import { ukToday } from '../catalogue/compliance-status';
import { MetricsService } from '../metrics/metrics.service';
import { MAX_USAGE_BATCH, UsageBatchResultDto, UsageEventResultDto } from './dto/usage-event.dto';
import {
  type PeriodRow,
  readUsageBatchContext,
  type SubscriptionForUsage,
  type UsageBatchContext,
  type UsageBatchKeys,
} from './usage-batch-context';
import { type CanonicalUsageEvent, checkUsageEventShape } from './usage-event-input';
import { PERIOD_USAGE_LIMIT_REASON, usageOverPeriodLimit } from './usage-period-limit';

/**
 * Statuses in which a subscription may have usage: in force now, or ended (late usage for days it served).
 * Whether it was in force on the day is judged by its dates (start_date ≤ day ≤ end_date): the status history is
 * not consulted, so usage reported for days a subscription was suspended is accepted (suspension keeps the
 * subscription and its capacity; the provider decides what to report).
 */
const STATUSES_WITH_USAGE: readonly SubscriptionStatus[] = ['active', 'suspended', 'notice_given', 'ended'];
/** Clock skew tolerated between the provider's clock and ours. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

/**
 * The metrics a price version charges for, worked out once per version and process: price versions are never
 * changed (a new price is a new version, and the API's role may only insert them), so this cannot go stale. Held
 * for the most recent versions only, so memory stays bounded.
 */
const METRICS_BY_PRICE_VERSION = new Map<string, string[]>();
const METRICS_KEPT = 10_000;
function metricsOf(subscription: SubscriptionForUsage): string[] {
  let metrics = METRICS_BY_PRICE_VERSION.get(subscription.priceVersionId);
  if (!metrics) {
    const plan = validatePricePlan(subscription.plan);
    metrics = plan.valid ? pricePlanMetrics(plan.plan) : [];
    if (METRICS_BY_PRICE_VERSION.size >= METRICS_KEPT) METRICS_BY_PRICE_VERSION.clear();
    METRICS_BY_PRICE_VERSION.set(subscription.priceVersionId, metrics);
  }
  return metrics;
}

/** An event that passed every check but the period's: stored once the period is known to be open. */
interface Candidate {
  index: number;
  event: CanonicalUsageEvent;
  consortiumId: string;
  /** The UK date of occurredAt. */
  day: string;
  /** The period by the consortium's cycle, created if no period covers the day yet. */
  period: BillingPeriod;
  periodRow?: PeriodRow;
}

/**
 * UK calendar days and billing periods for one batch, each worked out once. The UK date of an instant only
 * depends on its UTC hour (GMT and BST differ by a whole hour and change at 01:00 UTC), so it is cached per UTC
 * hour: Intl formatting per event is the costliest part of judging a batch otherwise.
 */
class UkDays {
  private readonly byHour = new Map<number, string>();
  private readonly periods = new Map<string, BillingPeriod>();

  of(event: CanonicalUsageEvent): string {
    const hour = Math.floor(event.occurredAtMs / 3_600_000);
    let day = this.byHour.get(hour);
    if (day === undefined) {
      day = ukToday(new Date(event.occurredAtMs));
      this.byHour.set(hour, day);
    }
    return day;
  }

  period(day: string, cycle: BillingCycle): BillingPeriod {
    const key = `${cycle}|${day}`;
    let period = this.periods.get(key);
    if (!period) {
      period = billingPeriodFor(day, cycle);
      this.periods.set(key, period);
    }
    return period;
  }
}

const EMPTY_CONTEXT: UsageBatchContext = { subscriptions: new Map(), periods: [], totals: new Map() };

/** Each (subscription, metric, UK day) the well-formed events report, once; undefined when there are none. */
function batchKeys(firsts: { event: CanonicalUsageEvent }[], days: UkDays): UsageBatchKeys | undefined {
  if (firsts.length === 0) return undefined;
  const seen = new Set<string>();
  const keys: UsageBatchKeys = { subscriptionIds: [], metrics: [], days: [], firstDay: '', lastDay: '' };
  for (const { event } of firsts) {
    const day = days.of(event);
    if (keys.firstDay === '' || day < keys.firstDay) keys.firstDay = day;
    if (day > keys.lastDay) keys.lastDay = day;
    const key = `${event.subscriptionId}|${event.metric}|${day}`;
    if (seen.has(key)) continue;
    seen.add(key);
    keys.subscriptionIds.push(event.subscriptionId);
    keys.metrics.push(event.metric);
    keys.days.push(day);
  }
  return keys;
}

/**
 * Gives each candidate the period of its consortium covering its day, looking each (consortium, day) up once (most
 * of a batch falls on a few days of one consortium). False when some day has no period yet.
 */
function assignPeriods(candidates: Candidate[], periods: readonly PeriodRow[]): boolean {
  const found = new Map<string, PeriodRow | undefined>();
  let complete = true;
  for (const candidate of candidates) {
    const key = `${candidate.consortiumId}|${candidate.day}`;
    if (!found.has(key)) {
      found.set(
        key,
        periods.find(
          (p) =>
            p.consortiumId === candidate.consortiumId &&
            p.startDate <= candidate.day &&
            candidate.day <= p.endDate,
        ),
      );
    }
    candidate.periodRow = found.get(key);
    if (!candidate.periodRow) complete = false;
  }
  return complete;
}

const result = (
  eventId: string | null,
  status: UsageEventResultDto['status'],
  code?: string,
  reason?: string,
): UsageEventResultDto => ({ eventId, status, ...(code ? { code, reason } : {}) });

/**
 * Metered usage from providers, ingested in batches. Every event is judged first (one query reads the batch's
 * subscriptions, periods and usage totals: readUsageBatchContext), then all accepted events are written by ONE
 * multi-row INSERT that skips ids already stored; a second query, only when some were not stored, tells replays
 * (same body hash) from conflicting reuses of an id. Everything happens in one transaction, so a batch is never
 * half-written.
 */
@Injectable()
export class UsageService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly periods: BillingPeriodsService,
    private readonly metrics: MetricsService,
  ) {}

  async ingest(actor: Actor, events: unknown[]): Promise<UsageBatchResultDto> {
    if (events.length > MAX_USAGE_BATCH) {
      throw new ProblemException(
        HttpStatus.PAYLOAD_TOO_LARGE,
        'payload-too-large',
        `A batch may hold at most ${MAX_USAGE_BATCH} events; this one has ${events.length}`,
        { code: 'batch-too-large' },
      );
    }
    const provider = actor.organisationId;
    const results: (UsageEventResultDto | undefined)[] = new Array(events.length);
    const checked = events.map(checkUsageEventShape);

    // The first occurrence of an id in the batch is judged; later ones repeat or contradict it.
    const firstIndex = new Map<string, number>();
    checked.forEach((check, index) => {
      if (check.ok && !firstIndex.has(check.event.eventId)) firstIndex.set(check.event.eventId, index);
    });
    const firsts: { index: number; event: CanonicalUsageEvent }[] = [];
    checked.forEach((check, index) => {
      if (!check.ok) results[index] = result(check.eventId, 'rejected', check.code, check.reason);
      else if (firstIndex.get(check.event.eventId) === index) firsts.push({ index, event: check.event });
    });

    const days = new UkDays();
    const keys = batchKeys(firsts, days);
    const batch = await this.dataSource.transaction(async (manager) => {
      let context = keys ? await readUsageBatchContext(manager, provider, keys) : EMPTY_CONTEXT;
      const now = Date.now();
      const candidates: Candidate[] = [];
      for (const { index, event } of firsts) {
        const rejection = this.judge(event, context.subscriptions.get(event.subscriptionId), now, days);
        if ('code' in rejection) {
          results[index] = result(event.eventId, 'rejected', rejection.code, rejection.reason);
        } else {
          candidates.push({ index, event, ...rejection });
        }
      }

      if (!assignPeriods(candidates, context.periods)) {
        await this.openMissingPeriods(manager, actor, candidates);
        context = await readUsageBatchContext(manager, provider, keys as UsageBatchKeys);
        assignPeriods(candidates, context.periods);
      }
      const inOpenPeriods: Candidate[] = [];
      const periodClosed: Candidate[] = [];
      for (const candidate of candidates) {
        if (candidate.periodRow && periodAllows(candidate.periodRow.status, 'record_usage')) {
          inOpenPeriods.push(candidate);
        } else {
          periodClosed.push(candidate);
        }
      }
      const overLimit = await usageOverPeriodLimit(
        manager,
        provider,
        inOpenPeriods.map((candidate) => ({
          candidate,
          event: candidate.event,
          periodId: (candidate.periodRow as PeriodRow).id,
        })),
        context.totals,
      );
      for (const { candidate } of overLimit) {
        results[candidate.index] = result(
          candidate.event.eventId,
          'rejected',
          'period-usage-limit',
          PERIOD_USAGE_LIMIT_REASON,
        );
      }
      const refused = new Set([...overLimit].map((usage) => usage.candidate));
      const insertable = refused.size === 0 ? inOpenPeriods : inOpenPeriods.filter((c) => !refused.has(c));

      const skipped = await this.insert(manager, provider, insertable);
      // Ids that were not inserted, or whose period is no longer open, may have been stored before.
      const stored = await this.storedHashes(manager, provider, [
        ...(skipped.size === 0 ? [] : insertable.filter((c) => skipped.has(c.event.eventId))),
        ...periodClosed,
      ]);
      for (const candidate of insertable) {
        const { eventId, bodyHash } = candidate.event;
        if (!skipped.has(eventId)) results[candidate.index] = result(eventId, 'accepted');
        else results[candidate.index] = this.replayOutcome(candidate.event, stored.get(eventId) ?? bodyHash);
      }
      for (const candidate of periodClosed) {
        const { eventId } = candidate.event;
        const earlier = stored.get(eventId);
        results[candidate.index] =
          earlier !== undefined
            ? this.replayOutcome(candidate.event, earlier)
            : result(
                eventId,
                'rejected',
                'period-not-open',
                `${billingPeriodLabel(billingPeriodFromKey(candidate.periodRow?.key ?? candidate.period.key))} ` +
                  `is closed to new usage: its net positions are fixed, so usage for its days can no longer be charged`,
              );
      }

      // Repeats of an id within the batch follow the first occurrence when their bodies agree.
      checked.forEach((check, index) => {
        if (!check.ok || results[index]) return;
        const first = checked[firstIndex.get(check.event.eventId) as number];
        const firstResult = results[firstIndex.get(check.event.eventId) as number] as UsageEventResultDto;
        if (first.ok && first.event.bodyHash !== check.event.bodyHash) {
          results[index] = conflicting(check.event.eventId);
        } else if (firstResult.status === 'rejected') {
          results[index] = { ...firstResult };
        } else {
          results[index] = result(check.event.eventId, 'duplicate');
        }
      });

      const final = results as UsageEventResultDto[];
      const counts = {
        accepted: final.filter((r) => r.status === 'accepted').length,
        duplicates: final.filter((r) => r.status === 'duplicate').length,
        rejected: final.filter((r) => r.status === 'rejected').length,
      };
      if (counts.accepted > 0) {
        const consortia = [...new Set(insertable.map((c) => c.consortiumId))];
        await this.audit.record(manager, actor, {
          action: 'usage.recorded',
          entityType: 'usage_batch',
          entityId: randomUUID(),
          consortiumId: consortia.length === 1 ? consortia[0] : null,
          changes: { ...counts, consortia },
        });
      }
      return { ...counts, results: final };
    });
    // Counted once committed, so a batch rolled back is not counted.
    this.metrics.countUsage(batch);
    return batch;
  }

  private judge(
    event: CanonicalUsageEvent,
    subscription: SubscriptionForUsage | undefined,
    now: number,
    days: UkDays,
  ): { code: string; reason: string } | { consortiumId: string; day: string; period: BillingPeriod } {
    if (!subscription) {
      return {
        code: 'not-your-subscription',
        reason: 'No subscription to one of your services has this id',
      };
    }
    if (event.occurredAtMs > now + FUTURE_TOLERANCE_MS) {
      return { code: 'occurred-in-future', reason: 'occurredAt is in the future' };
    }
    const day = days.of(event);
    // Dates from PostgreSQL's date::text and from ukToday are zero-padded YYYY-MM-DD: text order is date order.
    const inForce =
      STATUSES_WITH_USAGE.includes(subscription.status) &&
      subscription.startDate <= day &&
      (subscription.endDate === null || day <= subscription.endDate);
    if (!inForce) {
      return {
        code: 'subscription-not-in-force',
        reason: `The subscription was not in force on ${day}`,
      };
    }
    const metrics = metricsOf(subscription);
    if (!metrics.includes(event.metric)) {
      return {
        code: 'unknown-metric',
        reason: metrics.length
          ? `The subscription's price plan charges for ${metrics.join(', ')}, not ${event.metric}`
          : "The subscription's price plan does not charge for usage",
      };
    }
    return {
      consortiumId: subscription.consortiumId,
      day,
      period: days.period(day, subscription.cycle),
    };
  }

  /**
   * Opens the periods some candidates' days have none for yet, through the billing periods service, in a stable
   * order so concurrent batches creating the same periods never deadlock.
   */
  private async openMissingPeriods(
    manager: EntityManager,
    actor: Actor,
    candidates: Candidate[],
  ): Promise<void> {
    const missing = new Map<string, Candidate>();
    for (const c of candidates) if (!c.periodRow) missing.set(`${c.consortiumId}|${c.period.key}`, c);
    for (const [, c] of [...missing.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      await this.periods.ensurePeriodFor(manager, c.consortiumId, c.day, actor);
    }
  }

  /**
   * One statement for the whole batch, in event-id order so concurrent batches lock ids in the same order; the
   * ids it did not store (already stored, by an earlier or a concurrent batch) come back, which is usually none, so
   * a batch does not read back every id it wrote.
   */
  private async insert(manager: EntityManager, provider: string, rows: Candidate[]): Promise<Set<string>> {
    // The usage barrier of every period is already held, from readUsageBatchContext.
    if (rows.length === 0) return new Set();
    const [{ skipped }] = await preparedQueryIn<{ skipped: string[] }>(
      manager,
      'usage_batch_insert',
      `WITH stored AS (
         INSERT INTO usage_events (provider_organisation_id, event_id, subscription_id, billing_period_id, metric,
                                   quantity, occurred_at, body_hash)
         SELECT $1, e.event_id, e.subscription_id, e.billing_period_id, e.metric, e.quantity, e.occurred_at,
                e.body_hash
           FROM unnest($2::text[], $3::uuid[], $4::uuid[], $5::text[], $6::numeric[], $7::timestamptz[],
                       $8::text[])
                AS e(event_id, subscription_id, billing_period_id, metric, quantity, occurred_at, body_hash)
          ORDER BY e.event_id COLLATE "C"
         ON CONFLICT (provider_organisation_id, event_id) DO NOTHING
         RETURNING event_id
       )
       SELECT coalesce(array_agg(id), '{}') AS skipped
         FROM unnest($2::text[]) AS id
        WHERE NOT EXISTS (SELECT 1 FROM stored WHERE stored.event_id = id)`,
      [
        provider,
        rows.map((r) => r.event.eventId),
        rows.map((r) => r.event.subscriptionId),
        rows.map((r) => r.periodRow?.id),
        rows.map((r) => r.event.metric),
        rows.map((r) => r.event.quantity),
        rows.map((r) => r.event.occurredAt),
        rows.map((r) => r.event.bodyHash),
      ],
    );
    return new Set(skipped);
  }

  private async storedHashes(
    manager: EntityManager,
    provider: string,
    candidates: Candidate[],
  ): Promise<Map<string, string>> {
    if (candidates.length === 0) return new Map();
    const rows: { event_id: string; body_hash: string }[] = await manager.query(
      `SELECT event_id, body_hash FROM usage_events
        WHERE provider_organisation_id = $1 AND event_id = ANY($2::text[])`,
      [provider, candidates.map((c) => c.event.eventId)],
    );
    return new Map(rows.map((r) => [r.event_id, r.body_hash]));
  }

  private replayOutcome(event: CanonicalUsageEvent, storedHash: string): UsageEventResultDto {
    return storedHash === event.bodyHash ? result(event.eventId, 'duplicate') : conflicting(event.eventId);
  }
}

function conflicting(eventId: string): UsageEventResultDto {
  return result(
    eventId,
    'rejected',
    'conflicting-duplicate',
    'An event with this id was already reported with a different body',
  );
}
