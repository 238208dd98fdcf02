import { ChargeRunComputation } from '../src/modules/charging/charge-run.computation';
import {
  aChargePeriod,
  aConsortiumWithMembers,
  aDatedSubscription,
  anApiKey,
  anOrganisation,
  aService,
  aUser,
  bearerFor,
  someUsage,
} from './support/builders';
import { createTestApp, type TestApp } from './support/test-app';

const FLAT = { model: 'flat_fee', currency: 'GBP', feePerPeriod: '300.00', setupFee: '50.00' };
const PER_UNIT = { model: 'per_unit', currency: 'GBP', unitPrice: '12.50', unitName: 'device' };
const GRADUATED = {
  model: 'graduated',
  currency: 'GBP',
  tiers: [
    { upTo: 10, unitPrice: '5.00' },
    { upTo: null, unitPrice: '3.00' },
  ],
  unitName: 'seat',
};
const METERED = {
  model: 'metered',
  currency: 'GBP',
  metric: 'storage_gb',
  unitPrice: '0.10',
  includedPerPeriod: '100',
};

interface LineRow {
  subscriptionId: string;
  lineKey: string;
  net: string;
  vat: string;
}

describe('Charge runs', () => {
  let test: TestApp;

  beforeAll(async () => {
    test = await createTestApp();
  });

  afterAll(() => test.close());

  /**
   * March 2025 (31 days) in a consortium where `home` provides four services to `other` and `other` one to `home`,
   * with the pence each line must come to.
   */
  async function aChargeScenario() {
    const ds = test.dataSource;
    const world = await aConsortiumWithMembers(ds);
    const { home, other } = world;
    const period = await aChargePeriod(ds, world.consortium, '2025-03');
    const service = (provider = home, plan: Record<string, unknown> = PER_UNIT, vat = 'outside_scope') =>
      aService(ds, world.consortium, provider, {
        plan,
        vatTreatment: vat as 'outside_scope',
      });
    // Started on 11 March: 21 of 31 days of the flat fee, and the set-up fee.
    const flat = await aDatedSubscription(ds, await service(home, FLAT), other, { startDate: '2025-03-11' });
    // 2 devices, then 4 from 15 March: each quantity for its own days (14 and 17 of 31); VAT at 20%.
    const perUnit = await aDatedSubscription(ds, await service(home, PER_UNIT, 'standard'), other, {
      startDate: '2025-01-01',
      quantities: [
        { from: '2025-01-01', quantity: 2 },
        { from: '2025-03-15', quantity: 4 },
      ],
    });
    // 15 seats, ended on 20 March: 20 of 31 days of each tier.
    const graduated = await aDatedSubscription(ds, await service(home, GRADUATED), other, {
      startDate: '2025-01-01',
      endDate: '2025-03-20',
      status: 'ended',
      quantity: 15,
    });
    const metered = await aDatedSubscription(ds, await service(home, METERED), other, {
      startDate: '2025-01-01',
    });
    await someUsage(ds, {
      subscriptionId: metered,
      billingPeriodId: period.id,
      metric: 'storage_gb',
      quantities: ['60.5', '70', '20.25'],
      at: '2025-03-10T10:00:00Z',
    });
    const reverse = await aDatedSubscription(ds, await service(other, PER_UNIT), home, {
      startDate: '2025-01-01',
    });
    // Not charged: never approved, and starting after the period.
    await aDatedSubscription(ds, await service(home), other, {
      startDate: '2025-01-01',
      status: 'requested',
    });
    await aDatedSubscription(ds, await service(home), other, { startDate: '2025-04-02' });

    const expected: LineRow[] = [
      { subscriptionId: flat, lineKey: 'setup_fee', net: '5000', vat: '0' },
      { subscriptionId: flat, lineKey: 'flat_fee', net: '20323', vat: '0' },
      // 2 × £12.50 × 14/31 = 1129.03p; 4 × £12.50 × 17/31 = 2741.94p; VAT on each line's net.
      { subscriptionId: perUnit, lineKey: 'per_unit', net: '1129', vat: '226' },
      { subscriptionId: perUnit, lineKey: 'per_unit@2025-03-15', net: '2742', vat: '548' },
      { subscriptionId: graduated, lineKey: 'tier:1', net: '3226', vat: '0' },
      { subscriptionId: graduated, lineKey: 'tier:2', net: '968', vat: '0' },
      // 150.75 GB used, 100 included: 50.75 × £0.10 = 507.5p, rounded half to even.
      { subscriptionId: metered, lineKey: 'usage:storage_gb', net: '508', vat: '0' },
      { subscriptionId: reverse, lineKey: 'per_unit', net: '1250', vat: '0' },
    ];
    return { world, period, expected: sortLines(expected), subscriptions: { flat, metered, perUnit } };
  }

  const withoutIds = (lines: (LineRow & { id: string })[]): LineRow[] =>
    lines.map(({ id: _id, ...line }) => line);

  function sortLines<T extends LineRow>(lines: T[]): T[] {
    return [...lines].sort((a, b) =>
      `${a.subscriptionId}|${a.lineKey}`.localeCompare(`${b.subscriptionId}|${b.lineKey}`),
    );
  }

  async function linesOf(periodId: string): Promise<(LineRow & { id: string })[]> {
    return sortLines(
      await test.dataSource.query(
        `SELECT id, subscription_id AS "subscriptionId", line_key AS "lineKey", net_minor AS net, vat_minor AS vat
           FROM cross_charge_lines WHERE billing_period_id = $1`,
        [periodId],
      ),
    );
  }

  async function chargesOf(periodId: string) {
    return test.dataSource.query(
      `SELECT id, provider_organisation_id AS "providerId", consumer_organisation_id AS "consumerId", status,
              reference, net_minor AS net, vat_minor AS vat, gross_minor AS gross, charge_run_id AS "chargeRunId"
         FROM cross_charges WHERE billing_period_id = $1 ORDER BY net_minor DESC`,
      [periodId],
    );
  }

  async function finished(runId: string, auth: Record<string, string>) {
    for (let attempt = 0; attempt < 300; attempt += 1) {
      const response = await test.http().get(`/api/v1/charge-runs/${runId}`).set(auth).expect(200);
      if (response.body.status === 'completed' || response.body.status === 'failed') return response.body;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`charge run ${runId} did not finish`);
  }

  const startRun = (periodId: string, auth: Record<string, string>) =>
    test.http().post(`/api/v1/billing-periods/${periodId}/charge-runs`).set(auth);

  it('charges flat, per-unit, graduated and metered plans with proration, to the penny', async () => {
    const { world, period, expected, subscriptions } = await aChargeScenario();
    const admin = await bearerFor(test, world.consortiumAdmin);
    const started = await startRun(period.id, admin).expect(202);
    expect(started.body).toMatchObject({ status: 'queued', billingPeriodId: period.id });

    const run = await finished(started.body.id, admin);
    expect(run).toMatchObject({
      status: 'completed',
      error: null,
      totalSubscriptions: 5,
      processedSubscriptions: 5,
      crossCharges: 2,
      chargeLines: 8,
    });
    expect((await linesOf(period.id)).map(({ id: _id, ...line }) => line)).toEqual(expected);

    const charges = await chargesOf(period.id);
    expect(charges).toEqual([
      expect.objectContaining({
        providerId: world.home.id,
        consumerId: world.other.id,
        status: 'draft',
        net: '33896',
        vat: '774',
        gross: '34670',
        chargeRunId: run.id,
      }),
      expect.objectContaining({ providerId: world.other.id, net: '1250', vat: '0', gross: '1250' }),
    ]);
    for (const charge of charges) expect(charge.reference).toMatch(/^[A-Z0-9]{1,8}-2025-03-\d{4}$/);

    const [flatFee] = await test.dataSource.query(
      `SELECT detail FROM cross_charge_lines WHERE subscription_id = $1 AND line_key = 'flat_fee'`,
      [subscriptions.flat],
    );
    expect(flatFee.detail.proration).toEqual({
      from: '2025-03-11',
      to: '2025-03-31',
      serviceDays: 21,
      periodDays: 31,
    });
    const [usage] = await test.dataSource.query(
      `SELECT detail, quantity, unit_rate AS "unitRate" FROM cross_charge_lines WHERE subscription_id = $1`,
      [subscriptions.metered],
    );
    expect(usage).toMatchObject({ quantity: '50.75', unitRate: '0.10' });
    expect(usage.detail).toMatchObject({
      usage: { metric: 'storage_gb', used: '150.75', included: '100', billable: '50.75' },
      usageEvents: 3,
    });

    const list = await test
      .http()
      .get(`/api/v1/billing-periods/${period.id}/charge-runs`)
      .set(admin)
      .expect(200);
    expect(list.body.data.map((r: { id: string }) => r.id)).toEqual([run.id]);
  });

  it('gives exactly the same charges when run twice', async () => {
    const { world, period, expected } = await aChargeScenario();
    const admin = await bearerFor(test, world.consortiumAdmin);
    await finished((await startRun(period.id, admin).expect(202)).body.id, admin);
    const firstLines = await linesOf(period.id);
    const firstCharges = await chargesOf(period.id);

    const second = await finished((await startRun(period.id, admin).expect(202)).body.id, admin);
    expect(second).toMatchObject({ status: 'completed', crossCharges: 2, chargeLines: 8 });
    // Recomputed from scratch, the same lines again.
    expect(withoutIds(await linesOf(period.id))).toEqual(withoutIds(firstLines));
    const again = await chargesOf(period.id);
    expect(again.map(({ chargeRunId: _r, ...c }: Record<string, unknown>) => c)).toEqual(
      firstCharges.map(({ chargeRunId: _r, ...c }: Record<string, unknown>) => c),
    );
    expect(firstLines.map(({ id: _id, ...line }) => line)).toEqual(expected);
  });

  it('resumes an interrupted run to the same result as an uninterrupted one', async () => {
    const { world, period, expected } = await aChargeScenario();
    const [run] = await test.dataSource.query(
      `INSERT INTO charge_runs (consortium_id, billing_period_id, requested_by_label) VALUES ($1, $2, 'test')
       RETURNING id`,
      [world.consortium.id, period.id],
    );
    const computation = test.app.get(ChargeRunComputation);

    await computation.execute(run.id, { chunkSize: 2, stopAfterChunks: 1 });
    const [halfway] = await test.dataSource.query('SELECT * FROM charge_runs WHERE id = $1', [run.id]);
    expect(halfway).toMatchObject({ status: 'running', processed_subscriptions: 2, total_subscriptions: 5 });
    const partial = await linesOf(period.id);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(expected.length);

    await computation.execute(run.id, { chunkSize: 2 });
    const [done] = await test.dataSource.query('SELECT * FROM charge_runs WHERE id = $1', [run.id]);
    expect(done).toMatchObject({ status: 'completed', processed_subscriptions: 5, charge_lines: 8 });
    const lines = await linesOf(period.id);
    expect(withoutIds(lines)).toEqual(expected);
    const charges = await chargesOf(period.id);
    expect(charges.map((c: { net: string }) => c.net)).toEqual(['33896', '1250']);
  });

  it('never touches a cross-charge that has been issued, and charges what came later on a supplementary one', async () => {
    const { world, period } = await aChargeScenario();
    const admin = await bearerFor(test, world.consortiumAdmin);
    const first = await finished((await startRun(period.id, admin).expect(202)).body.id, admin);
    expect(first).toMatchObject({ status: 'completed', error: null });
    const [issued] = await chargesOf(period.id);
    await test.dataSource.query(
      `UPDATE cross_charges SET status = 'issued', issued_at = now() WHERE id = $1`,
      [issued.id],
    );
    const late = await aDatedSubscription(
      test.dataSource,
      await aService(test.dataSource, world.consortium, world.home),
      world.other,
      { startDate: '2025-02-01' },
    );

    const second = await finished((await startRun(period.id, admin).expect(202)).body.id, admin);
    expect(second.status).toBe('completed');
    const after = (await chargesOf(period.id)).find((c: { id: string }) => c.id === issued.id);
    expect(after).toEqual({ ...issued, status: 'issued' });
    const lateLines = await test.dataSource.query(
      `SELECT l.line_key AS "lineKey", c.reference, c.status, c.supplement_of_id AS "supplementOfId"
         FROM cross_charge_lines l JOIN cross_charges c ON c.id = l.cross_charge_id WHERE l.subscription_id = $1`,
      [late],
    );
    expect(lateLines).toEqual([
      {
        lineKey: 'per_unit',
        reference: `${issued.reference}-S1`,
        status: 'draft',
        supplementOfId: issued.id,
      },
    ]);
  });

  it('never has two runs of a period in progress at once, however they are started', async () => {
    const { world, period } = await aChargeScenario();
    const admin = await bearerFor(test, world.consortiumAdmin);
    const responses = await Promise.all([startRun(period.id, admin), startRun(period.id, admin)]);
    const accepted = responses.filter((r) => r.status === 202);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    for (const refused of responses.filter((r) => r.status !== 202)) {
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'charge-run-in-progress' });
    }
    for (const run of accepted) expect((await finished(run.body.id, admin)).status).toBe('completed');
    // A fast first run may finish before the second is queued, so both may be accepted; either way the charges
    // come out once.
    expect((await linesOf(period.id)).length).toBe(8);
  });

  it('refuses a run while another of the same period is queued or running', async () => {
    const { world, period } = await aChargeScenario();
    await test.dataSource.query(
      `INSERT INTO charge_runs (consortium_id, billing_period_id, status, requested_by_label)
       VALUES ($1, $2, 'running', 'another admin')`,
      [world.consortium.id, period.id],
    );
    const response = await startRun(period.id, await bearerFor(test, world.consortiumAdmin)).expect(409);
    expect(response.body).toMatchObject({ code: 'charge-run-in-progress' });
  });

  it('refuses a run in a period that is not open', async () => {
    const world = await aConsortiumWithMembers(test.dataSource);
    const closed = await aChargePeriod(test.dataSource, world.consortium, '2025-02', 'closed');
    const response = await startRun(closed.id, await bearerFor(test, world.consortiumAdmin)).expect(409);
    expect(response.body).toMatchObject({ code: 'period-not-open' });
  });

  it('refuses members who are not administrators, hides runs from outsiders and closes POST to API keys', async () => {
    const { world, period } = await aChargeScenario();
    const admin = await bearerFor(test, world.consortiumAdmin);
    await startRun(period.id, await bearerFor(test, world.homeUsers.finance)).expect(403);
    await startRun(period.id, await bearerFor(test, world.otherUsers.admin)).expect(403);
    await startRun(period.id, (await anApiKey(test.dataSource, world.home, ['charges:write'])).header).expect(
      403,
    );

    const outsider = await bearerFor(
      test,
      await aUser(test.dataSource, await anOrganisation(test.dataSource), ['org_admin']),
    );
    await startRun(period.id, outsider).expect(404);
    const elsewhere = await aConsortiumWithMembers(test.dataSource);
    await startRun(period.id, await bearerFor(test, elsewhere.consortiumAdmin)).expect(404);

    const run = await finished((await startRun(period.id, admin).expect(202)).body.id, admin);
    await test.http().get(`/api/v1/charge-runs/${run.id}`).set(outsider).expect(404);
    await test.http().get(`/api/v1/billing-periods/${period.id}/charge-runs`).set(outsider).expect(404);
    const member = await test
      .http()
      .get(`/api/v1/charge-runs/${run.id}`)
      .set(await bearerFor(test, world.otherUsers.viewer))
      .expect(200);
    expect(member.body).toMatchObject({ id: run.id, status: 'completed' });
  });
});
