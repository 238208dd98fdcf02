import { SETTLEMENT_PAYMENT_STATUSES, SettlementPaymentStatus } from '@consortium/domain';
import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { BillingPeriodRecord } from '../billing-periods/billing-period.entity';

/** One payment of a period's settlement plan; recording it posts it to the ledger. */
@Entity({ name: 'settlement_payments' })
@Index('uq_settlement_payment_parties', ['billingPeriodId', 'payerOrganisationId', 'payeeOrganisationId'], {
  unique: true,
})
@Check('ck_settlement_payment_positive', 'amount_minor > 0')
export class SettlementPayment {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'billing_period_id', type: 'uuid' })
  billingPeriodId!: string;

  @ManyToOne(() => BillingPeriodRecord, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'billing_period_id' })
  billingPeriod?: BillingPeriodRecord;

  @Column({ name: 'payer_organisation_id', type: 'uuid' })
  payerOrganisationId!: string;

  @Column({ name: 'payee_organisation_id', type: 'uuid' })
  payeeOrganisationId!: string;

  @Column({ name: 'amount_minor', type: 'bigint' })
  amountMinor!: string;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  /** Order in the plan, for a stable presentation. */
  @Column({ type: 'integer' })
  position!: number;

  @Column({
    type: 'enum',
    enum: SETTLEMENT_PAYMENT_STATUSES,
    enumName: 'settlement_payment_status',
    default: 'pending',
  })
  status!: SettlementPaymentStatus;

  /** The payer's remittance reference, recorded with the payment. */
  @Column({ name: 'payment_reference', type: 'text', nullable: true })
  paymentReference!: string | null;

  @Column({ name: 'journal_entry_id', type: 'uuid', nullable: true })
  journalEntryId!: string | null;

  @Column({ name: 'recorded_at', type: 'timestamptz', nullable: true })
  recordedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
