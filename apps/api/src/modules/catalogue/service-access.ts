import type { Actor } from '@consortium/auth';
import { complianceStanding, SUBSCRIPTION_STATUSES_IN_FORCE } from '@consortium/domain';
import { type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { forbidden, notFound } from '../../common/problem';
import { ComplianceAttestation } from './compliance-attestation.entity';
import { AttestationDto } from './dto/compliance.dto';
import { Service } from './service.entity';

/**
 * Who sees which service, in one place:
 * - its provider organisation sees it in every status (drafts only ever to their provider);
 * - a published service is seen by the active members and the administrators of its consortium;
 * - a suspended or retired service by the consortium's administrators and by active members that subscribe to it
 *   (they still hold or held a subscription, so they must be able to read what they signed up to).
 * A superadmin sees every service but drafts. Anything else is not found.
 */
export function onlyVisibleServices<T extends object>(
  query: SelectQueryBuilder<T>,
  actor: Actor,
  alias = 's',
): SelectQueryBuilder<T> {
  // Only the arms that can hold for this actor go into the SQL: a constant arm (`false OR …`) hides from a generic
  // plan which indexes apply, and catalogue lists run as prepared statements that settle on generic plans.
  const administered = actor.kind === 'user' ? actor.consortiumAdminOf : [];
  const seenBeyondDrafts = actor.isSuperadmin
    ? 'true'
    : administered.length > 0
      ? `${alias}.consortium_id = ANY(CAST(:visibleAdministered AS uuid[]))`
      : null;
  const arms = [
    `${alias}.provider_organisation_id = :visibleOrganisation`,
    ...(seenBeyondDrafts ? [`(${alias}.status <> 'draft' AND ${seenBeyondDrafts})`] : []),
    `(${alias}.status = 'published' AND ${alias}.consortium_id = ANY(CAST(:visibleActive AS uuid[])))`,
    `(${alias}.status IN ('suspended', 'retired')
      AND ${alias}.consortium_id = ANY(CAST(:visibleActive AS uuid[]))
      AND EXISTS (SELECT 1 FROM subscriptions vs
                   WHERE vs.service_id = ${alias}.id AND vs.consumer_organisation_id = :visibleOrganisation))`,
  ];
  return query.andWhere(`(${arms.join('\n      OR ')})`, {
    visibleOrganisation: actor.organisationId,
    ...(administered.length > 0 ? { visibleAdministered: administered } : {}),
    visibleActive: actor.activeConsortia,
  });
}

/** The service if the actor may see it; otherwise not found, whether or not it exists. */
export async function findVisibleService(manager: EntityManager, actor: Actor, id: string): Promise<Service> {
  const query = manager.getRepository(Service).createQueryBuilder('s').where('s.id = :id', { id });
  const service = await onlyVisibleServices(query, actor).getOne();
  if (!service) throw notFound('Service');
  return service;
}

/**
 * The service, locked for the rest of the transaction, when the actor's organisation provides it. Not found
 * when the actor cannot see it; forbidden when it can see it but belongs to another organisation.
 */
export async function findOwnServiceForUpdate(
  manager: EntityManager,
  actor: Actor,
  id: string,
): Promise<Service> {
  const visible = await findVisibleService(manager, actor, id);
  if (visible.providerOrganisationId !== actor.organisationId) {
    throw forbidden('Only the organisation that provides a service may change it');
  }
  return manager
    .getRepository(Service)
    .createQueryBuilder('s')
    .setLock('pessimistic_write')
    .where('s.id = :id', { id })
    .getOneOrFail();
}

const IN_FORCE = SUBSCRIPTION_STATUSES_IN_FORCE.map((status) => `'${status}'`).join(', ');

/**
 * SQL for how much of a service's capacity subscriptions in force hold: distinct subscribing organisations when
 * capacity counts subscribers, the sum of their quantities when it counts units. The one definition, used for
 * the figure shown, the `hasCapacity` filter and the check when capacity is lowered.
 */
export const capacityInUseSql = (alias: string) =>
  `(SELECT CASE WHEN ${alias}.capacity_unit = 'subscribers'
                THEN count(DISTINCT held.consumer_organisation_id)
                ELSE coalesce(sum(held.quantity), 0) END
      FROM subscriptions held
     WHERE held.service_id = ${alias}.id AND held.status IN (${IN_FORCE}))`;

export async function capacityInUse(
  manager: EntityManager,
  serviceIds: string[],
): Promise<Map<string, number>> {
  if (serviceIds.length === 0) return new Map();
  const rows = await manager.query<{ id: string; in_use: string }[]>(
    `SELECT s.id, ${capacityInUseSql('s')}::text AS in_use FROM services s WHERE s.id = ANY($1::uuid[])`,
    [serviceIds],
  );
  return new Map(rows.map((row) => [row.id, Number(row.in_use)]));
}

export function toAttestationDto(attestation: ComplianceAttestation, today: string): AttestationDto {
  return {
    id: attestation.id,
    serviceId: attestation.serviceId,
    kind: attestation.kind,
    certificateReference: attestation.certificateReference,
    issuedOn: attestation.issuedOn,
    expiresOn: attestation.expiresOn,
    required: attestation.required,
    standing: complianceStanding(attestation.expiresOn, today),
    createdAt: attestation.createdAt,
  };
}
