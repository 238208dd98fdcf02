import type { EntityManager } from 'typeorm';

/** The advisory lock key of a period's usage barrier, as SQL over an expression giving the period's id. */
export const USAGE_BARRIER_KEY_SQL = (periodId: string): string =>
  `hashtext('usage-of-period:' || ${periodId})`;

/**
 * The barrier between writing a period's usage and charging it. Usage batches hold it shared for their
 * transaction; a charge run's chunk takes it exclusively before reading usage, so it waits for batches still being
 * written and then sees every event id up to the highest it reads. Any event written after it gets a higher id
 * (ids come from one sequence, drawn after the lock), so the highest id a line counted cleanly divides events
 * already charged from events to charge later. Take it after the period's row lock, as both sides do (a usage
 * batch takes it in the statement that share-locks its periods: readUsageBatchContext).
 */
export async function lockUsageOfPeriod(
  manager: EntityManager,
  billingPeriodId: string,
  mode: 'shared' | 'exclusive',
): Promise<void> {
  await manager.query(
    mode === 'shared'
      ? `SELECT pg_advisory_xact_lock_shared(${USAGE_BARRIER_KEY_SQL('$1::uuid')})`
      : `SELECT pg_advisory_xact_lock(${USAGE_BARRIER_KEY_SQL('$1::uuid')})`,
    [billingPeriodId],
  );
}
