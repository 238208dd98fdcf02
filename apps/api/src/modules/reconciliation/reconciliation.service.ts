import { type Actor, holdsRole } from '@consortium/auth';
import { billingPeriodFromKey, billingPeriodLabel, counted } from '@consortium/domain';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { forbidden } from '../../common/problem';
import { findVisiblePeriod } from '../billing-periods/billing-periods.service';
import { chargeRunInProgress } from '../charging/charge-run-guard';
import { administers } from '../consortia/consortium-access';
import type {
  ReconciliationDto,
  ReconciliationRowDto,
  ReconciliationSummaryDto,
} from './dto/reconciliation.dto';
import { reconcilePeriod, type ReconciliationRow } from './reconciliation.query';

/** A reconciliation row in words. */
export function explainRow(row: ReconciliationRow): string {
  const on = row.charges.length > 0 ? ` (charges ${row.charges.join(', ')})` : '';
  const missing = row.expectedCount - row.chargedCount;
  if (row.measure === 'days') {
    if (row.agrees) return `${counted(row.expectedCount, 'day')} in force, each charged once${on}`;
    if (missing > 0)
      return `${counted(missing, 'day')} in force not charged yet${on}: run charges to bill them`;
    if (missing < 0)
      return `${counted(-missing, 'day')} charged beyond the days in force${on}: run charges to correct it`;
    return `The quantity charged differs from the quantity in force (${row.chargedQuantity ?? 'none'} charged, ${row.expectedQuantity ?? 'none'} due, in unit-days)${on}: run charges to correct it`;
  }
  const metric = row.metric ?? 'usage';
  const withdrawn =
    row.withdrawnCount > 0 ? `; ${counted(row.withdrawnCount, 'report')} withdrawn, not charged` : '';
  if (row.agrees)
    return `${counted(row.expectedCount, `${metric} report`)} accepted, each charged once${on}${withdrawn}`;
  if (missing > 0) {
    return `${counted(missing, `${metric} report`)} accepted but not on any charge yet${on}: run charges to bill them${withdrawn}`;
  }
  if (missing < 0) {
    return `${counted(-missing, `${metric} report`)} charged that are no longer owed (withdrawn after the charge was worked out)${on}: run charges to correct it`;
  }
  return `The ${metric} quantity charged (${row.chargedQuantity}) differs from the quantity accepted (${row.expectedQuantity})${on}: run charges to correct it`;
}

function summarise(rows: ReconciliationRow[]): ReconciliationSummaryDto {
  const summary: ReconciliationSummaryDto = {
    differences: 0,
    unbilledDays: 0,
    unbilledEvents: 0,
    overchargedDays: 0,
    overchargedEvents: 0,
    withdrawnEvents: 0,
  };
  for (const row of rows) {
    summary.withdrawnEvents += row.withdrawnCount;
    if (row.agrees) continue;
    summary.differences += 1;
    const missing = row.expectedCount - row.chargedCount;
    if (row.measure === 'days') {
      if (missing > 0) summary.unbilledDays += missing;
      else summary.overchargedDays -= missing;
    } else if (missing > 0) summary.unbilledEvents += missing;
    else summary.overchargedEvents -= missing;
  }
  return summary;
}

function summaryText(label: string, summary: ReconciliationSummaryDto, running: boolean): string {
  if (running) return `A charge run is working on ${label}: its drafts are being recomputed.`;
  if (summary.differences === 0) {
    return `${label} is completely charged: every day in force and every accepted usage report is on exactly one charge.`;
  }
  const parts = [
    summary.unbilledDays > 0 ? `${counted(summary.unbilledDays, 'day')} in force` : '',
    summary.unbilledEvents > 0 ? `${counted(summary.unbilledEvents, 'usage report')}` : '',
  ].filter(Boolean);
  const over = summary.overchargedDays + summary.overchargedEvents;
  return (
    `${label} is not completely charged: ${counted(summary.differences, 'difference')}` +
    (parts.length > 0 ? `, with ${parts.join(' and ')} not on any charge yet` : '') +
    (over > 0 ? `, and ${counted(over, 'day or report')} charged beyond what is owed` : '') +
    '. Run charges to bring the drafts up to date.'
  );
}

/**
 * The period's reconciliation for people and integrators: the consortium's administrators see every
 * subscription; a provider's finance team (or an API key with charges:read) sees its own subscriptions.
 */
@Injectable()
export class ReconciliationService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async forPeriod(
    actor: Actor,
    periodId: string,
    show: 'differences' | 'all' = 'differences',
  ): Promise<ReconciliationDto> {
    const manager = this.dataSource.manager;
    const period = await findVisiblePeriod(manager, actor, periodId);
    const everyone = administers(actor, period.consortiumId) || actor.isSuperadmin;
    if (
      !everyone &&
      actor.kind === 'user' &&
      !holdsRole(actor, 'finance') &&
      !holdsRole(actor, 'org_admin')
    ) {
      throw forbidden(
        "Only the consortium's administrators and providers' finance teams (or organisation administrators) may " +
          'see the reconciliation',
      );
    }
    const rows = await reconcilePeriod(
      manager,
      period.id,
      everyone ? {} : { providerId: actor.organisationId },
    );
    const running = await chargeRunInProgress(manager, period.id);
    const summary = summarise(rows);
    const label = billingPeriodLabel(billingPeriodFromKey(period.key));
    return {
      billingPeriodId: period.id,
      periodKey: period.key,
      complete: summary.differences === 0 && !running,
      chargeRunInProgress: running,
      summaryText: summaryText(label, summary, running),
      summary,
      rows: rows
        .filter((row) => show === 'all' || !row.agrees)
        .map((row): ReconciliationRowDto => ({ ...row, explanation: explainRow(row) })),
    };
  }

  /** What is not completely charged in the period, for a close to refuse or to record. */
  async differences(
    manager: EntityManager,
    periodId: string,
  ): Promise<{ summary: ReconciliationSummaryDto; rows: ReconciliationRowDto[] }> {
    const rows = await reconcilePeriod(manager, periodId, { differencesOnly: true });
    return { summary: summarise(rows), rows: rows.map((row) => ({ ...row, explanation: explainRow(row) })) };
  }
}
