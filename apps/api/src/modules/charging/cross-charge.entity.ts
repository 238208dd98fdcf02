import { CROSS_CHARGE_STATUSES, CrossChargeStatus } from '@consortium/domain';
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
import { Organisation } from '../organisations/organisation.entity';
import { BillingPeriodRecord } from '../billing-periods/billing-period.entity';

/**
 * What one provider charges one consumer for one period. The first charge of a pair is its original; what is
 * charged after the original has left draft (late usage, a subscription that started later, a quantity change)
 * goes on a supplementary charge linked to it (`supplementOfId`, reference `…-S1`). A pair has at most one draft
 * at a time, which a charge run recomputes.
 */
@Entity({ name: 'cross_charges' })
@Index(
  'uq_cross_charge_pair_draft',
  ['billingPeriodId', 'providerOrganisationId', 'consumerOrganisationId'],
  {
    unique: true,
    where: "status = 'draft'",
  },
)
@Index('ix_cross_charge_period_parties', [
  'billingPeriodId',
  'providerOrganisationId',
  'consumerOrganisationId',
])
@Index('ix_cross_charge_consumer', ['consumerOrganisationId', 'billingPeriodId'])
@Index('ix_cross_charge_provider', ['providerOrganisationId', 'billingPeriodId'])
@Index('ix_cross_charge_created', ['createdAt', 'id'])
@Index('ix_cross_charge_period_created', ['billingPeriodId', 'createdAt', 'id'])
export class CrossCharge {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'consortium_id', type: 'uuid' })
  consortiumId!: string;

  @Column({ name: 'billing_period_id', type: 'uuid' })
  billingPeriodId!: string;

  @ManyToOne(() => BillingPeriodRecord, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'billing_period_id' })
  billingPeriod?: BillingPeriodRecord;

  @Column({ name: 'provider_organisation_id', type: 'uuid' })
  providerOrganisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'provider_organisation_id' })
  provider?: Organisation;

  @Column({ name: 'consumer_organisation_id', type: 'uuid' })
  consumerOrganisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'consumer_organisation_id' })
  consumer?: Organisation;

  @Column({ type: 'enum', enum: CROSS_CHARGE_STATUSES, enumName: 'cross_charge_status', default: 'draft' })
  status!: CrossChargeStatus;

  /** A human reference for finance teams, e.g. `ECIC-2026-11-0042`. */
  @Column({ type: 'text', unique: true })
  reference!: string;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  /** Totals of the lines as charged (credit notes are separate and do not change them). */
  @Column({ name: 'net_minor', type: 'bigint' })
  netMinor!: string;

  @Column({ name: 'vat_minor', type: 'bigint' })
  vatMinor!: string;

  @Column({ name: 'gross_minor', type: 'bigint' })
  grossMinor!: string;

  /** The original charge this one supplements; null on an original. */
  @Column({ name: 'supplement_of_id', type: 'uuid', nullable: true })
  supplementOfId!: string | null;

  @ManyToOne(() => CrossCharge, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'supplement_of_id' })
  supplementOf?: CrossCharge;

  @Column({ name: 'charge_run_id', type: 'uuid', nullable: true })
  chargeRunId!: string | null;

  @Column({ name: 'issued_at', type: 'timestamptz', nullable: true })
  issuedAt!: Date | null;

  @Column({ name: 'approved_at', type: 'timestamptz', nullable: true })
  approvedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
