import { randomUUID } from 'node:crypto';
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

/** Endpoints marked @Idempotent() honour an Idempotency-Key: a retry never acts twice. */
describe('Idempotency-Key', () => {
  let test: TestApp;
  let ds: DataSource;

  beforeAll(async () => {
    test = await createTestApp();
    ds = test.dataSource;
  });
  afterAll(() => test.close());

  /** A period with trade between three members (two payments to settle), and the cast to act on it. */
  async function aPeriodToClose() {
    const cast = await aConsortiumWithMembers(ds);
    const third = await anOrganisation(ds);
    await aMembership(ds, cast.consortium, third);
    const period = await aBillingPeriod(test, cast.consortium, '2026-10-01');
    for (const [provider, consumer, amountMinor] of [
      [cast.home.id, cast.other.id, 40_000],
      [cast.home.id, third.id, 25_000],
    ] as const) {
      await aPostedCharge(test, {
        consortiumId: cast.consortium.id,
        billingPeriodId: period.id,
        providerId: provider,
        consumerId: consumer,
        amountMinor,
      });
    }
    return {
      ...cast,
      third,
      thirdFinance: await aUser(ds, third, ['finance']),
      period,
      admin: await bearerFor(test, cast.consortiumAdmin),
    };
  }

  const close = (periodId: string, auth: Record<string, string>, key?: string, body: object = {}) => {
    const request = test.http().post(`/api/v1/billing-periods/${periodId}/close`).set(auth);
    if (key !== undefined) request.set('Idempotency-Key', key);
    return request.send(body);
  };

  const closeEvents = async (periodId: string) =>
    (await auditEventsFor(ds, periodId)).filter((e) => e.action === 'billing_period.closed').length;

  it('replays the first response, status and body, for a retry with the same key and body', async () => {
    const s = await aPeriodToClose();
    const key = randomUUID();
    const first = await close(s.period.id, s.admin, key).expect(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    const retry = await close(s.period.id, s.admin, key).expect(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    // Verbatim, key order included: clients may hash or sign what they received.
    expect(retry.text).toBe(first.text);
    expect(await closeEvents(s.period.id)).toBe(1);

    // Without the key, the same request is a new one, and the period is already closed.
    await close(s.period.id, s.admin).expect(409);
  });

  it('refuses the key reused with another body or on another route (422)', async () => {
    const s = await aPeriodToClose();
    const key = randomUUID();
    await close(s.period.id, s.admin, key).expect(200);

    const otherBody = await close(s.period.id, s.admin, key, { overrideReason: 'different' }).expect(422);
    expect(otherBody.body).toMatchObject({ code: 'idempotency-key-reused' });
    const another = await aPeriodToClose();
    const otherRoute = await close(another.period.id, s.admin, key).expect(422);
    expect(otherRoute.body.code).toBe('idempotency-key-reused');
  });

  it('acts once for parallel duplicates: one closes, the others replay it or are told it is in progress', async () => {
    const s = await aPeriodToClose();
    const key = randomUUID();
    const responses = await Promise.all(Array.from({ length: 6 }, () => close(s.period.id, s.admin, key)));

    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((status) => status === 200 || status === 409)).toBe(true);
    for (const refused of responses.filter((r) => r.status === 409)) {
      expect(refused.body.code).toBe('idempotency-key-in-progress');
    }
    const bodies = responses.filter((r) => r.status === 200).map((r) => JSON.stringify(r.body));
    expect(new Set(bodies).size).toBe(1);
    expect(await closeEvents(s.period.id)).toBe(1);
  });

  it('releases the key of a request that failed, so the corrected retry runs', async () => {
    const s = await aPeriodToClose();
    const draft = await aDraftCrossCharge(ds, {
      consortium: s.consortium,
      periodId: s.period.id,
      provider: s.home,
      consumer: s.other,
      lines: [{ netMinor: 1_000 }],
    });
    const key = randomUUID();
    const refused = await close(s.period.id, s.admin, key).expect(409);
    expect(refused.body.code).toBe('period-not-ready-to-close');

    await ds.query(`UPDATE cross_charges SET status = 'void' WHERE id = $1`, [draft.id]);
    const retried = await close(s.period.id, s.admin, key).expect(200);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(retried.body.periodStatus).toBe('closed');
  });

  it('releases the key of a request refused by validation', async () => {
    const s = await aPeriodToClose();
    const closed = await close(s.period.id, s.admin).expect(200);
    const payment = closed.body.payments.find(
      (p: { payerOrganisationId: string }) => p.payerOrganisationId === s.other.id,
    );
    const finance = await bearerFor(test, s.otherUsers.finance);
    const key = randomUUID();
    const record = (body: object) =>
      test
        .http()
        .post(`/api/v1/settlement-payments/${payment.id}/record`)
        .set(finance)
        .set('Idempotency-Key', key)
        .send(body);

    await record({ paymentReference: '' }).expect(400);
    const recorded = await record({ paymentReference: 'BACS-123' }).expect(200);
    expect(recorded.body.status).toBe('recorded');
    const replayed = await record({ paymentReference: 'BACS-123' }).expect(200);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body).toEqual(recorded.body);
  });

  it('keeps keys per caller: finance teams of two organisations may use the same key', async () => {
    const s = await aPeriodToClose();
    const closed = await close(s.period.id, s.admin).expect(200);
    const byPayer = new Map(
      closed.body.payments.map((p: { payerOrganisationId: string; id: string }) => [
        p.payerOrganisationId,
        p.id,
      ]),
    );
    const key = 'remittance-2026-10';
    const fromOther = await test
      .http()
      .post(`/api/v1/settlement-payments/${byPayer.get(s.other.id)}/record`)
      .set(await bearerFor(test, s.otherUsers.finance))
      .set('Idempotency-Key', key)
      .send({ paymentReference: 'BACS-OTHER' })
      .expect(200);
    const fromThird = await test
      .http()
      .post(`/api/v1/settlement-payments/${byPayer.get(s.third.id)}/record`)
      .set(await bearerFor(test, s.thirdFinance))
      .set('Idempotency-Key', key)
      .send({ paymentReference: 'BACS-THIRD' })
      .expect(200);
    expect(fromThird.headers['idempotent-replayed']).toBeUndefined();
    expect(fromThird.body.id).not.toBe(fromOther.body.id);
    expect(fromThird.body.paymentReference).toBe('BACS-THIRD');
  });

  it('refuses a key that is empty or longer than 200 characters', async () => {
    const s = await aPeriodToClose();
    await close(s.period.id, s.admin, 'k'.repeat(201)).expect(400);
    await close(s.period.id, s.admin, '').expect(400);
    const longest = await close(s.period.id, s.admin, 'k'.repeat(200)).expect(200);
    expect(longest.body.periodStatus).toBe('closed');
  });
});
