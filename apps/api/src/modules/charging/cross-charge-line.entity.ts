import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { PriceVersion } from '../catalogue/price-version.entity';
import { Subscription } from '../subscriptions/subscription.entity';
import { CrossCharge } from './cross-charge.entity';

/**
 * One charge line, traceable to its subscription, price version and usage. `(billing_period_id, subscription_id,
 * line_key)` is unique, so a subscription is charged once per period for each thing it is charged for.
 */
@Entity({ name: 'cross_charge_lines' })
@Index('uq_charge_line_period_subscription_key', ['billingPeriodId', 'subscriptionId', 'lineKey'], {
  unique: true,
})
@Index('ix_charge_line_cross_charge', ['crossChargeId'])
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

  /** How the line was computed: proration days, tier bounds, usage total and allowance. */
  @Column({ type: 'jsonb' })
  detail!: Record<string, unknown>;
}
