import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { PriceVersion } from '../catalogue/price-version.entity';
import { Subscription } from '../subscriptions/subscription.entity';
import { CrossCharge } from './cross-charge.entity';

/**
 * One charge line, traceable to its subscription, price version and usage. A line key appears once per charge and
 * subscription; across a period's original and supplementary charges the lines of one key add up to what the
 * subscription owes for it (a supplementary line is the difference). What a line covers is kept in columns the
 * reconciliation sums: the days in force (and days × quantity) on the one line per quantity segment that counts
 * them, and the usage events and quantity on usage lines, with the last event id counted.
 */
@Entity({ name: 'cross_charge_lines' })
@Index('uq_charge_line_charge_subscription_key', ['crossChargeId', 'subscriptionId', 'lineKey'], {
  unique: true,
})
@Index('ix_charge_line_period_subscription', ['billingPeriodId', 'subscriptionId'])
export class CrossChargeLine {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'cross_charge_id', type: 'uuid' })
  crossChargeId!: string;

  @ManyToOne(() => CrossCharge, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'cross_charge_id' })
  crossCharge?: CrossCharge;

  @Column({ name: 'billing_period_id', type: 'uuid' })
  billingPeriodId!: string;

  @Column({ name: 'subscription_id', type: 'uuid' })
  subscriptionId!: string;

  @ManyToOne(() => Subscription, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'subscription_id' })
  subscription?: Subscription;

  @Column({ name: 'service_id', type: 'uuid' })
  serviceId!: string;

  @Column({ name: 'price_version_id', type: 'uuid' })
  priceVersionId!: string;

  @ManyToOne(() => PriceVersion, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'price_version_id' })
  priceVersion?: PriceVersion;

  /** Unique within the subscription's charge, e.g. `base`, `tier:2`, `usage:storage_gb`, `setup_fee`. */
  @Column({ name: 'line_key', type: 'text' })
  lineKey!: string;

  @Column({ type: 'text' })
  kind!: string;

  @Column({ type: 'text' })
  description!: string;

  /** Exact decimal quantity (units, or usage after the allowance). */
  @Column({ type: 'text' })
  quantity!: string;

  /** Exact unit rate as a decimal string of pounds. */
  @Column({ name: 'unit_rate', type: 'text', nullable: true })
  unitRate!: string | null;

  @Column({ name: 'net_minor', type: 'bigint' })
  netMinor!: string;

  @Column({ name: 'vat_minor', type: 'bigint' })
  vatMinor!: string;

  @Column({ name: 'vat_treatment', type: 'text' })
  vatTreatment!: string;

  /** Days in force this line charges (negative on a correction); set on one line per quantity segment. */
  @Column({ name: 'service_days', type: 'integer', nullable: true })
  serviceDays!: number | null;

  /** Days × quantity in force this line charges, exact; set with serviceDays. */
  @Column({ name: 'unit_days', type: 'numeric', nullable: true })
  unitDays!: string | null;

  @Column({ name: 'usage_metric', type: 'text', nullable: true })
  usageMetric!: string | null;

  /** Usage this line charges (reported, before the allowance; negative on a correction). */
  @Column({ name: 'usage_quantity', type: 'numeric', nullable: true })
  usageQuantity!: string | null;

  /** Usage events this line charges (negative on a correction). */
  @Column({ name: 'usage_events', type: 'integer', nullable: true })
  usageEvents!: number | null;

  /** The highest usage event id counted when the line was computed: later events belong to a later line. */
  @Column({ name: 'usage_through_event_id', type: 'bigint', nullable: true })
  usageThroughEventId!: string | null;

  @Column({ name: 'charge_run_id', type: 'uuid', nullable: true })
  chargeRunId!: string | null;

  /** How the line was computed: proration days, tier bounds, usage total and allowance. */
  @Column({ type: 'jsonb' })
  detail!: Record<string, unknown>;
}
