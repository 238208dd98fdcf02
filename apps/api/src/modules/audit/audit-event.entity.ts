import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const ACTOR_TYPES = ['user', 'api_key', 'system'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

/** What changed, by whom, when. Written in the same transaction as the change; never updated or deleted. */
@Entity({ name: 'audit_events' })
@Index('ix_audit_organisation_time', ['organisationId', 'occurredAt'])
@Index('ix_audit_consortium_time', ['consortiumId', 'occurredAt'])
@Index('ix_audit_entity', ['entityType', 'entityId'])
export class AuditEvent {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @CreateDateColumn({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ name: 'actor_type', type: 'enum', enum: ACTOR_TYPES, enumName: 'audit_actor_type' })
  actorType!: ActorType;

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId!: string | null;

  /** A readable name for the actor (an email, a key prefix), kept even if the actor is later removed. */
  @Column({ name: 'actor_label', type: 'text' })
  actorLabel!: string;

  /** The organisation the actor acted for. */
  @Column({ name: 'organisation_id', type: 'uuid', nullable: true })
  organisationId!: string | null;

  /** The consortium the change belongs to, when it belongs to one. */
  @Column({ name: 'consortium_id', type: 'uuid', nullable: true })
  consortiumId!: string | null;

  @Column({ type: 'text' })
  action!: string;

  @Column({ name: 'entity_type', type: 'text' })
  entityType!: string;

  @Column({ name: 'entity_id', type: 'text' })
  entityId!: string;

  @Column({ type: 'jsonb' })
  changes!: Record<string, unknown>;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;
}
