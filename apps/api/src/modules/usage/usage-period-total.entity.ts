import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The usage a subscription has of one metric in one billing period, voided events left out: kept by triggers on
 * usage_events in the same transaction (inserts add, a withdrawal subtracts), so the per-period limit reads one
 * row instead of summing every event stored so far.
 */
@Entity({ name: 'usage_period_totals' })
export class UsagePeriodTotal {
  @PrimaryColumn({ name: 'subscription_id', type: 'uuid' })
  subscriptionId!: string;

  @PrimaryColumn({ name: 'billing_period_id', type: 'uuid' })
  billingPeriodId!: string;

  @PrimaryColumn({ type: 'text' })
  metric!: string;

  /** Exact decimal units, read as a string; unbounded, so no bulk insert can overflow it. */
  @Column({ type: 'numeric' })
  quantity!: string;
}
