import type { Actor } from '@consortium/auth';
import { MEMBERSHIP_STATUSES_VISIBLE_TO_MEMBERS } from '@consortium/domain';
import type { SelectQueryBuilder } from 'typeorm';
import type { Organisation } from './organisation.entity';

/**
 * Narrows a query on organisations (alias `alias`) to those the actor may see: its own organisation, the members
 * of the consortia it is an active member of, and every organisation with a membership (of any status, so
 * applicants and invitees too) in a consortium the actor administers. A superadmin sees every organisation.
 */
export function onlyVisibleOrganisations(
  query: SelectQueryBuilder<Organisation>,
  actor: Actor,
  alias = 'o',
): SelectQueryBuilder<Organisation> {
  if (actor.isSuperadmin) return query;
  return query.andWhere(
    `(${alias}.id = :visibleOwn
      OR ${alias}.id IN (SELECT vm.organisation_id FROM consortium_memberships vm
                          WHERE vm.consortium_id = ANY(CAST(:visibleActive AS uuid[]))
                            AND vm.status = ANY(CAST(:visibleStatuses AS membership_status[])))
      OR ${alias}.id IN (SELECT va.organisation_id FROM consortium_memberships va
                          WHERE va.consortium_id = ANY(CAST(:visibleAdministered AS uuid[]))))`,
    {
      visibleOwn: actor.organisationId,
      visibleActive: actor.activeConsortia,
      visibleStatuses: MEMBERSHIP_STATUSES_VISIBLE_TO_MEMBERS,
      visibleAdministered: actor.kind === 'user' ? actor.consortiumAdminOf : [],
    },
  );
}
