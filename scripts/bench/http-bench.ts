/**
 * The HTTP part of `npm run bench`: signed-in reads through the real API, each against a bare Fastify + pg
 * handler replaying the very statements the API ran for the same request (bare-server.ts), in the same run.
 *
 * For each path: a warm-up of each side, then BENCH_HTTP_PAIRS (3) interleaved pairs of BENCH_HTTP_SECONDS (5)
 * each side (the side going first alternates), all at BENCH_HTTP_CONNECTIONS (20) keep-alive connections from
 * autocannon in a child process, so the load generator never shares the API's event loop. The medians count; a
 * single refused or failed request fails the bench.
 */
import { hashPassword } from '@consortium/auth';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { Pool } from 'pg';
import { type CapturedStatement, captureStatements, startBareServer } from './bare-server';

const CONNECTIONS = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 20);
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 5);
const WARM_UP_SECONDS = Number(process.env.BENCH_HTTP_WARM_UP_SECONDS ?? 2);
const PAIRS = Number(process.env.BENCH_HTTP_PAIRS ?? 3);

/** Words the seeded catalogue's titles hold (see the seed's service offerings): several services match. */
export const SEARCH_WORDS = 'backup recovery';

/** The goal for every path: the API at least 0.60 of its bare baseline's requests per second. */
const GOAL_RATIO = 0.6;

/**
 * The API's rate limits, raised for the run (not switched off: the counter's upsert stays on every request, as in
 * production) so that a minute of benchmarking is never answered 429.
 */
export const RAISED_RATE_LIMITS = {
  RATE_LIMIT_USER_REQUESTS: '1000000000',
  RATE_LIMIT_API_KEY_REQUESTS: '1000000000',
  RATE_LIMIT_ANONYMOUS_REQUESTS: '1000000000',
};

interface Endpoint {
  key: 'catalogueList' | 'catalogueSearch' | 'authMe';
  label: string;
  path: string;
  /** Checks the API's answer once before measuring, so the bench never times an empty page or an error. */
  check(body: unknown): string | null;
}

const ENDPOINTS: Endpoint[] = [
  {
    key: 'catalogueList',
    label: 'GET /services (catalogue list, signed in)',
    path: '/services',
    check: (body) => {
      const count = (body as { data?: unknown[] }).data?.length ?? 0;
      return count >= 50 ? null : `a page of at least 50 services expected, got ${count}`;
    },
  },
  {
    key: 'catalogueSearch',
    label: `GET /services?q=${SEARCH_WORDS}`,
    path: `/services?q=${encodeURIComponent(SEARCH_WORDS)}`,
    check: (body) => {
      const count = (body as { data?: unknown[] }).data?.length ?? 0;
      return count >= 5 ? null : `several matching services expected, got ${count}`;
    },
  },
  {
    key: 'authMe',
    label: 'GET /auth/me',
    path: '/auth/me',
    check: (body) => ((body as { kind?: string }).kind === 'user' ? null : 'a user expected'),
  },
];

/** One timed window of one side, as autocannon measured it. */
interface Window {
  requestsPerSecond: number;
  p99Ms: number;
  requests: number;
}

export interface PathResult {
  path: string;
  statements: number;
  /** The statements the API ran for one request (and the bare handler replays), whitespace collapsed. */
  statementTexts: string[];
  api: { requestsPerSecond: number; p99Ms: number };
  bare: { requestsPerSecond: number; p99Ms: number };
  pairs: { api: Window; bare: Window; ratio: number }[];
  ratio: number;
  target: string;
  pass: boolean;
}

export type HttpBenchResults = {
  connections: number;
  warmUpSeconds: number;
  secondsPerWindow: number;
  pairs: number;
  loadGenerator: string;
  bare: string;
} & Record<Endpoint['key'], PathResult>;

/**
 * autocannon in a child process (not a worker thread: inside one, autocannon takes itself for one of its own
 * workers and answers raw histograms). Each message runs one window and answers with its figures, or with an
 * error when any request failed or was not answered 2xx.
 */
const LOAD_GENERATOR = `
const autocannon = require(process.argv[1]);
process.on('message', async ({ url, headers, connections, seconds }) => {
  try {
    const result = await autocannon({ url, headers, connections, duration: seconds });
    if (result.errors > 0 || result.non2xx > 0 || result.requests.total === 0) {
      throw new Error(url + ': ' + result.non2xx + ' non-2xx answers, ' + result.errors + ' errors (' +
        result.timeouts + ' timeouts) of ' + result.requests.total + ' requests');
    }
    process.send({ window: { requestsPerSecond: result.requests.average, p99Ms: result.latency.p99,
      requests: result.requests.total } });
  } catch (error) {
    process.send({ error: String((error && error.stack) || error) });
  }
});
`;

function loadGenerator() {
  const child = spawn(process.execPath, ['-e', LOAD_GENERATOR, require.resolve('autocannon')], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let failed: Error | undefined;
  child.on('error', (error) => (failed = error));
  child.on('exit', (code) => (failed ??= new Error(`the load generator exited (${code})`)));
  return {
    run: (url: string, headers: Record<string, string>, seconds: number) =>
      new Promise<Window>((resolve, reject) => {
        if (failed) return reject(failed);
        const exited = (code: number | null) => reject(new Error(`the load generator exited (${code})`));
        child.once('exit', exited);
        child.once('message', (message: { window?: Window; error?: string }) => {
          child.off('exit', exited);
          if (message.error === undefined) resolve(message.window as Window);
          else reject(new Error(message.error));
        });
        child.send({ url, headers, connections: CONNECTIONS, seconds });
      }),
    close: () => {
      child.kill();
    },
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const round = (value: number, places = 3) => Math.round(value * 10 ** places) / 10 ** places;

/** A member's user with a password, signed in through POST /auth/login as any client would be. */
async function signIn(db: Pool, apiBase: string, organisationId: string): Promise<string> {
  const email = `bench.reader.${randomBytes(4).toString('hex')}@example.gov.uk`;
  const password = randomBytes(18).toString('base64url');
  await db.query(
    `INSERT INTO users (organisation_id, email, name, password_hash, roles)
     VALUES ($1, $2, 'Bench reader', $3, '{viewer}')`,
    [organisationId, email, await hashPassword(password)],
  );
  const response = await fetch(`${apiBase}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200)
    throw new Error(`sign-in refused (${response.status}): ${await response.text()}`);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

export async function runHttpBench(options: {
  /** The running API's server and its base URL (http://127.0.0.1:port/api/v1). */
  server: Server;
  apiBase: string;
  /** The owner's pool, to add the signed-in user. */
  db: Pool;
  /** A member organisation (not the catalogue's provider) whose user browses the catalogue. */
  organisationId: string;
  /** Where and as whom the API connects, how large its pool is and how it signs tokens: the bare side's too. */
  databaseUrl: string;
  poolSize: number;
  jwtSecret: string;
  log: (message: string) => void;
}): Promise<HttpBenchResults> {
  const { log } = options;
  // Fresh statistics, so no plan changes half-way when autovacuum gets to the seeded tables.
  await options.db.query('ANALYZE');
  const token = await signIn(options.db, options.apiBase, options.organisationId);
  const headers = { authorization: `Bearer ${token}` };
  const get = async (url: string) => {
    const response = await fetch(url, { headers });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${text.slice(0, 400)}`);
    return JSON.parse(text) as unknown;
  };

  const captured = new Map<Endpoint['key'], CapturedStatement[]>();
  for (const endpoint of ENDPOINTS) {
    const url = `${options.apiBase}${endpoint.path}`;
    const problem = endpoint.check(await get(url));
    if (problem) throw new Error(`${endpoint.label}: ${problem}`);
    // A few requests first, so the capture sees the steady state (connections open, nothing lazily loaded).
    for (let i = 0; i < 10; i++) await get(url);
    captured.set(
      endpoint.key,
      await captureStatements(options.server, async () => {
        await get(url);
      }),
    );
    log(`    ${endpoint.label}: ${captured.get(endpoint.key)?.length} statement(s) captured`);
  }

  const bare = await startBareServer({
    databaseUrl: options.databaseUrl,
    poolSize: options.poolSize,
    jwtSecret: options.jwtSecret,
    routes: ENDPOINTS.map((e) => ({ path: `/${e.key}`, statements: captured.get(e.key) ?? [] })),
  });
  const load = loadGenerator();
  try {
    const results: Partial<Record<Endpoint['key'], PathResult>> = {};
    for (const endpoint of ENDPOINTS) {
      const sides = { api: `${options.apiBase}${endpoint.path}`, bare: `${bare.url}/${endpoint.key}` };
      await get(sides.bare);
      log(`    ${endpoint.label}: warm-up, then ${PAIRS} pairs of ${SECONDS} s per side`);
      await load.run(sides.api, headers, WARM_UP_SECONDS);
      await load.run(sides.bare, headers, WARM_UP_SECONDS);
      const pairs: PathResult['pairs'] = [];
      for (let i = 0; i < PAIRS; i++) {
        const order = i % 2 === 0 ? (['api', 'bare'] as const) : (['bare', 'api'] as const);
        const pair: Partial<Record<'api' | 'bare', Window>> = {};
        for (const side of order) pair[side] = await load.run(sides[side], headers, SECONDS);
        const api = pair.api as Window;
        const bareWindow = pair.bare as Window;
        const ratio = api.requestsPerSecond / bareWindow.requestsPerSecond;
        pairs.push({ api, bare: bareWindow, ratio: round(ratio) });
        log(
          `      pair ${i + 1}: API ${Math.round(api.requestsPerSecond)} req/s (p99 ${api.p99Ms} ms), ` +
            `bare ${Math.round(bareWindow.requestsPerSecond)} req/s (p99 ${bareWindow.p99Ms} ms), ` +
            `ratio ${ratio.toFixed(2)}`,
        );
      }
      const ratio = round(median(pairs.map((p) => p.ratio)));
      const statements = captured.get(endpoint.key) ?? [];
      results[endpoint.key] = {
        path: endpoint.path,
        statements: statements.length,
        statementTexts: statements.map((s) => s.text.replace(/\s+/g, ' ').trim()),
        api: {
          requestsPerSecond: Math.round(median(pairs.map((p) => p.api.requestsPerSecond))),
          p99Ms: median(pairs.map((p) => p.api.p99Ms)),
        },
        bare: {
          requestsPerSecond: Math.round(median(pairs.map((p) => p.bare.requestsPerSecond))),
          p99Ms: median(pairs.map((p) => p.bare.p99Ms)),
        },
        pairs,
        ratio,
        target: `>= ${GOAL_RATIO.toFixed(2)}`,
        pass: ratio >= GOAL_RATIO,
      };
    }
    return {
      connections: CONNECTIONS,
      warmUpSeconds: WARM_UP_SECONDS,
      secondsPerWindow: SECONDS,
      pairs: PAIRS,
      loadGenerator: `autocannon ${require('autocannon/package.json').version} in a child process`,
      bare:
        'Fastify + pg (a pool as large as the API’s, as the same database role): the same HS256 access-token ' +
        'check with a key object built once, then every statement the API ran for one such request replayed in ' +
        'order with the same values, the rows answered with JSON.stringify; ratio = median of the pairs’ ratios',
      ...(results as Record<Endpoint['key'], PathResult>),
    };
  } finally {
    await load.close();
    await bare.close();
  }
}

/** The table's rows for the HTTP paths: each side's median, then the ratio against its goal. */
export function httpBenchRows(results: HttpBenchResults) {
  const pass = (ok: boolean) => (ok ? 'pass' : 'FAIL');
  return ENDPOINTS.flatMap((endpoint) => {
    const r = results[endpoint.key];
    return [
      {
        measure: `${endpoint.label} via HTTP API (${r.statements} statements)`,
        value: `${r.api.requestsPerSecond} req/s, p99 ${r.api.p99Ms} ms`,
        target: '',
        result: '',
      },
      {
        measure: `bare Fastify + pg, the same statements`,
        value: `${r.bare.requestsPerSecond} req/s, p99 ${r.bare.p99Ms} ms`,
        target: '',
        result: '',
      },
      {
        measure: `API / bare (median of ${r.pairs.length} pairs)`,
        value: r.ratio.toFixed(2),
        target: r.target,
        result: pass(r.pass),
      },
    ];
  });
}

/** The HTTP paths' entries for the results' `targets`. */
export function httpBenchTargets(results: HttpBenchResults) {
  return Object.fromEntries(
    ENDPOINTS.map((e) => [`${e.key}Ratio`, { target: results[e.key].target, pass: results[e.key].pass }]),
  );
}
