/**
 * THE LEDGER: the only way anything is posted. Read this before you post.
 *
 *   const entryId = await ledger.post(manager, {
 *     consortiumId, billingPeriodId,
 *     kind: 'charge',                                  // charge | credit_note | settlement | reversal
 *     description: `Cross-charge ${charge.reference}`,
 *     sourceType: 'cross_charge', sourceId: charge.id,   // (sourceType, sourceId, kind) is unique: see below
 *     actorLabel: actor.label,
 *     postings: [
 *       { organisationId: provider, accountKind: 'receivable', counterpartyOrganisationId: consumer, amountMinor: gross, currency: 'GBP' },
 *       { organisationId: consumer, accountKind: 'payable', counterpartyOrganisationId: provider, amountMinor: -gross, currency: 'GBP' },
 *     ],
 *   });
 *   await ledger.reverse(manager, entryId, { kind: 'credit_note', sourceType: 'credit_note', sourceId: note.id,
 *                                            description: `Credit note ${note.reference}`, actorLabel: actor.label });
 *
 * - Call it inside your own `dataSource.transaction(async (manager) => …)`, next to the state change it records
 *   and its audit event: the entry commits or rolls back with them.
 * - Idempotent: posting again with the same (sourceType, sourceId, kind) returns the existing entry's id and writes
 *   nothing; the same source with different postings is refused (409 ledger-source-reused), never silently
 *   ignored. Use a stable source per business fact (the cross-charge id, the credit note id, the settlement
 *   payment id), so a retry or a re-run can never post twice.
 * - Amounts are bigint minor units (pence). Every entry has at least two non-zero postings summing to zero, all
 *   in one currency, the entry's (checked here with the domain's assertValidJournalEntry, and again by the
 *   database: the currency per posting, the balance at commit).
 * - The database lets postings join only an entry created in the same transaction, and at commit chains the entry
 *   to the previous one of its consortium (journal_entry_hashes: sha256 over its canonical text and the previous
 *   hash; see ledger-chain.ts). `verify-ledger` recomputes the chain and every balance.
 * - Every organisation (and counterparty) must be, or have been, a member of the consortium (active, suspended or
 *   left); accounts are created on first use.
 * - The period is locked (FOR SHARE) and must allow the posting: charges, credit notes and reversals only while it
 *   is open or closing, settlement payments only once it is closed; nothing once settled (409 period-not-open).
 *   To correct a charge of a period that has since closed, post the correction into the current open period
 *   (reverse() takes a `billingPeriodId`).
 * - reverse() posts the exact negation of an entry (reversesEntryId set) and refuses to reverse an entry that
 *   something else already reverses; for a partial credit, post() the credit explicitly (reversesEntryId optional).
 *
 * Also from this plumbing:
 * - BillingPeriodsService.ensurePeriodFor(manager, consortiumId, 'YYYY-MM-DD', actor?) → the period containing the
 *   date (created open, audited, if missing; import BillingPeriodsModule).
 * - lockPeriodFor(manager, periodId, activity) (billing-periods/period-lock.ts) → the period, locked FOR SHARE, or
 *   409 period-not-open. Take it before writing anything that belongs to a period (usage, drafts, disputes,
 *   issuing), so a close waits for you and you wait for a close: the close counts drafts and unresolved disputes.
 * - ledger.findBySource(manager, sourceType, sourceId, kind) → the entry posted for a source, if any.
 * - @Idempotent() (idempotency/idempotent.decorator.ts) on a money-moving POST: it honours an Idempotency-Key.
 *
 * SIGN CONVENTION (debits positive, credits negative; per account kind):
 * - A cross-charge of £X from provider P to consumer C:  P.receivable +X (debit), C.payable −X (credit).
 * - A credit note (or reversal) of that charge:           P.receivable −X,          C.payable +X.
 * - A settlement payment of £Y from C to P:              C.payable +Y,             P.receivable −Y.
 * - A member's net position = receivable balance + payable balance: positive means the consortium owes it money
 *   (a creditor), negative means it owes (a debtor). Per period the positions of all members sum to zero.
 * - Balances are kept per account and period in account_balances by a trigger in the posting transaction, and
 *   changed by nothing else (the database refuses any other write): read them (see AccountsService) instead of
 *   summing postings.
 */
import {
  assertValidJournalEntry,
  DomainError,
  isCurrency,
  type JournalEntryKind,
  LEDGER_ACCOUNT_KINDS,
  type LedgerAccountKind,
} from '@consortium/domain';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { lockPeriodFor } from '../billing-periods/period-lock';

export interface LedgerPostingInput {
  /** The member whose account is posted to. */
  organisationId: string;
  accountKind: LedgerAccountKind;
  /** The other member of the transaction, so an account can be filtered by counterparty. */
  counterpartyOrganisationId: string | null;
  /** Signed minor units: debits positive, credits negative. Never zero. */
  amountMinor: bigint;
  currency: string;
}

export interface LedgerEntryInput {
  consortiumId: string;
  billingPeriodId: string;
  kind: JournalEntryKind;
  description: string;
  /** What the entry records, e.g. `cross_charge`; with sourceId and kind, unique across the ledger. */
  sourceType: string;
  sourceId: string;
  /** The entry this one corrects (a reversal or credit note). */
  reversesEntryId?: string | null;
  /** Who posted it, for the entry's record (the actor's label, or `system`). */
  actorLabel: string;
  postings: LedgerPostingInput[];
}

export interface ReversalInput {
  kind: JournalEntryKind;
  sourceType: string;
  sourceId: string;
  description: string;
  actorLabel: string;
  /** The period to post the reversal into; by default the reversed entry's own period. */
  billingPeriodId?: string;
}

/** Statuses in which an organisation has joined the consortium at some time, and so may hold its accounts. */
const ACCOUNT_HOLDER_STATUSES = ['active', 'suspended', 'left'];

interface StoredPosting {
  organisation_id: string;
  kind: LedgerAccountKind;
  counterparty_organisation_id: string | null;
  amount_minor: string;
  currency: string;
}

/** A canonical description of an entry's effect, to tell a true replay from a reuse of its source. */
function fingerprint(
  consortiumId: string,
  billingPeriodId: string,
  postings: readonly {
    organisationId: string;
    accountKind: string;
    counterpartyOrganisationId: string | null;
    amountMinor: bigint;
    currency: string;
  }[],
): string {
  const lines = postings
    .map((p) =>
      [p.organisationId, p.accountKind, p.counterpartyOrganisationId ?? '-', p.amountMinor, p.currency].join(
        '|',
      ),
    )
    .sort();
  return [consortiumId, billingPeriodId, ...lines].join('\n');
}

@Injectable()
export class LedgerService {
  /**
   * Posts one balanced journal entry and returns its id, or returns the id of the entry already posted for the
   * same (sourceType, sourceId, kind). Must run inside the caller's transaction.
   */
  async post(manager: EntityManager, input: LedgerEntryInput): Promise<string> {
    this.assertWellFormed(input);

    const existing = await this.findBySource(manager, input.sourceType, input.sourceId, input.kind);
    if (existing) {
      await this.assertSameEntry(manager, existing, input);
      return existing.id;
    }

    const period = await lockPeriodFor(
      manager,
      input.billingPeriodId,
      input.kind === 'settlement' ? 'record_settlement' : 'issue_charges',
    );
    if (period.consortiumId !== input.consortiumId) {
      throw new DomainError(
        'invalid',
        'period-of-another-consortium',
        'The billing period belongs to another consortium',
      );
    }
    await this.assertAccountHolders(manager, input);
    const accountIds = await this.ensureAccounts(manager, input);

    const inserted = (await manager.query(
      `INSERT INTO journal_entries (consortium_id, billing_period_id, kind, description, source_type, source_id,
                                    reverses_entry_id, created_by_label, currency)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (source_type, source_id, kind) DO NOTHING
       RETURNING id`,
      [
        input.consortiumId,
        input.billingPeriodId,
        input.kind,
        input.description,
        input.sourceType,
        input.sourceId,
        input.reversesEntryId ?? null,
        input.actorLabel,
        input.postings[0].currency,
      ],
    )) as { id: string }[];
    if (inserted.length === 0) {
      // A concurrent transaction posted the same source first and has committed: that entry stands.
      const winner = await this.findBySource(manager, input.sourceType, input.sourceId, input.kind);
      if (!winner) throw new Error('journal entry conflict without a committed entry');
      await this.assertSameEntry(manager, winner, input);
      return winner.id;
    }
    const entryId = inserted[0].id;

    // Every posting in one statement: the balance trigger then runs once for the whole entry.
    await manager.query(
      `INSERT INTO postings (journal_entry_id, account_id, billing_period_id, counterparty_organisation_id,
                             amount_minor, currency)
       SELECT $1, account_id, $2, counterparty, amount, currency
         FROM unnest($3::uuid[], $4::uuid[], $5::bigint[], $6::char(3)[])
              AS p(account_id, counterparty, amount, currency)`,
      [
        entryId,
        input.billingPeriodId,
        input.postings.map((p) => accountIds.get(accountKey(p))),
        input.postings.map((p) => p.counterpartyOrganisationId),
        input.postings.map((p) => p.amountMinor.toString()),
        input.postings.map((p) => p.currency),
      ],
    );
    return entryId;
  }

  /**
   * Posts the exact negation of an entry, to the same accounts and counterparties, marked as reversing it.
   * Idempotent per (sourceType, sourceId, kind) like post(); refuses an entry something else already reverses.
   */
  async reverse(manager: EntityManager, entryId: string, reversal: ReversalInput): Promise<string> {
    // Serialises reversals of one entry. An advisory lock, not a row lock: locking a row needs UPDATE, and the
    // API's database role may only read and add journal entries.
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`journal-entry-reversal:${entryId}`]);
    const [original] = (await manager.query(
      'SELECT id, consortium_id, billing_period_id FROM journal_entries WHERE id = $1',
      [entryId],
    )) as { id: string; consortium_id: string; billing_period_id: string }[];
    if (!original) {
      throw new DomainError(
        'not_found',
        'journal-entry-not-found',
        'The journal entry to reverse was not found',
      );
    }
    const existing = await this.findBySource(manager, reversal.sourceType, reversal.sourceId, reversal.kind);
    if (!existing) {
      const [other] = (await manager.query(
        'SELECT id FROM journal_entries WHERE reverses_entry_id = $1 LIMIT 1',
        [entryId],
      )) as { id: string }[];
      if (other) {
        throw new DomainError(
          'conflict',
          'entry-already-reversed',
          'That journal entry has already been reversed or credited: post any further correction explicitly',
          { entryId, reversedBy: other.id },
        );
      }
    }
    const postings = await this.postingsOf(manager, entryId);
    return this.post(manager, {
      consortiumId: original.consortium_id,
      billingPeriodId: reversal.billingPeriodId ?? original.billing_period_id,
      kind: reversal.kind,
      description: reversal.description,
      sourceType: reversal.sourceType,
      sourceId: reversal.sourceId,
      reversesEntryId: entryId,
      actorLabel: reversal.actorLabel,
      postings: postings.map((p) => ({
        organisationId: p.organisation_id,
        accountKind: p.kind,
        counterpartyOrganisationId: p.counterparty_organisation_id,
        amountMinor: -BigInt(p.amount_minor),
        currency: p.currency.trim(),
      })),
    });
  }

  /** The entry posted for a source, if any. */
  async findBySource(
    manager: EntityManager,
    sourceType: string,
    sourceId: string,
    kind: JournalEntryKind,
  ): Promise<{ id: string; consortiumId: string; billingPeriodId: string } | null> {
    const [row] = (await manager.query(
      `SELECT id, consortium_id AS "consortiumId", billing_period_id AS "billingPeriodId"
         FROM journal_entries WHERE source_type = $1 AND source_id = $2 AND kind = $3`,
      [sourceType, sourceId, kind],
    )) as { id: string; consortiumId: string; billingPeriodId: string }[];
    return row ?? null;
  }

  private async postingsOf(manager: EntityManager, entryId: string): Promise<StoredPosting[]> {
    return (await manager.query(
      `SELECT a.organisation_id, a.kind, p.counterparty_organisation_id, p.amount_minor::text AS amount_minor,
              p.currency
         FROM postings p JOIN ledger_accounts a ON a.id = p.account_id
        WHERE p.journal_entry_id = $1 ORDER BY p.id`,
      [entryId],
    )) as StoredPosting[];
  }

  private assertWellFormed(input: LedgerEntryInput): void {
    const problems: string[] = [];
    if (!input.description?.trim()) problems.push('a description is required');
    if (!input.sourceType?.trim() || !input.sourceId?.trim()) problems.push('a source is required');
    if (!input.actorLabel?.trim()) problems.push('an actor label is required');
    if (!Array.isArray(input.postings)) problems.push('postings are required');
    input.postings?.forEach((posting, index) => {
      if (!posting.organisationId) problems.push(`posting ${index + 1} has no organisation`);
      if (!(LEDGER_ACCOUNT_KINDS as readonly string[]).includes(posting.accountKind)) {
        problems.push(`posting ${index + 1} has an unknown account kind`);
      }
      if (!isCurrency(posting.currency)) problems.push(`posting ${index + 1} has an unknown currency`);
      if (posting.currency !== input.postings[0].currency) {
        problems.push(
          `posting ${index + 1} is in ${posting.currency}, the entry in ${input.postings[0].currency}`,
        );
      }
    });
    if (problems.length > 0) {
      throw new DomainError(
        'invalid',
        'invalid-entry',
        `The journal entry is not valid: ${problems.join('; ')}`,
      );
    }
    assertValidJournalEntry({
      postings: input.postings.map((posting) => ({
        account: accountKey(posting),
        amountMinor: posting.amountMinor,
        currency: posting.currency as 'GBP',
      })),
    });
  }

  private async assertSameEntry(
    manager: EntityManager,
    existing: { id: string; consortiumId: string; billingPeriodId: string },
    input: LedgerEntryInput,
  ): Promise<void> {
    const stored = await this.postingsOf(manager, existing.id);
    const before = fingerprint(
      existing.consortiumId,
      existing.billingPeriodId,
      stored.map((p) => ({
        organisationId: p.organisation_id,
        accountKind: p.kind,
        counterpartyOrganisationId: p.counterparty_organisation_id,
        amountMinor: BigInt(p.amount_minor),
        currency: p.currency.trim(),
      })),
    );
    if (before !== fingerprint(input.consortiumId, input.billingPeriodId, input.postings)) {
      throw new DomainError(
        'conflict',
        'ledger-source-reused',
        `${input.sourceType} ${input.sourceId} was already posted as a ${input.kind} with different postings`,
        { entryId: existing.id },
      );
    }
  }

  private async assertAccountHolders(manager: EntityManager, input: LedgerEntryInput): Promise<void> {
    const organisations = [
      ...new Set(
        input.postings.flatMap((p) =>
          p.counterpartyOrganisationId
            ? [p.organisationId, p.counterpartyOrganisationId]
            : [p.organisationId],
        ),
      ),
    ];
    const members = (await manager.query(
      `SELECT organisation_id FROM consortium_memberships
        WHERE consortium_id = $1 AND organisation_id = ANY($2::uuid[])
          AND status = ANY($3::membership_status[])`,
      [input.consortiumId, organisations, ACCOUNT_HOLDER_STATUSES],
    )) as { organisation_id: string }[];
    const found = new Set(members.map((m) => m.organisation_id));
    const strangers = organisations.filter((id) => !found.has(id));
    if (strangers.length > 0) {
      throw new DomainError(
        'invalid',
        'not-a-member',
        'Only members of the consortium hold accounts in its ledger',
        { organisationIds: strangers },
      );
    }
  }

  /** Creates the accounts the postings need (if missing) and maps each `organisation|kind|currency` to its id. */
  private async ensureAccounts(
    manager: EntityManager,
    input: LedgerEntryInput,
  ): Promise<Map<string, string>> {
    const keys = [...new Set(input.postings.map(accountKey))].map((key) => key.split('|'));
    const organisationIds = keys.map(([organisationId]) => organisationId);
    const kinds = keys.map(([, kind]) => kind);
    const currencies = keys.map(([, , currency]) => currency);
    await manager.query(
      `INSERT INTO ledger_accounts (consortium_id, organisation_id, kind, currency)
       SELECT $1, organisation_id, kind, currency
         FROM unnest($2::uuid[], $3::ledger_account_kind[], $4::char(3)[]) AS a(organisation_id, kind, currency)
       ON CONFLICT (consortium_id, organisation_id, kind, currency) DO NOTHING`,
      [input.consortiumId, organisationIds, kinds, currencies],
    );
    const accounts = (await manager.query(
      `SELECT a.id, a.organisation_id, a.kind, a.currency
         FROM ledger_accounts a
         JOIN unnest($2::uuid[], $3::ledger_account_kind[], $4::char(3)[]) AS k(organisation_id, kind, currency)
           ON a.organisation_id = k.organisation_id AND a.kind = k.kind AND a.currency = k.currency
        WHERE a.consortium_id = $1`,
      [input.consortiumId, organisationIds, kinds, currencies],
    )) as { id: string; organisation_id: string; kind: string; currency: string }[];
    return new Map(
      accounts.map((a) => [
        accountKey({ organisationId: a.organisation_id, accountKind: a.kind, currency: a.currency.trim() }),
        a.id,
      ]),
    );
  }
}

function accountKey(posting: { organisationId: string; accountKind: string; currency: string }): string {
  return `${posting.organisationId}|${posting.accountKind}|${posting.currency}`;
}
