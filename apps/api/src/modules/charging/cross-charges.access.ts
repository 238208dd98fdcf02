import type { Actor } from '@consortium/auth';
import { isActiveMember } from '@consortium/auth';
import { Brackets, type EntityManager, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import { forbidden, notFound } from '../../common/problem';
import { lockPeriodFor } from '../billing-periods/period-lock';
import type { BillingPeriodRecord } from '../billing-periods/billing-period.entity';
import { administers } from '../consortia/consortium-access';
import { assertNoChargeRunInProgress } from './charge-run-guard';
import { CrossCharge } from './cross-charge.entity';

/**
 * Who may see and act on a cross-charge, in one place. The provider sees its charges from the draft on; the
 * consumer sees them once issued; the consortium's administrators see every charge in the consortium. Anyone else
 * is told it does not exist (404). Parties act only while their organisation is an active member.
 */
export type ChargeSide = 'provider' | 'consumer';

export function sideOf(actor: Actor, charge: CrossCharge): ChargeSide | null {
  if (!isActiveMember(actor, charge.consortiumId)) return null;
  if (charge.providerOrganisationId === actor.organisationId) return 'provider';
  if (charge.consumerOrganisationId === actor.organisationId && charge.status !== 'draft') return 'consumer';
  return null;
}

/**
 * The same rule as canSeeCharge, as SQL on a query that has the charge as `alias`: its own charges as a party of
 * an active membership (drafts only as the provider), and everything in the consortia it administers.
 */
export function whereChargeVisible<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  actor: Actor,
  alias: string,
): SelectQueryBuilder<T> {
  return query.andWhere(
    new Brackets((visible) => {
      if (actor.isSuperadmin) {
        visible.where('TRUE');
        return;
      }
      visible.where('FALSE');
      if (actor.activeConsortia.length > 0) {
        visible.orWhere(
          `(${alias}.consortium_id IN (:...active) AND (${alias}.provider_organisation_id = :own
             OR (${alias}.consumer_organisation_id = :own AND ${alias}.status <> 'draft')))`,
          { active: actor.activeConsortia, own: actor.organisationId },
        );
      }
      if (actor.kind === 'user' && actor.consortiumAdminOf.length > 0) {
        visible.orWhere(`${alias}.consortium_id IN (:...administered)`, {
          administered: actor.consortiumAdminOf,
        });
      }
    }),
  );
}

export function canSeeCharge(actor: Actor, charge: CrossCharge): boolean {
  return sideOf(actor, charge) !== null || administers(actor, charge.consortiumId);
}

/** The caller must be this party of the charge: 403 for someone who can see it, 404 for anyone else. */
export function assertSide(actor: Actor, charge: CrossCharge, side: ChargeSide, doing: string): void {
  if (!canSeeCharge(actor, charge)) throw notFound('Cross-charge');
  if (sideOf(actor, charge) !== side) throw forbidden(`Only the charge's ${side} may ${doing}`);
}

export async function findVisibleCharge(
  manager: EntityManager,
  actor: Actor,
  id: string,
): Promise<CrossCharge> {
  const charge = await manager.findOneBy(CrossCharge, { id });
  if (!charge || !canSeeCharge(actor, charge)) throw notFound('Cross-charge');
  return charge;
}

/**
 * The charge locked FOR UPDATE for the rest of the transaction, after its billing period FOR SHARE (so a period
 * close waits for us, and we for it). One lock order everywhere: period, then charge, then its disputes.
 * `unlessChargeRunIs` refuses (409) while a charge run recomputes the period's drafts, saying what to do after.
 * Visibility is checked again on the locked row, which may have changed while we waited.
 */
export async function lockChargeForChange(
  manager: EntityManager,
  actor: Actor,
  id: string,
  options: { unlessChargeRunIs?: string } = {},
): Promise<{ charge: CrossCharge; period: BillingPeriodRecord }> {
  const unlocked = await findVisibleCharge(manager, actor, id);
  const period = await lockPeriodFor(manager, unlocked.billingPeriodId, null);
  if (options.unlessChargeRunIs && canSeeCharge(actor, unlocked)) {
    await assertNoChargeRunInProgress(manager, period, options.unlessChargeRunIs);
  }
  const charge = await manager
    .getRepository(CrossCharge)
    .createQueryBuilder('c')
    .setLock('pessimistic_write')
    .where('c.id = :id', { id })
    .getOne();
  if (!charge || !canSeeCharge(actor, charge)) throw notFound('Cross-charge');
  return { charge, period };
}
