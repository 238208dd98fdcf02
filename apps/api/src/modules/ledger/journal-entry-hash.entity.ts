import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Consortium } from '../consortia/consortium.entity';
import { JournalEntryRecord } from './journal-entry.entity';

/**
 * A journal entry's link in its consortium's hash chain: `hash` is sha256 over the position, the previous link's
 * hash and the entry's canonical text (its fields and sorted postings; see ledger-chain.ts). Written by the
 * database when the entry's transaction commits, under a lock per consortium, so the links of a consortium form
 * one unbroken sequence 1, 2, 3… Append-only; `verify-ledger` recomputes every link.
 */
@Entity({ name: 'journal_entry_hashes' })
@Index('uq_journal_entry_hash_position', ['consortiumId', 'position'], { unique: true })
export class JournalEntryHash {
  @PrimaryColumn({ name: 'journal_entry_id', type: 'uuid' })
  journalEntryId!: string;

  @ManyToOne(() => JournalEntryRecord, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'journal_entry_id' })
  journalEntry?: JournalEntryRecord;

  @Column({ name: 'consortium_id', type: 'uuid' })
  consortiumId!: string;

  @ManyToOne(() => Consortium, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'consortium_id' })
  consortium?: Consortium;

  /** 1 for the consortium's first entry, then one more for each. */
  @Column({ type: 'bigint' })
  position!: string;

  /** The previous link's hash; 64 zeros for the first. Lowercase hex. */
  @Column({ name: 'previous_hash', type: 'text' })
  previousHash!: string;

  @Column({ type: 'text' })
  hash!: string;

  @CreateDateColumn({ name: 'linked_at', type: 'timestamptz' })
  linkedAt!: Date;
}
