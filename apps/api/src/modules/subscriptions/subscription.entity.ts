import { SUBSCRIPTION_STATUSES, SubscriptionStatus } from '@consortium/domain';
import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { PriceVersion } from '../catalogue/price-version.entity';
import { Service } from '../catalogue/service.entity';
import { Organisation } from '../organisations/organisation.entity';

/** A consumer's agreement to take a provider's service at a quantity, for a term, at the price agreed then. */
@Entity({ name: 'subscriptions' })
@Index('ix_subscription_service_status', ['serviceId', 'status'])
@Index('ix_subscription_consumer', ['consumerOrganisationId'])
@Index('ix_subscription_provider', ['providerOrganisationId'])
@Index('ix_subscription_consortium', ['consortiumId'])
// One open subscription per consumer and service: the database backs the API's check under concurrency.
@Index('uq_subscription_open_per_consumer', ['serviceId', 'consumerOrganisationId'], {
  unique: true,
  where: "status IN ('requested', 'active', 'suspended', 'notice_given')",
})
@Check('ck_subscription_quantity_positive', 'quantity > 0')
@Check('ck_subscription_term_positive', 'term_months > 0')
@Check('ck_subscription_notice_non_negative', 'notice_period_months >= 0')
@Check(
  'ck_subscription_baseline_non_negative',
  'baseline_annual_cost_minor IS NULL OR baseline_annual_cost_minor >= 0',
)
export class Subscription {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'consortium_id', type: 'uuid' })
  consortiumId!: string;

  @Column({ name: 'service_id', type: 'uuid' })
  serviceId!: string;

  @ManyToOne(() => Service, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'service_id' })
  service?: Service;

  @Column({ name: 'consumer_organisation_id', type: 'uuid' })
  consumerOrganisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'consumer_organisation_id' })
  consumer?: Organisation;

  /** Copied from the service so both sides' lists need no join. */
  @Column({ name: 'provider_organisation_id', type: 'uuid' })
  providerOrganisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'provider_organisation_id' })
  provider?: Organisation;

  /** The price version this subscription agreed to. */
  @Column({ name: 'price_version_id', type: 'uuid' })
  priceVersionId!: string;

  @ManyToOne(() => PriceVersion, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'price_version_id' })
  priceVersion?: PriceVersion;

  /**
   * The quantity from the latest change on (the last row of subscription_quantities, which may take effect in
   * the future): what capacity counts. The charge run reads the quantity in effect on each day from
   * subscription_quantities.
   */
  @Column({ type: 'integer' })
  quantity!: number;

  @Column({ name: 'start_date', type: 'date' })
  startDate!: string;

  @Column({ name: 'term_months', type: 'integer' })
  termMonths!: number;

  @Column({ name: 'notice_period_months', type: 'integer' })
  noticePeriodMonths!: number;

  /** The last day of service, once notice is given or the subscription ends. */
  @Column({ name: 'end_date', type: 'date', nullable: true })
  endDate!: string | null;

  @Column({ name: 'purchase_order_reference', type: 'text', nullable: true })
  purchaseOrderReference!: string | null;

  @Column({ name: 'cost_centre', type: 'text', nullable: true })
  costCentre!: string | null;

  /** What the consumer would spend a year to run the service itself, in minor units; feeds the savings report. */
  @Column({ name: 'baseline_annual_cost_minor', type: 'bigint', nullable: true })
  baselineAnnualCostMinor!: string | null;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ type: 'enum', enum: SUBSCRIPTION_STATUSES, enumName: 'subscription_status' })
  status!: SubscriptionStatus;

  /** The reason given for the last rejection, suspension or notice. */
  @Column({ name: 'status_reason', type: 'text', nullable: true })
  statusReason!: string | null;

  @Column({ name: 'requested_by_user_id', type: 'uuid', nullable: true })
  requestedByUserId!: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
