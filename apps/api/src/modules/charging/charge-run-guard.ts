import { billingPeriodFromKey, billingPeriodLabel } from '@consortium/domain';
import type { EntityManager } from 'typeorm';
import { conflict } from '../../common/problem';

/** Whether a charge run of the period is queued or running (interrupted ones included: they resume). */
export async function chargeRunInProgress(manager: EntityManager, billingPeriodId: string): Promise<boolean> {
  const rows: unknown[] = await manager.query(
    `SELECT 1 FROM charge_runs WHERE billing_period_id = $1 AND status IN ('queued', 'running') LIMIT 1`,
    [billingPeriodId],
  );
  return rows.length > 0;
}

/**
 * Refuses (409 charge-run-in-progress) to change the period's charges while a run recomputes its drafts. Call it
 * with the period row locked, before locking any charge: the same order as a run's chunks (period, then charges).
 */
export async function assertNoChargeRunInProgress(
  manager: EntityManager,
  period: { id: string; key: string },
  doing: string,
): Promise<void> {
  if (await chargeRunInProgress(manager, period.id)) {
    throw conflict(
      `A charge run is recomputing the drafts of ${billingPeriodLabel(billingPeriodFromKey(period.key))}: ` +
        `wait for it to finish, then ${doing}`,
      'charge-run-in-progress',
    );
  }
}
