import { randomBytes, randomUUID } from 'node:crypto';
import PgBoss from 'pg-boss';
import { MetricsService } from '../src/modules/metrics/metrics.service';
import { anApiKey, anOrganisation } from './support/builders';
import { createTestApp, type TestApp } from './support/test-app';

/** The value of one series in a Prometheus text exposition, or undefined when the series is absent. */
function sample(body: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of body.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',');
    if (wanted.every((label) => present.includes(label))) return Number(match[3]);
  }
  return undefined;
}

describe('Prometheus metrics (GET /metrics)', () => {
  let test: TestApp;
  const scrape = async () => (await test.http().get('/metrics').expect(200)).text;

  beforeAll(async () => (test = await createTestApp()));
  afterAll(() => test.close());

  it('answers in the Prometheus text format, outside /api/v1 and the OpenAPI document', async () => {
    const response = await test.http().get('/metrics').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const document = await test.http().get('/api/docs/openapi.json').expect(200);
    expect(Object.keys(document.body.paths).filter((path) => path.includes('metrics'))).toEqual([]);
  });

  it('counts and times requests by method, route template and status, never by the raw URL', async () => {
    const id = randomUUID();
    await test.http().get(`/api/v1/consortia/${id}`).expect(401);
    await test.http().get(`/api/v1/consortia/${id}`).expect(401);
    await test.http().get(`/no-such-page-${id}`).expect(404);
    const body = await scrape();

    const route = { method: 'GET', route: '/api/v1/consortia/:id', status: '401' };
    expect(sample(body, 'consortium_http_requests_total', route)).toBeGreaterThanOrEqual(2);
    expect(sample(body, 'consortium_http_request_duration_seconds_count', route)).toBeGreaterThanOrEqual(2);
    expect(sample(body, 'consortium_http_request_duration_seconds_bucket', { ...route, le: '+Inf' })).toBe(
      sample(body, 'consortium_http_request_duration_seconds_count', route),
    );
    expect(
      sample(body, 'consortium_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' }),
    ).toBeGreaterThanOrEqual(1);
    expect(body).not.toContain(id);
  });

  it('counts usage events ingested by outcome', async () => {
    const provider = await anOrganisation(test.dataSource);
    const { header } = await anApiKey(test.dataSource, provider, ['usage:write']);
    const before =
      sample(await scrape(), 'consortium_usage_events_ingested_total', { outcome: 'rejected' }) ?? 0;
    const event = (n: number) => ({
      eventId: `metrics-${randomBytes(4).toString('hex')}-${n}`,
      // Not the provider's subscription: judged and rejected, which is an outcome to count like any other.
      subscriptionId: randomUUID(),
      metric: 'storage_gb',
      quantity: '1',
      occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
    });
    const response = await test
      .http()
      .post('/api/v1/usage-events')
      .set(header)
      .send({ events: [event(1), event(2)] });
    expect(response.body).toMatchObject({ accepted: 0, rejected: 2 });
    expect(sample(await scrape(), 'consortium_usage_events_ingested_total', { outcome: 'rejected' })).toBe(
      before + 2,
    );
  });

  it('reports each pg-boss queue’s waiting and failed jobs when scraped', async () => {
    const queue = `metrics-spec-${randomBytes(4).toString('hex')}`;
    const boss = new PgBoss({
      connectionString: process.env.CONSORTIUM_TEST_DATABASE_URL,
      schema: 'pgboss',
      max: 1,
      supervise: false,
      schedule: false,
      migrate: false,
    });
    await boss.start();
    try {
      await boss.createQueue(queue, { name: queue, retryLimit: 0 });
      await boss.send(queue, { n: 1 });
      await boss.send(queue, { n: 2 });
      const [job] = await boss.fetch(queue);
      await boss.fail(queue, job.id, { message: 'for the metrics spec' });

      const body = await scrape();
      expect(sample(body, 'consortium_job_queue_jobs', { queue, state: 'created' })).toBe(1);
      expect(sample(body, 'consortium_job_queue_jobs', { queue, state: 'failed' })).toBe(1);
    } finally {
      // The queue stays (pg-boss 10 cannot delete a queue holding jobs); it is this run's database, dropped after.
      await boss.stop({ graceful: false, wait: true });
    }
  });

  it('counts and times the background jobs this instance works, by queue and outcome', async () => {
    const metrics = test.app.get(MetricsService);
    const queue = `metrics-spec-${randomBytes(4).toString('hex')}`;
    await expect(metrics.timeJob(queue, async () => 'done')).resolves.toBe('done');
    await expect(
      metrics.timeJob(queue, async () => {
        throw new Error('the job failed');
      }),
    ).rejects.toThrow('the job failed');

    const body = await scrape();
    expect(sample(body, 'consortium_jobs_processed_total', { queue, outcome: 'completed' })).toBe(1);
    expect(sample(body, 'consortium_jobs_processed_total', { queue, outcome: 'failed' })).toBe(1);
    expect(sample(body, 'consortium_job_duration_seconds_count', { queue })).toBe(2);
  });

  it('reports the database pool and the default process metrics', async () => {
    const body = await scrape();
    expect(sample(body, 'consortium_db_pool_connections')).toBeGreaterThanOrEqual(1);
    expect(sample(body, 'consortium_db_pool_idle_connections')).toBeGreaterThanOrEqual(0);
    expect(sample(body, 'consortium_db_pool_waiting_requests')).toBe(0);
    expect(sample(body, 'consortium_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sample(body, 'consortium_nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('cannot be left open in production: an instance without METRICS_TOKEN does not start', async () => {
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: 'j'.repeat(48),
      SECRETS_KEY: 's'.repeat(48),
      WEBHOOK_WORKER: 'false',
    };
    for (const unset of [{}, { METRICS_TOKEN: '' }] as Record<string, string>[]) {
      await expect(createTestApp({ ...production, ...unset })).rejects.toThrow(
        /METRICS_TOKEN is required when NODE_ENV=production/,
      );
    }
  });

  describe('with METRICS_TOKEN set', () => {
    const token = 'metrics-token-for-the-spec';
    let guarded: TestApp;
    beforeAll(async () => (guarded = await createTestApp({ METRICS_TOKEN: token })));
    afterAll(() => guarded.close());

    it('refuses a scrape without the token, or with another, as a 401 problem', async () => {
      const missing = await guarded.http().get('/metrics').expect(401);
      expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(missing.body).toMatchObject({ type: 'urn:consortium:problem:unauthenticated', status: 401 });
      await guarded.http().get('/metrics').set('Authorization', `Bearer ${token}-not`).expect(401);
      expect(missing.text).not.toContain('consortium_http_requests_total');
    });

    it('answers a scrape that presents the token', async () => {
      const response = await guarded
        .http()
        .get('/metrics')
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
      expect(response.text).toContain('# TYPE consortium_http_requests_total counter');
    });
  });
});
