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
import { LedgerAccount } from './ledger-account.entity';
import { JournalEntryRecord } from './journal-entry.entity';

/** One line of a journal entry: a signed amount (debit positive, credit negative) in integer minor units. */
@Entity({ name: 'postings' })
@Check('ck_posting_non_zero', 'amount_minor <> 0')
@Index('ix_posting_entry', ['journalEntryId'])
@Index('ix_posting_account_period', ['accountId', 'billingPeriodId'])
export class PostingRecord {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'journal_entry_id', type: 'uuid' })
  journalEntryId!: string;

  @ManyToOne(() => JournalEntryRecord, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'journal_entry_id' })
  journalEntry?: JournalEntryRecord;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  @ManyToOne(() => LedgerAccount, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'account_id' })
  account?: LedgerAccount;

  /** Copied from the entry so account statements filter by period without a join. */
  @Column({ name: 'billing_period_id', type: 'uuid' })
  billingPeriodId!: string;

  @ManyToOne(() => BillingPeriodRecord, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'billing_period_id' })
  billingPeriod?: BillingPeriodRecord;

  /** The other member this posting is with, for filtering an account by counterparty. */
  @Column({ name: 'counterparty_organisation_id', type: 'uuid', nullable: true })
  counterpartyOrganisationId!: string | null;

  @Column({ name: 'amount_minor', type: 'bigint' })
  amountMinor!: string;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
