import { JOURNAL_ENTRY_KINDS, JournalEntryKind } from '@consortium/domain';
import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { Consortium } from '../consortia/consortium.entity';
import { BillingPeriodRecord } from '../billing-periods/billing-period.entity';

/**
 * One balanced set of postings. Append-only: the database rejects UPDATE and DELETE, and a deferred constraint
 * trigger rejects, at commit, an entry whose postings do not sum to zero. Every posting is in the entry's
 * currency and joins it in the transaction that created it. At commit the database chains the entry to the
 * previous one of its consortium (JournalEntryHash). Corrections are new entries (credit notes, reversals).
 * `source_type` + `source_id` + `kind` is unique, so nothing is posted twice.
 */
@Entity({ name: 'journal_entries' })
@Index('uq_journal_entry_source', ['sourceType', 'sourceId', 'kind'], { unique: true })
@Index('ix_journal_entry_period', ['billingPeriodId'])
export class JournalEntryRecord {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'consortium_id', type: 'uuid' })
  consortiumId!: string;

  @ManyToOne(() => Consortium, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'consortium_id' })
  consortium?: Consortium;

  @Column({ name: 'billing_period_id', type: 'uuid' })
  billingPeriodId!: string;

  @ManyToOne(() => BillingPeriodRecord, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'billing_period_id' })
  billingPeriod?: BillingPeriodRecord;

  @Column({ type: 'enum', enum: JOURNAL_ENTRY_KINDS, enumName: 'journal_entry_kind' })
  kind!: JournalEntryKind;

  @Column({ type: 'text' })
  description!: string;

  /** What the entry records, e.g. `cross_charge` and its id. */
  @Column({ name: 'source_type', type: 'text' })
  sourceType!: string;

  @Column({ name: 'source_id', type: 'text' })
  sourceId!: string;

  /** For a reversal: the entry it reverses. */
  @Column({ name: 'reverses_entry_id', type: 'uuid', nullable: true })
  reversesEntryId!: string | null;

  /** The currency of every posting of the entry. */
  @Column({ type: 'char', length: 3 })
  currency!: string;

  /**
   * The transaction that created the entry (txid_current(), set by the database whatever the INSERT says; 0 for
   * entries older than this column): only that transaction may add postings to it.
   */
  @Column({ name: 'created_txid', type: 'bigint', insert: false, update: false })
  createdTxid!: string;

  @Column({ name: 'created_by_label', type: 'text' })
  createdByLabel!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
