import { DataSource } from 'typeorm';
import { LedgerService } from '../src/modules/ledger/ledger.service';
import {
  aBillingPeriod,
  aConsortiumWithMembers,
  aMembership,
  anApiKey,
  anOrganisation,
  aPostedCharge,
  aUser,
  bearerFor,
} from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

/** A member's account: balances from the per-period balances, postings with a running balance. */
describe('member accounts', () => {
  let test: TestApp;
  let ds: DataSource;

  beforeAll(async () => {
    test = await createTestApp();
    ds = test.dataSource;
  });
  afterAll(() => test.close());

  /**
   * October: home charges other £100 (later credited in full) and other charges home £30. November: home charges
   * third £50. Home is owed £20 to date: −£30 for October, +£50 for November.
   */
  async function aMemberWithHistory() {
    const cast = await aConsortiumWithMembers(ds);
    const third = await anOrganisation(ds);
    await aMembership(ds, cast.consortium, third);
    const october = await aBillingPeriod(test, cast.consortium, '2026-10-05');
    const november = await aBillingPeriod(test, cast.consortium, '2026-11-05');
    const charge = (periodId: string, provider: string, consumer: string, amountMinor: number) =>
      aPostedCharge(test, {
        consortiumId: cast.consortium.id,
        billingPeriodId: periodId,
        providerId: provider,
        consumerId: consumer,
        amountMinor,
      });
    const credited = await charge(october.id, cast.home.id, cast.other.id, 10_000);
    await charge(october.id, cast.other.id, cast.home.id, 3_000);
    await ds.transaction((manager) =>
      test.app.get(LedgerService).reverse(manager, credited, {
        kind: 'credit_note',
        sourceType: 'test_credit',
        sourceId: `credit-${credited}`,
        description: 'Credit note: service not delivered',
        actorLabel: 'finance@home',
      }),
    );
    await charge(november.id, cast.home.id, third.id, 5_000);
    return { ...cast, third, october, november };
  }

  const url = (consortiumId: string, who = 'me', tail = '') =>
    `/api/v1/consortia/${consortiumId}/accounts/${who}${tail}`;

  it("shows the caller's balances to date and per period, with the net position", async () => {
    const s = await aMemberWithHistory();
    const response = await test
      .http()
      .get(url(s.consortium.id))
      .set(await bearerFor(test, s.homeUsers.finance))
      .expect(200);

    expect(response.body).toMatchObject({
      consortiumId: s.consortium.id,
      organisationId: s.home.id,
      organisationName: s.home.name,
      currency: 'GBP',
      toDate: { receivableMinor: '5000', payableMinor: '-3000', netMinor: '2000', postingCount: 4 },
    });
    expect(response.body.periods).toEqual([
      expect.objectContaining({
        billingPeriodId: s.october.id,
        key: '2026-10',
        label: 'October 2026',
        status: 'open',
        receivableMinor: '0',
        payableMinor: '-3000',
        netMinor: '-3000',
        postingCount: 3,
      }),
      expect.objectContaining({ key: '2026-11', receivableMinor: '5000', netMinor: '5000', postingCount: 1 }),
    ]);
  });

  it('lists the postings in order with a running balance, the same on every page', async () => {
    const s = await aMemberWithHistory();
    const auth = await bearerFor(test, s.homeUsers.admin);
    const first = await test
      .http()
      .get(url(s.consortium.id, 'me', '/entries'))
      .query({ limit: 2 })
      .set(auth);
    expect(first.status).toBe(200);
    const second = await test
      .http()
      .get(url(s.consortium.id, 'me', '/entries'))
      .query({ limit: 2, cursor: first.body.page.nextCursor })
      .set(auth)
      .expect(200);
    const rows = [...first.body.data, ...second.body.data];
    expect(rows.map((r: { amountMinor: string }) => r.amountMinor)).toEqual([
      '10000',
      '-3000',
      '-10000',
      '5000',
    ]);
    expect(rows.map((r: { runningBalanceMinor: string }) => r.runningBalanceMinor)).toEqual([
      '10000',
      '7000',
      '-3000',
      '2000',
    ]);
    expect(second.body.page.nextCursor).toBeNull();
    expect(rows[2]).toMatchObject({
      kind: 'credit_note',
      accountKind: 'receivable',
      counterpartyOrganisationId: s.other.id,
      counterpartyName: s.other.name,
      billingPeriodKey: '2026-10',
      reversesEntryId: rows[0].journalEntryId,
    });

    const newestFirst = await test
      .http()
      .get(url(s.consortium.id, 'me', '/entries'))
      .query({ sort: '-postedAt', limit: 1 })
      .set(auth)
      .expect(200);
    expect(newestFirst.body.data[0]).toMatchObject({ amountMinor: '5000', runningBalanceMinor: '2000' });
  });

  it('filters by counterparty and by period, the running balance covering only what is listed', async () => {
    const s = await aMemberWithHistory();
    const auth = await bearerFor(test, s.homeUsers.finance);
    const withOther = await test
      .http()
      .get(url(s.consortium.id, 'me', '/entries'))
      .query({ counterpartyId: s.other.id })
      .set(auth)
      .expect(200);
    expect(withOther.body.data.map((r: { runningBalanceMinor: string }) => r.runningBalanceMinor)).toEqual([
      '10000',
      '7000',
      '-3000',
    ]);
    const november = await test
      .http()
      .get(url(s.consortium.id, 'me', '/entries'))
      .query({ billingPeriodId: s.november.id })
      .set(auth)
      .expect(200);
    expect(november.body.data).toEqual([
      expect.objectContaining({
        amountMinor: '5000',
        runningBalanceMinor: '5000',
        counterpartyOrganisationId: s.third.id,
      }),
    ]);
    await test
      .http()
      .get(url(s.consortium.id, 'me', '/entries'))
      .query({ billingPeriodId: 'october' })
      .set(auth)
      .expect(400);
  });

  it("lets the consortium administrators see any member's account", async () => {
    const s = await aMemberWithHistory();
    const admin = await bearerFor(test, s.consortiumAdmin);
    const other = await test.http().get(url(s.consortium.id, s.other.id)).set(admin).expect(200);
    expect(other.body.toDate).toMatchObject({ receivableMinor: '3000', payableMinor: '0', netMinor: '3000' });
    const entries = await test
      .http()
      .get(url(s.consortium.id, s.third.id, '/entries'))
      .set(admin)
      .expect(200);
    expect(entries.body.data).toHaveLength(1);
    const stranger = await anOrganisation(ds);
    await test.http().get(url(s.consortium.id, stranger.id)).set(admin).expect(404);
  });

  it('serves API keys with ledger:read, not others', async () => {
    const s = await aMemberWithHistory();
    const reader = await anApiKey(ds, s.home, ['ledger:read']);
    const response = await test.http().get(url(s.consortium.id)).set(reader.header).expect(200);
    expect(response.body.toDate.netMinor).toBe('2000');
    const chargesOnly = await anApiKey(ds, s.home, ['charges:read']);
    await test.http().get(url(s.consortium.id)).set(chargesOnly.header).expect(403);
    await test.http().get(url(s.consortium.id, s.other.id)).set(reader.header).expect(404);
  });

  it("keeps a member's account from its viewers, other members and outsiders", async () => {
    const s = await aMemberWithHistory();
    await test
      .http()
      .get(url(s.consortium.id))
      .set(await bearerFor(test, s.homeUsers.viewer))
      .expect(403);
    await test
      .http()
      .get(url(s.consortium.id, 'me', '/entries'))
      .set(await bearerFor(test, s.homeUsers.manager))
      .expect(403);
    const otherFinance = await bearerFor(test, s.otherUsers.finance);
    await test.http().get(url(s.consortium.id, s.home.id)).set(otherFinance).expect(404);
    await test
      .http()
      .get(url(s.consortium.id, s.home.id, '/entries'))
      .set(otherFinance)
      .expect(404);
    const outsider = await bearerFor(test, await aUser(ds, await anOrganisation(ds), ['finance']));
    await test.http().get(url(s.consortium.id)).set(outsider).expect(404);
    await test.http().get(url(s.consortium.id, s.home.id)).set(outsider).expect(404);
  });
});
