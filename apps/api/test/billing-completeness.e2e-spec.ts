import { randomBytes } from 'node:crypto';
import { loadEnvironment } from '../src/config/environment';
import { OPERATOR_COMMANDS } from '../src/cli/operator-commands';
import { parseOptions } from '../src/cli/options';
import { ChargeRunComputation } from '../src/modules/charging/charge-run.computation';
import { reconcilePeriod } from '../src/modules/reconciliation/reconciliation.query';
import {
  aConsortiumWithMembers,
  aDatedSubscription,
  anApiKey,
  aQueuedChargeRun,
  anOrganisation,
  aService,
  aUser,
  bearerFor,
  someUsage,
} from './support/builders';
import { createTestApp, TEST_SECRETS_KEY, type TestApp } from './support/test-app';

const METERED = { model: 'metered', currency: 'GBP', metric: 'storage_gb', unitPrice: '2.00' };
const PER_UNIT = { model: 'per_unit', currency: 'GBP', unitPrice: '10.00', unitName: 'seat' };

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();

interface Line {
  id: string;
  chargeId: string;
  reference: string;
  status: string;
  supplementOfId: string | null;
  lineKey: string;
  description: string;
  net: string;
  usageQuantity: string | null;
  usageEvents: number | null;
  serviceDays: number | null;
}

/**
 * Billing completeness (issue 10): every accepted usage event and every day in force reaches exactly one charge,
 * whatever happens around the charge run: usage after a run or after issue, subscriptions that start late,
 * withdrawn usage, runs interrupted or running while finance issues, and subscriptions that cannot be priced.
 */
describe('Billing completeness', () => {
  let test: TestApp;
  const tag = randomBytes(4).toString('hex');
  let n = 0;
  const eventId = () => `bc-${tag}-${++n}`;

  beforeAll(async () => {
    test = await createTestApp();
  });
  afterAll(() => test.close());

  /** A consortium where `home` meters storage for `other` (billed monthly), with everyone's credentials. */
  async function aMeteredPair() {
    const ds = test.dataSource;
    const world = await aConsortiumWithMembers(ds);
    const service = await aService(ds, world.consortium, world.home, { plan: METERED });
    const subscription = await aDatedSubscription(ds, service, world.other, { startDate: '2020-01-01' });
    const key = await anApiKey(ds, world.home, ['usage:write', 'charges:read']);
    const auth = {
      admin: await bearerFor(test, world.consortiumAdmin),
      providerFinance: await bearerFor(test, world.homeUsers.finance),
      consumerFinance: await bearerFor(test, world.otherUsers.finance),
      providerManager: await bearerFor(test, world.homeUsers.manager),
      viewer: await bearerFor(test, world.homeUsers.viewer),
    };
    const report = async (quantities: number[], sub = subscription) => {
      const events = quantities.map((quantity) => ({
        eventId: eventId(),
        subscriptionId: sub,
        metric: 'storage_gb',
        quantity: String(quantity),
        occurredAt: hoursAgo(1),
      }));
      const response = await test
        .http()
        .post('/api/v1/usage-events')
        .set(key.header)
        .send({ events })
        .expect(200);
      expect(response.body.accepted).toBe(quantities.length);
      return events.map((e) => e.eventId);
    };
    return { ...world, service, subscription, key, auth, report };
  }

  async function currentPeriodOf(consortiumId: string): Promise<string> {
    const [period] = await test.dataSource.query(
      `SELECT id FROM billing_periods WHERE consortium_id = $1 AND start_date <= (now() AT TIME ZONE 'Europe/London')::date
          AND end_date >= (now() AT TIME ZONE 'Europe/London')::date`,
      [consortiumId],
    );
    return period.id;
  }

  async function runCharges(periodId: string, auth: Record<string, string>) {
    const started = await test
      .http()
      .post(`/api/v1/billing-periods/${periodId}/charge-runs`)
      .set(auth)
      .expect(202);
    for (let attempt = 0; attempt < 300; attempt += 1) {
      const run = await test.http().get(`/api/v1/charge-runs/${started.body.id}`).set(auth).expect(200);
      if (run.body.status === 'completed' || run.body.status === 'failed') return run.body;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the charge run did not finish');
  }

  async function linesOf(periodId: string): Promise<Line[]> {
    return test.dataSource.query(
      `SELECT l.id, c.id AS "chargeId", c.reference, c.status, c.supplement_of_id AS "supplementOfId",
              l.line_key AS "lineKey", l.description, l.net_minor AS net, l.usage_quantity::text AS "usageQuantity",
              l.usage_events AS "usageEvents", l.service_days AS "serviceDays"
         FROM cross_charge_lines l JOIN cross_charges c ON c.id = l.cross_charge_id
        WHERE l.billing_period_id = $1 AND c.status <> 'void'
        ORDER BY c.reference, l.line_key`,
      [periodId],
    );
  }

  const reconciliation = (periodId: string, auth: Record<string, string>) =>
    test.http().get(`/api/v1/billing-periods/${periodId}/reconciliation`).set(auth);

  it('bills usage reported after a run on the next run, and after issue on a supplementary charge', async () => {
    const w = await aMeteredPair();
    await w.report([4, 6]);
    const periodId = await currentPeriodOf(w.consortium.id);
    await runCharges(periodId, w.auth.admin);
    expect((await linesOf(periodId)).map((l) => l.usageQuantity)).toEqual(['10']);

    await w.report([5]);
    expect((await reconciliation(periodId, w.auth.admin).expect(200)).body).toMatchObject({
      complete: false,
      summary: { unbilledEvents: 1 },
    });
    await runCharges(periodId, w.auth.admin);
    const [draft] = await linesOf(periodId);
    expect(draft).toMatchObject({ status: 'draft', usageQuantity: '15', usageEvents: 3, net: '3000' });

    await test
      .http()
      .post(`/api/v1/cross-charges/${draft.chargeId}/issue`)
      .set(w.auth.providerFinance)
      .expect(200);
    await w.report([3, 4]);
    await runCharges(periodId, w.auth.admin);
    const lines = await linesOf(periodId);
    expect(lines).toEqual([
      expect.objectContaining({ id: draft.id, status: 'issued', usageQuantity: '15', net: '3000' }),
      expect.objectContaining({
        reference: `${draft.reference}-S1`,
        status: 'draft',
        supplementOfId: draft.chargeId,
        usageQuantity: '7',
        usageEvents: 2,
        net: '1400',
      }),
    ]);
    expect(lines[1].description).toContain(`reported after ${draft.reference} was issued`);
    const complete = await reconciliation(periodId, w.auth.admin).expect(200);
    expect(complete.body).toMatchObject({ complete: true, summary: { differences: 0 } });
    expect(complete.body.summaryText).toContain('completely charged');

    // Both sides read it in words once the supplement is issued; the consumer never sees the draft.
    const original = await test
      .http()
      .get(`/api/v1/cross-charges/${draft.chargeId}`)
      .set(w.auth.consumerFinance);
    expect(original.body.supplements).toEqual([]);
    await test
      .http()
      .post(`/api/v1/cross-charges/${lines[1].chargeId}/issue`)
      .set(w.auth.providerFinance)
      .expect(200);
    for (const auth of [w.auth.consumerFinance, w.auth.providerFinance, w.auth.admin]) {
      const detail = await test.http().get(`/api/v1/cross-charges/${draft.chargeId}`).set(auth).expect(200);
      expect(detail.body.supplements).toEqual([
        { id: lines[1].chargeId, reference: `${draft.reference}-S1` },
      ]);
      expect(detail.body.supplementNotes[0]).toMatch(
        new RegExp(`reported after ${draft.reference} was issued.*charged on ${draft.reference}-S1$`),
      );
    }
    const supplement = await test
      .http()
      .get(`/api/v1/cross-charges/${lines[1].chargeId}`)
      .set(w.auth.consumerFinance);
    expect(supplement.body.supplementOf).toEqual({ id: draft.chargeId, reference: draft.reference });
  });

  it('charges a subscription that starts after its provider issued the pair’s charge, on a supplementary charge', async () => {
    const w = await aMeteredPair();
    await w.report([1]);
    const periodId = await currentPeriodOf(w.consortium.id);
    await runCharges(periodId, w.auth.admin);
    await test
      .http()
      .post(`/api/v1/billing-periods/${periodId}/issue-charges`)
      .set(w.auth.providerFinance)
      .expect(200);
    const seats = await aService(test.dataSource, w.consortium, w.home, { plan: PER_UNIT });
    const [{ start }] = await test.dataSource.query(
      'SELECT start_date::text AS start FROM billing_periods WHERE id = $1',
      [periodId],
    );
    const late = await aDatedSubscription(test.dataSource, seats, w.other, { startDate: start, quantity: 3 });
    expect(
      (await reconciliation(periodId, w.auth.admin).expect(200)).body.summary.unbilledDays,
    ).toBeGreaterThan(0);

    const run = await runCharges(periodId, w.auth.admin);
    expect(run.status).toBe('completed');
    const lines = (await linesOf(periodId)).filter((l) => l.reference.endsWith('-S1'));
    expect(lines).toEqual([expect.objectContaining({ lineKey: 'per_unit', status: 'draft', net: '3000' })]);
    const [{ days }] = await test.dataSource.query(
      `SELECT end_date - start_date + 1 AS days FROM billing_periods WHERE id = $1`,
      [periodId],
    );
    expect(lines[0].serviceDays).toBe(days);
    expect((await reconcilePeriod(test.dataSource.manager, periodId)).every((row) => row.agrees)).toBe(true);
    void late;
  });

  it('refuses to issue or approve while a run is in progress, and a run resumed after a crash leaves nothing unbilled', async () => {
    const w = await aMeteredPair();
    for (let i = 0; i < 4; i += 1) {
      const seats = await aService(test.dataSource, w.consortium, w.home, { plan: PER_UNIT });
      await aDatedSubscription(test.dataSource, seats, w.other, { startDate: '2020-01-01', quantity: i + 1 });
    }
    await w.report([2]);
    const periodId = await currentPeriodOf(w.consortium.id);
    const runId = await aQueuedChargeRun(test.dataSource, {
      consortiumId: w.consortium.id,
      billingPeriodId: periodId,
    });
    const computation = test.app.get(ChargeRunComputation);
    await computation.execute(runId, { chunkSize: 2, stopAfterChunks: 1 });
    const [draft] = await linesOf(periodId);

    const issueAll = await test
      .http()
      .post(`/api/v1/billing-periods/${periodId}/issue-charges`)
      .set(w.auth.providerFinance)
      .expect(409);
    expect(issueAll.body).toMatchObject({ code: 'charge-run-in-progress' });
    expect(issueAll.body.detail).toContain('wait for it to finish');
    await test
      .http()
      .post(`/api/v1/cross-charges/${draft.chargeId}/issue`)
      .set(w.auth.providerFinance)
      .expect(409);
    const closing = await test
      .http()
      .post(`/api/v1/billing-periods/${periodId}/close`)
      .set(w.auth.admin)
      .send({ overrideReason: 'Quarter end' })
      .expect(409);
    expect(closing.body.code).toBe('charge-run-in-progress');
    expect(await linesOf(periodId)).toEqual(
      expect.arrayContaining([expect.objectContaining({ status: 'draft' })]),
    );

    await computation.execute(runId, { chunkSize: 2 });
    const [done] = await test.dataSource.query('SELECT status FROM charge_runs WHERE id = $1', [runId]);
    expect(done.status).toBe('completed');
    await test
      .http()
      .post(`/api/v1/billing-periods/${periodId}/issue-charges`)
      .set(w.auth.providerFinance)
      .expect(200);
    expect((await reconciliation(periodId, w.auth.admin).expect(200)).body).toMatchObject({ complete: true });
    expect((await linesOf(periodId)).every((l) => l.status === 'issued')).toBe(true);
  });

  it('never deadlocks when finance issues while a live run works, and the period ends completely charged', async () => {
    const w = await aMeteredPair();
    for (let i = 0; i < 6; i += 1) {
      const seats = await aService(test.dataSource, w.consortium, w.home, { plan: PER_UNIT });
      const reverse = await aService(test.dataSource, w.consortium, w.other, { plan: PER_UNIT });
      await aDatedSubscription(test.dataSource, seats, w.other, { startDate: '2020-01-01', quantity: 2 });
      await aDatedSubscription(test.dataSource, reverse, w.home, { startDate: '2020-01-01', quantity: 1 });
    }
    await w.report([1, 2, 3]);
    const periodId = await currentPeriodOf(w.consortium.id);
    const otherFinance = await bearerFor(test, w.otherUsers.finance);
    const issue = (auth: Record<string, string>) =>
      test.http().post(`/api/v1/billing-periods/${periodId}/issue-charges`).set(auth);
    const [run, ...issued] = await Promise.all([
      runCharges(periodId, w.auth.admin),
      issue(w.auth.providerFinance),
      issue(otherFinance),
      issue(w.auth.providerFinance),
    ]);
    expect(run.status).toBe('completed');
    for (const response of issued) {
      expect([200, 409]).toContain(response.status);
      if (response.status === 409) expect(response.body.code).toBe('charge-run-in-progress');
    }
    await w.report([4]);
    await runCharges(periodId, w.auth.admin);
    await issue(w.auth.providerFinance).expect(200);
    await issue(otherFinance).expect(200);
    expect((await reconciliation(periodId, w.auth.admin).expect(200)).body).toMatchObject({ complete: true });
  });

  it('sets aside a subscription whose charge cannot be worked out, with the reason in words, and charges the rest', async () => {
    const w = await aMeteredPair();
    await w.report([5]);
    const periodId = await currentPeriodOf(w.consortium.id);
    const storage = await aService(test.dataSource, w.consortium, w.home, { plan: METERED });
    const broken = await aDatedSubscription(test.dataSource, storage, w.other, { startDate: '2020-01-01' });
    // Stored straight, as usage accepted before ingestion had bounds would be.
    await someUsage(test.dataSource, {
      subscriptionId: broken,
      billingPeriodId: periodId,
      metric: 'storage_gb',
      quantities: ['999999999999999999'],
      at: hoursAgo(2),
    });

    const run = await runCharges(periodId, w.auth.admin);
    expect(run.status).toBe('completed');
    expect(run.needsAttention).toEqual([
      expect.objectContaining({
        subscriptionId: broken,
        providerName: w.home.name,
        consumerName: w.other.name,
      }),
    ]);
    expect(run.needsAttention[0].reason).toMatch(
      /more than the £10,000,000,000,000\.00 a charge line can hold/,
    );
    expect(JSON.stringify(run)).not.toMatch(/bigint|out of range|violates/i);
    expect((await linesOf(periodId)).map((l) => l.usageQuantity)).toEqual(['5']);

    const notices = await test.dataSource.query(
      `SELECT organisation_id AS "organisationId", body FROM notifications
        WHERE kind = 'charge_run.needs_attention' AND entity_id = $1 ORDER BY organisation_id`,
      [run.id],
    );
    expect(notices.map((x: { organisationId: string }) => x.organisationId)).toEqual([w.home.id]);
    expect(notices[0].body).toContain('a charge line can hold');
    // The administrator (a Home user here) is told through Home's notification; the reconciliation names it.
    const rows = (await reconciliation(periodId, w.auth.admin).expect(200)).body.rows;
    expect(rows).toEqual([
      expect.objectContaining({ subscriptionId: broken, agrees: false, expectedCount: 1 }),
    ]);
  });

  it('lets providers withdraw usage not yet on an issued charge, and only that', async () => {
    const w = await aMeteredPair();
    const [first, second, third] = await w.report([1, 2, 3]);
    const periodId = await currentPeriodOf(w.consortium.id);
    const withdraw = (eventIds: string[], auth: Record<string, string>, key?: string) => {
      const call = test
        .http()
        .post('/api/v1/usage-events/void')
        .set(auth)
        .send({ eventIds, reason: 'Meter read twice' });
      return key ? call.set('Idempotency-Key', key) : call;
    };

    const idempotencyKey = `void-${tag}`;
    const voided = await withdraw([second, 'no-such-event'], w.key.header, idempotencyKey).expect(200);
    expect(voided.body).toMatchObject({
      voided: 1,
      rejected: 1,
      results: [
        { eventId: second, status: 'voided' },
        { eventId: 'no-such-event', status: 'rejected', code: 'not-found' },
      ],
    });
    const replay = await withdraw([second, 'no-such-event'], w.key.header, idempotencyKey).expect(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(voided.body);
    expect((await withdraw([second], w.key.header).expect(200)).body.results[0].status).toBe(
      'already-voided',
    );
    await withdraw([first], w.auth.consumerFinance).expect(403);
    const outsider = await anApiKey(test.dataSource, await anOrganisation(test.dataSource), ['usage:write']);
    expect((await withdraw([first], outsider.header).expect(200)).body.results[0].code).toBe('not-found');

    await runCharges(periodId, w.auth.admin);
    const [line] = await linesOf(periodId);
    expect(line).toMatchObject({ usageQuantity: '4', usageEvents: 2 });
    const rows = (
      await test.http().get(`/api/v1/billing-periods/${periodId}/reconciliation?show=all`).set(w.auth.admin)
    ).body.rows;
    expect(rows).toEqual([
      expect.objectContaining({
        measure: 'usage',
        expectedCount: 2,
        chargedCount: 2,
        withdrawnCount: 1,
        agrees: true,
      }),
    ]);

    await test
      .http()
      .post(`/api/v1/cross-charges/${line.chargeId}/issue`)
      .set(w.auth.providerFinance)
      .expect(200);
    const late = await withdraw([third], w.auth.providerManager).expect(200);
    expect(late.body.results[0]).toMatchObject({ status: 'rejected', code: 'on-issued-charge' });
    expect(late.body.results[0].reason).toContain(line.reference);
    const [stored] = await test.dataSource.query(
      'SELECT voided_at FROM usage_events WHERE event_id = $1 AND provider_organisation_id = $2',
      [third, w.home.id],
    );
    expect(stored.voided_at).toBeNull();
    const [audit] = await test.dataSource.query(
      `SELECT changes FROM audit_events WHERE action = 'usage.voided' AND organisation_id = $1`,
      [w.home.id],
    );
    expect(audit.changes).toMatchObject({ reason: 'Meter read twice', events: [{ eventId: second }] });
  });

  it('refuses to close while anything is unbilled, naming it with links, and an override records what was left', async () => {
    const w = await aMeteredPair();
    await w.report([2]);
    const periodId = await currentPeriodOf(w.consortium.id);
    await runCharges(periodId, w.auth.admin);
    await test
      .http()
      .post(`/api/v1/billing-periods/${periodId}/issue-charges`)
      .set(w.auth.providerFinance)
      .expect(200);
    await w.report([3]);

    const refused = await test
      .http()
      .post(`/api/v1/billing-periods/${periodId}/close`)
      .set(w.auth.admin)
      .expect(409);
    expect(refused.body).toMatchObject({
      code: 'period-not-ready-to-close',
      details: {
        draftCharges: 0,
        unbilled: { unbilledEvents: 1 },
        links: { reconciliation: `/api/v1/billing-periods/${periodId}/reconciliation` },
      },
    });
    expect(refused.body.detail).toContain('1 usage report not on any charge');
    expect(refused.body.details.differences[0].explanation).toContain('not on any charge yet');

    const closed = await test
      .http()
      .post(`/api/v1/billing-periods/${periodId}/close`)
      .set(w.auth.admin)
      .send({ overrideReason: 'Year end: the late reading is billed next quarter' })
      .expect(200);
    expect(closed.body.periodStatus).toBeDefined();
    const [audit] = await test.dataSource.query(
      `SELECT changes FROM audit_events WHERE action = 'billing_period.closed' AND entity_id = $1`,
      [periodId],
    );
    expect(audit.changes).toMatchObject({
      overrideReason: 'Year end: the late reading is billed next quarter',
      unbilled: { unbilledEvents: 1 },
      leftUnbilled: [
        expect.objectContaining({ subscriptionId: w.subscription, expectedCount: 2, chargedCount: 1 }),
      ],
    });
    const afterClose = await test
      .http()
      .post('/api/v1/usage-events')
      .set(w.key.header)
      .send({
        events: [
          {
            eventId: eventId(),
            subscriptionId: w.subscription,
            metric: 'storage_gb',
            quantity: '1',
            occurredAt: hoursAgo(1),
          },
        ],
      })
      .expect(200);
    expect(afterClose.body.results[0]).toMatchObject({ status: 'rejected', code: 'period-not-open' });
    expect(afterClose.body.results[0].reason).toContain('closed');
  });

  it('shows the reconciliation to the consortium’s administrators and each provider’s finance team only', async () => {
    const w = await aMeteredPair();
    const reverse = await aService(test.dataSource, w.consortium, w.other, { plan: PER_UNIT });
    await aDatedSubscription(test.dataSource, reverse, w.home, { startDate: '2020-01-01' });
    await w.report([1]);
    const periodId = await currentPeriodOf(w.consortium.id);
    const all = (auth: Record<string, string>) =>
      test.http().get(`/api/v1/billing-periods/${periodId}/reconciliation?show=all`).set(auth);

    const providers = (rows: { providerId: string }[]) => [...new Set(rows.map((r) => r.providerId))].sort();
    expect(providers((await all(w.auth.admin).expect(200)).body.rows)).toEqual(
      [w.home.id, w.other.id].sort(),
    );
    expect(providers((await all(w.auth.providerFinance).expect(200)).body.rows)).toEqual([w.home.id]);
    expect(providers((await all(w.auth.consumerFinance).expect(200)).body.rows)).toEqual([w.other.id]);
    expect(providers((await all(w.key.header).expect(200)).body.rows)).toEqual([w.home.id]);
    expect((await all(w.auth.viewer).expect(403)).body.type).toBe('urn:consortium:problem:forbidden');
    const stranger = await bearerFor(
      test,
      await aUser(test.dataSource, await anOrganisation(test.dataSource), ['finance']),
    );
    await all(stranger).expect(404);
    await test
      .http()
      .get(`/api/v1/billing-periods/${periodId}/reconciliation?show=everything`)
      .set(w.auth.admin)
      .expect(400);
  });

  it('gives operators the same reconciliation, exiting non-zero on any difference', async () => {
    const w = await aMeteredPair();
    await w.report([1]);
    const periodId = await currentPeriodOf(w.consortium.id);
    const command = OPERATOR_COMMANDS.find((c) => c.spec.name === 'reconcile');
    if (!command) throw new Error('no reconcile command');
    const lines: string[] = [];
    const env = loadEnvironment({
      NODE_ENV: 'test',
      SECRETS_KEY: TEST_SECRETS_KEY,
      LOG_LEVEL: 'silent',
      ADMIN_UI_DIR: '',
    });
    const reconcile = () =>
      command.run(
        env,
        process.env.CONSORTIUM_TEST_DATABASE_URL as string,
        parseOptions(command.spec, ['--period', periodId]),
        {
          line: (l) => lines.push(l),
        },
      );
    await expect(reconcile()).rejects.toThrow('not completely charged');
    expect(lines.join('\n')).toContain('1 storage_gb report accepted but not on any charge yet');
    // Charged straight through the computation: the command's own app, in this process, has replaced the
    // passport strategies the test app's HTTP requests are checked with.
    const runId = await aQueuedChargeRun(test.dataSource, {
      consortiumId: w.consortium.id,
      billingPeriodId: periodId,
    });
    await test.app.get(ChargeRunComputation).execute(runId);
    lines.length = 0;
    await reconcile();
    expect(lines[lines.length - 1]).toContain('is completely charged');
  });
});
