import type { Actor } from '@consortium/auth';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { paginate, type Page, type SortSpec } from '../../common/pagination';
import { notFound } from '../../common/problem';
import { SecretBox } from '../../common/secret-box';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../config/runtime-config';
import { AuditService } from '../audit/audit.service';
import { NotificationsService } from '../notifications/notifications.service';
import { retryDelayMs } from './backoff';
import {
  WebhookDeliveryDetailDto,
  WebhookDeliveryDto,
  WebhookDeliveryListQuery,
} from './dto/webhook-delivery.dto';
import { type OutboxEventRow } from './event-body';
import { EVENT_TYPE_OF_TOPIC, type EventType } from './event-types';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookDeliveryQueue } from './webhook-delivery.queue';
import { WebhookDeliveryAttempt } from './webhook-delivery-attempt.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { WebhookEndpointsService } from './webhook-endpoints.service';

const DELIVERY_SORT: SortSpec = {
  fields: { createdAt: 'd.createdAt' },
  default: '-createdAt',
  tieBreaker: 'd.id',
};

/** A delivery this instance has leased and is about to send. */
export interface ClaimedDelivery {
  id: string;
  attempt: number;
  endpointId: string;
  url: string;
  /** The current secret, then the previous one while it is still valid. */
  secrets: string[];
  event: OutboxEventRow;
}

export interface AttemptOutcome {
  startedAt: Date;
  durationMs: number;
  responseStatus: number | null;
  error: string | null;
}

/** An endpoint accepts a delivery by answering 2xx; anything else, or nothing, is a failure. */
export const attemptSucceeded = (outcome: AttemptOutcome) =>
  outcome.responseStatus !== null && outcome.responseStatus >= 200 && outcome.responseStatus < 300;

function toDeliveryDto(delivery: WebhookDelivery): WebhookDeliveryDto {
  return {
    id: delivery.id,
    endpointId: delivery.endpointId,
    eventId: delivery.outboxEvent?.eventId ?? '',
    eventType: delivery.eventType as EventType,
    status: delivery.status,
    attempts: delivery.attempts,
    nextAttemptAt: delivery.nextAttemptAt,
    lastAttemptAt: delivery.lastAttemptAt,
    lastResponseStatus: delivery.lastResponseStatus,
    lastError: delivery.lastError,
    deliveredAt: delivery.deliveredAt,
    redeliveryOf: delivery.redeliveryOf,
    createdAt: delivery.createdAt,
  };
}

/**
 * Turns outbox events into deliveries and keeps each delivery's log. Outbox events are handed out with FOR UPDATE
 * SKIP LOCKED, so each is fanned out once however many instances look; each delivery is sent by one instance at a
 * time (its lease, `locked_until`, outlives the send timeout; a crashed sender's lease runs out and its pg-boss job
 * is retried, so the delivery is sent again: at least once, never lost).
 */
@Injectable()
export class WebhookDeliveriesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    private readonly endpoints: WebhookEndpointsService,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
    private readonly queue: WebhookDeliveryQueue,
    private readonly secretBox: SecretBox,
  ) {}

  /**
   * Marks a batch of undelivered outbox events delivered to the webhook layer, writing one pending delivery per
   * enabled endpoint of the event's organisation that subscribes to its type (and existed when it happened), and
   * queuing each delivery's job in the same transaction. Returns how many outbox events it took.
   */
  async fanOut(batchSize = 500): Promise<number> {
    const topics = Object.keys(EVENT_TYPE_OF_TOPIC);
    return this.dataSource.transaction(async (manager) => {
      const [{ taken, deliveries }] = (await manager.query(
        `WITH batch AS (
           SELECT id, topic, organisation_id, created_at FROM outbox_events
            WHERE delivered_at IS NULL ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED
         ), fanned AS (
           INSERT INTO webhook_deliveries (endpoint_id, outbox_event_id, event_type, status, next_attempt_at)
           SELECT e.id, b.id, m.type, 'pending', now()
             FROM batch b
             JOIN unnest($1::text[], $2::text[]) AS m(topic, type) ON m.topic = b.topic
             JOIN webhook_endpoints e
               ON e.organisation_id = b.organisation_id AND e.enabled AND m.type = ANY(e.event_types)
              AND e.created_at <= b.created_at
           RETURNING id
         ), taken AS (
           UPDATE outbox_events o SET delivered_at = now() FROM batch WHERE o.id = batch.id RETURNING o.id
         )
         SELECT (SELECT count(*) FROM taken)::int AS taken,
                COALESCE((SELECT json_agg(id) FROM fanned), '[]'::json) AS deliveries`,
        [topics, topics.map((topic) => EVENT_TYPE_OF_TOPIC[topic]), batchSize],
      )) as { taken: number; deliveries: string[] }[];
      await this.queue.schedule(
        manager,
        deliveries.map((id) => ({ id })),
      );
      return taken;
    });
  }

  /**
   * Leases the delivery for the attempt its job is about to make, counting the attempt, when it is due, waiting
   * and its endpoint enabled. When another sender holds it, or it is not due yet, a job is queued for when it
   * will be; a delivery that is done, or whose endpoint is off, needs nothing (enabling queues its jobs again).
   */
  async claim(deliveryId: string): Promise<ClaimedDelivery | null> {
    const leaseSeconds = Math.ceil(this.config.env.WEBHOOK_TIMEOUT_MS / 1000) + 60;
    // One statement leases the delivery and reads what sending it needs: its endpoint's URL and secrets (the
    // previous one while it still signs) and its event.
    const [claimed] = (await this.updateReturning(
      `UPDATE webhook_deliveries d
          SET locked_until = now() + make_interval(secs => $1), attempts = d.attempts + 1, last_attempt_at = now()
         FROM webhook_endpoints e, outbox_events o
        WHERE d.id = $2 AND e.id = d.endpoint_id AND e.enabled AND o.id = d.outbox_event_id
          AND d.status = 'pending' AND d.next_attempt_at <= now()
          AND (d.locked_until IS NULL OR d.locked_until < now())
        RETURNING d.id, d.attempts, e.id AS endpoint_id, e.url,
                  array_remove(ARRAY[e.secret,
                    CASE WHEN e.previous_secret_expires_at > now() THEN e.previous_secret END], NULL) AS secrets,
                  o.event_id, o.topic, o.organisation_id, o.created_at, o.payload`,
      [leaseSeconds, deliveryId],
    )) as (OutboxEventRow & {
      id: string;
      attempts: number;
      endpoint_id: string;
      url: string;
      secrets: string[];
    })[];
    if (!claimed) {
      await this.dataSource.transaction(async (manager) => {
        const [waiting] = (await manager.query(
          `SELECT d.id, greatest(d.next_attempt_at, d.locked_until) AS at
             FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.enabled
            WHERE d.id = $1 AND d.status = 'pending'`,
          [deliveryId],
        )) as { id: string; at: Date | null }[];
        if (waiting) await this.queue.schedule(manager, [waiting]);
      });
      return null;
    }
    const { id, attempts, endpoint_id, url, secrets, ...event } = claimed;
    return {
      id,
      attempt: attempts,
      endpointId: endpoint_id,
      url,
      // A secret that cannot be opened fails the job (the key is wrong: an operator must see it), not the endpoint.
      secrets: secrets.map((secret) => this.secretBox.open(secret)),
      event,
    };
  }

  /**
   * Deletes finished deliveries (sent, or given up) whose last attempt is older than `days`, with their attempt
   * logs, a batch at a time so no transaction holds many rows. Waiting deliveries are kept however old.
   */
  async forgetFinished(days: number, batchSize = 1000): Promise<number> {
    let forgotten = 0;
    for (;;) {
      const deleted = await this.updateReturning(
        `WITH old AS (
           SELECT id FROM webhook_deliveries
            WHERE status <> 'pending'
              AND coalesce(delivered_at, last_attempt_at, created_at) < now() - make_interval(days => $1)
            LIMIT $2 FOR UPDATE SKIP LOCKED
         )
         DELETE FROM webhook_deliveries d USING old WHERE d.id = old.id RETURNING d.id`,
        [days, batchSize],
      );
      forgotten += deleted.length;
      if (deleted.length < batchSize) return forgotten;
    }
  }

  /** The rows an UPDATE … RETURNING returned (TypeORM's plain result for an UPDATE is [rows, count]). */
  private async updateReturning(sql: string, parameters: unknown[]): Promise<unknown[]> {
    const runner = this.dataSource.createQueryRunner();
    try {
      return (await runner.query(sql, parameters, true)).records as unknown[];
    } finally {
      await runner.release();
    }
  }

  /**
   * Writes the attempt and its consequences in one transaction: success resets the endpoint's failure count;
   * failure schedules the retry (or gives up after the last attempt) and, at the limit of failures in a row,
   * disables the endpoint and tells its organisation.
   */
  async recordAttempt(delivery: ClaimedDelivery, outcome: AttemptOutcome): Promise<void> {
    const env = this.config.env;
    await this.dataSource.transaction(async (manager) => {
      // Lock order: endpoint, then delivery (as redeliver does).
      const endpoint = await manager
        .getRepository(WebhookEndpoint)
        .createQueryBuilder('e')
        .setLock('pessimistic_write')
        .where('e.id = :id', { id: delivery.endpointId })
        .getOne();
      const current = await manager
        .getRepository(WebhookDelivery)
        .createQueryBuilder('d')
        .setLock('pessimistic_write')
        .where('d.id = :id', { id: delivery.id })
        .getOne();
      if (!endpoint || !current) return; // deleted while it was being sent
      await manager.insert(WebhookDeliveryAttempt, {
        deliveryId: delivery.id,
        attempt: delivery.attempt,
        startedAt: outcome.startedAt,
        durationMs: outcome.durationMs,
        responseStatus: outcome.responseStatus,
        error: outcome.error,
      });
      // Our lease ran out and another instance took the delivery over (or finished it): log, change nothing.
      if (current.status !== 'pending' || current.attempts !== delivery.attempt) return;
      const last = {
        lockedUntil: null,
        lastAttemptAt: outcome.startedAt,
        lastResponseStatus: outcome.responseStatus,
        lastError: outcome.error,
      };
      if (attemptSucceeded(outcome)) {
        await manager.update(
          WebhookDelivery,
          { id: delivery.id },
          { ...last, status: 'succeeded', deliveredAt: new Date(), nextAttemptAt: null },
        );
        if (endpoint.consecutiveFailures !== 0) {
          await manager.update(WebhookEndpoint, { id: endpoint.id }, { consecutiveFailures: 0 });
        }
        return;
      }
      const givingUp = delivery.attempt >= env.WEBHOOK_MAX_ATTEMPTS;
      const delay = retryDelayMs(delivery.attempt, {
        baseMs: env.WEBHOOK_RETRY_BASE_MS,
        maxMs: env.WEBHOOK_RETRY_MAX_MS,
      });
      // Counted from the end of the attempt, so the wait is exactly the drawn delay.
      const nextAttemptAt = givingUp
        ? null
        : new Date(outcome.startedAt.getTime() + outcome.durationMs + delay);
      await manager.update(
        WebhookDelivery,
        { id: delivery.id },
        { ...last, status: givingUp ? 'failed' : 'pending', nextAttemptAt },
      );
      if (nextAttemptAt) await this.queue.schedule(manager, [{ id: delivery.id, at: nextAttemptAt }]);
      const failures = endpoint.consecutiveFailures + 1;
      const disabling = endpoint.enabled && failures >= env.WEBHOOK_DISABLE_AFTER_FAILURES;
      await manager.update(
        WebhookEndpoint,
        { id: endpoint.id },
        {
          consecutiveFailures: failures,
          ...(disabling
            ? {
                enabled: false,
                disabledReason: `Disabled automatically after ${failures} failed attempts in a row`,
              }
            : {}),
        },
      );
      if (disabling) await this.announceDisabled(manager, endpoint, failures);
    });
  }

  private async announceDisabled(manager: EntityManager, endpoint: WebhookEndpoint, failures: number) {
    await this.audit.record(manager, 'system', {
      action: 'webhook_endpoint.disabled',
      entityType: 'webhook_endpoint',
      entityId: endpoint.id,
      organisationId: endpoint.organisationId,
      changes: { enabled: { from: true, to: false }, consecutiveFailures: failures },
    });
    await this.notifications.notify(manager, {
      organisationId: endpoint.organisationId,
      kind: 'webhook_endpoint.disabled',
      title: 'A webhook endpoint was disabled after repeated failures',
      body:
        `${endpoint.url} failed ${failures} deliveries in a row, so events are no longer sent to it. ` +
        'Fix the receiver, then enable the endpoint again: deliveries waiting for it will be sent.',
      entityType: 'webhook_endpoint',
      entityId: endpoint.id,
      data: { url: endpoint.url, consecutiveFailures: failures },
    });
  }

  async list(
    actor: Actor,
    endpointId: string,
    query: WebhookDeliveryListQuery,
  ): Promise<Page<WebhookDeliveryDto>> {
    await this.endpoints.findOwn(this.dataSource.manager, actor, endpointId);
    const deliveries = this.dataSource
      .getRepository(WebhookDelivery)
      .createQueryBuilder('d')
      .leftJoin('d.outboxEvent', 'o')
      .addSelect(['o.id', 'o.eventId'])
      .where('d.endpoint_id = :endpointId', { endpointId });
    if (query.status) deliveries.andWhere('d.status = :status', { status: query.status });
    return paginate(deliveries, query, DELIVERY_SORT, toDeliveryDto);
  }

  async get(actor: Actor, endpointId: string, id: string): Promise<WebhookDeliveryDetailDto> {
    await this.endpoints.findOwn(this.dataSource.manager, actor, endpointId);
    const delivery = await this.findDelivery(this.dataSource.manager, endpointId, id);
    const attempts = await this.dataSource.getRepository(WebhookDeliveryAttempt).find({
      where: { deliveryId: id },
      order: { attempt: 'ASC', id: 'ASC' },
    });
    return {
      ...toDeliveryDto(delivery),
      attemptLog: attempts.map((a) => ({
        attempt: a.attempt,
        startedAt: a.startedAt,
        durationMs: a.durationMs,
        responseStatus: a.responseStatus,
        error: a.error,
      })),
    };
  }

  /** Sends the delivery's event again, as a new delivery with the same event id, now. */
  async redeliver(actor: Actor, endpointId: string, id: string): Promise<WebhookDeliveryDto> {
    return this.dataSource.transaction(async (manager) => {
      const endpoint = await this.endpoints.findOwn(manager, actor, endpointId, true);
      const original = await this.findDelivery(manager, endpointId, id);
      this.endpoints.assertEnabled(endpoint);
      const copy = await manager.save(
        manager.create(WebhookDelivery, {
          endpointId,
          outboxEventId: original.outboxEventId,
          eventType: original.eventType,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: new Date(),
          lockedUntil: null,
          lastAttemptAt: null,
          lastResponseStatus: null,
          lastError: null,
          deliveredAt: null,
          redeliveryOf: original.id,
        }),
      );
      await this.queue.schedule(manager, [{ id: copy.id }]);
      await this.audit.record(manager, actor, {
        action: 'webhook_delivery.redelivered',
        entityType: 'webhook_delivery',
        entityId: copy.id,
        changes: { endpointId, redeliveryOf: original.id, eventId: original.outboxEvent?.eventId },
      });
      return toDeliveryDto({ ...copy, outboxEvent: original.outboxEvent });
    });
  }

  private async findDelivery(
    manager: EntityManager,
    endpointId: string,
    id: string,
  ): Promise<WebhookDelivery> {
    const delivery = await manager
      .getRepository(WebhookDelivery)
      .createQueryBuilder('d')
      .leftJoin('d.outboxEvent', 'o')
      .addSelect(['o.id', 'o.eventId'])
      .where('d.id = :id AND d.endpoint_id = :endpointId', { id, endpointId })
      .getOne();
    if (!delivery) throw notFound('Webhook delivery');
    return delivery;
  }
}
