import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { BillingPeriodRecord } from '../billing-periods/billing-period.entity';
import { Subscription } from '../subscriptions/subscription.entity';

/**
 * A metered usage event reported by a provider. The client's event id is unique per provider, so a replayed
 * event is recognised (and a different body under the same id is refused by comparing `body_hash`).
 */
@Entity({ name: 'usage_events' })
@Index('uq_usage_event_provider_event', ['providerOrganisationId', 'eventId'], { unique: true })
@Index('ix_usage_subscription_period_metric', ['subscriptionId', 'billingPeriodId', 'metric'])
@Check('ck_usage_quantity_non_negative', 'quantity >= 0')
export class UsageEvent {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'provider_organisation_id', type: 'uuid' })
  providerOrganisationId!: string;

  @Column({ name: 'event_id', type: 'text' })
  eventId!: string;

  @Column({ name: 'subscription_id', type: 'uuid' })
  subscriptionId!: string;

  @ManyToOne(() => Subscription, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'subscription_id' })
  subscription?: Subscription;

  @Column({ name: 'billing_period_id', type: 'uuid' })
  billingPeriodId!: string;

  @ManyToOne(() => BillingPeriodRecord, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'billing_period_id' })
  billingPeriod?: BillingPeriodRecord;

  @Column({ type: 'text' })
  metric!: string;

  /** Exact decimal (e.g. 12.5 GB), read as a string. */
  @Column({ type: 'numeric', precision: 24, scale: 6 })
  quantity!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  /** SHA-256 of the event's canonical body, to tell a replay from a conflicting reuse of the id. */
  @Column({ name: 'body_hash', type: 'text' })
  bodyHash!: string;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt!: Date;

  /** Withdrawn by the provider before it reached an issued charge: kept, counted apart, never charged. */
  @Column({ name: 'voided_at', type: 'timestamptz', nullable: true })
  voidedAt!: Date | null;

  @Column({ name: 'void_reason', type: 'text', nullable: true })
  voidReason!: string | null;

  @Column({ name: 'voided_by_label', type: 'text', nullable: true })
  voidedByLabel!: string | null;
}
