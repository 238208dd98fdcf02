import { DomainError } from '@consortium/domain';
import { DataSource } from 'typeorm';
import { LedgerEntryInput, LedgerService } from '../src/modules/ledger/ledger.service';
import {
  aBillingPeriod,
  aConsortium,
  aMembership,
  anOrganisation,
  aPostedCharge,
  moveBillingPeriodTo,
} from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

/** LedgerService is the only way money is posted: these are its promises to the rest of the API. */
describe('LedgerService', () => {
  let test: TestApp;
  let ds: DataSource;
  let ledger: LedgerService;

  beforeAll(async () => {
    test = await createTestApp();
    ds = test.dataSource;
    ledger = test.app.get(LedgerService);
  });
  afterAll(() => test.close());

  async function aSetting() {
    const consortium = await aConsortium(ds);
    const [provider, consumer, stranger] = [
      await anOrganisation(ds),
      await anOrganisation(ds),
      await anOrganisation(ds),
    ];
    await aMembership(ds, consortium, provider);
    await aMembership(ds, consortium, consumer);
    const period = await aBillingPeriod(test, consortium, '2026-10-15');
    return { consortium, provider, consumer, stranger, period };
  }

  const chargeOf = (
    s: Awaited<ReturnType<typeof aSetting>>,
    amount: bigint,
    sourceId = `charge-${Math.random()}`,
  ): LedgerEntryInput => ({
    consortiumId: s.consortium.id,
    billingPeriodId: s.period.id,
    kind: 'charge',
    description: 'Disaster recovery, October',
    sourceType: 'test_charge',
    sourceId,
    actorLabel: 'finance@norfolk.gov.uk',
    postings: [
      {
        organisationId: s.provider.id,
        accountKind: 'receivable',
        counterpartyOrganisationId: s.consumer.id,
        amountMinor: amount,
        currency: 'GBP',
      },
      {
        organisationId: s.consumer.id,
        accountKind: 'payable',
        counterpartyOrganisationId: s.provider.id,
        amountMinor: -amount,
        currency: 'GBP',
      },
    ],
  });

  const post = (input: LedgerEntryInput) => ds.transaction((manager) => ledger.post(manager, input));

  async function balances(consortiumId: string) {
    const rows: { organisation_id: string; kind: string; balance: string }[] = await ds.query(
      `SELECT a.organisation_id, a.kind, sum(b.balance_minor)::text AS balance
         FROM ledger_accounts a JOIN account_balances b ON b.account_id = a.id
        WHERE a.consortium_id = $1 GROUP BY a.organisation_id, a.kind`,
      [consortiumId],
    );
    return new Map(rows.map((r) => [`${r.organisation_id}:${r.kind}`, BigInt(r.balance)]));
  }

  const postingCount = async (entryId: string) =>
    Number((await ds.query('SELECT count(*) FROM postings WHERE journal_entry_id = $1', [entryId]))[0].count);

  it('posts a balanced entry, creating the accounts it needs, with every posting in it', async () => {
    const s = await aSetting();
    const entryId = await post(chargeOf(s, 125_000n));

    const [entry] = await ds.query('SELECT kind, created_by_label FROM journal_entries WHERE id = $1', [
      entryId,
    ]);
    expect(entry).toEqual({ kind: 'charge', created_by_label: 'finance@norfolk.gov.uk' });
    expect(await postingCount(entryId)).toBe(2);
    const after = await balances(s.consortium.id);
    expect(after.get(`${s.provider.id}:receivable`)).toBe(125_000n);
    expect(after.get(`${s.consumer.id}:payable`)).toBe(-125_000n);
  });

  it('refuses an unbalanced entry before it reaches the database', async () => {
    const s = await aSetting();
    const input = chargeOf(s, 10_000n);
    input.postings[1].amountMinor = -9_999n;
    await expect(post(input)).rejects.toMatchObject({ code: 'unbalanced-entry' });
    expect(await balances(s.consortium.id)).toEqual(new Map());
  });

  it('refuses a zero posting, a single posting and an unknown account kind', async () => {
    const s = await aSetting();
    const zero = chargeOf(s, 0n);
    await expect(post(zero)).rejects.toBeInstanceOf(DomainError);
    const single = chargeOf(s, 500n);
    single.postings = [single.postings[0]];
    await expect(post(single)).rejects.toMatchObject({ code: 'unbalanced-entry' });
    const odd = chargeOf(s, 500n);
    (odd.postings[0] as { accountKind: string }).accountKind = 'suspense';
    await expect(post(odd)).rejects.toMatchObject({ code: 'invalid-entry' });
  });

  it('records the entry in its postings’ currency and chains it to the consortium’s previous entry at commit', async () => {
    const s = await aSetting();
    const first = await post(chargeOf(s, 1_000n));
    const second = await post(chargeOf(s, 2_000n));
    const links = await ds.query(
      `SELECT e.id, e.currency, h.position::int AS position, h.previous_hash, h.hash
         FROM journal_entries e JOIN journal_entry_hashes h ON h.journal_entry_id = e.id
        WHERE e.consortium_id = $1 ORDER BY h.position`,
      [s.consortium.id],
    );
    expect(links).toEqual([
      { id: first, currency: 'GBP', position: 1, previous_hash: '0'.repeat(64), hash: expect.any(String) },
      { id: second, currency: 'GBP', position: 2, previous_hash: links[0].hash, hash: expect.any(String) },
    ]);
  });

  it('returns the existing entry when the same source is posted again, writing nothing more', async () => {
    const s = await aSetting();
    const input = chargeOf(s, 42_00n, 'charge-once');
    const first = await post(input);
    const again = await post(chargeOf(s, 42_00n, 'charge-once'));

    expect(again).toBe(first);
    expect(await postingCount(first)).toBe(2);
    expect((await balances(s.consortium.id)).get(`${s.provider.id}:receivable`)).toBe(42_00n);
  });

  it('refuses the same source posted again with different postings', async () => {
    const s = await aSetting();
    await post(chargeOf(s, 10_000n, 'charge-reused'));
    await expect(post(chargeOf(s, 10_001n, 'charge-reused'))).rejects.toMatchObject({
      kind: 'conflict',
      code: 'ledger-source-reused',
    });
  });

  it('posts one entry when the same source is posted by parallel transactions', async () => {
    const s = await aSetting();
    const sourceId = `charge-race-${Math.random()}`;
    const ids = await Promise.all(Array.from({ length: 6 }, () => post(chargeOf(s, 7_500n, sourceId))));

    expect(new Set(ids).size).toBe(1);
    const [{ count }] = await ds.query(
      'SELECT count(*)::int AS count FROM journal_entries WHERE source_id = $1',
      [sourceId],
    );
    expect(count).toBe(1);
    expect((await balances(s.consortium.id)).get(`${s.consumer.id}:payable`)).toBe(-7_500n);
  });

  it('reverses an entry with its exact negation, returning every balance to where it was', async () => {
    const s = await aSetting();
    const entryId = await post(chargeOf(s, 99_99n));
    const reversal = await ds.transaction((manager) =>
      ledger.reverse(manager, entryId, {
        kind: 'credit_note',
        sourceType: 'test_credit',
        sourceId: `credit-${entryId}`,
        description: 'Credit note: charged in error',
        actorLabel: 'finance@kent.gov.uk',
      }),
    );

    const postings = await ds.query(
      `SELECT a.organisation_id, p.amount_minor::text AS amount, p.counterparty_organisation_id AS counterparty
         FROM postings p JOIN ledger_accounts a ON a.id = p.account_id
        WHERE p.journal_entry_id = $1 ORDER BY p.amount_minor`,
      [reversal],
    );
    expect(postings).toEqual([
      { organisation_id: s.provider.id, amount: '-9999', counterparty: s.consumer.id },
      { organisation_id: s.consumer.id, amount: '9999', counterparty: s.provider.id },
    ]);
    const [entry] = await ds.query('SELECT reverses_entry_id, kind FROM journal_entries WHERE id = $1', [
      reversal,
    ]);
    expect(entry).toEqual({ reverses_entry_id: entryId, kind: 'credit_note' });
    const after = await balances(s.consortium.id);
    expect(after.get(`${s.provider.id}:receivable`)).toBe(0n);
    expect(after.get(`${s.consumer.id}:payable`)).toBe(0n);
  });

  it('reverses idempotently per source, and refuses a second reversal of the same entry', async () => {
    const s = await aSetting();
    const entryId = await post(chargeOf(s, 5_000n));
    const reverse = (sourceId: string) =>
      ds.transaction((manager) =>
        ledger.reverse(manager, entryId, {
          kind: 'reversal',
          sourceType: 'test_reversal',
          sourceId,
          description: 'Reversed',
          actorLabel: 'test',
        }),
      );
    const first = await reverse(`rev-${entryId}`);
    expect(await reverse(`rev-${entryId}`)).toBe(first);
    await expect(reverse(`another-${entryId}`)).rejects.toMatchObject({ code: 'entry-already-reversed' });
    expect((await balances(s.consortium.id)).get(`${s.provider.id}:receivable`)).toBe(0n);
  });

  it('refuses postings for an organisation that is not a member of the consortium', async () => {
    const s = await aSetting();
    const input = chargeOf(s, 1_000n);
    input.postings[1].organisationId = s.stranger.id;
    await expect(post(input)).rejects.toMatchObject({ code: 'not-a-member' });
  });

  it('refuses a charge into a closed period and a settlement into an open one', async () => {
    const s = await aSetting();
    const closed = await aBillingPeriod(test, s.consortium, '2026-09-10', 'closed');
    await expect(post({ ...chargeOf(s, 1_000n), billingPeriodId: closed.id })).rejects.toMatchObject({
      code: 'period-not-open',
    });
    await expect(post({ ...chargeOf(s, 1_000n), kind: 'settlement' })).rejects.toMatchObject({
      code: 'period-not-open',
    });
  });

  it('still returns a charge posted before its period closed, so a retry after the close is harmless', async () => {
    const s = await aSetting();
    const period = await aBillingPeriod(test, s.consortium, '2026-08-10');
    const input = { ...chargeOf(s, 3_000n, `late-retry-${Math.random()}`), billingPeriodId: period.id };
    const entryId = await post(input);
    await moveBillingPeriodTo(ds, period.id, 'closed');
    expect(await post(input)).toBe(entryId);
  });

  it('keeps the ledger summing to zero and balances equal to the sum of postings', async () => {
    const s = await aSetting();
    await aPostedCharge(test, {
      consortiumId: s.consortium.id,
      billingPeriodId: s.period.id,
      providerId: s.consumer.id,
      consumerId: s.provider.id,
      amountMinor: 12_345,
    });
    await post(chargeOf(s, 500n));
    const [totals] = await ds.query(
      `SELECT (SELECT coalesce(sum(p.amount_minor), 0)::text FROM postings p JOIN ledger_accounts a ON a.id = p.account_id
                WHERE a.consortium_id = $1) AS postings,
              (SELECT coalesce(sum(b.balance_minor), 0)::text FROM account_balances b JOIN ledger_accounts a ON a.id = b.account_id
                WHERE a.consortium_id = $1) AS balances`,
      [s.consortium.id],
    );
    expect(totals).toEqual({ postings: '0', balances: '0' });
  });
});
