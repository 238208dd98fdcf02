import { type Actor, isActiveMember, isConsortiumAdmin } from '@consortium/auth';
import { MEMBERSHIP_STATUSES_VISIBLE_TO_MEMBERS } from '@consortium/domain';
import type { EntityManager } from 'typeorm';
import { notFound } from '../../common/problem';
import { Consortium } from './consortium.entity';
import type { Membership } from './membership.entity';

/**
 * Who may do what in a consortium, in one place. A superadmin may act as any consortium's administrator (so a
 * consortium that lost its administrators can be rescued); a consortium is otherwise visible only to its active
 * members and its administrators, and not found for everyone else.
 */
export function administers(actor: Actor, consortiumId: string): boolean {
  return actor.isSuperadmin || isConsortiumAdmin(actor, consortiumId);
}

export function canSeeConsortium(actor: Actor, consortiumId: string): boolean {
  return administers(actor, consortiumId) || isActiveMember(actor, consortiumId);
}

/** A membership is visible to the consortium's administrators, the organisation itself, and fellow members. */
export function canSeeMembership(actor: Actor, membership: Membership): boolean {
  return (
    administers(actor, membership.consortiumId) ||
    actor.organisationId === membership.organisationId ||
    (isActiveMember(actor, membership.consortiumId) &&
      MEMBERSHIP_STATUSES_VISIBLE_TO_MEMBERS.includes(membership.status))
  );
}

/**
 * Locks the consortium row for the rest of the transaction. Membership changes take a shared lock; changes to
 * the set of administrators (granting, removing, a member leaving) take an exclusive one, so "never without an
 * administrator" holds however requests interleave. Always consortium first, then membership rows: one lock order.
 */
export async function lockConsortium(
  manager: EntityManager,
  id: string,
  mode: 'shared' | 'exclusive',
): Promise<Consortium | null> {
  return manager
    .getRepository(Consortium)
    .createQueryBuilder('c')
    .setLock(mode === 'shared' ? 'pessimistic_read' : 'pessimistic_write')
    .where('c.id = :id', { id })
    .getOne();
}

/** The consortium if the actor can see it; otherwise not found, whether or not it exists. */
export async function findVisibleConsortium(
  manager: EntityManager,
  actor: Actor,
  id: string,
  lock?: 'shared' | 'exclusive',
): Promise<Consortium> {
  if (!canSeeConsortium(actor, id)) throw notFound('Consortium');
  const consortium = lock
    ? await lockConsortium(manager, id, lock)
    : await manager.findOneBy(Consortium, { id });
  if (!consortium) throw notFound('Consortium');
  return consortium;
}
