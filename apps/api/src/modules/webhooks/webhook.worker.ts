import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../config/runtime-config';
import { JobQueue, type PgBoss } from '../../jobs/job-queue';
import { MetricsService } from '../metrics/metrics.service';
import { CertificateExpirySchedule } from './certificate-expiry.schedule';
import { EventsFeedService } from './events-feed.service';
import { attemptSucceeded, WebhookDeliveriesService } from './webhook-deliveries.service';
import {
  WEBHOOK_DELIVERY_QUEUE,
  WebhookDeliveryQueue,
  type WebhookDeliveryJobData,
} from './webhook-delivery.queue';
import { WebhookAddressPolicy } from './webhook-address-policy';
import { WebhookMetrics } from './webhook.metrics';
import { sendDelivery } from './webhook-sender';

const JOB_BATCH = 20;

/**
 * The webhook side of each API instance. A loop reads the outbox: it fans new events out into deliveries (each
 * with its pg-boss job), numbers new events for the feed, and once an hour makes sure today's certificate expiry
 * check has run and deletes delivery logs past their retention. This instance's worker on the `webhook-delivery`
 * pg-boss queue sends the deliveries. Every instance may run both; the database decides who does which piece of
 * work (row locks, leases, advisory locks).
 */
@Injectable()
export class WebhookWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WebhookWorker');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;
  private lastExpiryCheck = 0;
  private workerId: string | null = null;

  constructor(
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly deliveries: WebhookDeliveriesService,
    private readonly queue: WebhookDeliveryQueue,
    private readonly jobs: JobQueue,
    private readonly expiry: CertificateExpirySchedule,
    private readonly metrics: WebhookMetrics,
    private readonly jobMetrics: MetricsService,
    private readonly feed: EventsFeedService,
    private readonly addressPolicy: WebhookAddressPolicy,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const enabled = this.config.env.WEBHOOK_WORKER ?? this.config.env.NODE_ENV !== 'test';
    if (!enabled) return;
    await this.queue.ready();
    // Whatever waited while no worker ran (or lost its job) gets one; the queue drops a second waiting job.
    const waiting = await this.dataSource.transaction((manager) => this.queue.scheduleWaiting(manager));
    if (waiting > 0) this.logger.log(`${waiting} webhook deliveries waiting to be sent`);
    this.workerId = await this.jobs.work<WebhookDeliveryJobData>(
      WEBHOOK_DELIVERY_QUEUE,
      {
        batchSize: JOB_BATCH,
        pollingIntervalSeconds: Math.max(0.5, this.config.env.WEBHOOK_POLL_INTERVAL_MS / 1000),
      },
      (jobs) => this.deliverJobs(jobs),
    );
    this.schedule();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /**
   * One pass by hand: fan out everything new, then work the delivery jobs that are due now. Tests drive delivery
   * with it; a running worker does the same from its loop and its pg-boss worker.
   */
  async runOnce(): Promise<{ fannedOut: number; attempted: number }> {
    const fannedOut = await this.fanOutAll();
    await this.queue.ready();
    let attempted = 0;
    for (;;) {
      const jobs = await this.jobs.fetch<WebhookDeliveryJobData>(WEBHOOK_DELIVERY_QUEUE, JOB_BATCH);
      attempted += await this.deliverJobs(jobs);
      await this.jobs.complete(
        WEBHOOK_DELIVERY_QUEUE,
        jobs.map((job) => job.id),
      );
      if (jobs.length < JOB_BATCH || this.stopped) break;
    }
    return { fannedOut, attempted };
  }

  /** Sends each job's delivery (those that are still due); returns how many attempts it made. */
  private async deliverJobs(jobs: PgBoss.Job<WebhookDeliveryJobData>[]): Promise<number> {
    const outcomes = await Promise.allSettled(
      jobs.map((job) =>
        this.jobMetrics.timeJob(WEBHOOK_DELIVERY_QUEUE, () => this.deliver(job.data.deliveryId)),
      ),
    );
    // Only once every send of the batch has ended: failing the batch has pg-boss retry its jobs, and a retry
    // must not start while a send of this batch is still in flight (those already done are then no-ops).
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure) throw failure.reason;
    return outcomes.filter((outcome) => outcome.status === 'fulfilled' && outcome.value).length;
  }

  private async deliver(deliveryId: string): Promise<boolean> {
    const delivery = await this.deliveries.claim(deliveryId);
    if (!delivery) return false;
    const outcome = await sendDelivery(delivery, this.config.env.WEBHOOK_TIMEOUT_MS, this.addressPolicy);
    this.metrics.countAttempt(attemptSucceeded(outcome));
    await this.deliveries.recordAttempt(delivery, outcome);
    return true;
  }

  private async fanOutAll(): Promise<number> {
    let fannedOut = 0;
    for (let taken = await this.deliveries.fanOut(); taken > 0; taken = await this.deliveries.fanOut()) {
      fannedOut += taken;
    }
    return fannedOut;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        this.running = null;
        this.schedule();
      });
    }, this.config.env.WEBHOOK_POLL_INTERVAL_MS);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      // New deliveries are due at once: wake this instance's worker rather than wait for its next poll.
      if ((await this.fanOutAll()) > 0) this.jobs.wake(this.workerId);
      // Readers number events too; doing it here keeps each reader's share small.
      await this.feed.sequence();
      if (Date.now() - this.lastExpiryCheck > 60 * 60 * 1000) {
        this.lastExpiryCheck = Date.now();
        await this.expiry.runDueChecks();
        const days = this.config.env.WEBHOOK_LOG_RETENTION_DAYS;
        const forgotten = await this.deliveries.forgetFinished(days);
        if (forgotten > 0)
          this.logger.log(`deleted ${forgotten} finished webhook deliveries older than ${days} days`);
      }
    } catch (error) {
      // A database hiccup must not stop the loop: the next tick tries again.
      this.logger.error(`webhook worker: ${(error as Error).message}`);
    }
  }
}
