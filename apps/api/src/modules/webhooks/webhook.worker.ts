import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../config/runtime-config';
import { CertificateExpirySchedule } from './certificate-expiry.schedule';
import { EventsFeedService } from './events-feed.service';
import { attemptSucceeded, WebhookDeliveriesService } from './webhook-deliveries.service';
import { WebhookMetrics } from './webhook.metrics';
import { sendDelivery } from './webhook-sender';

const CLAIM_BATCH = 20;

/**
 * The background loop of each API instance: fan new outbox events out to endpoints, send what is due, number new
 * events for the feed, and once an hour make sure today's certificate expiry check has run. Every instance may run
 * it; the database decides who does which piece of work (row locks, leases and advisory locks).
 */
@Injectable()
export class WebhookWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WebhookWorker');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;
  private lastExpiryCheck = 0;

  constructor(
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    private readonly deliveries: WebhookDeliveriesService,
    private readonly expiry: CertificateExpirySchedule,
    private readonly metrics: WebhookMetrics,
    private readonly feed: EventsFeedService,
  ) {}

  onApplicationBootstrap(): void {
    const enabled = this.config.env.WEBHOOK_WORKER ?? this.config.env.NODE_ENV !== 'test';
    if (enabled) this.schedule();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One pass: fan out everything new, then send every delivery due now. Tests call it to drive delivery. */
  async runOnce(): Promise<{ fannedOut: number; attempted: number }> {
    let fannedOut = 0;
    for (let taken = await this.deliveries.fanOut(); taken > 0; taken = await this.deliveries.fanOut()) {
      fannedOut += taken;
    }
    let attempted = 0;
    for (;;) {
      const due = await this.deliveries.claimDue(CLAIM_BATCH);
      await Promise.all(
        due.map(async (delivery) => {
          const outcome = await sendDelivery(delivery, this.config.env.WEBHOOK_TIMEOUT_MS);
          this.metrics.countAttempt(attemptSucceeded(outcome));
          await this.deliveries.recordAttempt(delivery, outcome);
        }),
      );
      attempted += due.length;
      if (due.length < CLAIM_BATCH || this.stopped) break;
    }
    return { fannedOut, attempted };
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
      await this.runOnce();
      // Readers number events too; doing it here keeps each reader's share small.
      await this.feed.sequence();
      if (Date.now() - this.lastExpiryCheck > 60 * 60 * 1000) {
        this.lastExpiryCheck = Date.now();
        await this.expiry.runDueChecks();
      }
    } catch (error) {
      // A database hiccup must not stop the loop: the next tick tries again.
      this.logger.error(`webhook worker: ${(error as Error).message}`);
    }
  }
}
