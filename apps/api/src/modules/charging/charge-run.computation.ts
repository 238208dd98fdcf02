import {
  assertPeriodAllows,
  type BillingCycle,
  type BillingPeriodStatus,
  type ChargedFigures,
  counted,
  DomainError,
  draftLines,
  parseDecimal,
} from '@consortium/domain';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { setImmediate } from 'node:timers/promises';
import { DataSource, EntityManager, type QueryRunner } from 'typeorm';
import { NotificationsService } from '../notifications/notifications.service';
import { lockUsageOfPeriod } from '../usage/usage-barrier';
import type { SubscriptionNeedingAttention } from './charge-run.entity';
import { type ClaimedRun, ChargeRunLease, LeaseLost, LeaseReleased } from './charge-run.lease';
import { type LineToWrite, replaceDraftLines } from './charge-run.lines';
import { PeriodPricing, type PricedChunk, reasonInWords, type SetAside } from './charge-run.pricing';
import {
  CHARGED_STATUSES,
  closeChargedSubscriptions,
  IN_FORCE_SQL,
  nextChargedSubscriptions,
  openChargedSubscriptions,
  type PeriodUsage,
} from './charge-run.subscriptions';
import {
  crossChargeReference,
  crossChargeReferencePrefix,
  supplementReference,
} from './charge-run-reference';

/**
 * Subscriptions per chunk. Each chunk costs a transaction and a few statements whatever its size, and holds its
 * pairs' charges locked while it writes; a thousand keeps that overhead small and a chunk well under a second.
 */
export const CHARGE_RUN_CHUNK_SIZE = 1000;

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

interface PairCharge {
  id: string;
  providerId: string;
  consumerId: string;
  status: string;
  reference: string;
  supplementOfId: string | null;
}

const pairKey = (provider: string, consumer: string) => `${provider}|${consumer}`;

/**
 * The charge run's work: every subscription in force during the period, read with the period's usage once
 * (openChargedSubscriptions) and charged in chunks of subscriptions (one transaction each), priced by the domain's
 * computeChargeLines (each quantity segment for its own days) and grouped into one draft cross-charge per provider
 * and consumer.
 *
 * Drafts follow the data: every run recomputes each subscription's lines from scratch and replaces them on the
 * draft. Charges that have left draft are never touched: what is owed beyond them (late usage, a subscription
 * that started after the issue, a quantity change) goes on a supplementary draft as the difference, so that for
 * every line key the period's charges add up to exactly what is owed (see draftLines and the reconciliation).
 * Running again, after a crash or not, therefore converges on the same drafts.
 */
@Injectable()
export class ChargeRunComputation {
  private readonly logger = new Logger('ChargeRun');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly notifications: NotificationsService,
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
    try {
      let finished: boolean;
      try {
        finished = await this.compute(run, options);
      } catch (error) {
        await heartbeat.stop();
        return await this.stopped(run, error);
      }
      // No beat may land after this: the run is finished, or left looking crashed.
      await heartbeat.stop();
      if (finished) await this.finish(run);
      else await this.lease.abandon(run);
    } finally {
      heartbeat.end();
    }
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

    // The run's own connection, for the cursor its subscriptions are read through and for its transactions.
    const runner = this.dataSource.createQueryRunner();
    try {
      const usage = await runner.manager.transaction(async (manager) => {
        assertPeriodAllows((await this.period(manager, period.id, true)).status, 'run_charges');
        // Waits for usage batches of this period still being written, so every event id up to the highest read
        // is counted now, and any later one gets a higher id (see UsageBarrier).
        await lockUsageOfPeriod(manager, period.id, 'exclusive');
        return openChargedSubscriptions(manager, period);
      });
      return await this.chargeAll(runner, run, period, usage, total, options);
    } finally {
      await closeChargedSubscriptions(runner).finally(() => runner.release());
    }
  }

  /** Charges the subscriptions a chunk at a time; false when stopped part-way (stopAfterChunks). */
  private async chargeAll(
    runner: QueryRunner,
    run: RunRow,
    period: PeriodRow,
    usage: PeriodUsage,
    total: number,
    options: ChargeRunOptions,
  ): Promise<boolean> {
    const chunkSize = options.chunkSize ?? CHARGE_RUN_CHUNK_SIZE;
    const pricing = new PeriodPricing(
      { cycle: period.cycle, key: period.key, startDate: period.startDate, endDate: period.endDate },
      period.currency,
    );
    let processed = 0;
    let chunks = 0;
    const attention: SetAside[] = [];
    let next = pricing.priceChunk(await nextChargedSubscriptions(runner.manager, chunkSize, usage));
    for (;;) {
      if (options.stopAfterChunks !== undefined && chunks >= options.stopAfterChunks) return false;
      const chunk = next;
      const done = await runner.manager.transaction(async (manager) => {
        // The period stays open (share lock) while this chunk writes: a close cannot begin half-way through it.
        const locked = await this.period(manager, period.id, true);
        assertPeriodAllows(locked.status, 'run_charges');
        if (chunk.subscriptions.length === 0) return true;
        const lines = await this.chunkLines(manager, run, locked, chunk);
        // The next chunk is read ahead and priced while the database writes this one, so both cores work.
        const following = await nextChargedSubscriptions(manager, chunkSize, usage);
        const ids = chunk.subscriptions.map((s) => s.id);
        [, next] = await Promise.all([
          replaceDraftLines(manager, period.id, run.id, ids, lines),
          // Once the statement has gone out (pricing holds the event loop until it is done).
          setImmediate().then(() => pricing.priceChunk(following)),
        ]);
        attention.push(...chunk.setAside);
        processed += chunk.subscriptions.length;
        // Committed only while this process still holds the run: a zombie's chunk rolls back (LeaseLost).
        await this.lease.recordProgress(manager, run, processed);
        return chunk.subscriptions.length < chunkSize;
      });
      chunks += 1;
      this.logger.log(`charge run ${run.id}: ${processed}/${total} subscriptions`);
      if (done) {
        // The run's last step, like each chunk committed only while this process still holds the run.
        await runner.manager.transaction(async (manager) => {
          await this.settleDrafts(manager, run, period);
          await this.recordAttention(manager, run, period, attention);
          await this.lease.recordProgress(manager, run, processed);
        });
        return true;
      }
    }
  }

  /**
   * Subscriptions the run had to skip, named and explained on the run; the providers' finance teams and the
   * consortium's administrators are told.
   */
  private async recordAttention(
    manager: EntityManager,
    run: RunRow,
    period: PeriodRow,
    items: SetAside[],
  ): Promise<void> {
    const named: (SubscriptionNeedingAttention & { providerId: string })[] =
      items.length === 0
        ? []
        : await manager.query(
            `SELECT i.subscription_id AS "subscriptionId", sv.title AS "serviceTitle",
                    cons.name AS "consumerName", prov.name AS "providerName", i.reason,
                    s.provider_organisation_id AS "providerId"
               FROM unnest($1::uuid[], $2::text[]) AS i(subscription_id, reason)
               JOIN subscriptions s ON s.id = i.subscription_id
               JOIN services sv ON sv.id = s.service_id
               JOIN organisations cons ON cons.id = s.consumer_organisation_id
               JOIN organisations prov ON prov.id = s.provider_organisation_id
              ORDER BY prov.name, sv.title, cons.name`,
            [items.map((i) => i.subscriptionId), items.map((i) => i.reason)],
          );
    await manager.query('UPDATE charge_runs SET needs_attention = $2::jsonb WHERE id = $1', [
      run.id,
      JSON.stringify(named.map(({ providerId: _provider, ...item }) => item)),
    ]);
    if (named.length === 0) return;
    this.logger.warn(`charge run ${run.id}: ${named.length} subscription(s) need attention`);
    const admins: { organisationId: string }[] = await manager.query(
      `SELECT DISTINCT u.organisation_id AS "organisationId"
         FROM consortium_admins a JOIN users u ON u.id = a.user_id WHERE a.consortium_id = $1`,
      [period.consortiumId],
    );
    const recipients = new Map<string, typeof named>();
    for (const item of named)
      recipients.set(item.providerId, [...(recipients.get(item.providerId) ?? []), item]);
    // The administrators' organisations hear of every subscription set aside, their own or not.
    for (const { organisationId } of admins) recipients.set(organisationId, named);
    for (const [organisationId, list] of recipients) {
      await this.notifications.notify(manager, {
        organisationId,
        consortiumId: period.consortiumId,
        kind: 'charge_run.needs_attention',
        title: `The ${period.key} charge run could not charge ${counted(list.length, 'subscription')}`,
        body: list
          .map((i) => `${i.providerName}'s ${i.serviceTitle} for ${i.consumerName}: ${i.reason}`)
          .join(' '),
        entityType: 'charge_run',
        entityId: run.id,
        dedupeKey: `charge_run.needs_attention:${run.id}:${organisationId}`,
      });
    }
  }

  /**
   * The chunk's lines, recomputed from scratch. For each subscription: everything it owes for the period (as
   * priced), less what the pair's charges that have left draft already charge, per line key (draftLines), to
   * replace its lines on the pair's one draft: the original while it is still draft, else a supplementary charge
   * (created when there is something to charge). A subscription whose lines cannot be worked out is set aside with
   * its reason, never stopping the rest.
   */
  private async chunkLines(
    manager: EntityManager,
    run: RunRow,
    period: PeriodRow,
    chunk: PricedChunk,
  ): Promise<LineToWrite[]> {
    const charged = await this.chargedOf(
      manager,
      period.id,
      chunk.subscriptions.map((s) => s.id),
    );
    const computed: Omit<LineToWrite, 'crossChargeId'>[] = [];
    for (const subscription of chunk.subscriptions) {
      const desired = chunk.desired.get(subscription.id);
      if (!desired) continue;
      try {
        for (const line of draftLines(desired, charged.get(subscription.id) ?? [])) {
          computed.push({ subscription, line });
        }
      } catch (error) {
        chunk.setAside.push({ subscriptionId: subscription.id, reason: reasonInWords(error) });
      }
    }

    const pairs = [...new Set(chunk.subscriptions.map((s) => pairKey(s.providerId, s.consumerId)))];
    const drafts = await this.draftCrossCharges(
      manager,
      run,
      period,
      pairs,
      new Set(computed.map((c) => pairKey(c.subscription.providerId, c.subscription.consumerId))),
    );
    const lines: LineToWrite[] = [];
    for (const c of computed) {
      const crossChargeId = drafts.get(pairKey(c.subscription.providerId, c.subscription.consumerId));
      if (crossChargeId) lines.push({ ...c, crossChargeId });
    }
    return lines;
  }

  /**
   * The draft of each (provider, consumer) pair, row-locked with all the pair's charges for the rest of the
   * chunk's transaction (in id order, as issuing locks them), so none can be issued while its lines change. A pair
   * whose charges have all left draft gets a supplementary draft, but only when `charging` says it has lines.
   */
  private async draftCrossCharges(
    manager: EntityManager,
    run: RunRow,
    period: PeriodRow,
    pairs: string[],
    charging: Set<string>,
  ): Promise<Map<string, string>> {
    const select = () =>
      manager.query(
        `SELECT c.id, c.provider_organisation_id AS "providerId", c.consumer_organisation_id AS "consumerId",
                c.status, c.reference, c.supplement_of_id AS "supplementOfId"
           FROM cross_charges c
           JOIN unnest($2::uuid[], $3::uuid[]) AS p(provider_id, consumer_id)
             ON c.provider_organisation_id = p.provider_id AND c.consumer_organisation_id = p.consumer_id
          WHERE c.billing_period_id = $1
          ORDER BY c.id
            FOR UPDATE OF c`,
        [period.id, pairs.map((p) => p.split('|')[0]), pairs.map((p) => p.split('|')[1])],
      ) as Promise<PairCharge[]>;
    let existing = await select();
    const needed = pairs.filter(
      (pair) =>
        charging.has(pair) &&
        !existing.some((e) => e.status === 'draft' && pairKey(e.providerId, e.consumerId) === pair),
    );
    if (needed.length > 0) {
      const prefix = crossChargeReferencePrefix(period.consortiumName, period.key);
      // References are numbered per prefix; consortia sharing initials take turns (transaction-scoped lock).
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`cross-charge-reference:${prefix}`]);
      const [{ last }] = await manager.query(
        `SELECT coalesce(max(substring(reference from $2::int)::int), 0)::int AS last
           FROM cross_charges WHERE reference ~ ('^' || $1 || '-[0-9]+$')`,
        [prefix, prefix.length + 2],
      );
      let next = last;
      const created = needed.map((pair) => {
        const original = existing.find(
          (e) =>
            e.supplementOfId === null && e.status !== 'void' && pairKey(e.providerId, e.consumerId) === pair,
        );
        if (!original) return { pair, reference: crossChargeReference(prefix, ++next), supplementOf: null };
        const supplements = existing.filter((e) => e.supplementOfId === original.id).length;
        return {
          pair,
          reference: supplementReference(original.reference, supplements + 1),
          supplementOf: original.id,
        };
      });
      await manager.query(
        `INSERT INTO cross_charges (consortium_id, billing_period_id, provider_organisation_id,
                                    consumer_organisation_id, status, reference, currency, net_minor, vat_minor,
                                    gross_minor, charge_run_id, supplement_of_id)
         SELECT $1, $2, p.provider_id, p.consumer_id, 'draft', p.reference, $3, 0, 0, 0, $4, p.supplement_of
           FROM unnest($5::uuid[], $6::uuid[], $7::text[], $8::uuid[])
                AS p(provider_id, consumer_id, reference, supplement_of)`,
        [
          period.consortiumId,
          period.id,
          period.currency,
          run.id,
          created.map((c) => c.pair.split('|')[0]),
          created.map((c) => c.pair.split('|')[1]),
          created.map((c) => c.reference),
          created.map((c) => c.supplementOf),
        ],
      );
      existing = await select();
    }
    return new Map(
      existing.filter((e) => e.status === 'draft').map((e) => [pairKey(e.providerId, e.consumerId), e.id]),
    );
  }

  /**
   * After the last chunk: lines on the period's drafts that this run did not write (their subscription is no
   * longer charged) are removed, with the drafts' totals, and drafts left with no line are voided.
   */
  private async settleDrafts(manager: EntityManager, run: RunRow, period: PeriodRow): Promise<void> {
    await this.period(manager, period.id, true);
    await manager.query(
      `SELECT id FROM cross_charges WHERE billing_period_id = $1 AND status = 'draft' ORDER BY id FOR UPDATE`,
      [period.id],
    );
    await manager.query(
      `WITH removed AS (
         DELETE FROM cross_charge_lines l USING cross_charges c
          WHERE c.id = l.cross_charge_id AND c.status = 'draft' AND c.billing_period_id = $1
            AND l.charge_run_id IS DISTINCT FROM $2
         RETURNING l.cross_charge_id, l.net_minor, l.vat_minor),
       moves AS (SELECT cross_charge_id, sum(net_minor) AS net, sum(vat_minor) AS vat
                   FROM removed GROUP BY cross_charge_id)
       UPDATE cross_charges c
          SET net_minor = c.net_minor - m.net, vat_minor = c.vat_minor - m.vat,
              gross_minor = c.gross_minor - m.net - m.vat, updated_at = now()
         FROM moves m WHERE c.id = m.cross_charge_id`,
      [period.id, run.id],
    );
    await manager.query(
      `UPDATE cross_charges c SET status = 'void', updated_at = now()
        WHERE c.billing_period_id = $1 AND c.status = 'draft'
          AND NOT EXISTS (SELECT 1 FROM cross_charge_lines l WHERE l.cross_charge_id = c.id)`,
      [period.id],
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

  /** What the subscriptions' charges that have left draft (issued, disputed, approved) charge, per line key. */
  private async chargedOf(
    manager: EntityManager,
    periodId: string,
    subscriptionIds: string[],
  ): Promise<Map<string, ChargedFigures[]>> {
    const rows: {
      subscriptionId: string;
      key: string;
      kind: string;
      description: string;
      quantity: string;
      netMinor: string;
      vatMinor: string;
      serviceDays: number | null;
      unitDays: string | null;
      usageMetric: string | null;
      usageQuantity: string | null;
      usageEvents: number | null;
      references: string[];
    }[] = await manager.query(
      `SELECT l.subscription_id AS "subscriptionId", l.line_key AS key, min(l.kind) AS kind,
              (array_agg(l.description ORDER BY c.created_at))[1] AS description,
              sum(l.quantity::numeric)::text AS quantity, sum(l.net_minor)::text AS "netMinor",
              sum(l.vat_minor)::text AS "vatMinor", sum(l.service_days)::int AS "serviceDays",
              sum(l.unit_days)::text AS "unitDays", min(l.usage_metric) AS "usageMetric",
              sum(l.usage_quantity)::text AS "usageQuantity", sum(l.usage_events)::int AS "usageEvents",
              array_agg(DISTINCT c.reference ORDER BY c.reference) AS references
         FROM unnest($2::uuid[]) AS s(id)
         JOIN cross_charge_lines l ON l.billing_period_id = $1 AND l.subscription_id = s.id
         JOIN cross_charges c ON c.id = l.cross_charge_id
        WHERE c.status NOT IN ('draft', 'void')
        GROUP BY l.subscription_id, l.line_key`,
      [periodId, subscriptionIds],
    );
    const charged = new Map<string, ChargedFigures[]>();
    for (const row of rows) {
      const list = charged.get(row.subscriptionId) ?? [];
      list.push({
        key: row.key,
        kind: row.kind,
        description: row.description,
        quantity: parseDecimal(row.quantity),
        netMinor: BigInt(row.netMinor),
        vatMinor: BigInt(row.vatMinor),
        serviceDays: row.serviceDays,
        unitDays: row.unitDays === null ? null : parseDecimal(row.unitDays),
        usageMetric: row.usageMetric,
        usageQuantity: row.usageQuantity === null ? null : parseDecimal(row.usageQuantity),
        usageEvents: row.usageEvents,
        references: row.references,
      });
      charged.set(row.subscriptionId, list);
    }
    return charged;
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
