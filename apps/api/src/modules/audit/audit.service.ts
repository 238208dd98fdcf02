import type { Actor } from '@consortium/auth';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditEvent } from './audit-event.entity';

export interface AuditRecord {
  action: string;
  entityType: string;
  entityId: string;
  consortiumId?: string | null;
  /** The organisation the change belongs to; defaults to the actor's. */
  organisationId?: string | null;
  changes?: Record<string, unknown>;
}

/** The one way to write an audit event: always inside the transaction of the change it records. */
@Injectable()
export class AuditService {
  async record(manager: EntityManager, actor: Actor | 'system', record: AuditRecord): Promise<void> {
    const event = manager.create(AuditEvent, {
      actorType: actor === 'system' ? 'system' : actor.kind,
      actorId: actor === 'system' ? null : actor.id,
      actorLabel: actor === 'system' ? 'system' : actor.label,
      organisationId:
        record.organisationId !== undefined
          ? record.organisationId
          : actor === 'system'
            ? null
            : actor.organisationId,
      consortiumId: record.consortiumId ?? null,
      action: record.action,
      entityType: record.entityType,
      entityId: record.entityId,
      changes: record.changes ?? {},
      requestId: actor === 'system' ? null : (actor.requestId ?? null),
    });
    await manager.save(AuditEvent, event);
  }
}

/** The fields that differ between two versions of an entity, as `{ field: { from, to } }`. */
export function diff<T extends object>(
  before: T,
  after: Partial<T>,
): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of Object.keys(after) as (keyof T)[]) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      changes[String(key)] = { from: before[key] ?? null, to: after[key] ?? null };
    }
  }
  return changes;
}
