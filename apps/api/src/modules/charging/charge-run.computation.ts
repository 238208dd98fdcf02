import {
  assertPeriodAllows,
  type BillingPeriod,
  type BillingPeriodStatus,
  type BillingCycle,
  chargeLineToJson,
  type ChargeLine,
  computeChargeLines,
  DomainError,
  periodContains,
  pricePlanMetrics,
  assertValidPricePlan,
  type SubscriptionStatus,
  type VatTreatment,
} from '@consortium/domain';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { crossChargeReference, crossChargeReferencePrefix } from './charge-run-reference';
import { type ClaimedRun, ChargeRunLease, LeaseLost, LeaseReleased } from './charge-run.lease';

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
export const CHARGE_RUN_CHUNK_SIZE = 500;

export interface ChargeRunOptions {
  /** Subscriptions per transaction. */
  chunkSize?: number;
  /**
   * Stop (as if killed) after this many chunks, leaving the run `running` with its lease and a heartbeat already
   * stale, so it can be resumed at once: for resumability tests.
   */
  stopAfterChunks?: number;
  /** Take the run even from a live holder (the operator's resume-charge-run): that holder stops at its next chunk. */
  force?: boolean;
}

interface RunRow {
  id: string;
  billingPeriodId: string;
  consortiumId: string;
  status: string;
  /** This execution's lease on the run (see ChargeRunLease). */
  leaseId: string;
}

interface PeriodRow {
  id: string;
  consortiumId: string;
  key: string;
  cycle: BillingCycle;
  startDate: string;
  endDate: string;
  status: BillingPeriodStatus;
  consortiumName: string;
  currency: string;
}

interface SubscriptionRow {
  id: string;
  providerId: string;
  consumerId: string;
  serviceId: string;
  priceVersionId: string;
  startDate: string;
  endDate: string | null;
  quantity: number;
  plan: unknown;
  vatTreatment: VatTreatment;
}

interface ComputedLine {
  subscription: SubscriptionRow;
  line: ChargeLine;
  detail: Record<string, unknown>;
}

const pairKey = (provider: string, consumer: string) => `${provider}|${consumer}`;

/**
 * The charge run's work: every subscription in force during the period, in chunks of subscriptions (one
 * transaction each), priced by the domain's computeChargeLines and grouped into one draft cross-charge per
 * provider and consumer. Idempotent and resumable: lines are unique per (period, subscription, line key) and
 * inserted with ON CONFLICT DO NOTHING, cross-charges are unique per (period, provider, consumer), and totals are
 * recomputed from the lines, so running again (after a crash or not) adds only what is missing. A cross-charge
 * that has left draft (issued, approved…) is locked and skipped, never touched.
 *
 * Simplifications (documented on purpose): the quantity charged is the one in effect on the last day served in
 * the period (subscription_quantities); lines already computed for a draft are not recomputed by a later run.
 */
@Injectable()
export class ChargeRunComputation {
  private readonly logger = new Logger('ChargeRun');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly lease: ChargeRunLease,
  ) {}

  /**
   * Runs (or resumes) a charge run: claims it (a queued run, or an interrupted one whose heartbeat is stale) and
   * runs it here. A run held by a live worker is left alone, so a retried job never runs it twice. Records
   * completion or failure on the run; never throws for a failed run.
   */
  async execute(runId: string, options: ChargeRunOptions = {}): Promise<void> {
    const run = await this.claim(runId, options.force ?? false);
    if (!run) return;
    await this.executeClaimed(run, options);
  }

  /**
   * Runs a run this process has just claimed to its end, beating its heartbeat meanwhile. Losing the lease
   * (another instance took the run over) stops it without writing anything more; a shutdown stops it at its
   * chunk and releases it for another instance to take at once.
   */
  async executeClaimed(run: ClaimedRun, options: ChargeRunOptions = {}): Promise<void> {
    const heartbeat = this.lease.keepAlive(run);
    let finished: boolean;
    try {
      finished = await this.compute(run, options);
    } catch (error) {
      await heartbeat.stop();
      return this.stopped(run, error);
    }
    // No beat may land after this: the run is finished, or left looking crashed.
    await heartbeat.stop();
    if (finished) await this.finish(run);
    else await this.lease.abandon(run);
  }

  /** Claims the run under a new lease; null when it has finished or a live worker holds it. */
  private claim(runId: string, force: boolean): Promise<ClaimedRun | null> {
    return this.lease.claim(runId, { force });
  }

  private async stopped(run: RunRow, error: unknown): Promise<void> {
    if (error instanceof LeaseLost) return this.logger.warn(error.message);
    if (error instanceof LeaseReleased) {
      await this.lease.release(run);
      return this.logger.log(error.message);
    }
    const message = error instanceof Error ? error.message : String(error);
    this.logger.error(`charge run ${run.id} failed: ${message}`);
    // Only while still its holder: a run another instance has taken over is theirs to finish or fail.
    await this.dataSource.query(
      `UPDATE charge_runs SET status = 'failed', error = $3, finished_at = now()
        WHERE id = $1 AND lease_id = $2 AND status = 'running'`,
      [run.id, run.leaseId, message.slice(0, 2000)],
    );
  }

  private async compute(run: RunRow, options: ChargeRunOptions): Promise<boolean> {
    const chunkSize = options.chunkSize ?? CHARGE_RUN_CHUNK_SIZE;
    const period = await this.period(this.dataSource.manager, run.billingPeriodId, false);
    assertPeriodAllows(period.status, 'run_charges');
    const [{ total }] = await this.dataSource.query(
      `SELECT count(*)::int AS total FROM subscriptions s WHERE ${IN_FORCE_SQL}`,
      [period.consortiumId, period.startDate, period.endDate, CHARGED_STATUSES],
    );
    await this.dataSource.query('UPDATE charge_runs SET total_subscriptions = $2 WHERE id = $1', [
      run.id,
      total,
    ]);
    this.logger.log(`charge run ${run.id}: period ${period.key}, ${total} subscriptions to charge`);

    let after = '00000000-0000-0000-0000-000000000000';
    let processed = 0;
    let chunks = 0;
    for (;;) {
      if (options.stopAfterChunks !== undefined && chunks >= options.stopAfterChunks) return false;
      const done = await this.dataSource.transaction(async (manager) => {
        // The period stays open (share lock) while this chunk writes: a close cannot begin half-way through it.
        const locked = await this.period(manager, period.id, true);
        assertPeriodAllows(locked.status, 'run_charges');
        const subscriptions = await this.subscriptionsAfter(manager, locked, after, chunkSize);
        if (subscriptions.length === 0) return true;
        after = subscriptions[subscriptions.length - 1].id;
        await this.chargeChunk(manager, run, locked, subscriptions);
        processed += subscriptions.length;
        // Committed only while this process still holds the run: a zombie's chunk rolls back (LeaseLost).
        await this.lease.recordProgress(manager, run, processed);
        return subscriptions.length < chunkSize;
      });
      chunks += 1;
      this.logger.log(`charge run ${run.id}: ${processed}/${total} subscriptions`);
      if (done) return true;
    }
  }

  private async chargeChunk(
    manager: EntityManager,
    run: RunRow,
    period: PeriodRow,
    subscriptions: SubscriptionRow[],
  ): Promise<void> {
    const usage = await this.usageOf(
      manager,
      period.id,
      subscriptions.map((s) => s.id),
    );
    const billingPeriod: BillingPeriod = {
      cycle: period.cycle,
      key: period.key,
      startDate: period.startDate,
      endDate: period.endDate,
    };
    const computed: ComputedLine[] = [];
    for (const subscription of subscriptions) {
      try {
        const plan = assertValidPricePlan(subscription.plan);
        const metrics = pricePlanMetrics(plan);
        const used = usage.get(subscription.id) ?? new Map<string, { total: string; events: number }>();
        const usageInput = Object.fromEntries(
          [...used.entries()].filter(([metric]) => metrics.includes(metric)).map(([m, u]) => [m, u.total]),
        );
        const lines = computeChargeLines({
          plan,
          period: billingPeriod,
          quantity: subscription.quantity,
          usage: usageInput,
          subscriptionStartDate: subscription.startDate,
          subscriptionEndDate: subscription.endDate,
          // The one-off fee belongs to the period the subscription started in, and only to it.
          setupFeeDue: periodContains(billingPeriod, subscription.startDate),
          vatTreatment: subscription.vatTreatment,
        });
        for (const line of lines) {
          if (line.amount.currency !== period.currency) {
            throw new DomainError('invalid', 'currency-mismatch', `Charged in ${line.amount.currency}`);
          }
          const usageEvents = line.usage ? (used.get(line.usage.metric)?.events ?? 0) : undefined;
          computed.push({
            subscription,
            line,
            detail: {
              ...chargeLineToJson(line),
              quantityInEffect: subscription.quantity,
              ...(usageEvents !== undefined ? { usageEvents } : {}),
            },
          });
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(`subscription ${subscription.id}: ${message}`);
      }
    }
    if (computed.length === 0) return;

    const drafts = await this.draftCrossCharges(manager, run, period, [
      ...new Set(computed.map((c) => pairKey(c.subscription.providerId, c.subscription.consumerId))),
    ]);
    const rows = computed.filter((c) =>
      drafts.has(pairKey(c.subscription.providerId, c.subscription.consumerId)),
    );
    if (rows.length === 0) return;
    const json = rows.map((r) => r.detail as unknown as { quantity: string; unitRate: string });
    await manager.query(
      `INSERT INTO cross_charge_lines (cross_charge_id, billing_period_id, subscription_id, service_id,
                                       price_version_id, line_key, kind, description, quantity, unit_rate,
                                       net_minor, vat_minor, vat_treatment, detail)
       SELECT l.cross_charge_id, $1, l.subscription_id, l.service_id, l.price_version_id, l.line_key, l.kind,
              l.description, l.quantity, l.unit_rate, l.net_minor, l.vat_minor, l.vat_treatment, l.detail
         FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::text[], $9::text[],
                     $10::text[], $11::bigint[], $12::bigint[], $13::text[], $14::jsonb[])
              AS l(cross_charge_id, subscription_id, service_id, price_version_id, line_key, kind, description,
                   quantity, unit_rate, net_minor, vat_minor, vat_treatment, detail)
       ON CONFLICT (billing_period_id, subscription_id, line_key) DO NOTHING`,
      [
        period.id,
        rows.map((r) => drafts.get(pairKey(r.subscription.providerId, r.subscription.consumerId))),
        rows.map((r) => r.subscription.id),
        rows.map((r) => r.subscription.serviceId),
        rows.map((r) => r.subscription.priceVersionId),
        rows.map((r) => r.line.key),
        rows.map((r) => r.line.kind),
        rows.map((r) => r.line.description),
        json.map((j) => j.quantity),
        json.map((j) => j.unitRate),
        rows.map((r) => r.line.amount.amountMinor.toString()),
        rows.map((r) => r.line.vat.amountMinor.toString()),
        rows.map((r) => r.line.vatTreatment),
        rows.map((r) => JSON.stringify(r.detail)),
      ],
    );
    // A draft's totals are always the sums of its lines, recomputed rather than accumulated (so a rerun is exact).
    await manager.query(
      `UPDATE cross_charges c
          SET net_minor = t.net, vat_minor = t.vat, gross_minor = t.net + t.vat, charge_run_id = $2,
              updated_at = now()
         FROM (SELECT cross_charge_id, sum(net_minor) AS net, sum(vat_minor) AS vat
                 FROM cross_charge_lines WHERE cross_charge_id = ANY($1::uuid[]) GROUP BY cross_charge_id) t
        WHERE c.id = t.cross_charge_id AND c.status = 'draft'`,
      [[...new Set(drafts.values())], run.id],
    );
  }

  /**
   * The draft cross-charge of each (provider, consumer) pair, created when missing and row-locked for the rest of
   * the chunk's transaction, so it cannot be issued while lines are being added. Pairs whose cross-charge has
   * left draft are absent from the result: their subscriptions are skipped.
   */
  private async draftCrossCharges(
    manager: EntityManager,
    run: RunRow,
    period: PeriodRow,
    pairs: string[],
  ): Promise<Map<string, string>> {
    const providers = pairs.map((p) => p.split('|')[0]);
    const consumers = pairs.map((p) => p.split('|')[1]);
    const select = () =>
      manager.query(
        `SELECT c.id, c.provider_organisation_id AS "providerId", c.consumer_organisation_id AS "consumerId",
                c.status
           FROM cross_charges c
           JOIN unnest($2::uuid[], $3::uuid[]) AS p(provider_id, consumer_id)
             ON c.provider_organisation_id = p.provider_id AND c.consumer_organisation_id = p.consumer_id
          WHERE c.billing_period_id = $1
          ORDER BY c.id
            FOR UPDATE OF c`,
        [period.id, providers, consumers],
      ) as Promise<{ id: string; providerId: string; consumerId: string; status: string }[]>;
    let existing = await select();
    const missing = pairs.filter((p) => !existing.some((e) => pairKey(e.providerId, e.consumerId) === p));
    if (missing.length > 0) {
      const prefix = crossChargeReferencePrefix(period.consortiumName, period.key);
      // References are numbered per prefix; consortia sharing initials take turns (transaction-scoped lock).
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`cross-charge-reference:${prefix}`]);
      const [{ last }] = await manager.query(
        `SELECT coalesce(max(substring(reference from $2::int)::int), 0)::int AS last
           FROM cross_charges WHERE reference ~ ('^' || $1 || '-[0-9]+$')`,
        [prefix, prefix.length + 2],
      );
      await manager.query(
        `INSERT INTO cross_charges (consortium_id, billing_period_id, provider_organisation_id,
                                    consumer_organisation_id, status, reference, currency, net_minor, vat_minor,
                                    gross_minor, charge_run_id)
         SELECT $1, $2, p.provider_id, p.consumer_id, 'draft', p.reference, $3, 0, 0, 0, $4
           FROM unnest($5::uuid[], $6::uuid[], $7::text[]) AS p(provider_id, consumer_id, reference)
         ON CONFLICT (billing_period_id, provider_organisation_id, consumer_organisation_id) DO NOTHING`,
        [
          period.consortiumId,
          period.id,
          period.currency,
          run.id,
          missing.map((p) => p.split('|')[0]),
          missing.map((p) => p.split('|')[1]),
          missing.map((_, index) => crossChargeReference(prefix, last + index + 1)),
        ],
      );
      existing = await select();
    }
    return new Map(
      existing.filter((e) => e.status === 'draft').map((e) => [pairKey(e.providerId, e.consumerId), e.id]),
    );
  }

  private async period(manager: EntityManager, id: string, lock: boolean): Promise<PeriodRow> {
    const rows: PeriodRow[] = await manager.query(
      `SELECT p.id, p.consortium_id AS "consortiumId", p.key, p.cycle, p.start_date::text AS "startDate",
              p.end_date::text AS "endDate", p.status, c.name AS "consortiumName", c.currency
         FROM billing_periods p JOIN consortia c ON c.id = p.consortium_id
        WHERE p.id = $1 ${lock ? 'FOR SHARE OF p' : ''}`,
      [id],
    );
    if (!rows[0])
      throw new DomainError('not_found', 'period-not-found', 'The billing period no longer exists');
    return rows[0];
  }

  private subscriptionsAfter(
    manager: EntityManager,
    period: PeriodRow,
    after: string,
    limit: number,
  ): Promise<SubscriptionRow[]> {
    return manager.query(
      `SELECT s.id, s.provider_organisation_id AS "providerId", s.consumer_organisation_id AS "consumerId",
              s.service_id AS "serviceId", s.price_version_id AS "priceVersionId",
              s.start_date::text AS "startDate", s.end_date::text AS "endDate", pv.plan,
              sv.vat_treatment AS "vatTreatment",
              coalesce((SELECT q.quantity FROM subscription_quantities q
                         WHERE q.subscription_id = s.id
                           AND q.effective_from <= LEAST(coalesce(s.end_date, $3::date), $3::date)
                         ORDER BY q.effective_from DESC LIMIT 1), s.quantity) AS quantity
         FROM subscriptions s
         JOIN price_versions pv ON pv.id = s.price_version_id
         JOIN services sv ON sv.id = s.service_id
        WHERE ${IN_FORCE_SQL} AND s.id > $5
        ORDER BY s.id
        LIMIT $6`,
      [period.consortiumId, period.startDate, period.endDate, CHARGED_STATUSES, after, limit],
    );
  }

  /** Usage of the period per subscription and metric: totals (exact decimals) and event counts. */
  private async usageOf(
    manager: EntityManager,
    periodId: string,
    subscriptionIds: string[],
  ): Promise<Map<string, Map<string, { total: string; events: number }>>> {
    const rows: { subscriptionId: string; metric: string; total: string; events: number }[] =
      await manager.query(
        `SELECT subscription_id AS "subscriptionId", metric, sum(quantity)::text AS total, count(*)::int AS events
         FROM usage_events
        WHERE billing_period_id = $1 AND subscription_id = ANY($2::uuid[])
        GROUP BY subscription_id, metric`,
        [periodId, subscriptionIds],
      );
    const usage = new Map<string, Map<string, { total: string; events: number }>>();
    for (const row of rows) {
      const perMetric = usage.get(row.subscriptionId) ?? new Map();
      perMetric.set(row.metric, { total: row.total, events: row.events });
      usage.set(row.subscriptionId, perMetric);
    }
    return usage;
  }

  private async finish(run: RunRow): Promise<void> {
    // Counts as before; the words ("completed with 1 subscription needing attention") come from needs_attention.
    const [, affected]: [unknown, number] = await this.dataSource.query(
      `UPDATE charge_runs r
          SET status = 'completed', finished_at = now(), heartbeat_at = clock_timestamp(),
              cross_charges = (SELECT count(*) FROM cross_charges WHERE billing_period_id = r.billing_period_id),
              charge_lines = (SELECT count(*) FROM cross_charge_lines WHERE billing_period_id = r.billing_period_id)
        WHERE id = $1 AND lease_id = $2 AND status = 'running'`,
      [run.id, run.leaseId],
    );
    if (affected === 0) return this.logger.warn(new LeaseLost(run.id).message);
    this.logger.log(`charge run ${run.id}: completed`);
  }
}

/** $1 consortium, $2 period start, $3 period end, $4 statuses: subscriptions in force on some day of the period. */
const IN_FORCE_SQL = `s.consortium_id = $1 AND s.status = ANY($4::subscription_status[])
  AND s.start_date <= $3::date AND (s.end_date IS NULL OR s.end_date >= $2::date)
  AND (s.status <> 'ended' OR s.end_date IS NOT NULL)`;
