import { type Actor, isConsortiumAdmin } from '@consortium/auth';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { paginate, type Page, type SortSpec } from '../../common/pagination';
import { forbidden, invalid } from '../../common/problem';
import { AuditEvent } from './audit-event.entity';
import { AuditEventDto, AuditEventListQuery } from './dto/audit-event.dto';

const AUDIT_SORT: SortSpec = {
  fields: { occurredAt: 'e.occurred_at' },
  default: '-occurredAt',
  tieBreaker: 'e.id',
};

export function toAuditEventDto(event: AuditEvent): AuditEventDto {
  return {
    id: event.id,
    occurredAt: event.occurredAt,
    actorType: event.actorType,
    actorId: event.actorId,
    actorLabel: event.actorLabel,
    organisationId: event.organisationId,
    consortiumId: event.consortiumId,
    action: event.action,
    entityType: event.entityType,
    entityId: event.entityId,
    changes: event.changes,
    requestId: event.requestId,
  };
}

/**
 * Reading the audit trail: an organisation's administrators (and its keys with `audit:read`) see their
 * organisation's events; a consortium's administrators see that consortium's; a superadmin sees everything.
 */
@Injectable()
export class AuditEventsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(actor: Actor, query: AuditEventListQuery): Promise<Page<AuditEventDto>> {
    const events = this.dataSource.getRepository(AuditEvent).createQueryBuilder('e');
    if (query.consortiumId && (actor.isSuperadmin || isConsortiumAdmin(actor, query.consortiumId))) {
      events.where('e.consortium_id = :consortiumId', { consortiumId: query.consortiumId });
    } else if (actor.isSuperadmin || actor.kind === 'api_key' || actor.roles.includes('org_admin')) {
      if (!actor.isSuperadmin) {
        events.where('e.organisation_id = :organisationId', { organisationId: actor.organisationId });
      }
      if (query.consortiumId)
        events.andWhere('e.consortium_id = :consortiumId', { consortiumId: query.consortiumId });
    } else {
      throw forbidden(
        query.consortiumId
          ? 'You do not administer this consortium'
          : "Only an organisation's administrators may read its audit trail; consortium administrators pass consortiumId",
      );
    }
    if (query.action) events.andWhere('e.action = :action', { action: query.action });
    if (query.entityType) events.andWhere('e.entity_type = :entityType', { entityType: query.entityType });
    if (query.entityId) events.andWhere('e.entity_id = :entityId', { entityId: query.entityId });
    if (query.actorId) events.andWhere('e.actor_id = :actorId', { actorId: query.actorId });
    const from = query.from ? new Date(query.from) : undefined;
    const to = query.to ? new Date(query.to) : undefined;
    if (from && to && from > to) {
      throw invalid('from must not be after to', [{ field: 'from', message: 'from must not be after to' }]);
    }
    if (from) events.andWhere('e.occurred_at >= :from', { from });
    if (to) events.andWhere('e.occurred_at < :to', { to });
    return paginate(events, query, AUDIT_SORT, toAuditEventDto);
  }
}
