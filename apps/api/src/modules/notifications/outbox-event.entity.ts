import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * An event written in the same transaction as the change it describes (the transactional outbox), for a later
 * worker to deliver to webhooks. `dedupe_key` stops the same event being queued twice.
 */
@Entity({ name: 'outbox_events' })
@Index('ix_outbox_undelivered', ['deliveredAt', 'id'])
@Index('ux_outbox_event_id', ['eventId'], { unique: true })
@Index('ix_outbox_feed', ['organisationId', 'xactId', 'id'])
export class OutboxEvent {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  topic!: string;

  @Column({ name: 'organisation_id', type: 'uuid', nullable: true })
  organisationId!: string | null;

  @Column({ name: 'dedupe_key', type: 'text', nullable: true, unique: true })
  dedupeKey!: string | null;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  /** The public event id (webhooks' Consortium-Event-Id, the events feed); set by a database trigger. */
  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  /**
   * The writing transaction's id, set by a database trigger: the events feed orders by it and shows only events
   * of finished transactions, so a slow transaction's event can never appear behind a cursor already handed out.
   */
  @Column({ name: 'xact_id', type: 'bigint' })
  xactId!: string;
}
