import { EntityManager } from 'typeorm';
import { BillingPeriodRecord } from '../modules/billing-periods/billing-period.entity';
import { Consortium } from '../modules/consortia/consortium.entity';
import { UsageError } from './options';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The billing period a command names: `--period <id>`, or `--period <key>` (e.g. 2026-Q4) with
 * `--consortium <name or id>`, as operators read them in the admin UI.
 */
export async function resolvePeriod(
  manager: EntityManager,
  period: string,
  consortium: string | undefined,
): Promise<BillingPeriodRecord> {
  if (UUID.test(period)) {
    const found = await manager.findOneBy(BillingPeriodRecord, { id: period });
    if (!found) throw new UsageError(`No billing period has the id ${period}`);
    return found;
  }
  if (!consortium) throw new UsageError(`--period ${period} is a period key: name its --consortium too`);
  const owner = await manager.findOneBy(
    Consortium,
    UUID.test(consortium) ? { id: consortium } : { name: consortium },
  );
  if (!owner) throw new UsageError(`No consortium is called ${consortium}`);
  const found = await manager.findOneBy(BillingPeriodRecord, { consortiumId: owner.id, key: period });
  if (!found) throw new UsageError(`${owner.name} has no billing period ${period}`);
  return found;
}
