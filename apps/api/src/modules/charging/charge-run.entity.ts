import { CHARGE_RUN_STATUSES, ChargeRunStatus } from '@consortium/domain';
import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { BillingPeriodRecord } from '../billing-periods/billing-period.entity';

/** A subscription a run could not charge, and why in words; the run charged everyone else. */
export interface SubscriptionNeedingAttention {
  subscriptionId: string;
  serviceTitle: string;
  consumerName: string;
  providerName: string;
  /** In words, for people ("the amount is too large to charge: …"), never raw database text. */
  reason: string;
}

/**
 * One computation of a period's draft cross-charges, run as a background job. At most one run per period is
 * queued or running at a time (a partial unique index), so two runs started together cannot both proceed. A
 * running run is leased: its holder beats `heartbeat_at`, and a run whose heartbeat is stale (its holder died) is
 * reclaimed by another instance under a new `lease_id` (see charge-run.lease.ts).
 */
@Entity({ name: 'charge_runs' })
@Index('ix_charge_run_period', ['billingPeriodId', 'createdAt'])
@Index('uq_charge_run_in_progress', ['billingPeriodId'], {
  unique: true,
  where: "status IN ('queued', 'running')",
})
export class ChargeRun {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'consortium_id', type: 'uuid' })
  consortiumId!: string;

  @Column({ name: 'billing_period_id', type: 'uuid' })
  billingPeriodId!: string;

  @ManyToOne(() => BillingPeriodRecord, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'billing_period_id' })
  billingPeriod?: BillingPeriodRecord;

  @Column({ type: 'enum', enum: CHARGE_RUN_STATUSES, enumName: 'charge_run_status', default: 'queued' })
  status!: ChargeRunStatus;

  @Column({ name: 'total_subscriptions', type: 'integer', default: 0 })
  totalSubscriptions!: number;

  @Column({ name: 'processed_subscriptions', type: 'integer', default: 0 })
  processedSubscriptions!: number;

  @Column({ name: 'cross_charges', type: 'integer', default: 0 })
  crossCharges!: number;

  @Column({ name: 'charge_lines', type: 'integer', default: 0 })
  chargeLines!: number;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'requested_by_label', type: 'text' })
  requestedByLabel!: string;

  /** When the run's holder last showed it was alive; stale means interrupted. */
  @Column({ name: 'heartbeat_at', type: 'timestamptz', nullable: true })
  heartbeatAt!: Date | null;

  /** Who holds the running run now (a fresh one per claim); null when nobody does. */
  @Column({ name: 'lease_id', type: 'uuid', nullable: true })
  leaseId!: string | null;

  /** How many times the run was taken over after an interruption. */
  @Column({ name: 'resumed_count', type: 'integer', default: 0 })
  resumedCount!: number;

  /** Subscriptions the run skipped because their lines could not be computed, with the reason. */
  @Column({ name: 'needs_attention', type: 'jsonb', default: () => "'[]'" })
  needsAttention!: SubscriptionNeedingAttention[];

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
