import fc from 'fast-check';
import { DomainError } from './domain-error';
import {
  accountBalances,
  assertValidJournalEntry,
  isBalanced,
  type JournalEntry,
  journalEntryProblems,
  type Posting,
  reverseEntry,
  totalsByCurrency,
} from './ledger';
import type { Currency } from './roles';

const post = (account: string, amountMinor: bigint, currency: Currency = 'GBP'): Posting => ({
  account,
  amountMinor,
  currency,
});

// A cross-charge of £5,400 from Kent to Norfolk: Kent is owed it, Norfolk owes it.
const issued: JournalEntry = {
  postings: [post('kent:receivable', 540_000n), post('norfolk:payable', -540_000n)],
};

/** Random balanced entries: non-zero postings plus one that balances them. */
const balancedEntryArb: fc.Arbitrary<JournalEntry> = fc
  .array(
    fc.record({
      account: fc.constantFrom('essex:payable', 'kent:receivable', 'norfolk:payable', 'suffolk:receivable'),
      amountMinor: fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }).filter((x) => x !== 0n),
    }),
    { minLength: 1, maxLength: 8 },
  )
  .filter((postings) => postings.reduce((sum, p) => sum + p.amountMinor, 0n) !== 0n)
  .map((postings) => {
    const total = postings.reduce((sum, p) => sum + p.amountMinor, 0n);
    return {
      postings: [...postings, { account: 'suspense', amountMinor: -total }].map((p) => ({
        ...p,
        currency: 'GBP' as const,
      })),
    };
  });

describe('journal entries', () => {
  it('accepts an entry whose postings sum to zero', () => {
    expect(journalEntryProblems(issued)).toEqual([]);
    expect(isBalanced(issued.postings)).toBe(true);
    expect(() => assertValidJournalEntry(issued)).not.toThrow();
  });

  it('refuses an unbalanced entry', () => {
    const entry = { postings: [post('kent:receivable', 540_000n), post('norfolk:payable', -539_999n)] };
    expect(journalEntryProblems(entry)).toEqual([
      { code: 'unbalanced', currency: 'GBP', message: 'The GBP postings sum to 1 minor units, not zero' },
    ]);
    expect(() => assertValidJournalEntry(entry)).toThrow(
      expect.objectContaining({ kind: 'invalid', code: 'unbalanced-entry' }),
    );
  });

  it('balances each currency separately', () => {
    const entry = {
      postings: [post('a', 100n), post('b', -100n, 'EUR' as Currency)],
    };
    expect(totalsByCurrency(entry.postings)).toEqual(
      new Map([
        ['GBP', 100n],
        ['EUR', -100n],
      ]),
    );
    expect(isBalanced(entry.postings)).toBe(false);
  });

  it('needs at least two postings, none of them zero', () => {
    expect(journalEntryProblems({ postings: [] }).map((p) => p.code)).toEqual(['too-few-postings']);
    expect(journalEntryProblems({ postings: [post('a', 0n)] }).map((p) => p.code)).toEqual([
      'too-few-postings',
      'zero-posting',
    ]);
    expect(journalEntryProblems({ postings: [post('a', 5n), post('b', 0n), post('c', -5n)] })).toEqual([
      { code: 'zero-posting', index: 1, message: 'Posting 2 is for zero' },
    ]);
  });

  it('refuses malformed postings', () => {
    const entry = {
      postings: [
        post('', 5n),
        { account: 'b', amountMinor: -5 as unknown as bigint, currency: 'GBP' as Currency },
      ],
    };
    expect(journalEntryProblems(entry).map((p) => [p.code, p.index])).toEqual([
      ['invalid-posting', 0],
      ['invalid-posting', 1],
    ]);
    expect(() => assertValidJournalEntry(entry)).toThrow(expect.objectContaining({ code: 'invalid-entry' }));
    expect(() => assertValidJournalEntry(entry)).toThrow(DomainError);
  });

  it('reverses an entry by negating every posting', () => {
    expect(reverseEntry({ ...issued, description: 'Credit note' })).toEqual({
      description: 'Credit note',
      postings: [post('kent:receivable', -540_000n), post('norfolk:payable', 540_000n)],
    });
  });

  it('keeps balanced entries valid when reversed, and a reversal cancels its entry in every account', () => {
    fc.assert(
      fc.property(balancedEntryArb, (entry) => {
        expect(journalEntryProblems(entry)).toEqual([]);
        const reversal = reverseEntry(entry);
        expect(journalEntryProblems(reversal)).toEqual([]);
        for (const balances of accountBalances([...entry.postings, ...reversal.postings]).values()) {
          expect([...balances.values()].every((balance) => balance === 0n)).toBe(true);
        }
      }),
    );
  });

  it('keeps a ledger of balanced entries summing to zero, with balances that are the sums of postings', () => {
    fc.assert(
      fc.property(fc.array(balancedEntryArb, { maxLength: 20 }), (entries) => {
        const postings = entries.flatMap((entry) => entry.postings);
        const balances = accountBalances(postings);
        let total = 0n;
        for (const [account, byCurrency] of balances) {
          const expected = postings
            .filter((p) => p.account === account)
            .reduce((sum, p) => sum + p.amountMinor, 0n);
          expect(byCurrency.get('GBP')).toBe(expected);
          total += expected;
        }
        expect(total).toBe(0n);
      }),
    );
  });
});
