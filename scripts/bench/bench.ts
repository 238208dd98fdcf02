/**
 * npm run bench: measures on the local PostgreSQL (DATABASE_URL, else 127.0.0.1:5432), in a database of its own
 * that is dropped at the end:
 *   (a) usage ingestion through the real HTTP API, batches of 500 over BENCH_CONNECTIONS (4) keep-alive
 *       connections; the client runs in a worker thread so it never shares the API's event loop, and both (a) and
 *       (b) are warmed up (BENCH_WARM_UP_BATCHES, 8) before the clock starts,
 *   (b) a bare multi-row INSERT of the same rows straight into usage_events in batches of 500 over as many
 *       connections (the baseline),
 *   (c) signed-in reads through the API (http-bench.ts): GET /services, GET /services?q=… and GET /auth/me as a
 *       member's user with a bearer token, each against a bare Fastify + pg handler that checks the same token and
 *       replays the statements the API ran for that request (bare-server.ts); autocannon in a child process,
 *       BENCH_HTTP_CONNECTIONS (20) connections, a warm-up, then BENCH_HTTP_PAIRS (3) interleaved pairs of
 *       BENCH_HTTP_SECONDS (5) per side, medians; the API's rate limits raised for the run (RAISED_RATE_LIMITS),
 *   (d) a charge run over 10,000 subscriptions with 1,000,000 usage events,
 *   (e) its baseline: one SQL statement aggregating the same period's usage per subscription and metric
 *       (sum, count), joined to the period's subscriptions and their price versions, every row read by the
 *       client; run BARE_AGGREGATE_RUNS (3) times, the median counts,
 *   (f) 1% more usage (bare INSERT, over the metered subscriptions, in the same period), then a second charge run
 *       over the period, timed as (d) is.
 * The charge runs go through ChargeRunComputation.execute(runId) and the charge_runs table only. A run must end
 * completed (with or without subscriptions needing attention); its status is reported.
 * Prints a table and writes .bench/latest.json. Sizes: BENCH_EVENTS, BENCH_SUBSCRIPTIONS, BENCH_USAGE_EVENTS.
 * Timing targets are reported, never enforced: this is not a test.
 */
import { generateApiKey } from '@consortium/auth';
import { billingPeriodFor } from '@consortium/domain';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { loadEnvironment } from '../../apps/api/src/config/environment';
import { createApp } from '../../apps/api/src/create-app';
import { ukToday } from '../../apps/api/src/modules/catalogue/compliance-status';
import { ChargeRunComputation } from '../../apps/api/src/modules/charging/charge-run.computation';
import {
  asRole,
  createOwnedDatabase,
  ensureTestRoles,
  migrateAsOwner,
} from '../../apps/api/test/support/databases';
import { httpBenchRows, httpBenchTargets, RAISED_RATE_LIMITS, runHttpBench } from './http-bench';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 50_000);
const SUBSCRIPTIONS = Number(process.env.BENCH_SUBSCRIPTIONS ?? 10_000);
const USAGE_EVENTS = Number(process.env.BENCH_USAGE_EVENTS ?? 1_000_000);
const BATCH = 500;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4);
const WARM_UP_BATCHES = Number(process.env.BENCH_WARM_UP_BATCHES ?? 8);
const MEMBERS = 20;
const LATE_USAGE_EVENTS = Math.round(USAGE_EVENTS / 100);
const BARE_AGGREGATE_RUNS = 3;

const JWT_SECRET = 'bench-signing-key-that-is-long-enough-for-hs256';
const TARGETS = { eventsPerSecond: 20_000, ratio: 0.5, chargeRunSeconds: 30, chargeRunRatioToBare: 5 };

const log = (message: string) => console.log(`[bench] ${message}`);
const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(serverUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Runs `tasks` with at most `limit` in flight. */
async function inParallel(limit: number, tasks: (() => Promise<void>)[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < tasks.length) await tasks[next++]();
    }),
  );
}

interface Seed {
  consortiumId: string;
  providerId: string;
  apiKey: string;
  meteredSubscriptions: string[];
  periodId: string;
}

/** What the seeded services offer (title, summary), so the catalogue reads like one and a search finds a few. */
const SERVICE_OFFERINGS = [
  ['Managed backup and disaster recovery', 'Nightly off-site backup with tested recovery of whole systems'],
  [
    'Cloud hosting for line-of-business systems',
    'Virtual servers in a UK data centre, patched and monitored',
  ],
  ['Payroll processing', 'Monthly payroll, pension returns and payslips for council staff'],
  ['Out-of-hours service desk', 'Telephone and portal support for staff in the evenings and at weekends'],
  ['Cyber security monitoring', 'Round-the-clock monitoring of logs and alerts, with incident response'],
  ['Geographic information system', 'Shared mapping, gazetteer and planning layers'],
  ['Email and collaboration', 'Mailboxes, calendars and shared documents for every member of staff'],
  ['Data centre colocation', 'Rack space with power, cooling and remote hands'],
  ['Wide area network', 'Links between council buildings, managed end to end'],
  ['Printing and scanning', 'Multi-function devices, print management and secure release'],
  ['Records management and archiving', 'Retention schedules, digitisation and long-term storage'],
  ['Database administration', 'Backups, tuning and upgrades of SQL Server and PostgreSQL databases'],
];

/**
 * A consortium of 20 members; every member provides services with each of the four price models to every other
 * member, until there are SUBSCRIPTIONS subscriptions (a quarter of them metered, some starting mid-period).
 * Each service offers one of SERVICE_OFFERINGS.
 */
async function seed(db: Pool, periodStart: string): Promise<Seed> {
  const [{ id: consortiumId }] = (
    await db.query(
      `INSERT INTO consortia (name, description, billing_cycle, currency, rules)
       VALUES ('Eastern Counties ICT Consortium (bench)', NULL, 'monthly', 'GBP', $1) RETURNING id`,
      [{ acceptsJoinRequests: true, paymentTermsDays: 30 }],
    )
  ).rows;
  const orgs: string[] = (
    await db.query(
      `INSERT INTO organisations (name, type, region)
       SELECT 'Bench Council ' || n, 'county_council', 'East of England' FROM generate_series(1, $1) AS n
       RETURNING id`,
      [MEMBERS],
    )
  ).rows.map((r: { id: string }) => r.id);
  await db.query(
    `INSERT INTO consortium_memberships (consortium_id, organisation_id, status, joined_at)
     SELECT $1, o, 'active', now() FROM unnest($2::uuid[]) AS o`,
    [consortiumId, orgs],
  );
  const plans = [
    { model: 'flat_fee', currency: 'GBP', feePerPeriod: '300.00', setupFee: '50.00' },
    { model: 'per_unit', currency: 'GBP', unitPrice: '12.50', unitName: 'device' },
    {
      model: 'graduated',
      currency: 'GBP',
      tiers: [
        { upTo: 10, unitPrice: '5.00' },
        { upTo: null, unitPrice: '3.00' },
      ],
    },
    { model: 'metered', currency: 'GBP', metric: 'storage_gb', unitPrice: '0.10', includedPerPeriod: '100' },
  ];
  const servicesNeeded = Math.ceil(SUBSCRIPTIONS / (MEMBERS - 1));
  await db.query(
    `INSERT INTO services (consortium_id, provider_organisation_id, category, title, summary, description,
                           service_level, capacity_unit, vat_treatment, contacts, status, current_price_version,
                           published_at)
     SELECT $1, ($2::uuid[])[1 + (n % $3)], 'hosting_and_data_centre', ($5::text[])[1 + n % $7] || ' ' || n,
            ($6::text[])[1 + n % $7],
            ($6::text[])[1 + n % $7] || '. Offered by a member to the whole consortium on its standard terms.',
            '{"hoursOfCover":"24x7","responseTargetHours":4,"resolutionTargetHours":24,"availabilityPercent":"99.9"}',
            'subscribers', CASE WHEN n % 5 = 0 THEN 'standard' ELSE 'outside_scope' END::vat_treatment,
            '[{"name":"Bench","email":"bench@example.gov.uk"}]', 'published', 1, now()
       FROM generate_series(0, $4 - 1) AS n`,
    [
      consortiumId,
      orgs,
      MEMBERS,
      servicesNeeded,
      SERVICE_OFFERINGS.map(([title]) => title),
      SERVICE_OFFERINGS.map(([, summary]) => summary),
      SERVICE_OFFERINGS.length,
    ],
  );
  await db.query(
    `INSERT INTO price_versions (service_id, version, plan, currency)
     SELECT s.id, 1, ($2::jsonb[])[1 + (row_number() OVER (ORDER BY s.id) % 4)], 'GBP'
       FROM services s WHERE s.consortium_id = $1`,
    [consortiumId, plans.map((p) => JSON.stringify(p))],
  );
  // Every service to every member but its provider; one in seven starts mid-period (prorated, set-up fee).
  await db.query(
    `INSERT INTO subscriptions (consortium_id, service_id, consumer_organisation_id, provider_organisation_id,
                                price_version_id, quantity, start_date, term_months, notice_period_months,
                                currency, status)
     SELECT $1, s.id, o, s.provider_organisation_id, pv.id, 1 + (abs(hashtext(s.id::text || o::text)) % 30),
            CASE WHEN abs(hashtext(o::text || s.id::text)) % 7 = 0 THEN $3::date + 9 ELSE $3::date - 60 END,
            12, 3, 'GBP', 'active'
       FROM services s JOIN price_versions pv ON pv.service_id = s.id
      CROSS JOIN unnest($2::uuid[]) AS o
      WHERE s.consortium_id = $1 AND o <> s.provider_organisation_id
      ORDER BY s.id, o
      LIMIT $4`,
    [consortiumId, orgs, periodStart, SUBSCRIPTIONS],
  );
  await db.query(
    `INSERT INTO subscription_quantities (subscription_id, quantity, effective_from)
     SELECT id, quantity, start_date FROM subscriptions WHERE consortium_id = $1`,
    [consortiumId],
  );
  const meteredSubscriptions: string[] = (
    await db.query(
      `SELECT s.id FROM subscriptions s JOIN price_versions pv ON pv.id = s.price_version_id
        WHERE s.consortium_id = $1 AND pv.plan->>'model' = 'metered' AND s.start_date <= current_date
        ORDER BY s.id`,
      [consortiumId],
    )
  ).rows.map((r: { id: string }) => r.id);
  // The usage feed's provider: the member providing the most metered subscriptions in force (at small sizes some
  // members provide none).
  const [{ provider_organisation_id: providerId }] = (
    await db.query(
      `SELECT provider_organisation_id FROM subscriptions WHERE id = ANY($1::uuid[])
        GROUP BY provider_organisation_id ORDER BY count(*) DESC, provider_organisation_id LIMIT 1`,
      [meteredSubscriptions],
    )
  ).rows;
  const { key, prefix, secretHash } = generateApiKey();
  await db.query(
    `INSERT INTO api_keys (organisation_id, name, prefix, secret_hash, scopes)
     VALUES ($1, 'Bench usage feed', $2, $3, $4)`,
    [providerId, prefix, secretHash, ['usage:write']],
  );
  const period = billingPeriodFor(ukToday(), 'monthly');
  const [{ id: periodId }] = (
    await db.query(
      `INSERT INTO billing_periods (consortium_id, key, cycle, start_date, end_date)
       VALUES ($1, $2, 'monthly', $3, $4) RETURNING id`,
      [consortiumId, period.key, period.startDate, period.endDate],
    )
  ).rows;
  return { consortiumId, providerId, apiKey: key, meteredSubscriptions, periodId };
}

interface UsageRow {
  eventId: string;
  subscriptionId: string;
  quantity: string;
  occurredAt: string;
}

const usageBody = (batch: UsageRow[]): string =>
  JSON.stringify({ events: batch.map((r) => ({ ...r, metric: 'storage_gb' })) });

/**
 * The HTTP load generator, run in a worker thread: request bodies are serialised before the clock starts, then
 * `connections` keep-alive connections each send one batch at a time (warm-up batches first, not timed).
 * Every measured batch must be answered 200 with all its events accepted.
 */
const LOAD_WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const http = require('node:http');
const { url, apiKey, connections, warmUp, measured, expectAccepted } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const target = new URL(url);
function post(body) {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-api-key': apiKey } },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed;
          try { parsed = JSON.parse(text); } catch { parsed = undefined; }
          if (response.statusCode !== 200 || !parsed || parsed.accepted !== expectAccepted) {
            reject(new Error('batch refused (' + response.statusCode + '): ' + text.slice(0, 400)));
          } else resolve();
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
async function run(bodies) {
  let next = 0;
  await Promise.all(Array.from({ length: connections }, async () => {
    while (next < bodies.length) await post(bodies[next++]);
  }));
}
(async () => {
  await run(warmUp);
  const start = process.hrtime.bigint();
  await run(measured);
  parentPort.postMessage({ seconds: Number(process.hrtime.bigint() - start) / 1e9 });
  agent.destroy();
})().catch((error) => parentPort.postMessage({ error: String(error && error.stack || error) }));
`;

function httpLoad(workerData: {
  url: string;
  apiKey: string;
  connections: number;
  warmUp: string[];
  measured: string[];
  expectAccepted: number;
}): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOAD_WORKER, { eval: true, workerData });
    worker.once('message', (message: { seconds?: number; error?: string }) => {
      void worker.terminate();
      if (message.error !== undefined) reject(new Error(message.error));
      else resolve(message.seconds as number);
    });
    worker.once('error', reject);
  });
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/**
 * Columns of a charge run that say some subscriptions need attention (whatever the schema calls them: any column
 * naming "attention" or "skipped" that is set), so a run that completed for everyone else is reported as such.
 */
function attentionOf(run: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(run).filter(
      ([column, value]) =>
        /attention|skipped/i.test(column) &&
        value !== null &&
        value !== 0 &&
        value !== '0' &&
        !(Array.isArray(value) && value.length === 0),
    ),
  );
}

/** "completed", or e.g. "completed, needs_attention 2" (a list counts its entries; the JSON keeps them whole). */
const statusLabel = (status: string, attention: Record<string, unknown>): string =>
  [
    status,
    ...Object.entries(attention).map(
      ([k, v]) =>
        `${k} ${Array.isArray(v) ? v.length : typeof v === 'object' ? JSON.stringify(v) : String(v)}`,
    ),
  ].join(', ');

async function main() {
  const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `consortium_bench_${Date.now()}`;
  // Owned and migrated by the owner role, which also seeds, runs the bare baselines and ANALYZE; the API connects
  // as its own role, as in production (the test suite's roles: scripts/jest/test-database.ts).
  await ensureTestRoles(serverUrl);
  await createOwnedDatabase(serverUrl, name);
  log(`database ${name} created`);
  const url = asRole(serverUrl, name, 'owner');
  const db = new Pool({ connectionString: url, max: CONNECTIONS + 2 });
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  try {
    log(`${(await migrateAsOwner(serverUrl, name)).length} migration(s) applied`);
    const periodStart = billingPeriodFor(ukToday(), 'monthly').startDate;
    let start = process.hrtime.bigint();
    const seeded = await seed(db, periodStart);
    log(`seeded ${SUBSCRIPTIONS} subscriptions in ${seconds(start).toFixed(1)} s`);

    const env = loadEnvironment({
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      ADMIN_UI_DIR: '',
      ...RAISED_RATE_LIMITS,
    });
    app = await createApp({
      env,
      databaseUrl: asRole(serverUrl, name, 'app'),
      jwtSecret: JWT_SECRET,
      secretsKey: 'bench-secrets-key-that-is-long-enough-for-aes',
    });
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address() as { port: number };
    const base = `http://127.0.0.1:${address.port}/api/v1/usage-events`;

    // The provider's own metered subscriptions receive the ingested events.
    const providerSubs: string[] = (
      await db.query(
        `SELECT id FROM subscriptions WHERE id = ANY($1::uuid[]) AND provider_organisation_id = $2`,
        [seeded.meteredSubscriptions, seeded.providerId],
      )
    ).rows.map((r: { id: string }) => r.id);
    const now = Date.now();
    const earliest = Math.max(Date.parse(`${periodStart}T00:00:00Z`) + 3_600_000, now - 3_600_000);
    const rows: UsageRow[] = Array.from({ length: EVENTS }, (_, i) => ({
      eventId: `bench-${i}`,
      subscriptionId: providerSubs[i % providerSubs.length],
      quantity: `${(i % 97) + 1}.${String(i % 1000).padStart(3, '0')}`,
      occurredAt: new Date(earliest + ((i * 37) % Math.max(1, now - earliest - 60_000))).toISOString(),
    }));
    const batches: UsageRow[][] = [];
    for (let i = 0; i < rows.length; i += BATCH) batches.push(rows.slice(i, i + BATCH));
    const warmUp = (prefix: string): UsageRow[][] =>
      Array.from({ length: WARM_UP_BATCHES }, (_, b) =>
        batches[b % batches.length].map((r) => ({ ...r, eventId: `${prefix}-${b}-${r.eventId}` })),
      );

    // (a) through the HTTP API, from a worker thread so the client never shares the API's event loop
    log(
      `(a) ingesting ${EVENTS} events through the API: ${batches.length} batches of ${BATCH}, ` +
        `${CONNECTIONS} keep-alive connections from a worker thread, after ${WARM_UP_BATCHES} warm-up batches`,
    );
    const apiSeconds = await httpLoad({
      url: base,
      apiKey: seeded.apiKey,
      connections: CONNECTIONS,
      warmUp: warmUp('warm').map(usageBody),
      measured: batches.map(usageBody),
      expectAccepted: BATCH,
    });
    const eventsPerSecond = EVENTS / apiSeconds;

    // (b) the same rows, bare multi-row INSERTs straight into PostgreSQL, over as many connections, warmed up too
    log(`(b) inserting the same ${EVENTS} rows with bare multi-row INSERTs over ${CONNECTIONS} connections`);
    const bareInsert = (suffix: string) => async (batch: UsageRow[]) => {
      const values: unknown[] = [];
      const tuples = batch.map((r, i) => {
        values.push(`${r.eventId}-${suffix}`, r.subscriptionId, r.quantity, r.occurredAt, 'bare');
        const p = i * 5;
        return `($1, $${p + 3}, $${p + 4}, $2, 'storage_gb', $${p + 5}, $${p + 6}, $${p + 7})`;
      });
      await db.query(
        `INSERT INTO usage_events (provider_organisation_id, event_id, subscription_id, billing_period_id, metric,
                                   quantity, occurred_at, body_hash) VALUES ${tuples.join(', ')}`,
        [seeded.providerId, seeded.periodId, ...values],
      );
    };
    const warmBare = bareInsert('bare-warm');
    await inParallel(
      CONNECTIONS,
      warmUp('warm').map((batch) => () => warmBare(batch)),
    );
    const bare = bareInsert('bare');
    start = process.hrtime.bigint();
    await inParallel(
      CONNECTIONS,
      batches.map((batch) => () => bare(batch)),
    );
    const bareSeconds = seconds(start);
    const bareInsertPerSecond = EVENTS / bareSeconds;

    // (c) signed-in reads through the API, each against a bare handler replaying the same statements
    log(`(c) signed-in reads through the API and through bare Fastify + pg handlers`);
    const apiPool = (app.get(DataSource).driver as unknown as { master: Pool }).master;
    const [{ organisation_id: memberId }] = (
      await db.query(
        `SELECT organisation_id FROM consortium_memberships
          WHERE consortium_id = $1 AND organisation_id <> $2 ORDER BY organisation_id LIMIT 1`,
        [seeded.consortiumId, seeded.providerId],
      )
    ).rows;
    const http = await runHttpBench({
      server: app.getHttpServer(),
      apiBase: `http://127.0.0.1:${address.port}/api/v1`,
      db,
      organisationId: memberId,
      databaseUrl: asRole(serverUrl, name, 'app'),
      poolSize: apiPool.options.max ?? 10,
      jwtSecret: JWT_SECRET,
      log,
    });

    // (d) a charge run over SUBSCRIPTIONS subscriptions and USAGE_EVENTS usage events
    const [{ existing }] = (
      await db.query('SELECT count(*)::int AS existing FROM usage_events WHERE billing_period_id = $1', [
        seeded.periodId,
      ])
    ).rows;
    const toGenerate = Math.max(0, USAGE_EVENTS - existing);
    log(`(d) generating ${toGenerate} more usage events (to ${USAGE_EVENTS} in the period)`);
    const step = 100_000;
    for (let from = 0; from < toGenerate; from += step) {
      const count = Math.min(step, toGenerate - from);
      await db.query(
        `INSERT INTO usage_events (provider_organisation_id, event_id, subscription_id, billing_period_id, metric,
                                   quantity, occurred_at, body_hash)
         SELECT s.provider_organisation_id, 'gen-' || n, s.id, $1, 'storage_gb', ((n % 50) + 1) / 4.0,
                $2::date + 1 + (n % 5) * interval '1 hour', 'generated'
           FROM generate_series($3::int, $4::int) AS n
           JOIN subscriptions s ON s.id = ($5::uuid[])[1 + (n % $6)]`,
        [
          seeded.periodId,
          periodStart,
          from,
          from + count - 1,
          seeded.meteredSubscriptions,
          seeded.meteredSubscriptions.length,
        ],
      );
      log(`    ${from + count}/${toGenerate} usage events generated`);
    }
    // As autovacuum would after a million inserts (and long before a quarter's charge run): without it the charge
    // run alone would pay for setting the new rows' hint bits, and the bare aggregate after it would not.
    await db.query('VACUUM (ANALYZE)');

    const computation = app.get(ChargeRunComputation);
    /** Starts a charge run over the period and times ChargeRunComputation.execute, as the job would run it. */
    const chargeRun = async (label: string) => {
      const [{ id: runId }] = (
        await db.query(
          `INSERT INTO charge_runs (consortium_id, billing_period_id, requested_by_label) VALUES ($1, $2, $3)
           RETURNING id`,
          [seeded.consortiumId, seeded.periodId, label],
        )
      ).rows;
      const progress = setInterval(() => {
        void db
          .query('SELECT processed_subscriptions, total_subscriptions FROM charge_runs WHERE id = $1', [
            runId,
          ])
          .then(({ rows: [r] }) =>
            log(`    charge run: ${r.processed_subscriptions}/${r.total_subscriptions} subscriptions`),
          );
      }, 2000);
      const started = process.hrtime.bigint();
      try {
        await computation.execute(runId);
      } finally {
        clearInterval(progress);
      }
      const elapsed = seconds(started);
      const [run] = (await db.query('SELECT * FROM charge_runs WHERE id = $1', [runId])).rows;
      if (typeof run.status !== 'string' || !run.status.startsWith('completed')) {
        throw new Error(`the charge run (${label}) ${run.status}: ${run.error}`);
      }
      const attention = attentionOf(run);
      log(`    ${label}: ${statusLabel(run.status, attention)} in ${elapsed.toFixed(3)} s`);
      return { seconds: elapsed, run, attention };
    };
    const usageCount = async (): Promise<number> =>
      (
        await db.query('SELECT count(*)::int AS count FROM usage_events WHERE billing_period_id = $1', [
          seeded.periodId,
        ])
      ).rows[0].count;

    log(`(d) charge run over the period`);
    const first = await chargeRun('bench');
    const run = first.run;
    const chargeRunSeconds = first.seconds;
    const usage = { count: await usageCount() };

    // (e) the baseline: one aggregate of the same usage per subscription and metric, joined to the period's
    // subscriptions and their price versions, every row read by the client
    log(`(e) bare aggregate of the period's usage per subscription and metric, ${BARE_AGGREGATE_RUNS} times`);
    const period = billingPeriodFor(ukToday(), 'monthly');
    const bareAggregateRuns: number[] = [];
    let bareAggregateRows = 0;
    for (let i = 0; i < BARE_AGGREGATE_RUNS; i++) {
      const started = process.hrtime.bigint();
      const { rows: aggregate } = await db.query(
        `SELECT s.id, s.provider_organisation_id, s.consumer_organisation_id, s.service_id, s.price_version_id,
                s.start_date, s.end_date, s.quantity, pv.plan, u.metric, u.total, u.events
           FROM subscriptions s
           JOIN price_versions pv ON pv.id = s.price_version_id
           LEFT JOIN (SELECT subscription_id, metric, sum(quantity)::text AS total, count(*)::int AS events
                        FROM usage_events
                       WHERE billing_period_id = $1
                       GROUP BY subscription_id, metric) u ON u.subscription_id = s.id
          WHERE s.consortium_id = $2 AND s.status IN ('active', 'suspended', 'notice_given', 'ended')
            AND s.start_date <= $4::date AND (s.end_date IS NULL OR s.end_date >= $3::date)`,
        [seeded.periodId, seeded.consortiumId, period.startDate, period.endDate],
      );
      bareAggregateRuns.push(seconds(started));
      bareAggregateRows = aggregate.length;
    }
    const bareAggregateSeconds = median(bareAggregateRuns);
    log(
      `    ${bareAggregateRows} rows; ${bareAggregateRuns.map((t) => t.toFixed(3)).join(' s, ')} s ` +
        `(median ${bareAggregateSeconds.toFixed(3)} s)`,
    );

    // (f) 1% more usage arrives (late, bare INSERT like the seed), then the period is charged again
    log(`(f) ${LATE_USAGE_EVENTS} more usage events (1%), then a second charge run over the same period`);
    start = process.hrtime.bigint();
    await db.query(
      `INSERT INTO usage_events (provider_organisation_id, event_id, subscription_id, billing_period_id, metric,
                                 quantity, occurred_at, body_hash)
       SELECT s.provider_organisation_id, 'late-' || n, s.id, $1, 'storage_gb', ((n % 50) + 1) / 4.0,
              $2::date + 2 + (n % 5) * interval '1 hour', 'generated'
         FROM generate_series(0, $3::int - 1) AS n
         JOIN subscriptions s ON s.id = ($4::uuid[])[1 + (n % $5)]`,
      [
        seeded.periodId,
        periodStart,
        LATE_USAGE_EVENTS,
        seeded.meteredSubscriptions,
        seeded.meteredSubscriptions.length,
      ],
    );
    log(`    inserted in ${seconds(start).toFixed(3)} s`);
    const rerun = await chargeRun('bench re-run');
    const rerunUsage = await usageCount();

    const ratio = eventsPerSecond / bareInsertPerSecond;
    const chargeRunRatioToBare = chargeRunSeconds / bareAggregateSeconds;
    const results = {
      measuredAt: new Date().toISOString(),
      ingest: {
        events: EVENTS,
        batchSize: BATCH,
        connections: CONNECTIONS,
        warmUpBatches: WARM_UP_BATCHES,
        loadGenerator: 'worker thread, node:http keep-alive agent',
        seconds: round(apiSeconds),
        eventsPerSecond: Math.round(eventsPerSecond),
        bareInsertSeconds: round(bareSeconds),
        bareInsertPerSecond: Math.round(bareInsertPerSecond),
        ratio: round(ratio),
      },
      http,
      chargeRun: {
        subscriptions: run.total_subscriptions,
        usageEvents: usage.count,
        crossCharges: run.cross_charges,
        chargeLines: run.charge_lines,
        status: run.status,
        attention: first.attention,
        seconds: round(chargeRunSeconds),
        rerunUsageEvents: rerunUsage,
        rerunAddedUsageEvents: rerunUsage - usage.count,
        rerunCrossCharges: rerun.run.cross_charges,
        rerunChargeLines: rerun.run.charge_lines,
        rerunStatus: rerun.run.status,
        rerunAttention: rerun.attention,
        rerunSeconds: round(rerun.seconds),
        bareAggregate:
          'one SELECT: usage_events of the period summed and counted per subscription and metric, joined to ' +
          "the period's subscriptions and their price versions, every row read by the client; median of " +
          `${BARE_AGGREGATE_RUNS} runs`,
        bareAggregateRows,
        bareAggregateRunsSeconds: bareAggregateRuns.map(round),
        bareAggregateSeconds: round(bareAggregateSeconds),
        ratioToBare: round(chargeRunRatioToBare),
      },
      targets: {
        ingestEventsPerSecond: {
          target: `>= ${TARGETS.eventsPerSecond}`,
          pass: eventsPerSecond >= TARGETS.eventsPerSecond,
        },
        ingestRatio: { target: '>= 0.50', pass: ratio >= TARGETS.ratio },
        chargeRunSeconds: {
          target: `< ${TARGETS.chargeRunSeconds}`,
          pass: chargeRunSeconds < TARGETS.chargeRunSeconds,
        },
        chargeRunRatioToBare: {
          target: `<= ${TARGETS.chargeRunRatioToBare}`,
          pass: chargeRunRatioToBare <= TARGETS.chargeRunRatioToBare,
        },
        ...httpBenchTargets(http),
      },
    };
    const pass = (ok: boolean) => (ok ? 'pass' : 'FAIL');
    console.log('');
    console.table([
      {
        measure: 'usage ingestion via HTTP API',
        value: `${results.ingest.eventsPerSecond} events/s`,
        target: '>= 20000 events/s',
        result: pass(results.targets.ingestEventsPerSecond.pass),
      },
      {
        measure: 'bare multi-row INSERT',
        value: `${results.ingest.bareInsertPerSecond} rows/s`,
        target: '',
        result: '',
      },
      {
        measure: 'API / bare insert',
        value: results.ingest.ratio.toFixed(2),
        target: '>= 0.50',
        result: pass(results.targets.ingestRatio.pass),
      },
      ...httpBenchRows(http),
      {
        measure: `charge run (${run.total_subscriptions} subs, ${usage.count} usage events): ${statusLabel(run.status, first.attention)}`,
        value: `${results.chargeRun.seconds} s`,
        target: '< 30 s',
        result: pass(results.targets.chargeRunSeconds.pass),
      },
      {
        measure: `charge run re-run after 1% more usage (+${rerunUsage - usage.count} events): ${statusLabel(rerun.run.status, rerun.attention)}`,
        value: `${results.chargeRun.rerunSeconds} s`,
        target: '',
        result: '',
      },
      {
        measure: `bare aggregate per subscription and metric (median of ${BARE_AGGREGATE_RUNS})`,
        value: `${results.chargeRun.bareAggregateSeconds} s`,
        target: '',
        result: '',
      },
      {
        measure: 'charge run / bare aggregate',
        value: results.chargeRun.ratioToBare.toFixed(2),
        target: `<= ${TARGETS.chargeRunRatioToBare}`,
        result: pass(results.targets.chargeRunRatioToBare.pass),
      },
    ]);
    const dir = join(__dirname, '..', '..', '.bench');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    log(`wrote .bench/latest.json`);
  } finally {
    if (app) await app.close();
    await db.end();
    await admin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    log(`database ${name} dropped`);
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

main().catch((error) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
