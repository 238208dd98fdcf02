import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** The full history of a subscription: every status change, quantity change and price acceptance. */
@Entity({ name: 'subscription_events' })
@Index('ix_subscription_event_subscription', ['subscriptionId', 'occurredAt'])
export class SubscriptionEvent {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'subscription_id', type: 'uuid' })
  subscriptionId!: string;

  /** e.g. requested, approved, rejected, suspended, resumed, notice_given, ended, quantity_changed, price_accepted. */
  @Column({ type: 'text' })
  event!: string;

  @Column({ name: 'from_status', type: 'text', nullable: true })
  fromStatus!: string | null;

  @Column({ name: 'to_status', type: 'text', nullable: true })
  toStatus!: string | null;

  @Column({ type: 'jsonb' })
  details!: Record<string, unknown>;

  @Column({ name: 'actor_label', type: 'text' })
  actorLabel!: string;

  @CreateDateColumn({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;
}
