import type { Actor } from '@consortium/auth';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryFailedError } from 'typeorm';
import { paginate, type Page, type SortSpec } from '../../common/pagination';
import { conflict, forbidden, notFound } from '../../common/problem';
import { AuditService } from '../audit/audit.service';
import { findVisiblePeriod } from '../billing-periods/billing-periods.service';
import { lockPeriodFor } from '../billing-periods/period-lock';
import { administers, canSeeConsortium } from '../consortia/consortium-access';
import { ChargeRun } from './charge-run.entity';
import { ChargeRunJob } from './charge-run.job';
import { ChargeRunDto, ChargeRunListQuery } from './dto/charge-run.dto';

const IN_PROGRESS_INDEX = 'uq_charge_run_in_progress';

const RUN_SORT: SortSpec = {
  fields: { createdAt: 'r.createdAt' },
  default: '-createdAt',
  tieBreaker: 'r.id',
};

export function toChargeRunDto(run: ChargeRun): ChargeRunDto {
  return {
    id: run.id,
    consortiumId: run.consortiumId,
    billingPeriodId: run.billingPeriodId,
    status: run.status,
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
 * Starting and following charge runs. A period's runs are visible to the consortium's members and
 * administrators (others: 404); only its administrators start one (others: 403). One run per period at a time:
 * the partial unique index uq_charge_run_in_progress refuses a second (409), even when both start together.
 */
@Injectable()
export class ChargeRunsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly job: ChargeRunJob,
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
    return toChargeRunDto(run);
  }

  async get(actor: Actor, id: string): Promise<ChargeRunDto> {
    const run = await this.dataSource.getRepository(ChargeRun).findOneBy({ id });
    if (!run || !canSeeConsortium(actor, run.consortiumId)) throw notFound('Charge run');
    return toChargeRunDto(run);
  }

  async list(actor: Actor, periodId: string, query: ChargeRunListQuery): Promise<Page<ChargeRunDto>> {
    await findVisiblePeriod(this.dataSource.manager, actor, periodId);
    const qb = this.dataSource
      .getRepository(ChargeRun)
      .createQueryBuilder('r')
      .where('r.billingPeriodId = :periodId', { periodId });
    return paginate(qb, query, RUN_SORT, toChargeRunDto);
  }
}
