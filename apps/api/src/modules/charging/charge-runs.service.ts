import type { Actor } from '@consortium/auth';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryFailedError } from 'typeorm';
import { paginate, type Page, type SortSpec } from '../../common/pagination';
import { conflict, forbidden, notFound } from '../../common/problem';
import { AuditService } from '../audit/audit.service';
import { findVisiblePeriod } from '../billing-periods/billing-periods.service';
import { lockPeriodFor } from '../billing-periods/period-lock';
import { administers, canSeeConsortium } from '../consortia/consortium-access';
import { chargeRunStatusText, ukTime } from './charge-run-status';
import { ChargeRunComputation } from './charge-run.computation';
import { ChargeRun } from './charge-run.entity';
import { ChargeRunJob } from './charge-run.job';
import { type ClaimedRun, ChargeRunLease } from './charge-run.lease';
import { ChargeRunDto, ChargeRunListQuery } from './dto/charge-run.dto';

const IN_PROGRESS_INDEX = 'uq_charge_run_in_progress';

const RUN_SORT: SortSpec = {
  fields: { createdAt: 'r.createdAt' },
  default: '-createdAt',
  tieBreaker: 'r.id',
};

/** The run as the API shows it; `interrupted` is ChargeRunLease.isInterrupted's verdict. */
export function toChargeRunDto(run: ChargeRun, interrupted: boolean): ChargeRunDto {
  return {
    id: run.id,
    consortiumId: run.consortiumId,
    billingPeriodId: run.billingPeriodId,
    status: run.status,
    statusText: chargeRunStatusText({ ...run, interrupted }),
    interrupted,
    heartbeatAt: run.heartbeatAt,
    resumedCount: run.resumedCount,
    needsAttention: run.needsAttention,
    totalSubscriptions: run.totalSubscriptions,
    processedSubscriptions: run.processedSubscriptions,
    crossCharges: run.crossCharges,
    chargeLines: run.chargeLines,
    error: run.error,
    requestedBy: run.requestedByLabel,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    createdAt: run.createdAt,
  };
}

/**
 * Starting, resuming and following charge runs. A period's runs are visible to the consortium's members and
 * administrators (others: 404); only its administrators start or resume one (others: 403). One run per period at
 * a time: the partial unique index uq_charge_run_in_progress refuses a second (409), even when both start together.
 */
@Injectable()
export class ChargeRunsService {
  private readonly logger = new Logger('ChargeRun');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly job: ChargeRunJob,
    private readonly lease: ChargeRunLease,
    private readonly computation: ChargeRunComputation,
  ) {}

  async start(actor: Actor, periodId: string): Promise<ChargeRunDto> {
    let run: ChargeRun;
    try {
      run = await this.dataSource.transaction(async (manager) => {
        const visible = await findVisiblePeriod(manager, actor, periodId);
        if (!administers(actor, visible.consortiumId)) {
          throw forbidden('Only an administrator of the consortium can start a charge run');
        }
        // Share-locked and open: a close cannot begin before the run is queued.
        const period = await lockPeriodFor(manager, periodId, 'run_charges');
        const created = await manager.save(
          ChargeRun,
          manager.create(ChargeRun, {
            consortiumId: period.consortiumId,
            billingPeriodId: period.id,
            status: 'queued',
            requestedByLabel: actor.label,
            error: null,
            startedAt: null,
            finishedAt: null,
          }),
        );
        await this.job.enqueue(manager, created.id);
        await this.audit.record(manager, actor, {
          action: 'charge_run.started',
          entityType: 'charge_run',
          entityId: created.id,
          consortiumId: period.consortiumId,
          changes: { billingPeriodId: period.id, periodKey: period.key },
        });
        return created;
      });
    } catch (error) {
      if (
        error instanceof QueryFailedError &&
        (error.driverError as { constraint?: string }).constraint === IN_PROGRESS_INDEX
      ) {
        throw conflict('A charge run for this period is already queued or running', 'charge-run-in-progress');
      }
      throw error;
    }
    this.job.wake();
    return this.toDto(run);
  }

  /**
   * Takes an interrupted run over at once (instead of waiting for an instance's sweep) and runs it in this
   * process; if this process dies too, the run goes stale again and another instance resumes it. Only an
   * interrupted run: a queued one starts on its own, and a failed one is retried by starting a new run.
   */
  async resume(actor: Actor, id: string): Promise<ChargeRunDto> {
    const { claimed, run } = await this.dataSource.transaction(async (manager) => {
      const found = await manager.findOneBy(ChargeRun, { id });
      if (!found || !canSeeConsortium(actor, found.consortiumId)) throw notFound('Charge run');
      if (!administers(actor, found.consortiumId)) {
        throw forbidden('Only an administrator of the consortium can resume a charge run');
      }
      const taken = await this.lease.claim(id, { manager, interruptedOnly: true });
      if (!taken) {
        // The claim locked the row: this is how the run stands now.
        const current = await manager.findOneByOrFail(ChargeRun, { id });
        throw conflict(this.whyNotInterrupted(current), 'charge-run-not-interrupted');
      }
      await this.audit.record(manager, actor, {
        action: 'charge_run.resumed',
        entityType: 'charge_run',
        entityId: taken.id,
        consortiumId: taken.consortiumId,
        changes: {
          via: 'api',
          processedSubscriptions: taken.previous.processedSubscriptions,
          lastHeartbeatAt: taken.previous.heartbeatAt,
          resumedCount: taken.resumedCount,
        },
      });
      return { claimed: taken, run: await manager.findOneByOrFail(ChargeRun, { id }) };
    });
    this.runInBackground(claimed);
    return this.toDto(run);
  }

  async get(actor: Actor, id: string): Promise<ChargeRunDto> {
    const run = await this.dataSource.getRepository(ChargeRun).findOneBy({ id });
    if (!run || !canSeeConsortium(actor, run.consortiumId)) throw notFound('Charge run');
    return this.toDto(run);
  }

  async list(actor: Actor, periodId: string, query: ChargeRunListQuery): Promise<Page<ChargeRunDto>> {
    await findVisiblePeriod(this.dataSource.manager, actor, periodId);
    const qb = this.dataSource
      .getRepository(ChargeRun)
      .createQueryBuilder('r')
      .where('r.billingPeriodId = :periodId', { periodId });
    return paginate(qb, query, RUN_SORT, (run) => this.toDto(run));
  }

  private toDto(run: ChargeRun): ChargeRunDto {
    return toChargeRunDto(run, this.lease.isInterrupted(run));
  }

  private whyNotInterrupted(run: ChargeRun): string {
    switch (run.status) {
      case 'queued':
        return 'This charge run has not started yet: it starts on its own. Only an interrupted run can be resumed.';
      case 'running':
        return (
          `This charge run is running (last heartbeat ${run.heartbeatAt ? ukTime(run.heartbeatAt) : 'just now'}), ` +
          'not interrupted: there is nothing to resume.'
        );
      case 'completed':
        return 'This charge run has completed: there is nothing to resume.';
      case 'failed':
        return (
          'This charge run failed, and a failed run is not resumed: start a new charge run for the period ' +
          '(it adds only what is missing).'
        );
    }
  }

  /** The resumed run works here, in the background; the request has its answer already. */
  private runInBackground(run: ClaimedRun): void {
    this.computation.executeClaimed(run).catch((error: unknown) => {
      // The run stays running with a heartbeat going stale: an instance's sweep takes it over.
      this.logger.error(`charge run ${run.id}: resuming failed: ${(error as Error).message}`);
    });
  }
}
