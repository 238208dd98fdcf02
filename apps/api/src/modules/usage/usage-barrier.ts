import type { EntityManager } from 'typeorm';

/**
 * The barrier between writing a period's usage and charging it. Usage batches hold it shared for their
 * transaction; a charge run's chunk takes it exclusively before reading usage, so it waits for batches still being
 * written and then sees every event id up to the highest it reads. Any event written after it gets a higher id
 * (ids come from one sequence, drawn after the lock), so the highest id a line counted cleanly divides events
 * already charged from events to charge later. Take it after the period's row lock, as both sides do.
 */
export async function lockUsageOfPeriod(
  manager: EntityManager,
  billingPeriodId: string,
  mode: 'shared' | 'exclusive',
): Promise<void> {
  await manager.query(
    mode === 'shared'
      ? 'SELECT pg_advisory_xact_lock_shared(hashtext($1))'
      : 'SELECT pg_advisory_xact_lock(hashtext($1))',
    [`usage-of-period:${billingPeriodId}`],
  );
}
