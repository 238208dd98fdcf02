import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import {
  aBillingPeriod,
  aConsortiumWithMembers,
  aDraftCrossCharge,
  anAttestation,
  anIssuedChargeBetweenMembers,
  aPostedCharge,
  aService,
  aSubscriptionTo,
  aUser,
  bearerFor,
} from './support/builders';
import { createTestApp, type TestApp } from './support/test-app';

const REASON = { reason: 'Checking who may do this.' };

/**
 * Calls that pair something of the caller's own (their consortium, service, charge) with an id from another
 * consortium: the other consortium's thing is not found, whatever the caller's rights over their own.
 */
describe('Tenancy: ids from another consortium in a call about your own', () => {
  let test: TestApp;
  let home: Awaited<ReturnType<typeof aConsortiumWithMembers>>;
  let elsewhere: Awaited<ReturnType<typeof anIssuedChargeBetweenMembers>>;
  let ids: {
    periodElsewhere: string;
    paymentElsewhere: string;
    attestationElsewhere: string;
    serviceElsewhere: string;
    subscriptionElsewhere: string;
    disputeElsewhere: string;
    homeService: string;
    homeCharge: string;
  };
  let as: { admin: Record<string, string>; manager: Record<string, string>; finance: Record<string, string> };

  beforeAll(async () => {
    test = await createTestApp();
    const ds = test.dataSource;
    home = await aConsortiumWithMembers(ds);
    elsewhere = await anIssuedChargeBetweenMembers(test);

    const serviceElsewhere = await aService(ds, elsewhere.consortium, elsewhere.home);
    const attestationElsewhere = await anAttestation(ds, serviceElsewhere);
    const subscriptionElsewhere = await aSubscriptionTo(ds, serviceElsewhere, elsewhere.bystander);
    const raised = await test
      .http()
      .post(`/api/v1/cross-charges/${elsewhere.charge.id}/lines/${elsewhere.charge.lineIds[0]}/dispute`)
      .set(elsewhere.auth.consumer)
      .send(REASON)
      .expect(201);
    await test
      .http()
      .post(`/api/v1/disputes/${raised.body.id}/reject`)
      .set(elsewhere.auth.provider)
      .send(REASON)
      .expect(200);
    await test
      .http()
      .post(`/api/v1/disputes/${raised.body.id}/escalate`)
      .set(elsewhere.auth.consumer)
      .send(REASON)
      .expect(200);
    const settled = await aBillingPeriod(test, elsewhere.consortium, '2026-09-01');
    await aPostedCharge(test, {
      consortiumId: elsewhere.consortium.id,
      billingPeriodId: settled.id,
      providerId: elsewhere.home.id,
      consumerId: elsewhere.other.id,
      amountMinor: 12_000,
    });
    const closed = await test
      .http()
      .post(`/api/v1/billing-periods/${settled.id}/close`)
      .set(elsewhere.auth.consortiumAdmin)
      .send({})
      .expect(200);

    const homeService = await aService(ds, home.consortium, home.home);
    const homePeriod = await aBillingPeriod(test, home.consortium, '2026-10-01');
    const homeCharge = await aDraftCrossCharge(ds, {
      consortium: home.consortium,
      periodId: homePeriod.id,
      provider: home.other,
      consumer: home.home,
      lines: [{ netMinor: 1_000 }],
    });
    await test
      .http()
      .post(`/api/v1/cross-charges/${homeCharge.id}/issue`)
      .set(await bearerFor(test, home.otherUsers.finance))
      .expect(200);

    ids = {
      periodElsewhere: settled.id,
      paymentElsewhere: closed.body.payments[0].id,
      attestationElsewhere: attestationElsewhere.id,
      serviceElsewhere: serviceElsewhere.id,
      subscriptionElsewhere,
      disputeElsewhere: raised.body.id,
      homeService: homeService.id,
      homeCharge: homeCharge.id,
    };
    as = {
      admin: await bearerFor(test, home.consortiumAdmin),
      manager: await bearerFor(test, home.homeUsers.manager),
      finance: await bearerFor(test, home.homeUsers.finance),
    };
  });
  afterAll(() => test.close());

  const expectNotFound = (response: Response) => {
    expect({ status: response.status, type: response.body.type }).toEqual({
      status: 404,
      type: 'urn:consortium:problem:not-found',
    });
  };

  it("a consortium administrator cannot read the account of an organisation that is not one of the consortium's members", async () => {
    expectNotFound(
      await test
        .http()
        .get(`/api/v1/consortia/${home.consortium.id}/accounts/${elsewhere.home.id}`)
        .set(as.admin),
    );
    expectNotFound(
      await test
        .http()
        .get(`/api/v1/consortia/${home.consortium.id}/accounts/${elsewhere.home.id}/entries`)
        .set(as.admin),
    );
  });

  it("a consortium administrator cannot remove another consortium's administrator through their own consortium", async () => {
    expectNotFound(
      await test
        .http()
        .delete(`/api/v1/consortia/${home.consortium.id}/admins/${elsewhere.consortiumAdmin.id}`)
        .set(as.admin),
    );
    const [row] = await test.dataSource.query(
      'SELECT count(*)::int AS count FROM consortium_admins WHERE consortium_id = $1 AND user_id = $2',
      [elsewhere.consortium.id, elsewhere.consortiumAdmin.id],
    );
    expect(row.count).toBe(1);
  });

  it("a consortium administrator cannot suspend, approve or reinstate another consortium's member through their own", async () => {
    for (const step of ['suspend', 'approve', 'reject', 'reinstate']) {
      expectNotFound(
        await test
          .http()
          .post(`/api/v1/consortia/${home.consortium.id}/members/${elsewhere.bystander.id}/${step}`)
          .set(as.admin)
          .send(REASON),
      );
    }
  });

  it('a consortium administrator cannot make a user of an organisation outside the consortium its administrator', async () => {
    const stranger = await aUser(test.dataSource, elsewhere.bystander, ['org_admin']);
    const response = await test
      .http()
      .post(`/api/v1/consortia/${home.consortium.id}/admins`)
      .set(as.admin)
      .send({ userId: stranger.id });
    expect([404, 422]).toContain(response.status);
    const [row] = await test.dataSource.query(
      'SELECT count(*)::int AS count FROM consortium_admins WHERE user_id = $1',
      [stranger.id],
    );
    expect(row.count).toBe(0);
  });

  it("a consortium administrator cannot read, close or settle another consortium's period", async () => {
    expectNotFound(
      await test.http().get(`/api/v1/billing-periods/${ids.periodElsewhere}/settlement`).set(as.admin),
    );
    expectNotFound(
      await test.http().post(`/api/v1/billing-periods/${ids.periodElsewhere}/close`).set(as.admin).send({}),
    );
    expectNotFound(
      await test
        .http()
        .post(`/api/v1/billing-periods/${ids.periodElsewhere}/charge-runs`)
        .set(as.admin)
        .send({}),
    );
  });

  it("a consortium administrator cannot decide another consortium's escalated dispute", async () => {
    for (const step of ['uphold', 'dismiss']) {
      expectNotFound(
        await test.http().post(`/api/v1/disputes/${ids.disputeElsewhere}/${step}`).set(as.admin).send(REASON),
      );
    }
    const [row] = await test.dataSource.query('SELECT status FROM disputes WHERE id = $1', [
      ids.disputeElsewhere,
    ]);
    expect(row.status).toBe('escalated');
  });

  it("finance cannot read a statement or entries of their own consortium for another consortium's period", async () => {
    expectNotFound(
      await test
        .http()
        .get(`/api/v1/statements?consortiumId=${home.consortium.id}&billingPeriodId=${ids.periodElsewhere}`)
        .set(as.finance),
    );
    const entries = await test
      .http()
      .get(
        `/api/v1/consortia/${home.consortium.id}/accounts/me/entries?billingPeriodId=${ids.periodElsewhere}`,
      )
      .set(as.finance);
    if (entries.status === 200) expect(entries.body.data).toEqual([]);
    else expectNotFound(entries);
    expectNotFound(
      await test.http().get(`/api/v1/billing-periods/${ids.periodElsewhere}/finance-export`).set(as.finance),
    );
  });

  it("finance cannot record another consortium's settlement payment", async () => {
    expectNotFound(
      await test
        .http()
        .post(`/api/v1/settlement-payments/${ids.paymentElsewhere}/record`)
        .set(as.finance)
        .set('Idempotency-Key', randomUUID())
        .send({ paymentReference: 'BACS-NOT-OURS' }),
    );
  });

  it("a service manager cannot remove another service's certificate through their own service", async () => {
    expectNotFound(
      await test
        .http()
        .delete(`/api/v1/services/${ids.homeService}/compliance/${ids.attestationElsewhere}`)
        .set(as.manager),
    );
    const [row] = await test.dataSource.query(
      'SELECT count(*)::int AS count FROM compliance_attestations WHERE id = $1',
      [ids.attestationElsewhere],
    );
    expect(row.count).toBe(1);
  });

  it("a service manager cannot subscribe to another consortium's service", async () => {
    expectNotFound(
      await test.http().post('/api/v1/subscriptions').set(as.manager).send({
        serviceId: ids.serviceElsewhere,
        quantity: 1,
        startDate: '2026-12-01',
        termMonths: 12,
        noticePeriodMonths: 3,
      }),
    );
  });

  it("finance cannot dispute another charge's line through a charge of their own", async () => {
    expectNotFound(
      await test
        .http()
        .post(`/api/v1/cross-charges/${ids.homeCharge}/lines/${elsewhere.charge.lineIds[1]}/dispute`)
        .set(as.finance)
        .send(REASON),
    );
  });

  it("a provider's usage for another provider's subscription is refused event by event and stores nothing", async () => {
    const eventId = `evt-${randomUUID()}`;
    const response = await test
      .http()
      .post('/api/v1/usage-events')
      .set(as.manager)
      .send({
        events: [
          {
            eventId,
            subscriptionId: ids.subscriptionElsewhere,
            metric: 'storage_gb',
            quantity: '1',
            occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
          },
        ],
      });
    expect(response.status).toBe(200);
    expect(response.body.results).toEqual([expect.objectContaining({ eventId, status: 'rejected' })]);
    const [row] = await test.dataSource.query(
      'SELECT count(*)::int AS count FROM usage_events WHERE event_id = $1',
      [eventId],
    );
    expect(row.count).toBe(0);
  });
});
