import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * An event written in the same transaction as the change it describes (the transactional outbox), for a later
 * worker to deliver to webhooks. `dedupe_key` stops the same event being queued twice.
 */
@Entity({ name: 'outbox_events' })
@Index('ix_outbox_undelivered', ['deliveredAt', 'id'])
@Index('ux_outbox_event_id', ['eventId'], { unique: true })
@Index('ix_outbox_feed', ['organisationId', 'feedSeq'])
@Index('ix_outbox_feed_sequencing', ['feedSeq', 'id'])
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
   * The event's place in the events feed, given after its transaction commits (EventsFeedService.sequence), so
   * the feed's order is commit order and an event that commits late never lands behind a cursor handed out.
   */
  @Column({ name: 'feed_seq', type: 'bigint', nullable: true })
  feedSeq!: string | null;
}
