import { assertPeriodAllows, type PeriodActivity } from '@consortium/domain';
import type { EntityManager } from 'typeorm';
import { notFound } from '../../common/problem';
import { BillingPeriodRecord } from './billing-period.entity';

/**
 * Reads a billing period with a lock and refuses (409 period-not-open) an activity its status does not allow.
 *
 * `share` (the default) is for anything that writes money or usage into the period: many such transactions may
 * hold it together, but closing the period (which takes `update`) waits for them all, and they wait for a close in
 * progress, then see the period as the close left it. Without the lock, a charge checked against an open period
 * could commit just after the close computed the positions, and be missing from the settlement.
 */
export async function lockPeriodFor(
  manager: EntityManager,
  billingPeriodId: string,
  activity: PeriodActivity | null,
  mode: 'share' | 'update' = 'share',
): Promise<BillingPeriodRecord> {
  const period = await manager
    .getRepository(BillingPeriodRecord)
    .createQueryBuilder('bp')
    .setLock(mode === 'share' ? 'pessimistic_read' : 'pessimistic_write')
    .where('bp.id = :billingPeriodId', { billingPeriodId })
    .getOne();
  if (!period) throw notFound('Billing period');
  if (activity) assertPeriodAllows(period.status, activity);
  return period;
}
