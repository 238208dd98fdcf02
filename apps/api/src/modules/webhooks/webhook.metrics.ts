import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { MetricsService } from '../metrics/metrics.service';

/**
 * Webhook metrics on the API's registry: attempts by outcome (counted here), and, read from the database when
 * Prometheus scrapes, deliveries waiting or given up, outbox events not yet fanned out and disabled endpoints.
 */
@Injectable()
export class WebhookMetrics {
  private readonly attempts: Counter<'outcome'>;

  constructor(metrics: MetricsService, @InjectDataSource() dataSource: DataSource) {
    this.attempts = new Counter({
      name: 'consortium_webhook_delivery_attempts_total',
      help: 'Webhook delivery attempts by outcome (succeeded: the endpoint answered 2xx)',
      labelNames: ['outcome'] as const,
      registers: [metrics.registry],
    });
    new Gauge({
      name: 'consortium_webhook_backlog',
      help: 'Webhook work waiting: pending and failed deliveries, outbox events not yet fanned out, disabled endpoints',
      labelNames: ['kind'] as const,
      registers: [metrics.registry],
      async collect() {
        const [row] = (await dataSource.query(
          `SELECT (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending')::int AS pending,
                  (SELECT count(*) FROM webhook_deliveries WHERE status = 'failed')::int AS failed,
                  (SELECT count(*) FROM outbox_events WHERE delivered_at IS NULL)::int AS outbox,
                  (SELECT count(*) FROM webhook_endpoints WHERE NOT enabled)::int AS disabled`,
        )) as { pending: number; failed: number; outbox: number; disabled: number }[];
        this.set({ kind: 'pending_deliveries' }, row.pending);
        this.set({ kind: 'failed_deliveries' }, row.failed);
        this.set({ kind: 'outbox_events' }, row.outbox);
        this.set({ kind: 'disabled_endpoints' }, row.disabled);
      },
    });
  }

  countAttempt(succeeded: boolean): void {
    this.attempts.inc({ outcome: succeeded ? 'succeeded' : 'failed' });
  }
}
