import type { Actor } from '@consortium/auth';
import type { EntityManager } from 'typeorm';
import { forbidden, notFound } from '../../common/problem';
import { administers, canSeeConsortium } from '../consortia/consortium-access';
import { Consortium } from '../consortia/consortium.entity';
import { Membership } from '../consortia/membership.entity';
import { Organisation } from '../organisations/organisation.entity';

/**
 * Whose statement or savings a caller may read: its own organisation's (finance, org_admin or viewer, or an API
 * key), or any member's when it administers the consortium. Another member's is not found (404).
 */
export async function findReadableMember(
  manager: EntityManager,
  actor: Actor,
  consortiumId: string,
  organisationId: string | undefined,
): Promise<{ consortium: Consortium; organisation: Organisation }> {
  if (!canSeeConsortium(actor, consortiumId)) throw notFound('Consortium');
  const consortium = await manager.findOneBy(Consortium, { id: consortiumId });
  if (!consortium) throw notFound('Consortium');
  const memberId = organisationId ?? actor.organisationId;
  const isAdmin = administers(actor, consortiumId);
  if (memberId !== actor.organisationId && !isAdmin) throw notFound('Member');
  const membership = await manager.findOneBy(Membership, { consortiumId, organisationId: memberId });
  if (!membership) throw notFound('Member');
  if (
    !isAdmin &&
    actor.kind === 'user' &&
    !actor.roles.some((role) => role === 'finance' || role === 'org_admin' || role === 'viewer')
  ) {
    throw forbidden('Statements are for the finance team, organisation administrators and viewers');
  }
  const organisation = await manager.findOneByOrFail(Organisation, { id: memberId });
  return { consortium, organisation };
}
