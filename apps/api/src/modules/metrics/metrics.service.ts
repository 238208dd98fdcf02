import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';

/** The pg pool under TypeORM's postgres driver (not in TypeORM's public types). */
interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/** pg-boss states that count as work still to do, and the one that needs a person. */
const WAITING_STATES = ['created', 'retry'] as const;
const JOB_STATES = [...WAITING_STATES, 'active', 'failed'] as const;

/** The label of a request that matched no route: raw URLs would make the series unbounded. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The API's Prometheus metrics. Each application has its own registry (several apps share one process in the
 * tests); values read from the database (queues, pool) are collected when Prometheus scrapes, not polled.
 */
@Injectable()
export class MetricsService {
  private readonly logger = new Logger('Metrics');
  readonly registry = new Registry();

  private readonly httpRequests = new Counter({
    name: 'consortium_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  private readonly httpDuration = new Histogram({
    name: 'consortium_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly usageEvents = new Counter({
    name: 'consortium_usage_events_ingested_total',
    help: 'Usage events received, by outcome (accepted, duplicate, rejected)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly jobsProcessed = new Counter({
    name: 'consortium_jobs_processed_total',
    help: 'Background jobs this instance processed, by queue and outcome (completed, failed)',
    labelNames: ['queue', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly jobDuration = new Histogram({
    name: 'consortium_job_duration_seconds',
    help: 'Time this instance spent on a background job, by queue',
    labelNames: ['queue'] as const,
    buckets: [0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900],
    registers: [this.registry],
  });

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    collectDefaultMetrics({ register: this.registry, prefix: 'consortium_' });
    const pool = () => (this.dataSource.driver as unknown as { master?: PgPool }).master;
    const poolGauge = (name: string, help: string, read: (p: PgPool) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          const current = pool();
          this.set(current ? read(current) : 0);
        },
      });
    poolGauge('consortium_db_pool_connections', 'Connections open in the database pool', (p) => p.totalCount);
    poolGauge(
      'consortium_db_pool_idle_connections',
      'Idle connections in the database pool',
      (p) => p.idleCount,
    );
    poolGauge(
      'consortium_db_pool_waiting_requests',
      'Queries waiting for a pool connection',
      (p) => p.waitingCount,
    );

    const queueJobs = this.queueJobs.bind(this);
    new Gauge({
      name: 'consortium_job_queue_jobs',
      help: 'pg-boss jobs per queue and state (created and retry are the queue depth; failed need attention)',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const row of await queueJobs()) this.set({ queue: row.queue, state: row.state }, row.jobs);
      },
    });
  }

  observeRequest(method: string, route: string | undefined, status: number, seconds: number): void {
    const labels = { method, route: route ?? UNMATCHED_ROUTE, status: String(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  countUsage(counts: { accepted: number; duplicates: number; rejected: number }): void {
    this.usageEvents.inc({ outcome: 'accepted' }, counts.accepted);
    this.usageEvents.inc({ outcome: 'duplicate' }, counts.duplicates);
    this.usageEvents.inc({ outcome: 'rejected' }, counts.rejected);
  }

  /** Runs a job's work, counting its outcome and timing it; the job's own result or error passes through. */
  async timeJob<T>(queue: string, work: () => Promise<T>): Promise<T> {
    const stop = this.jobDuration.startTimer({ queue });
    try {
      const value = await work();
      this.jobsProcessed.inc({ queue, outcome: 'completed' });
      return value;
    } catch (error) {
      this.jobsProcessed.inc({ queue, outcome: 'failed' });
      throw error;
    } finally {
      stop();
    }
  }

  /** The Prometheus text exposition of every metric. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private async queueJobs(): Promise<{ queue: string; state: string; jobs: number }[]> {
    try {
      return await this.dataSource.query(
        `SELECT name AS queue, state::text AS state, count(*)::int AS jobs
           FROM pgboss.job WHERE state::text = ANY($1::text[]) GROUP BY name, state`,
        [JOB_STATES],
      );
    } catch (error) {
      // Before pg-boss has created its schema there are no queues; a scrape must not fail for it.
      this.logger.warn(
        `queue metrics unavailable: ${error instanceof Error ? error.message : String(error)}`,
      );
      return [];
    }
  }
}
