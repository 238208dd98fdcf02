import { DataSource } from 'typeorm';
import {
  aChargePeriod,
  aConsortiumWithMembers,
  aDraftCrossCharge,
  aMembership,
  anOrganisation,
  aService,
  aSubscriptionTo,
  aUser,
  bearerFor,
} from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

type Auth = Record<string, string>;
const gbp = (amountMinor: string) => ({ amountMinor, currency: 'GBP' });

describe('savings against in-house baselines', () => {
  let test: TestApp;
  let ds: DataSource;
  beforeAll(async () => {
    test = await createTestApp();
    ds = test.dataSource;
  });
  afterAll(() => test.close());

  /**
   * `other` takes a service from `home` with an in-house baseline of £12,000.03 a year (£1,000.01 for each of
   * January to March, £1,000.00 after) and is charged £600 for January and £700 for February, of which £50 is
   * credited. A second subscription without a baseline is left out; `home` has a baseline subscription of its own
   * from a third member, charged only as a draft.
   */
  async function aYearOfSavings() {
    const world = await aConsortiumWithMembers(ds);
    const third = await anOrganisation(ds);
    await aMembership(ds, world.consortium, third);
    const withBaseline = await aSubscriptionTo(
      ds,
      await aService(ds, world.consortium, world.home),
      world.other,
    );
    const withoutBaseline = await aSubscriptionTo(
      ds,
      await aService(ds, world.consortium, world.home),
      world.other,
    );
    const homeSubscription = await aSubscriptionTo(
      ds,
      await aService(ds, world.consortium, third),
      world.home,
    );
    await ds.query('UPDATE subscriptions SET baseline_annual_cost_minor = $2 WHERE id = $1', [
      withBaseline,
      1_200_003,
    ]);
    await ds.query('UPDATE subscriptions SET baseline_annual_cost_minor = $2 WHERE id = $1', [
      homeSubscription,
      480_000,
    ]);
    const auth = {
      providerFinance: await bearerFor(test, world.homeUsers.finance),
      consumerFinance: await bearerFor(test, world.otherUsers.finance),
      consumerViewer: await bearerFor(test, world.otherUsers.viewer),
      consumerManager: await bearerFor(test, world.otherUsers.manager),
      consortiumAdmin: await bearerFor(test, world.consortiumAdmin),
      third: await bearerFor(test, await aUser(ds, third, ['finance'])),
    };
    const january = await aChargePeriod(ds, world.consortium, '2026-01');
    const february = await aChargePeriod(ds, world.consortium, '2026-02');
    const issued = async (periodId: string, lines: { netMinor: number; subscriptionId: string }[]) => {
      const charge = await aDraftCrossCharge(ds, {
        consortium: world.consortium,
        periodId,
        provider: world.home,
        consumer: world.other,
        lines,
      });
      await test
        .http()
        .post(`/api/v1/cross-charges/${charge.id}/issue`)
        .set(auth.providerFinance)
        .expect(200);
      return charge;
    };
    await issued(january.id, [
      { netMinor: 60_000, subscriptionId: withBaseline },
      { netMinor: 9_999, subscriptionId: withoutBaseline },
    ]);
    const feb = await issued(february.id, [{ netMinor: 70_000, subscriptionId: withBaseline }]);
    const dispute = await test
      .http()
      .post(`/api/v1/cross-charges/${feb.id}/lines/${feb.lineIds[0]}/dispute`)
      .set(auth.consumerFinance)
      .send({ reason: 'Down for two days' })
      .expect(201);
    await test
      .http()
      .post(`/api/v1/disputes/${dispute.body.id}/accept`)
      .set(auth.providerFinance)
      .send({ reason: 'Service credit', correctedNetMinor: '65000' })
      .expect(200);
    await aDraftCrossCharge(ds, {
      consortium: world.consortium,
      periodId: january.id,
      provider: third,
      consumer: world.home,
      lines: [{ netMinor: 12_345, subscriptionId: homeSubscription }],
    });
    return { ...world, third, withBaseline, homeSubscription, january, february, auth };
  }
  type Year = Awaited<ReturnType<typeof aYearOfSavings>>;

  const memberSavings = (year: Year, auth: Auth, organisationId?: string) =>
    test
      .http()
      .get('/api/v1/savings')
      .set(auth)
      .query({ consortiumId: year.consortium.id, ...(organisationId ? { organisationId } : {}) });

  it("states a member's savings per period and to date, exact to the penny", async () => {
    const year = await aYearOfSavings();
    const { body } = await memberSavings(year, year.auth.consumerFinance).expect(200);
    expect(body.organisation.id).toBe(year.other.id);
    expect(body.subscriptions).toHaveLength(1);
    const [subscription] = body.subscriptions;
    expect(subscription).toMatchObject({
      subscriptionId: year.withBaseline,
      provider: { id: year.home.id },
      baselineAnnual: gbp('1200003'),
    });
    expect(subscription.periods).toEqual([
      {
        billingPeriodId: year.january.id,
        key: '2026-01',
        baseline: gbp('100001'),
        charged: gbp('60000'),
        savings: gbp('40001'),
        savingsPercentage: '40.0',
      },
      {
        billingPeriodId: year.february.id,
        key: '2026-02',
        baseline: gbp('100001'),
        charged: gbp('65000'),
        savings: gbp('35001'),
        savingsPercentage: '35.0',
      },
    ]);
    const toDate = {
      baseline: gbp('200002'),
      charged: gbp('125000'),
      savings: gbp('75002'),
      savingsPercentage: '37.5',
    };
    expect(subscription.toDate).toEqual(toDate);
    expect(body.toDate).toEqual(toDate);
    expect(body.byPeriod.map((p: { key: string }) => p.key)).toEqual(['2026-01', '2026-02']);
  });

  it("gives the consortium admin every member's savings, uncharged baselines saving nothing yet", async () => {
    const year = await aYearOfSavings();
    const { body } = await test
      .http()
      .get(`/api/v1/consortia/${year.consortium.id}/savings`)
      .set(year.auth.consortiumAdmin)
      .expect(200);
    const byMember = Object.fromEntries(
      body.members.map((m: { organisation: { id: string } }) => [m.organisation.id, m]),
    );
    expect(Object.keys(byMember).sort()).toEqual([year.home.id, year.other.id].sort());
    expect(byMember[year.home.id].subscriptions[0]).toMatchObject({
      subscriptionId: year.homeSubscription,
      periods: [],
    });
    expect(byMember[year.home.id].toDate).toEqual({
      baseline: gbp('0'),
      charged: gbp('0'),
      savings: gbp('0'),
      savingsPercentage: null,
    });
    expect(body.toDate).toEqual({
      baseline: gbp('200002'),
      charged: gbp('125000'),
      savings: gbp('75002'),
      savingsPercentage: '37.5',
    });
  });

  it("keeps a member's savings to the member and the consortium admin", async () => {
    const year = await aYearOfSavings();
    await memberSavings(year, year.auth.consortiumAdmin, year.other.id).expect(200);
    await memberSavings(year, year.auth.third, year.other.id).expect(404);
    await memberSavings(year, year.auth.consumerViewer).expect(200);
    await memberSavings(year, year.auth.consumerManager).expect(403);
    await test
      .http()
      .get(`/api/v1/consortia/${year.consortium.id}/savings`)
      .set(year.auth.consumerFinance)
      .expect(403);
    const outsider = await bearerFor(test, await aUser(ds, await anOrganisation(ds), ['finance']));
    await memberSavings(year, outsider).expect(404);
  });
});
