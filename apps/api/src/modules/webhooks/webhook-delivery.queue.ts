import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../config/runtime-config';
import { JobQueue } from '../../jobs/job-queue';

export const WEBHOOK_DELIVERY_QUEUE = 'webhook-delivery';

export interface WebhookDeliveryJobData {
  deliveryId: string;
}

/** A delivery that should be tried at `at` (now when absent). */
export interface DueDelivery {
  id: string;
  at?: Date | null;
}

/**
 * The pg-boss queue that sends webhook deliveries: one job per attempt, queued in the transaction that makes the
 * delivery due (fan-out, a failed attempt's retry, a redelivery, an endpoint enabled again) and started no earlier
 * than the delivery's next attempt. The delivery row stays the authority on what is sent; a job only says "try this
 * one now", so a duplicate job is harmless. The queue keeps at most one waiting job per delivery.
 */
@Injectable()
export class WebhookDeliveryQueue implements OnApplicationBootstrap {
  constructor(
    private readonly jobs: JobQueue,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  private created: Promise<void> | null = null;

  onApplicationBootstrap(): Promise<void> {
    return this.ready();
  }

  /** Starts pg-boss and creates the queue, once: a job sent to a queue that does not exist would be dropped. */
  ready(): Promise<void> {
    this.created ??= this.jobs.queue(WEBHOOK_DELIVERY_QUEUE, {
      policy: 'short',
      // The job itself fails only when the database does (an endpoint's failure is a recorded attempt, not this).
      retryLimit: 10,
      retryDelay: 10,
      retryBackoff: true,
      // A sender that died mid-send: its job is given to another worker once the send timeout has surely passed.
      expireInSeconds: Math.ceil(this.config.env.WEBHOOK_TIMEOUT_MS / 1000) + 60,
    });
    return this.created;
  }

  /** Queues a job per delivery in the caller's transaction. */
  async schedule(manager: EntityManager, deliveries: DueDelivery[]): Promise<void> {
    await this.ready();
    await this.jobs.send<WebhookDeliveryJobData>(
      manager,
      WEBHOOK_DELIVERY_QUEUE,
      deliveries.map(({ id, at }) => ({
        data: { deliveryId: id },
        singletonKey: id,
        ...(at ? { startAfter: at } : {}),
      })),
    );
  }

  /**
   * Queues a job for every delivery still waiting to be sent (of one endpoint, or of all): when an endpoint is
   * enabled again, and when a worker starts, so that nothing waits for a job that is not there.
   */
  async scheduleWaiting(manager: EntityManager, endpointId?: string): Promise<number> {
    const waiting = (await manager.query(
      `SELECT d.id, greatest(d.next_attempt_at, d.locked_until) AS at
         FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.enabled
        WHERE d.status = 'pending' AND ($1::uuid IS NULL OR d.endpoint_id = $1)`,
      [endpointId ?? null],
    )) as { id: string; at: Date | null }[];
    await this.schedule(manager, waiting);
    return waiting.length;
  }
}
