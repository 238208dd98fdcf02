import { createHash } from 'node:crypto';

/** The previous hash of a consortium's first link. */
export const GENESIS_HASH = '0'.repeat(64);

/** A journal entry as the chain hashes it, every field as the database gives it as text. */
export interface ChainedEntry {
  id: string;
  consortiumId: string;
  billingPeriodId: string;
  kind: string;
  currency: string;
  /** created_at in UTC with microseconds: `2026-11-30T09:15:02.123456Z`. */
  createdAt: string;
  sourceType: string;
  sourceId: string;
  reversesEntryId: string | null;
  description: string;
  postings: {
    accountId: string;
    amountMinor: string;
    currency: string;
    counterpartyOrganisationId: string | null;
  }[];
}

const hex = (text: string) => Buffer.from(text, 'utf8').toString('hex');

/**
 * The entry's canonical text: one `entry|…` line, then one `posting|…` line per posting, sorted bytewise. Free
 * text is hex-encoded, so no `|` or newline inside it can make two entries read alike. The database builds the same
 * text (journal_entry_canonical_text() in migrations/1796675160757-LedgerGuards.ts) when it chains an entry; this
 * one lets `verify-ledger` recompute every hash without trusting the database's function.
 */
export function canonicalEntryText(entry: ChainedEntry): string {
  const head = [
    'entry',
    entry.id,
    entry.consortiumId,
    entry.billingPeriodId,
    entry.kind,
    entry.currency.trim(),
    entry.createdAt,
    hex(entry.sourceType),
    hex(entry.sourceId),
    entry.reversesEntryId ?? '-',
    hex(entry.description),
  ].join('|');
  const postings = entry.postings
    .map((p) =>
      ['posting', p.accountId, p.amountMinor, p.currency.trim(), p.counterpartyOrganisationId ?? '-'].join(
        '|',
      ),
    )
    // Code-unit order, which for these ASCII lines is the database's COLLATE "C" byte order.
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return [head, ...postings].join('\n');
}

/** sha256 (lowercase hex) over the link's position, the previous link's hash and the entry's canonical text. */
export function chainHash(position: string, previousHash: string, entry: ChainedEntry): string {
  return createHash('sha256')
    .update(`v1|${position}|${previousHash}\n${canonicalEntryText(entry)}`, 'utf8')
    .digest('hex');
}
