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
import { JournalEntryRecord } from '../ledger/journal-entry.entity';
import { CrossCharge } from './cross-charge.entity';

/** A credit against a charge line, posted to the ledger as a reversing entry. */
@Entity({ name: 'credit_notes' })
@Index('ix_credit_note_cross_charge', ['crossChargeId'])
@Check('ck_credit_note_positive', 'gross_minor > 0')
export class CreditNote {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'cross_charge_id', type: 'uuid' })
  crossChargeId!: string;

  @ManyToOne(() => CrossCharge, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'cross_charge_id' })
  crossCharge?: CrossCharge;

  @Column({ name: 'cross_charge_line_id', type: 'uuid', nullable: true })
  crossChargeLineId!: string | null;

  @Column({ name: 'dispute_id', type: 'uuid', nullable: true, unique: true })
  disputeId!: string | null;

  @Column({ name: 'billing_period_id', type: 'uuid' })
  billingPeriodId!: string;

  @Column({ type: 'text', unique: true })
  reference!: string;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ name: 'net_minor', type: 'bigint' })
  netMinor!: string;

  @Column({ name: 'vat_minor', type: 'bigint' })
  vatMinor!: string;

  @Column({ name: 'gross_minor', type: 'bigint' })
  grossMinor!: string;

  @Column({ name: 'journal_entry_id', type: 'uuid' })
  journalEntryId!: string;

  @ManyToOne(() => JournalEntryRecord, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'journal_entry_id' })
  journalEntry?: JournalEntryRecord;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
