import { settlesExactly } from '@consortium/domain';
import { DataSource } from 'typeorm';
import {
  aBillingPeriod,
  aConsortiumWithMembers,
  aDraftCrossCharge,
  aMembership,
  anOrganisation,
  aPostedCharge,
  auditEventsFor,
  aUser,
  bearerFor,
} from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

/** Closing a period fixes who owes whom; recording the plan's payments settles it. */
describe('period close and settlement', () => {
  let test: TestApp;
  let ds: DataSource;

  beforeAll(async () => {
    test = await createTestApp();
    ds = test.dataSource;
  });
  afterAll(() => test.close());

  /** Three members trading in October 2026: A is owed £1,100, B owes £500, C owes £600. */
  async function aTradingPeriod(date = '2026-10-15') {
    const cast = await aConsortiumWithMembers(ds);
    const third = await anOrganisation(ds);
    await aMembership(ds, cast.consortium, third);
    const thirdFinance = await aUser(ds, third, ['finance']);
    const [a, b, c] = [cast.home, cast.other, third];
    const period = await aBillingPeriod(test, cast.consortium, date);
    const charge = (provider: string, consumer: string, amountMinor: number) =>
      aPostedCharge(test, {
        consortiumId: cast.consortium.id,
        billingPeriodId: period.id,
        providerId: provider,
        consumerId: consumer,
        amountMinor,
      });
    await charge(a.id, b.id, 100_000);
    await charge(b.id, c.id, 50_000);
    await charge(c.id, a.id, 20_000);
    await charge(a.id, c.id, 30_000);
    return {
      ...cast,
      a,
      b,
      c,
      thirdFinance,
      period,
      admin: await bearerFor(test, cast.consortiumAdmin),
    };
  }

  const close = (periodId: string, auth: Record<string, string>, body: object = {}) =>
    test.http().post(`/api/v1/billing-periods/${periodId}/close`).set(auth).send(body);

  const periodStatus = async (id: string) =>
    (await ds.query('SELECT status FROM billing_periods WHERE id = $1', [id]))[0].status as string;

  /** The member's balance for the period, from its accounts' per-period balances. */
  async function positionInPeriod(organisationId: string, periodId: string): Promise<bigint> {
    const [row] = await ds.query(
      `SELECT coalesce(sum(b.balance_minor), 0)::text AS net FROM account_balances b
         JOIN ledger_accounts a ON a.id = b.account_id WHERE a.organisation_id = $1 AND b.billing_period_id = $2`,
      [organisationId, periodId],
    );
    return BigInt(row.net);
  }

  it('shows a provisional plan before the close', async () => {
    const s = await aTradingPeriod();
    const response = await test
      .http()
      .get(`/api/v1/billing-periods/${s.period.id}/settlement`)
      .set(await bearerFor(test, s.homeUsers.viewer))
      .expect(200);
    expect(response.body).toMatchObject({ status: 'provisional', periodStatus: 'open', method: 'minimum' });
    expect(response.body.payments.every((p: { id: string | null }) => p.id === null)).toBe(true);
  });

  it('closes the period with positions that net to zero and a plan that settles each exactly', async () => {
    const s = await aTradingPeriod();
    const response = await close(s.period.id, s.admin).expect(200);

    expect(response.body).toMatchObject({
      periodStatus: 'closed',
      status: 'awaiting_payments',
      method: 'minimum',
      currency: 'GBP',
      closeOverrideReason: null,
    });
    const positions = new Map<string, string>(
      response.body.positions.map((p: { organisationId: string; netMinor: string }) => [
        p.organisationId,
        p.netMinor,
      ]),
    );
    expect(positions.get(s.a.id)).toBe('110000');
    expect(positions.get(s.b.id)).toBe('-50000');
    expect(positions.get(s.c.id)).toBe('-60000');
    const netPositions = [...positions].map(([memberId, net]) => ({ memberId, amountMinor: BigInt(net) }));
    expect(netPositions.reduce((sum, p) => sum + p.amountMinor, 0n)).toBe(0n);

    const payments = response.body.payments.map(
      (p: { payerOrganisationId: string; payeeOrganisationId: string; amountMinor: string }) => ({
        from: p.payerOrganisationId,
        to: p.payeeOrganisationId,
        amountMinor: BigInt(p.amountMinor),
      }),
    );
    expect(payments).toHaveLength(2);
    expect(settlesExactly(netPositions, payments)).toBe(true);
    expect(response.body.payments.map((p: { position: number }) => p.position)).toEqual([1, 2]);

    const notified = await ds.query(
      `SELECT organisation_id, body FROM notifications WHERE entity_id = $1 AND kind = 'billing_period.closed'`,
      [s.period.id],
    );
    expect(notified).toHaveLength(3);
    expect(notified.find((n: { organisation_id: string }) => n.organisation_id === s.b.id).body).toContain(
      'you owe £500.00',
    );
    expect((await auditEventsFor(ds, s.period.id)).map((e) => e.action)).toContain('billing_period.closed');
  });

  it('settles the period when every payment is recorded, leaving each member owing nothing for it', async () => {
    const s = await aTradingPeriod();
    const closed = await close(s.period.id, s.admin).expect(200);
    const financeOf = new Map([
      [s.b.id, await bearerFor(test, s.otherUsers.finance)],
      [s.c.id, await bearerFor(test, s.thirdFinance)],
    ]);

    for (const payment of closed.body.payments as { id: string; payerOrganisationId: string }[]) {
      const recorded = await test
        .http()
        .post(`/api/v1/settlement-payments/${payment.id}/record`)
        .set(financeOf.get(payment.payerOrganisationId)!)
        .send({ paymentReference: `BACS-${payment.id.slice(0, 8)}` })
        .expect(200);
      expect(recorded.body).toMatchObject({ status: 'recorded', journalEntryId: expect.any(String) });
    }

    expect(await periodStatus(s.period.id)).toBe('settled');
    for (const member of [s.a, s.b, s.c]) expect(await positionInPeriod(member.id, s.period.id)).toBe(0n);
    const settlement = await test
      .http()
      .get(`/api/v1/billing-periods/${s.period.id}/settlement`)
      .set(s.admin)
      .expect(200);
    expect(settlement.body.status).toBe('settled');
    // The fixed positions stay as they were at the close.
    expect(
      settlement.body.positions.find((p: { organisationId: string }) => p.organisationId === s.a.id),
    ).toMatchObject({ netMinor: '110000' });
  });

  it('refuses to close while a charge is still draft', async () => {
    const s = await aTradingPeriod('2026-07-10');
    await aDraftCrossCharge(ds, {
      consortium: s.consortium,
      periodId: s.period.id,
      provider: s.a,
      consumer: s.b,
      lines: [{ netMinor: 10_000 }],
    });
    const response = await close(s.period.id, s.admin).expect(409);
    expect(response.body).toMatchObject({
      code: 'period-not-ready-to-close',
      details: { draftCharges: 1, unresolvedDisputes: 0 },
    });
    expect(await periodStatus(s.period.id)).toBe('open');
    expect(
      await ds.query('SELECT 1 FROM member_positions WHERE billing_period_id = $1', [s.period.id]),
    ).toEqual([]);
  });

  it('refuses to close while a dispute is unresolved, and closes with an override whose reason is kept', async () => {
    const s = await aTradingPeriod('2026-06-10');
    const charge = await aDraftCrossCharge(ds, {
      consortium: s.consortium,
      periodId: s.period.id,
      provider: s.a,
      consumer: s.b,
      lines: [{ netMinor: 10_000 }],
    });
    // Issued, disputed and escalated, one step of each lifecycle at a time (the database refuses a jump).
    for (const status of ['issued', 'disputed']) {
      await ds.query('UPDATE cross_charges SET status = $2 WHERE id = $1', [charge.id, status]);
    }
    const [dispute] = await ds.query(
      `INSERT INTO disputes (cross_charge_id, cross_charge_line_id, reason) VALUES ($1, $2, 'Not delivered') RETURNING id`,
      [charge.id, charge.lineIds[0]],
    );
    await ds.query(`UPDATE disputes SET status = 'escalated' WHERE id = $1`, [dispute.id]);
    const refused = await close(s.period.id, s.admin).expect(409);
    expect(refused.body.details).toMatchObject({ draftCharges: 0, unresolvedDisputes: 1 });

    const reason = 'Year-end deadline: the dispute is settled outside the plan';
    const closed = await close(s.period.id, s.admin, { overrideReason: reason }).expect(200);
    expect(closed.body.closeOverrideReason).toBe(reason);
    const [period] = await ds.query(
      'SELECT status, close_override_reason FROM billing_periods WHERE id = $1',
      [s.period.id],
    );
    expect(period).toEqual({ status: 'closed', close_override_reason: reason });
    const audit = (await auditEventsFor(ds, s.period.id)).find((e) => e.action === 'billing_period.closed');
    expect(audit?.changes).toMatchObject({ overrideReason: reason, unresolvedDisputes: 1 });
  });

  it('refuses to close a period twice', async () => {
    const s = await aTradingPeriod('2026-05-10');
    await close(s.period.id, s.admin).expect(200);
    const again = await close(s.period.id, s.admin).expect(409);
    expect(again.body.code).toBe('illegal-transition');
  });

  it('settles at once a period with nothing to pay', async () => {
    const cast = await aConsortiumWithMembers(ds);
    const period = await aBillingPeriod(test, cast.consortium, '2026-04-10');
    const response = await close(period.id, await bearerFor(test, cast.consortiumAdmin)).expect(200);
    expect(response.body).toMatchObject({ periodStatus: 'settled', status: 'settled', payments: [] });
  });

  it('lets only the consortium administrators close, and hides the period from non-members', async () => {
    const s = await aTradingPeriod('2026-03-10');
    await close(s.period.id, await bearerFor(test, s.homeUsers.admin)).expect(403);
    await close(s.period.id, await bearerFor(test, s.homeUsers.finance)).expect(403);
    const outsider = await aUser(ds, await anOrganisation(ds), ['org_admin']);
    const otherAdmin = await aConsortiumWithMembers(ds);
    await close(s.period.id, await bearerFor(test, otherAdmin.consortiumAdmin)).expect(404);
    await test
      .http()
      .get(`/api/v1/billing-periods/${s.period.id}/settlement`)
      .set(await bearerFor(test, outsider))
      .expect(404);
    expect(await periodStatus(s.period.id)).toBe('open');
  });

  it("lets the payer's finance and the consortium administrators record a payment, nobody else", async () => {
    const s = await aTradingPeriod('2026-02-10');
    const closed = await close(s.period.id, s.admin).expect(200);
    const fromB = closed.body.payments.find(
      (p: { payerOrganisationId: string }) => p.payerOrganisationId === s.b.id,
    );
    const record = async (auth: Record<string, string>) =>
      test
        .http()
        .post(`/api/v1/settlement-payments/${fromB.id}/record`)
        .set(auth)
        .send({ paymentReference: 'BACS-1' });

    expect((await record(await bearerFor(test, s.otherUsers.viewer))).status).toBe(403);
    expect((await record(await bearerFor(test, s.otherUsers.manager))).status).toBe(403);
    // The payee's finance team may see the plan but does not record the payer's payment.
    expect((await record(await bearerFor(test, s.homeUsers.finance))).status).toBe(403);
    const outsider = await aUser(ds, await anOrganisation(ds), ['finance']);
    expect((await record(await bearerFor(test, outsider))).status).toBe(404);
    expect((await record(s.admin)).status).toBe(200);
  });

  it('posts one settlement entry when the same payment is recorded in parallel', async () => {
    const s = await aTradingPeriod('2026-01-10');
    const closed = await close(s.period.id, s.admin).expect(200);
    const payment = closed.body.payments[0];
    const finance = await bearerFor(
      test,
      payment.payerOrganisationId === s.b.id ? s.otherUsers.finance : s.thirdFinance,
    );
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        test
          .http()
          .post(`/api/v1/settlement-payments/${payment.id}/record`)
          .set(finance)
          .send({ paymentReference: 'BACS-PARALLEL' }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const [{ count }] = await ds.query(
      `SELECT count(*)::int AS count FROM journal_entries WHERE source_type = 'settlement_payment' AND source_id = $1`,
      [payment.id],
    );
    expect(count).toBe(1);
    expect(new Set(responses.map((r) => r.body.journalEntryId)).size).toBe(1);
  });

  it('treats recording again with the same reference as done, and with another reference as a conflict', async () => {
    const s = await aTradingPeriod('2025-12-10');
    const closed = await close(s.period.id, s.admin).expect(200);
    const payment = closed.body.payments[0];
    const record = (paymentReference: string) =>
      test
        .http()
        .post(`/api/v1/settlement-payments/${payment.id}/record`)
        .set(s.admin)
        .send({ paymentReference });
    const first = await record('BACS-77');
    expect(first.status).toBe(200);
    const again = await record('BACS-77');
    expect(again.body).toEqual(first.body);
    const other = await record('BACS-78');
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('settlement-payment-already-recorded');
  });
});
