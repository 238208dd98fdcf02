import {
  BILLING_CYCLES,
  BILLING_PERIOD_STATUSES,
  BillingCycle,
  BillingPeriodStatus,
} from '@consortium/domain';
import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Consortium } from '../consortia/consortium.entity';

/** A consortium's billing period (a calendar month or quarter): open → closing → closed → settled. */
@Entity({ name: 'billing_periods' })
@Index('uq_billing_period_consortium_key', ['consortiumId', 'key'], { unique: true })
export class BillingPeriodRecord {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'consortium_id', type: 'uuid' })
  consortiumId!: string;

  @ManyToOne(() => Consortium, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'consortium_id' })
  consortium?: Consortium;

  /** `2026-11` for a month, `2026-Q4` for a quarter. */
  @Column({ type: 'text' })
  key!: string;

  @Column({ type: 'enum', enum: BILLING_CYCLES, enumName: 'billing_cycle' })
  cycle!: BillingCycle;

  @Column({ name: 'start_date', type: 'date' })
  startDate!: string;

  /** Inclusive. */
  @Column({ name: 'end_date', type: 'date' })
  endDate!: string;

  @Column({ type: 'enum', enum: BILLING_PERIOD_STATUSES, enumName: 'billing_period_status', default: 'open' })
  status!: BillingPeriodStatus;

  /** Why a consortium admin closed the period despite unissued charges or open disputes. */
  @Column({ name: 'close_override_reason', type: 'text', nullable: true })
  closeOverrideReason!: string | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @Column({ name: 'settled_at', type: 'timestamptz', nullable: true })
  settledAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
