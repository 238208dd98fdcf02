import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options';
import {
  aChargePeriod,
  aConsortiumWithMembers,
  aDatedSubscription,
  aService,
  aUser,
  TEST_PASSWORD,
} from './support/builders';
import { aSpecDatabase, type SpecDatabase } from './support/databases';
import { TEST_JWT_SECRET, TEST_SECRETS_KEY } from './support/test-app';

const ROOT = resolve(__dirname, '../../..');

/** One API process, started as production starts it (main.ts), with its JSON log lines kept. */
interface Instance {
  name: string;
  url: string;
  process: ChildProcess;
  logs: Record<string, unknown>[];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  await new Promise((ok) => server.close(ok));
  return port;
}

async function startInstance(name: string, database: SpecDatabase): Promise<Instance> {
  const port = await freePort();
  // TypeScript through ts-node, as scripts/ run it: building the bundle first would cost more than it proves.
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', 'apps/api/src/main.ts'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        TS_NODE_PROJECT: 'scripts/tsconfig.json',
        TS_NODE_TRANSPILE_ONLY: '1',
        NODE_ENV: 'development',
        PORT: String(port),
        // As production runs: the API's role, and the owner's for the migrations checked at start.
        DATABASE_URL: database.url,
        MIGRATION_DATABASE_URL: database.ownerUrl,
        JWT_SECRET: TEST_JWT_SECRET,
        SECRETS_KEY: TEST_SECRETS_KEY,
        SEED_DEMO_DATA: 'false',
        ADMIN_UI_DIR: '',
        LOG_LEVEL: 'info',
        WEBHOOK_WORKER: 'true',
        WEBHOOK_POLL_INTERVAL_MS: '200',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const instance: Instance = { name, url: `http://127.0.0.1:${port}`, process: child, logs: [] };
  let pending = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('{')) instance.logs.push(JSON.parse(line));
  });
  child.stderr?.resume();
  return instance;
}

async function untilReady(instance: Instance): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    if (instance.process.exitCode !== null) throw new Error(`${instance.name} exited while starting`);
    const ok = await fetch(`${instance.url}/api/v1/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await sleep(200);
  }
  throw new Error(`${instance.name} did not become ready`);
}

/** Polls until `check` gives a value (not undefined), failing with `what` if it never comes. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error(`Gave up waiting for ${what}`);
}

/** SIGTERM, as an orchestrator stops an instance; SIGKILL if it has not finished in-flight work in 20 s. */
async function stop(instance: Instance | undefined): Promise<void> {
  if (!instance || instance.process.exitCode !== null || instance.process.signalCode !== null) return;
  const exited = new Promise((ok) => instance.process.once('exit', ok));
  instance.process.kill('SIGTERM');
  if ((await Promise.race([exited.then(() => true), sleep(20_000).then(() => false)])) === false) {
    instance.process.kill('SIGKILL');
    await exited;
  }
}

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

describe('two API instances on one database', () => {
  let database: SpecDatabase | undefined;
  let ds: DataSource;
  let a: Instance;
  let b: Instance;
  let receiver: Server;
  let receiverUrl: string;
  const received: Received[] = [];

  const call = async (
    instance: Instance,
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const response = await fetch(`${instance.url}/api/v1${path}`, {
      method,
      headers: {
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    });
    const text = await response.text();
    if (response.status >= 500) {
      // Never expected here: show what the instance logged, so the failure explains itself.
      const errors = instance.logs.filter((line) => Number(line.level) >= 50).slice(-3);
      throw new Error(
        `${instance.name}: ${method} ${path} answered ${response.status} ${text}\n${JSON.stringify(errors, null, 2)}`,
      );
    }
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  const signIn = async (instance: Instance, email: string) => {
    const response = await call(instance, 'POST', '/auth/login', {
      body: { email, password: TEST_PASSWORD },
    });
    expect(response.status).toBe(200);
    return response.body as { accessToken: string; refreshToken: string };
  };

  beforeAll(async () => {
    // A database of its own: the other specs' apps also work pg-boss queues, and here only these two may.
    database = await aSpecDatabase('two_instances');
    ds = await new DataSource(dataSourceOptions(database.url)).initialize();
    receiver = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    [a, b] = await Promise.all([startInstance('A', database), startInstance('B', database)]);
    await Promise.all([untilReady(a), untilReady(b)]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([stop(a), stop(b)]);
    await ds?.destroy();
    receiver?.closeAllConnections();
    await new Promise((ok) => receiver?.close(ok));
    await database?.drop();
  }, 60_000);

  it('shares sessions through the database only: a token from one instance works on the other, and so does rotation', async () => {
    const world = await aConsortiumWithMembers(ds);
    const session = await signIn(a, world.homeUsers.viewer.email);
    const me = await call(b, 'GET', '/auth/me', { token: session.accessToken });
    expect(me).toMatchObject({ status: 200, body: { id: world.homeUsers.viewer.id } });
    const rotated = await call(b, 'POST', '/auth/refresh', { body: { refreshToken: session.refreshToken } });
    expect(rotated.status).toBe(200);
    // The first instance knows the old token was just rotated on the second: a retry within the grace period
    // (an answer lost on the way) gets a pair of its own…
    const retried = await call(a, 'POST', '/auth/refresh', { body: { refreshToken: session.refreshToken } });
    expect(retried.status).toBe(200);
    // …and it is the successor the second instance issued, not another one.
    expect(retried.body.refreshToken).toBe(rotated.body.refreshToken);
    // …and once that period is over, presenting it again is reuse: refused, and the session ends on both.
    await ds.query(
      `UPDATE refresh_tokens SET replaced_at = replaced_at - interval '1 hour'
        WHERE user_id = $1 AND replaced_at IS NOT NULL`,
      [world.homeUsers.viewer.id],
    );
    const reused = await call(a, 'POST', '/auth/refresh', { body: { refreshToken: session.refreshToken } });
    expect(reused.status).toBe(401);
    const afterReuse = await call(b, 'POST', '/auth/refresh', {
      body: { refreshToken: rotated.body.refreshToken },
    });
    expect(afterReuse.status).toBe(401);
    // The session's access tokens stop too, on the instance that did not see the reuse.
    expect((await call(b, 'GET', '/auth/me', { token: rotated.body.accessToken })).status).toBe(401);
  });

  it('ends a session on the other instance on its very next request: signed out, a user disabled, a role removed', async () => {
    const world = await aConsortiumWithMembers(ds);
    const me = (instance: Instance, token: string) => call(instance, 'GET', '/auth/me', { token });
    const listUsers = (instance: Instance, token: string) => call(instance, 'GET', '/users', { token });

    // Signed out through A: B refuses the session's access token on its next request, having just accepted it.
    const session = await signIn(a, world.homeUsers.viewer.email);
    expect((await me(b, session.accessToken)).status).toBe(200);
    expect(
      (await call(a, 'POST', '/auth/logout', { body: { refreshToken: session.refreshToken } })).status,
    ).toBe(204);
    expect((await me(b, session.accessToken)).status).toBe(401);
    expect((await me(a, session.accessToken)).status).toBe(401);

    // A user disabled through B: their session signed in through A stops on A at once, and stays ended when the
    // user is enabled again.
    const admin = await signIn(a, world.homeUsers.admin.email);
    const finance = await signIn(a, world.homeUsers.finance.email);
    expect((await me(a, finance.accessToken)).status).toBe(200);
    const disable = await call(b, 'PATCH', `/users/${world.homeUsers.finance.id}`, {
      token: admin.accessToken,
      body: { status: 'disabled' },
    });
    expect(disable.status).toBe(200);
    expect((await me(a, finance.accessToken)).status).toBe(401);
    const enable = await call(b, 'PATCH', `/users/${world.homeUsers.finance.id}`, {
      token: admin.accessToken,
      body: { status: 'active' },
    });
    expect(enable.status).toBe(200);
    expect((await me(a, finance.accessToken)).status).toBe(401);
    expect(
      (await call(a, 'POST', '/auth/refresh', { body: { refreshToken: finance.refreshToken } })).status,
    ).toBe(401);

    // A role taken away through A: B no longer grants it on the next request.
    const colleague = await aUser(ds, world.home, ['org_admin']);
    const colleagueSession = await signIn(b, colleague.email);
    expect((await listUsers(b, colleagueSession.accessToken)).status).toBe(200);
    const demote = await call(a, 'PATCH', `/users/${colleague.id}`, {
      token: admin.accessToken,
      body: { roles: ['viewer'] },
    });
    expect(demote.status).toBe(200);
    expect((await listUsers(b, colleagueSession.accessToken)).status).toBe(403);
    expect((await me(b, colleagueSession.accessToken)).body.roles).toEqual(['viewer']);
  });

  it('runs a charge run started through one instance exactly once, and delivers each webhook event once', async () => {
    const world = await aConsortiumWithMembers(ds);
    const period = await aChargePeriod(ds, world.consortium, '2025-06');
    for (let n = 0; n < 3; n += 1) {
      const service = await aService(ds, world.consortium, world.home);
      await aDatedSubscription(ds, service, world.other, { startDate: '2025-06-01', quantity: n + 1 });
    }
    const [admin, homeAdmin, otherAdmin, homeFinance, otherFinance] = await Promise.all([
      signIn(a, world.consortiumAdmin.email),
      signIn(b, world.homeUsers.admin.email),
      signIn(a, world.otherUsers.admin.email),
      signIn(b, world.homeUsers.finance.email),
      signIn(a, world.otherUsers.finance.email),
    ]);

    // The provider hears of approvals, the consumer of issued charges: endpoints registered through each instance.
    const endpoints = await Promise.all([
      call(a, 'POST', '/webhooks', {
        token: homeAdmin.accessToken,
        body: { url: receiverUrl, eventTypes: ['cross_charge.approved'] },
      }),
      call(b, 'POST', '/webhooks', {
        token: otherAdmin.accessToken,
        body: { url: receiverUrl, eventTypes: ['cross_charge.issued'] },
      }),
    ]);
    expect(endpoints.map((e) => e.status)).toEqual([201, 201]);
    const secrets = endpoints.map((e) => e.body.secret as string);

    // Both instances asked at once: the database lets one run start and refuses the other.
    const starts = await Promise.all(
      [a, b].map((instance) =>
        call(instance, 'POST', `/billing-periods/${period.id}/charge-runs`, { token: admin.accessToken }),
      ),
    );
    expect(starts.map((s) => s.status).sort()).toEqual([202, 409]);
    const runId = starts.find((s) => s.status === 202)?.body.id as string;

    let polls = 0;
    const finished = await eventually('the charge run to finish', async () => {
      const instance = polls++ % 2 === 0 ? a : b;
      const run = await call(instance, 'GET', `/charge-runs/${runId}`, { token: admin.accessToken });
      return ['completed', 'failed'].includes(run.body.status) ? run.body : undefined;
    });
    expect(finished).toMatchObject({ status: 'completed', processedSubscriptions: 3, crossCharges: 1 });
    expect(
      await ds.query('SELECT status FROM charge_runs WHERE billing_period_id = $1', [period.id]),
    ).toEqual([{ status: 'completed' }]);
    const [charge] = await ds.query(
      'SELECT id, (SELECT count(*)::int FROM cross_charge_lines l WHERE l.cross_charge_id = c.id) AS lines FROM cross_charges c WHERE billing_period_id = $1',
      [period.id],
    );
    expect(charge.lines).toBe(3);
    expect(
      await ds.query('SELECT state FROM pgboss.job WHERE name = $1 AND singleton_key = $2', [
        'charge-run',
        runId,
      ]),
    ).toEqual([{ state: 'completed' }]);
    // The job logs its run id; only one of the two instances did the work.
    const workedOnIt = [a, b].filter((instance) =>
      instance.logs.some((line) => line.msg === `charge run ${runId}: completed`),
    );
    expect(workedOnIt).toHaveLength(1);
    expect(workedOnIt[0].logs).toContainEqual(
      expect.objectContaining({
        context: 'ChargeRun',
        msg: expect.stringContaining(`charge run ${runId}: period 2025-06`),
      }),
    );

    // Issued through one instance, approved through the other, with a request id of our own on the approval.
    const requestId = `two-instances-${randomBytes(4).toString('hex')}`;
    expect(
      (await call(a, 'POST', `/cross-charges/${charge.id}/issue`, { token: homeFinance.accessToken })).status,
    ).toBe(200);
    const approve = await call(b, 'POST', `/cross-charges/${charge.id}/approve`, {
      token: otherFinance.accessToken,
      headers: { 'x-request-id': requestId },
    });
    expect(approve.status).toBe(200);

    await eventually('both webhook deliveries', async () => (received.length >= 2 ? true : undefined));
    const events = received.map((r) => ({
      id: r.headers['consortium-event-id'],
      type: r.headers['consortium-event-type'],
      body: JSON.parse(r.body),
    }));
    expect(events.map((e) => e.type).sort()).toEqual(['cross_charge.approved', 'cross_charge.issued']);
    expect(new Set(events.map((e) => e.id)).size).toBe(2);
    for (const delivery of received) {
      const [, t, v1] =
        /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(delivery.headers['consortium-signature'])) ?? [];
      const expected = secrets.map((secret) =>
        createHmac('sha256', secret).update(`${t}.${delivery.body}`).digest('hex'),
      );
      expect(expected).toContain(v1);
    }
    const deliveries = (await ds.query(
      `SELECT d.id, d.attempts FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
        WHERE e.organisation_id = ANY($1)`,
      [[world.home.id, world.other.id]],
    )) as { id: string; attempts: number }[];
    // Each event was sent once: one delivery each, claimed by one instance, attempted once.
    expect(deliveries.map((d) => d.attempts)).toEqual([1, 1]);
    expect(received).toHaveLength(2);
    // Each delivery was one pg-boss job, worked to completion once.
    const jobs = await eventually('the delivery jobs to complete', async () => {
      const rows = (await ds.query(
        `SELECT data->>'deliveryId' AS "deliveryId", state FROM pgboss.job
          WHERE name = 'webhook-delivery' AND data->>'deliveryId' = ANY($1)`,
        [deliveries.map((d) => d.id)],
      )) as { deliveryId: string; state: string }[];
      return rows.every((job) => job.state === 'completed') ? rows : undefined;
    });
    expect(jobs.map((job) => job.deliveryId).sort()).toEqual(deliveries.map((d) => d.id).sort());

    // Every log line of the approval request carries its request id.
    const approvalLines = b.logs.filter(
      (line) =>
        (line.req as { url?: string } | undefined)?.url === `/api/v1/cross-charges/${charge.id}/approve`,
    );
    expect(approvalLines.length).toBeGreaterThan(0);
    expect(approvalLines.every((line) => (line.req as { id: string }).id === requestId)).toBe(true);
  }, 90_000);
});
