import { DataSource } from 'typeorm';
import {
  aConsortium,
  anOrganisation,
  aService,
  aSubscriptionTo,
  moveBillingPeriodTo,
} from './support/builders';
import { asOwner } from './support/databases';
import { createTestApp, TestApp } from './support/test-app';

/** The ledger's invariants hold even against SQL that bypasses the application. */
describe('ledger invariants in the database', () => {
  let test: TestApp;
  let ds: DataSource;
  let consortiumId: string;
  let periodId: string;
  let debitAccount: string;
  let creditAccount: string;
  let subscriptionId: string;
  let providerId: string;

  beforeAll(async () => {
    test = await createTestApp();
    ds = test.dataSource;
    const consortium = await aConsortium(ds);
    const [provider, consumer] = [await anOrganisation(ds), await anOrganisation(ds)];
    consortiumId = consortium.id;
    providerId = provider.id;
    subscriptionId = await aSubscriptionTo(ds, await aService(ds, consortium, provider), consumer);
    [{ id: periodId }] = await ds.query(
      `INSERT INTO billing_periods (consortium_id, key, cycle, start_date, end_date)
       VALUES ($1, '2026-10', 'monthly', '2026-10-01', '2026-10-31') RETURNING id`,
      [consortiumId],
    );
    [{ id: debitAccount }] = await ds.query(
      `INSERT INTO ledger_accounts (consortium_id, organisation_id, kind, currency) VALUES ($1, $2, 'receivable', 'GBP') RETURNING id`,
      [consortiumId, provider.id],
    );
    [{ id: creditAccount }] = await ds.query(
      `INSERT INTO ledger_accounts (consortium_id, organisation_id, kind, currency) VALUES ($1, $2, 'payable', 'GBP') RETURNING id`,
      [consortiumId, consumer.id],
    );
  });
  afterAll(() => test.close());

  async function postEntry(
    amounts: number[],
    kind = 'charge',
    source = `test:${Math.random()}`,
  ): Promise<string> {
    return ds.transaction(async (manager) => {
      const [{ id }] = await manager.query(
        `INSERT INTO journal_entries (consortium_id, billing_period_id, kind, description, source_type, source_id, created_by_label, currency)
         VALUES ($1, $2, $3, 'test entry', 'test', $4, 'test', 'GBP') RETURNING id`,
        [consortiumId, periodId, kind, source],
      );
      for (const [index, amount] of amounts.entries()) {
        await manager.query(
          'INSERT INTO postings (journal_entry_id, account_id, amount_minor, currency) VALUES ($1, $2, $3, $4)',
          [id, index % 2 === 0 ? debitAccount : creditAccount, amount, 'GBP'],
        );
      }
      return id as string;
    });
  }

  it('accepts a balanced entry and keeps the per-period balances in step', async () => {
    const before = await ds.query('SELECT balance_minor FROM account_balances WHERE account_id = $1', [
      debitAccount,
    ]);
    await postEntry([12_345, -12_345]);
    const [after] = await ds.query('SELECT balance_minor FROM account_balances WHERE account_id = $1', [
      debitAccount,
    ]);
    expect(BigInt(after.balance_minor) - BigInt(before[0]?.balance_minor ?? 0)).toBe(12_345n);
  });

  it('rejects an unbalanced entry at commit', async () => {
    await expect(postEntry([10_000, -9_999])).rejects.toThrow(/does not balance/);
  });

  it('rejects an entry with a single posting', async () => {
    await expect(postEntry([500])).rejects.toThrow(/at least two/);
  });

  it('rejects an entry with no postings at all', async () => {
    await expect(postEntry([])).rejects.toThrow(/at least two/);
  });

  // Even to the owner: the API's role is refused before the trigger (database-roles.e2e-spec.ts).
  it('rejects UPDATE and DELETE of postings and journal entries', async () => {
    const entryId = await postEntry([700, -700]);
    await asOwner(async (owner) => {
      await expect(
        owner.query('UPDATE postings SET amount_minor = 1 WHERE journal_entry_id = $1', [entryId]),
      ).rejects.toThrow(/append-only/);
      await expect(
        owner.query('DELETE FROM postings WHERE journal_entry_id = $1', [entryId]),
      ).rejects.toThrow(/append-only/);
      await expect(
        owner.query(`UPDATE journal_entries SET description = 'x' WHERE id = $1`, [entryId]),
      ).rejects.toThrow(/append-only/);
      await expect(owner.query('DELETE FROM journal_entries WHERE id = $1', [entryId])).rejects.toThrow(
        /append-only/,
      );
    });
  });

  it('rejects a zero posting', async () => {
    await expect(postEntry([0, 0])).rejects.toThrow(/ck_posting_non_zero/);
  });

  it('refuses to post a charge into a closed period but accepts its settlement payments', async () => {
    const [{ id: closedPeriod }] = await ds.query(
      `INSERT INTO billing_periods (consortium_id, key, cycle, start_date, end_date)
       VALUES ($1, '2026-09', 'monthly', '2026-09-01', '2026-09-30') RETURNING id`,
      [consortiumId],
    );
    await moveBillingPeriodTo(ds, closedPeriod, 'closed');
    const insertEntry = (kind: string) =>
      ds.query(
        `INSERT INTO journal_entries (consortium_id, billing_period_id, kind, description, source_type, source_id, created_by_label, currency)
         VALUES ($1, $2, $3, 'late', 'test', $4, 'test', 'GBP') RETURNING id`,
        [consortiumId, closedPeriod, kind, `late:${kind}`],
      );
    await expect(insertEntry('charge')).rejects.toThrow(/closed: nothing more can be posted/);
    await expect(
      ds.transaction(async (manager) => {
        const [{ id }] = await manager.query(
          `INSERT INTO journal_entries (consortium_id, billing_period_id, kind, description, source_type, source_id, created_by_label, currency)
           VALUES ($1, $2, 'settlement', 'payment', 'test', 'settle:1', 'test', 'GBP') RETURNING id`,
          [consortiumId, closedPeriod],
        );
        await manager.query(
          `INSERT INTO postings (journal_entry_id, account_id, amount_minor, currency) VALUES ($1, $2, 100, 'GBP'), ($1, $3, -100, 'GBP')`,
          [id, creditAccount, debitAccount],
        );
      }),
    ).resolves.toBeUndefined();
  });

  it('refuses usage into a period that is not open', async () => {
    const [{ id: closingPeriod }] = await ds.query(
      `INSERT INTO billing_periods (consortium_id, key, cycle, start_date, end_date)
       VALUES ($1, '2026-08', 'monthly', '2026-08-01', '2026-08-31') RETURNING id`,
      [consortiumId],
    );
    await moveBillingPeriodTo(ds, closingPeriod, 'closing');
    const insertUsage = (period: string, eventId: string) =>
      ds.query(
        `INSERT INTO usage_events (provider_organisation_id, event_id, subscription_id, billing_period_id, metric, quantity, occurred_at, body_hash)
         VALUES ($1, $2, $3, $4, 'storage_gb', 1.5, now(), 'hash')`,
        [providerId, eventId, subscriptionId, period],
      );
    await expect(insertUsage(closingPeriod, 'evt-closing')).rejects.toThrow(/not open for usage/);
    await expect(insertUsage(periodId, 'evt-open')).resolves.toBeDefined();
  });
});
