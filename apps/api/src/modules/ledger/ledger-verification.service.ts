import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { chainHash, type ChainedEntry, GENESIS_HASH } from './ledger-chain';
import { type ChainHeads, type LedgerDifference, LedgerVerification } from './ledger-verification.entity';

/** Differences kept in the verification's record (all are counted). */
const DETAIL_LIMIT = 100;
/** Links read and checked per query. */
const PAGE = 1_000;

const count = (n: number) => n.toLocaleString('en-GB');

interface BalanceDifferenceRow {
  account_id: string;
  billing_period_id: string;
  consortium_id: string | null;
  organisation_name: string | null;
  kind: string | null;
  period_key: string | null;
  recomputed_balance: string | null;
  recomputed_postings: number | null;
  stored_balance: string | null;
  stored_postings: number | null;
  total: number;
}

interface LinkRow {
  position: string;
  previous_hash: string;
  hash: string;
  id: string;
  consortium_id: string;
  billing_period_id: string;
  kind: string;
  currency: string;
  created_at: string;
  source_type: string;
  source_id: string;
  reverses_entry_id: string | null;
  description: string;
  postings: ChainedEntry['postings'];
}

export interface LedgerVerificationResult {
  verification: LedgerVerification;
  /** The first differences found (as recorded); `verification.differences` counts them all. */
  differences: LedgerDifference[];
}

/**
 * Checks the ledger against itself, independently of the triggers that keep it: every account balance recomputed
 * from the postings, every journal entry balanced in its one currency, and every consortium's hash chain recomputed
 * link by link (ledger-chain.ts, not the database's function) and compared with the heads the previous run saw.
 * Reads one snapshot (REPEATABLE READ), so entries posted meanwhile are neither half-seen nor reported; records the
 * result in ledger_verifications, which the metrics serve.
 */
@Injectable()
export class LedgerVerificationService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async verify(progress: (line: string) => void = () => undefined): Promise<LedgerVerificationResult> {
    const startedAt = new Date();
    const found = new Differences();
    const checked = await this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      await manager.query('SET TRANSACTION READ ONLY');
      const balances = await this.checkBalances(manager, found, progress);
      const chains = await this.checkChains(manager, found, progress);
      return { ...balances, ...chains };
    });

    const verification = await this.dataSource.getRepository(LedgerVerification).save(
      this.dataSource.getRepository(LedgerVerification).create({
        startedAt,
        finishedAt: new Date(),
        ok: found.total === 0,
        differences: found.total,
        journalEntries: checked.journalEntries,
        postings: checked.postings,
        accountBalances: checked.accountBalances,
        detail: found.detail,
        heads: checked.heads,
      }),
    );
    return { verification, differences: found.detail };
  }

  /** Every stored balance against the sum and count of its postings, and every posted account and period stored. */
  private async checkBalances(
    manager: EntityManager,
    found: Differences,
    progress: (line: string) => void,
  ): Promise<{ postings: number; accountBalances: number }> {
    const [{ postings, balances }] = (await manager.query(
      `SELECT (SELECT count(*) FROM postings)::int AS postings, (SELECT count(*) FROM account_balances)::int AS balances`,
    )) as { postings: number; balances: number }[];
    progress(`Recomputing ${count(balances)} account balances from ${count(postings)} postings…`);
    const rows = (await manager.query(
      `WITH recomputed AS (
         SELECT account_id, billing_period_id, sum(amount_minor) AS balance, count(*)::int AS postings
           FROM postings GROUP BY account_id, billing_period_id)
       SELECT coalesce(r.account_id, b.account_id) AS account_id,
              coalesce(r.billing_period_id, b.billing_period_id) AS billing_period_id,
              a.consortium_id, o.name AS organisation_name, a.kind::text AS kind, bp.key AS period_key,
              r.balance::text AS recomputed_balance, r.postings AS recomputed_postings,
              b.balance_minor::text AS stored_balance, b.posting_count AS stored_postings,
              count(*) OVER ()::int AS total
         FROM recomputed r
         FULL JOIN account_balances b ON b.account_id = r.account_id AND b.billing_period_id = r.billing_period_id
         LEFT JOIN ledger_accounts a ON a.id = coalesce(r.account_id, b.account_id)
         LEFT JOIN organisations o ON o.id = a.organisation_id
         LEFT JOIN billing_periods bp ON bp.id = coalesce(r.billing_period_id, b.billing_period_id)
        WHERE r.balance IS DISTINCT FROM b.balance_minor OR r.postings IS DISTINCT FROM b.posting_count
        ORDER BY 3, 4, 5, 6
        LIMIT $1`,
      [DETAIL_LIMIT],
    )) as BalanceDifferenceRow[];
    for (const row of rows) {
      const account = `${row.organisation_name ?? `account ${row.account_id}`} ${row.kind ?? ''}`.trim();
      const stored =
        row.stored_balance === null
          ? 'no stored balance'
          : `a stored balance of ${row.stored_balance} (${row.stored_postings} postings)`;
      const recomputed =
        row.recomputed_balance === null
          ? 'no postings'
          : `postings summing to ${row.recomputed_balance} (${row.recomputed_postings})`;
      found.add({
        kind: 'balance',
        consortiumId: row.consortium_id,
        subject: `${row.account_id}/${row.billing_period_id}`,
        message: `${account}, ${row.period_key ?? row.billing_period_id}: ${stored} but ${recomputed}`,
      });
    }
    // Differences beyond those read are counted, not described.
    found.countMore((rows[0]?.total ?? 0) - rows.length);
    progress(`  ${count(balances)} balances checked: ${count(rows[0]?.total ?? 0)} differ`);
    return { postings, accountBalances: balances };
  }

  /** Each consortium's chain, link by link in position order, and the entries that have no link. */
  private async checkChains(
    manager: EntityManager,
    found: Differences,
    progress: (line: string) => void,
  ): Promise<{ journalEntries: number; heads: ChainHeads }> {
    const consortia = (await manager.query(
      `SELECT c.id, c.name,
              (SELECT count(*) FROM journal_entries e WHERE e.consortium_id = c.id)::int AS entries
         FROM consortia c
        WHERE EXISTS (SELECT 1 FROM journal_entries e WHERE e.consortium_id = c.id)
           OR EXISTS (SELECT 1 FROM journal_entry_hashes h WHERE h.consortium_id = c.id)
        ORDER BY c.name`,
    )) as { id: string; name: string; entries: number }[];
    const journalEntries = consortia.reduce((sum, c) => sum + c.entries, 0);
    progress(
      `Checking the hash chains of ${count(consortia.length)} consortia (${count(journalEntries)} entries)…`,
    );
    const previousHeads = await this.previousHeads(manager);
    const heads: ChainHeads = {};

    for (const consortium of consortia) {
      const chain = (subject: string, message: string) =>
        found.add({
          kind: 'chain',
          consortiumId: consortium.id,
          subject,
          message: `${consortium.name}: ${message}`,
        });
      const entry = (subject: string, message: string) =>
        found.add({
          kind: 'entry',
          consortiumId: consortium.id,
          subject,
          message: `${consortium.name}: ${message}`,
        });

      const unchained = (await manager.query(
        `SELECT e.id FROM journal_entries e
          WHERE e.consortium_id = $1
            AND NOT EXISTS (SELECT 1 FROM journal_entry_hashes h WHERE h.journal_entry_id = e.id)
          ORDER BY e.created_at, e.id`,
        [consortium.id],
      )) as { id: string }[];
      for (const { id } of unchained) chain(id, `journal entry ${id} is not in the chain`);

      let expectedPosition = 1n;
      let previousHash = GENESIS_HASH;
      let checked = 0;
      for (;;) {
        const links = await this.links(manager, consortium.id, (expectedPosition - 1n).toString());
        for (const link of links) {
          const position = BigInt(link.position);
          if (position !== expectedPosition) {
            chain(link.id, `link ${link.position} follows link ${expectedPosition - 1n}: links are missing`);
          }
          if (link.previous_hash !== previousHash) {
            chain(
              link.id,
              `link ${link.position} (entry ${link.id}) does not follow on from the link before it`,
            );
          }
          if (link.consortium_id !== consortium.id) {
            chain(link.id, `link ${link.position} holds entry ${link.id} of another consortium`);
          }
          const recomputed = chainHash(link.position, link.previous_hash, toChainedEntry(link));
          if (recomputed !== link.hash) {
            chain(
              link.id,
              `journal entry ${link.id} (link ${link.position}) has changed since it was chained`,
            );
          }
          for (const problem of entryProblems(link)) entry(link.id, `journal entry ${link.id} ${problem}`);
          expectedPosition = position + 1n;
          previousHash = link.hash;
        }
        checked += links.length;
        if (links.length < PAGE) break;
        progress(`  ${consortium.name}: ${count(checked)} of ${count(consortium.entries)} entries checked`);
      }
      progress(`  ${consortium.name}: ${count(checked)} of ${count(consortium.entries)} entries checked`);
      if (checked > 0)
        heads[consortium.id] = { position: (expectedPosition - 1n).toString(), hash: previousHash };
    }

    // The heads the previous run saw must still be in their chains, unchanged: a chain is only ever extended.
    for (const [consortiumId, head] of Object.entries(previousHeads)) {
      const [link] = (await manager.query(
        `SELECT hash FROM journal_entry_hashes WHERE consortium_id = $1 AND position = $2`,
        [consortiumId, head.position],
      )) as { hash: string }[];
      if (link?.hash !== head.hash) {
        found.add({
          kind: 'chain',
          consortiumId,
          subject: `${consortiumId}#${head.position}`,
          message:
            `consortium ${consortiumId}: link ${head.position}, the last one the previous verification saw, ` +
            (link ? 'now has another hash' : 'is gone'),
        });
      }
    }
    return { journalEntries, heads };
  }

  private async links(manager: EntityManager, consortiumId: string, after: string): Promise<LinkRow[]> {
    return (await manager.query(
      `SELECT h.position::text AS position, h.previous_hash, h.hash, e.id, e.consortium_id, e.billing_period_id,
              e.kind::text AS kind, e.currency,
              to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at,
              e.source_type, e.source_id, e.reverses_entry_id, e.description,
              coalesce((SELECT json_agg(json_build_object(
                                 'accountId', p.account_id, 'amountMinor', p.amount_minor::text,
                                 'currency', p.currency, 'counterpartyOrganisationId', p.counterparty_organisation_id))
                          FROM postings p WHERE p.journal_entry_id = e.id), '[]'::json) AS postings
         FROM journal_entry_hashes h JOIN journal_entries e ON e.id = h.journal_entry_id
        WHERE h.consortium_id = $1 AND h.position > $2
        ORDER BY h.position
        LIMIT $3`,
      [consortiumId, after, PAGE],
    )) as LinkRow[];
  }

  private async previousHeads(manager: EntityManager): Promise<ChainHeads> {
    const [last] = (await manager.query(
      'SELECT heads FROM ledger_verifications ORDER BY finished_at DESC LIMIT 1',
    )) as { heads: ChainHeads }[];
    return last?.heads ?? {};
  }
}

/** Every difference counted; the first DETAIL_LIMIT described. */
class Differences {
  total = 0;
  readonly detail: LedgerDifference[] = [];

  add(difference: LedgerDifference): void {
    this.total += 1;
    if (this.detail.length < DETAIL_LIMIT) this.detail.push(difference);
  }

  countMore(count: number): void {
    this.total += count;
  }
}

function toChainedEntry(link: LinkRow): ChainedEntry {
  return {
    id: link.id,
    consortiumId: link.consortium_id,
    billingPeriodId: link.billing_period_id,
    kind: link.kind,
    currency: link.currency,
    createdAt: link.created_at,
    sourceType: link.source_type,
    sourceId: link.source_id,
    reversesEntryId: link.reverses_entry_id,
    description: link.description,
    postings: link.postings,
  };
}

/** What is wrong with an entry on its own: too few postings, an unbalanced sum, a posting in another currency. */
function entryProblems(link: LinkRow): string[] {
  const problems: string[] = [];
  if (link.postings.length < 2) problems.push(`has ${link.postings.length} posting(s)`);
  const sum = link.postings.reduce((total, p) => total + BigInt(p.amountMinor), 0n);
  if (sum !== 0n) problems.push(`does not balance: its postings sum to ${sum}`);
  const currency = link.currency.trim();
  const others = [...new Set(link.postings.map((p) => p.currency.trim()).filter((c) => c !== currency))];
  if (others.length > 0) problems.push(`is in ${currency} but has postings in ${others.join(', ')}`);
  return problems;
}
