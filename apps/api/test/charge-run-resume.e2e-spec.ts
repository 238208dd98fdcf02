import { ChargeRunComputation } from '../src/modules/charging/charge-run.computation';
import { ChargeRunLease, LeaseLost } from '../src/modules/charging/charge-run.lease';
import { ChargeRunReclaimer } from '../src/modules/charging/charge-run.reclaimer';
import {
  aChargePeriod,
  aConsortiumWithMembers,
  aDatedSubscription,
  anApiKey,
  aService,
  auditEventsFor,
  bearerFor,
} from './support/builders';
import { aSpecDatabase, type SpecDatabase } from './support/databases';
import { createTestApp, type TestApp } from './support/test-app';

interface RunRow {
  status: string;
  processed_subscriptions: number;
  total_subscriptions: number;
  lease_id: string | null;
  resumed_count: number;
  error: string | null;
}

describe('Charge runs that crash resume on their own', () => {
  // A database of its own: a sweep takes over any interrupted run it finds, and other specs leave runs running.
  let database: SpecDatabase;
  let test: TestApp;
  let computation: ChargeRunComputation;
  let lease: ChargeRunLease;
  let reclaimer: ChargeRunReclaimer;
  /** A second instance, closed only at the end (the apps of one process share passport's strategies). */
  let other: TestApp | undefined;

  beforeAll(async () => {
    database = await aSpecDatabase('charge_run_resume');
    test = await createTestApp({}, database.url);
    computation = test.app.get(ChargeRunComputation);
    lease = test.app.get(ChargeRunLease);
    reclaimer = test.app.get(ChargeRunReclaimer);
  }, 120_000);

  afterAll(async () => {
    await other?.close();
    await test?.close();
    await database?.drop();
  }, 60_000);

  /** May 2025: `home` provides five per-unit subscriptions to `other`, one line each; a run is queued for it. */
  async function aQueuedRun() {
    const ds = test.dataSource;
    const world = await aConsortiumWithMembers(ds);
    const period = await aChargePeriod(ds, world.consortium, '2025-05');
    for (let i = 0; i < 5; i += 1) {
      await aDatedSubscription(ds, await aService(ds, world.consortium, world.home), world.other, {
        startDate: '2025-01-01',
        quantity: i + 1,
      });
    }
    const [{ id }] = await ds.query(
      `INSERT INTO charge_runs (consortium_id, billing_period_id, requested_by_label) VALUES ($1, $2, 'test')
       RETURNING id`,
      [world.consortium.id, period.id],
    );
    return { world, period, runId: id as string };
  }

  /** A run that charged two subscriptions and then "crashed": running, its heartbeat already stale. */
  async function aRunStoppedPartWay() {
    const scenario = await aQueuedRun();
    await computation.execute(scenario.runId, { chunkSize: 2, stopAfterChunks: 1 });
    return scenario;
  }

  const runRow = async (id: string): Promise<RunRow> =>
    (await test.dataSource.query('SELECT * FROM charge_runs WHERE id = $1', [id]))[0];
  const lineCount = async (periodId: string): Promise<number> =>
    (
      await test.dataSource.query(
        'SELECT count(*)::int AS count FROM cross_charge_lines WHERE billing_period_id = $1',
        [periodId],
      )
    )[0].count;
  const resume = (id: string, auth: Record<string, string>) =>
    test.http().post(`/api/v1/charge-runs/${id}/resume`).set(auth);

  it('says a crashed run is interrupted and resuming, with its last heartbeat', async () => {
    const { world, runId } = await aRunStoppedPartWay();
    const response = await test
      .http()
      .get(`/api/v1/charge-runs/${runId}`)
      .set(await bearerFor(test, world.otherUsers.viewer))
      .expect(200);
    expect(response.body).toMatchObject({
      status: 'running',
      interrupted: true,
      processedSubscriptions: 2,
      totalSubscriptions: 5,
      resumedCount: 0,
      needsAttention: [],
    });
    expect(new Date(response.body.heartbeatAt).getTime()).toBeLessThan(
      Date.now() - lease.staleSeconds * 1000,
    );
    expect(response.body.statusText).toMatch(
      /^Interrupted, resuming \(last heartbeat \d\d:\d\d:\d\d( on \d{1,2} \w{3} \d{4})?\)$/,
    );
    // Tidy: the sweeps of the other tests must find only their own run.
    expect(await reclaimer.sweep()).toBe(runId);
  });

  it('has the reclaim sweep take over a run stopped part-way and complete it, as the system', async () => {
    const { period, runId } = await aRunStoppedPartWay();
    const before = await runRow(runId);
    expect(before).toMatchObject({ status: 'running', processed_subscriptions: 2, resumed_count: 0 });

    expect(await reclaimer.sweep()).toBe(runId);

    const after = await runRow(runId);
    expect(after).toMatchObject({
      status: 'completed',
      processed_subscriptions: 5,
      resumed_count: 1,
      error: null,
    });
    expect(after.lease_id).not.toBe(before.lease_id);
    expect(await lineCount(period.id)).toBe(5);
    const resumed = (await auditEventsFor(test.dataSource, runId)).filter(
      (e) => e.action === 'charge_run.resumed',
    );
    expect(resumed).toEqual([
      expect.objectContaining({
        actorType: 'system',
        changes: expect.objectContaining({ via: 'automatic', processedSubscriptions: 2, resumedCount: 1 }),
      }),
    ]);
    // Nothing is left to take over.
    expect(await reclaimer.sweep()).toBeNull();
  });

  it('leaves a run whose worker is alive to that worker: neither the sweep nor a retried job runs it twice', async () => {
    const { period, runId } = await aQueuedRun();
    const holder = await lease.claim(runId);
    expect(holder).toMatchObject({ id: runId, resumed: false, resumedCount: 0 });

    expect(await reclaimer.sweep()).toBeNull();
    // pg-boss retrying the run's job after it expired: the claim refuses, the job just ends.
    await computation.execute(runId);
    expect(await runRow(runId)).toMatchObject({
      status: 'running',
      lease_id: holder!.leaseId,
      processed_subscriptions: 0,
    });
    expect(await lineCount(period.id)).toBe(0);

    // The operator's resume-charge-run takes it even so; the old holder would stop at its next chunk.
    await computation.execute(runId, { force: true });
    expect(await runRow(runId)).toMatchObject({ status: 'completed', processed_subscriptions: 5 });
    await expect(lease.beat(holder!)).rejects.toBeInstanceOf(LeaseLost);
  });

  it('never lets a worker whose run was taken over write its next chunk', async () => {
    const { period, runId } = await aQueuedRun();
    const zombie = (await lease.claim(runId))!;
    // Silent for a staleness period (a long pause, a partition), then taken over by another instance.
    await lease.abandon(zombie);
    const successor = (await lease.claim(runId))!;
    expect(successor).toMatchObject({ resumed: true, resumedCount: 1 });

    // The zombie wakes up and carries on: its chunk rolls back and it stops, failing nothing.
    await computation.executeClaimed(zombie, { chunkSize: 2 });
    expect(await lineCount(period.id)).toBe(0);
    expect(await runRow(runId)).toMatchObject({
      status: 'running',
      lease_id: successor.leaseId,
      processed_subscriptions: 0,
      error: null,
    });
    await expect(lease.beat(zombie)).rejects.toBeInstanceOf(LeaseLost);

    await computation.executeClaimed(successor, { chunkSize: 2 });
    expect(await runRow(runId)).toMatchObject({ status: 'completed', processed_subscriptions: 5 });
    expect(await lineCount(period.id)).toBe(5);
  });

  it('releases the runs of an instance that shuts down, for another instance to take at once', async () => {
    const { runId } = await aQueuedRun();
    other = await createTestApp({}, database.url);
    const claimed = (await other.app.get(ChargeRunLease).claim(runId))!;
    // Its shutdown has begun (SIGTERM): the run stops at the end of its chunk, which rolls back.
    other.app.get(ChargeRunLease).onModuleDestroy();
    await other.app.get(ChargeRunComputation).executeClaimed(claimed, { chunkSize: 2 });
    expect(await runRow(runId)).toMatchObject({ status: 'running', lease_id: null, error: null });
    expect(await reclaimer.sweep()).toBe(runId);
    expect(await runRow(runId)).toMatchObject({ status: 'completed', resumed_count: 1 });
  });

  describe('the Resume action (POST /charge-runs/{id}/resume)', () => {
    it('lets a consortium administrator resume an interrupted run at once (202), audited', async () => {
      const { world, period, runId } = await aRunStoppedPartWay();
      const admin = await bearerFor(test, world.consortiumAdmin);
      const response = await resume(runId, admin).expect(202);
      expect(response.body).toMatchObject({
        id: runId,
        status: 'running',
        interrupted: false,
        resumedCount: 1,
        statusText: 'Running: 0 of 5 subscriptions',
      });

      await lease.idle();
      const done = await test.http().get(`/api/v1/charge-runs/${runId}`).set(admin).expect(200);
      expect(done.body).toMatchObject({ status: 'completed', statusText: 'Completed', interrupted: false });
      expect(await lineCount(period.id)).toBe(5);
      const resumed = (await auditEventsFor(test.dataSource, runId)).filter(
        (e) => e.action === 'charge_run.resumed',
      );
      expect(resumed).toEqual([
        expect.objectContaining({
          actorType: 'user',
          actorId: world.consortiumAdmin.id,
          changes: expect.objectContaining({ via: 'api', processedSubscriptions: 2 }),
        }),
      ]);
    });

    it('refuses members who do not administer the consortium (403) and API keys, and hides the run from other consortia (404)', async () => {
      const { world, runId } = await aRunStoppedPartWay();
      await resume(runId, await bearerFor(test, world.otherUsers.admin)).expect(403);
      await resume(runId, await bearerFor(test, world.homeUsers.finance)).expect(403);
      await resume(runId, (await anApiKey(test.dataSource, world.home, ['charges:write'])).header).expect(
        403,
      );
      const elsewhere = await aConsortiumWithMembers(test.dataSource);
      const hidden = await resume(runId, await bearerFor(test, elsewhere.consortiumAdmin)).expect(404);
      expect(hidden.body).toMatchObject({ status: 404 });

      // Nothing was taken over.
      expect(await runRow(runId)).toMatchObject({ status: 'running', resumed_count: 0 });
      expect(await reclaimer.sweep()).toBe(runId);
    });

    it('refuses to resume a run that is not interrupted (409), saying why', async () => {
      const { world, runId } = await aQueuedRun();
      const admin = await bearerFor(test, world.consortiumAdmin);
      const queued = await resume(runId, admin).expect(409);
      expect(queued.body).toMatchObject({ code: 'charge-run-not-interrupted' });
      expect(queued.body.detail).toMatch(/not started yet/);

      const holder = (await lease.claim(runId))!;
      const live = await resume(runId, admin).expect(409);
      expect(live.body.detail).toMatch(/^This charge run is running \(last heartbeat .*\), not interrupted/);

      await computation.executeClaimed(holder);
      const completed = await resume(runId, admin).expect(409);
      expect(completed.body).toMatchObject({
        code: 'charge-run-not-interrupted',
        detail: 'This charge run has completed: there is nothing to resume.',
      });

      await test.dataSource.query(`UPDATE charge_runs SET status = 'failed', error = 'x' WHERE id = $1`, [
        runId,
      ]);
      const failed = await resume(runId, admin).expect(409);
      expect(failed.body.detail).toMatch(/start a new charge run for the period/);
    });
  });

  it('says a run completed with subscriptions needing attention, naming them with the reason', async () => {
    const { world, period, runId } = await aQueuedRun();
    await computation.execute(runId);
    const item = {
      subscriptionId: '00000000-0000-4000-8000-000000000001',
      serviceTitle: 'Backup',
      consumerName: 'Kent County Council',
      providerName: 'Norfolk County Council',
      reason: 'The amount is too large to charge',
    };
    // What the computation records for a subscription it had to skip.
    await test.dataSource.query('UPDATE charge_runs SET needs_attention = $2::jsonb WHERE id = $1', [
      runId,
      JSON.stringify([item]),
    ]);
    const list = await test
      .http()
      .get(`/api/v1/billing-periods/${period.id}/charge-runs`)
      .set(await bearerFor(test, world.consortiumAdmin))
      .expect(200);
    expect(list.body.data).toEqual([
      expect.objectContaining({
        id: runId,
        status: 'completed',
        statusText: 'Completed with 1 subscription needing attention',
        needsAttention: [item],
      }),
    ]);
  });
});
