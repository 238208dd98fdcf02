import { type Actor } from '@consortium/auth';
import {
  assertIsoDate,
  billingPeriodFor,
  billingPeriodFromKey,
  billingPeriodLabel,
} from '@consortium/domain';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { paginate, type Page, type SortSpec } from '../../common/pagination';
import { forbidden, notFound } from '../../common/problem';
import { AuditService } from '../audit/audit.service';
import { administers, canSeeConsortium, findVisibleConsortium } from '../consortia/consortium-access';
import { Consortium } from '../consortia/consortium.entity';
import { BillingPeriodRecord } from './billing-period.entity';
import { BillingPeriodDto, BillingPeriodListQuery } from './dto/billing-period.dto';

const PERIOD_SORT: SortSpec = {
  fields: { startDate: 'bp.startDate', createdAt: 'bp.createdAt' },
  default: '-startDate',
  tieBreaker: 'bp.id',
};

export function toBillingPeriodDto(period: BillingPeriodRecord): BillingPeriodDto {
  return {
    id: period.id,
    consortiumId: period.consortiumId,
    key: period.key,
    label: billingPeriodLabel(billingPeriodFromKey(period.key)),
    cycle: period.cycle,
    startDate: period.startDate,
    endDate: period.endDate,
    status: period.status,
    closeOverrideReason: period.closeOverrideReason,
    closedAt: period.closedAt,
    settledAt: period.settledAt,
    createdAt: period.createdAt,
    updatedAt: period.updatedAt,
  };
}

/**
 * Billing periods: created on demand (the period containing a date, by the consortium's billing cycle) and read
 * by members. Closing and settling live in SettlementService; for a locked status check use lockPeriodFor().
 */
@Injectable()
export class BillingPeriodsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /**
   * The consortium's period containing `date` (YYYY-MM-DD), created open if there is none yet. Safe under
   * concurrency (INSERT … ON CONFLICT DO NOTHING on the unique (consortium, key)), and audited when it creates one.
   * Call it inside your transaction; it does not lock the period (see lockPeriodFor for that).
   */
  async ensurePeriodFor(
    manager: EntityManager,
    consortiumId: string,
    date: string,
    actor: Actor | 'system' = 'system',
  ): Promise<BillingPeriodRecord> {
    return (await this.ensure(manager, consortiumId, date, actor)).period;
  }

  async list(
    actor: Actor,
    consortiumId: string,
    query: BillingPeriodListQuery,
  ): Promise<Page<BillingPeriodDto>> {
    await findVisibleConsortium(this.dataSource.manager, actor, consortiumId);
    const periods = this.dataSource
      .getRepository(BillingPeriodRecord)
      .createQueryBuilder('bp')
      .where('bp.consortium_id = :consortiumId', { consortiumId });
    if (query.status) periods.andWhere('bp.status = :status', { status: query.status });
    return paginate(periods, query, PERIOD_SORT, toBillingPeriodDto);
  }

  async get(actor: Actor, id: string): Promise<BillingPeriodDto> {
    return toBillingPeriodDto(await findVisiblePeriod(this.dataSource.manager, actor, id));
  }

  /** A consortium administrator opens the period containing `date`; opening an existing one changes nothing. */
  async open(
    actor: Actor,
    consortiumId: string,
    date: string,
  ): Promise<{ period: BillingPeriodDto; created: boolean }> {
    return this.dataSource.transaction(async (manager) => {
      await findVisibleConsortium(manager, actor, consortiumId);
      if (!administers(actor, consortiumId)) {
        throw forbidden("Only the consortium's administrators may open billing periods");
      }
      const { period, created } = await this.ensure(manager, consortiumId, date, actor);
      return { period: toBillingPeriodDto(period), created };
    });
  }

  private async ensure(
    manager: EntityManager,
    consortiumId: string,
    date: string,
    actor: Actor | 'system',
  ): Promise<{ period: BillingPeriodRecord; created: boolean }> {
    assertIsoDate(date);
    const consortium = await manager.findOneBy(Consortium, { id: consortiumId });
    if (!consortium) throw notFound('Consortium');
    // A period already covering the date wins, even one of a cycle the consortium has since left.
    const covering = await manager
      .getRepository(BillingPeriodRecord)
      .createQueryBuilder('bp')
      .where('bp.consortium_id = :consortiumId AND bp.start_date <= :date AND bp.end_date >= :date', {
        consortiumId,
        date,
      })
      .orderBy('bp.start_date')
      .getOne();
    if (covering) return { period: covering, created: false };

    const period = billingPeriodFor(date, consortium.billingCycle);
    const inserted = (await manager.query(
      `INSERT INTO billing_periods (consortium_id, key, cycle, start_date, end_date) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (consortium_id, key) DO NOTHING RETURNING id`,
      [consortiumId, period.key, period.cycle, period.startDate, period.endDate],
    )) as { id: string }[];
    const record = await manager.findOneByOrFail(BillingPeriodRecord, { consortiumId, key: period.key });
    if (inserted.length > 0) {
      await this.audit.record(manager, actor, {
        action: 'billing_period.opened',
        entityType: 'billing_period',
        entityId: record.id,
        consortiumId,
        organisationId: actor === 'system' ? null : undefined,
        changes: { key: record.key, startDate: record.startDate, endDate: record.endDate },
      });
    }
    return { period: record, created: inserted.length > 0 };
  }
}

/** The period if the actor can see its consortium; otherwise not found, whether or not it exists. */
export async function findVisiblePeriod(
  manager: EntityManager,
  actor: Actor,
  id: string,
): Promise<BillingPeriodRecord> {
  const period = await manager.findOneBy(BillingPeriodRecord, { id });
  if (!period || !canSeeConsortium(actor, period.consortiumId)) throw notFound('Billing period');
  return period;
}
