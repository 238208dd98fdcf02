import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One difference `verify-ledger` found, in words, with what it concerns. */
export interface LedgerDifference {
  kind: 'balance' | 'entry' | 'chain';
  consortiumId: string | null;
  /** The journal entry, or the account and period, it is about. */
  subject: string;
  message: string;
}

/**
 * The result of one run of `verify-ledger`: balances recomputed from the postings and every consortium's hash
 * chain checked. The latest is served as metrics. Append-only.
 */
@Entity({ name: 'ledger_verifications' })
@Index('ix_ledger_verification_finished', ['finishedAt'])
export class LedgerVerification {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz' })
  finishedAt!: Date;

  /** True when nothing differed. */
  @Column({ type: 'boolean' })
  ok!: boolean;

  @Column({ type: 'integer' })
  differences!: number;

  @Column({ name: 'journal_entries', type: 'integer' })
  journalEntries!: number;

  @Column({ type: 'integer' })
  postings!: number;

  @Column({ name: 'account_balances', type: 'integer' })
  accountBalances!: number;

  /** The first differences found (at most 100), in words. */
  @Column({ type: 'jsonb' })
  detail!: LedgerDifference[];

  /**
   * The last link of each consortium's chain when verified: the next run checks that each is still there with the
   * same hash, so entries cut off the end of a chain are noticed too. Operators may keep them elsewhere as well.
   */
  @Column({ type: 'jsonb' })
  heads!: ChainHeads;
}

/** Per consortium id, the position and hash of its chain's last link. */
export type ChainHeads = Record<string, { position: string; hash: string }>;
