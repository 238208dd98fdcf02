import { isCurrency } from './currency';
import { DomainError } from './domain-error';
import type { Currency } from './roles';

/**
 * One side of a journal entry: an amount in integer minor units posted to an account. Debits are positive and
 * credits negative, so "an entry balances" is simply "its postings sum to zero" in each currency.
 */
export interface Posting {
  readonly account: string;
  readonly amountMinor: bigint;
  readonly currency: Currency;
}

export interface JournalEntry {
  readonly postings: readonly Posting[];
}

export interface JournalEntryProblem {
  readonly code: 'too-few-postings' | 'zero-posting' | 'invalid-posting' | 'unbalanced';
  readonly message: string;
  /** The posting at fault, when there is one. */
  readonly index?: number;
  readonly currency?: Currency;
}

/** The sum of the postings per currency: every figure is zero in a balanced entry. */
export function totalsByCurrency(postings: readonly Posting[]): Map<Currency, bigint> {
  const totals = new Map<Currency, bigint>();
  for (const posting of postings) {
    totals.set(posting.currency, (totals.get(posting.currency) ?? 0n) + posting.amountMinor);
  }
  return totals;
}

export function isBalanced(postings: readonly Posting[]): boolean {
  return [...totalsByCurrency(postings).values()].every((total) => total === 0n);
}

/**
 * Everything wrong with an entry, or nothing: at least two postings, each to a named account with a non-zero
 * whole amount in a known currency, and the postings summing to zero in each currency. The database checks
 * balance too; this lets the code refuse an entry before it gets that far, with a clear reason.
 */
export function journalEntryProblems(entry: JournalEntry): JournalEntryProblem[] {
  const problems: JournalEntryProblem[] = [];
  if (entry.postings.length < 2) {
    problems.push({ code: 'too-few-postings', message: 'A journal entry needs at least two postings' });
  }
  entry.postings.forEach((posting, index) => {
    if (typeof posting.account !== 'string' || posting.account.trim() === '') {
      problems.push({ code: 'invalid-posting', index, message: `Posting ${index + 1} has no account` });
    }
    if (!isCurrency(posting.currency)) {
      problems.push({
        code: 'invalid-posting',
        index,
        message: `Posting ${index + 1} has an unknown currency`,
      });
    }
    if (typeof posting.amountMinor !== 'bigint') {
      problems.push({
        code: 'invalid-posting',
        index,
        message: `Posting ${index + 1} must be a whole number of minor units`,
      });
    } else if (posting.amountMinor === 0n) {
      problems.push({ code: 'zero-posting', index, message: `Posting ${index + 1} is for zero` });
    }
  });
  if (problems.some((problem) => problem.code === 'invalid-posting')) return problems;
  for (const [currency, total] of totalsByCurrency(entry.postings)) {
    if (total !== 0n) {
      problems.push({
        code: 'unbalanced',
        currency,
        message: `The ${currency} postings sum to ${total} minor units, not zero`,
      });
    }
  }
  return problems;
}

/** Refuses an entry that does not balance or is malformed, listing every problem in `details.problems`. */
export function assertValidJournalEntry(entry: JournalEntry): void {
  const problems = journalEntryProblems(entry);
  if (problems.length > 0) {
    throw new DomainError(
      'invalid',
      problems.some((problem) => problem.code === 'unbalanced') ? 'unbalanced-entry' : 'invalid-entry',
      `The journal entry is not valid: ${problems.map((problem) => problem.message).join('; ')}`,
      { problems },
    );
  }
}

/**
 * The entry that undoes `entry`: every posting negated, to the same accounts. Posted entries are never edited;
 * a correction is a reversal (and, if needed, a new entry).
 */
export function reversingPostings(postings: readonly Posting[]): Posting[] {
  return postings.map((posting) => ({ ...posting, amountMinor: -posting.amountMinor }));
}

export function reverseEntry<E extends JournalEntry>(entry: E): E {
  return { ...entry, postings: reversingPostings(entry.postings) };
}

/** Each account's balance per currency: the sum of its postings. */
export function accountBalances(postings: readonly Posting[]): Map<string, Map<Currency, bigint>> {
  const balances = new Map<string, Map<Currency, bigint>>();
  for (const posting of postings) {
    const account = balances.get(posting.account) ?? new Map<Currency, bigint>();
    account.set(posting.currency, (account.get(posting.currency) ?? 0n) + posting.amountMinor);
    balances.set(posting.account, account);
  }
  return balances;
}
