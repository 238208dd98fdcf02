import type { Actor } from '@consortium/auth';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { paginate, type Page, type SortSpec } from '../../common/pagination';
import { notFound } from '../../common/problem';
import { AuditService } from '../audit/audit.service';
import { MarkedReadDto, NotificationDto, NotificationListQuery } from './dto/notification.dto';
import { Notification } from './notification.entity';

/** What to tell an organisation, and what the outbox event for webhooks carries. */
export interface NotificationInput {
  /** The organisation whose people should act. */
  organisationId: string;
  consortiumId?: string | null;
  /** Stable and dotted, e.g. `subscription.requested`; also the outbox topic. */
  kind: string;
  title: string;
  body: string;
  entityType: string;
  entityId: string;
  /** Extra facts for webhook consumers (the in-app notification does not show them). */
  data?: Record<string, unknown>;
  /**
   * Makes the notification happen at most once: a second notify with the same key (in this transaction or any
   * other, ever) writes nothing and returns null.
   */
  dedupeKey?: string;
}

const NOTIFICATION_SORT: SortSpec = {
  fields: { createdAt: 'n.createdAt' },
  default: '-createdAt',
  tieBreaker: 'n.id',
};

export function toNotificationDto(notification: Notification): NotificationDto {
  return {
    id: notification.id,
    organisationId: notification.organisationId,
    consortiumId: notification.consortiumId,
    kind: notification.kind,
    title: notification.title,
    body: notification.body,
    entityType: notification.entityType,
    entityId: notification.entityId,
    readAt: notification.readAt,
    createdAt: notification.createdAt,
  };
}

/**
 * The one way to notify: an in-app notification for the organisation and an outbox event (the transactional
 * outbox a later worker delivers to webhooks), both written in the caller's transaction, so a change and the
 * news of it commit or roll back together.
 */
@Injectable()
export class NotificationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** Writes the notification and its outbox event; null when `dedupeKey` was already used. */
  async notify(manager: EntityManager, input: NotificationInput): Promise<Notification | null> {
    const id = randomUUID();
    const payload = {
      notificationId: id,
      kind: input.kind,
      organisationId: input.organisationId,
      consortiumId: input.consortiumId ?? null,
      entityType: input.entityType,
      entityId: input.entityId,
      title: input.title,
      body: input.body,
      ...(input.data ? { data: input.data } : {}),
    };
    // The unique dedupe key decides: a concurrent duplicate waits for the first transaction, then inserts nothing.
    const inserted = (await manager.query(
      `INSERT INTO outbox_events (topic, organisation_id, dedupe_key, payload) VALUES ($1, $2, $3, $4)
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      [input.kind, input.organisationId, input.dedupeKey ?? null, JSON.stringify(payload)],
    )) as { id: string }[];
    if (inserted.length === 0) return null;
    return manager.save(
      manager.create(Notification, {
        id,
        organisationId: input.organisationId,
        consortiumId: input.consortiumId ?? null,
        kind: input.kind,
        title: input.title,
        body: input.body,
        entityType: input.entityType,
        entityId: input.entityId,
        readAt: null,
      }),
    );
  }

  /**
   * Writes only the outbox event, for news integrators need but people already hear of another way (a credit
   * note is announced in-app with the dispute decision that issued it).
   */
  async publish(
    manager: EntityManager,
    input: Omit<NotificationInput, 'title' | 'body'> & { title: string },
  ): Promise<void> {
    const payload = {
      kind: input.kind,
      organisationId: input.organisationId,
      consortiumId: input.consortiumId ?? null,
      entityType: input.entityType,
      entityId: input.entityId,
      title: input.title,
      ...(input.data ? { data: input.data } : {}),
    };
    await manager.query(
      `INSERT INTO outbox_events (topic, organisation_id, dedupe_key, payload) VALUES ($1, $2, $3, $4)
       ON CONFLICT (dedupe_key) DO NOTHING`,
      [input.kind, input.organisationId, input.dedupeKey ?? null, JSON.stringify(payload)],
    );
  }

  /** The caller's organisation's notifications, newest first by default. */
  async list(actor: Actor, query: NotificationListQuery): Promise<Page<NotificationDto>> {
    const notifications = this.dataSource
      .getRepository(Notification)
      .createQueryBuilder('n')
      .where('n.organisation_id = :organisationId', { organisationId: actor.organisationId });
    if (query.unread === 'true') notifications.andWhere('n.read_at IS NULL');
    if (query.unread === 'false') notifications.andWhere('n.read_at IS NOT NULL');
    if (query.kind) notifications.andWhere('n.kind = :kind', { kind: query.kind });
    return paginate(notifications, query, NOTIFICATION_SORT, toNotificationDto);
  }

  /** Marks one of the organisation's notifications read; marking a read one again changes nothing. */
  async markRead(actor: Actor, id: string): Promise<NotificationDto> {
    return this.dataSource.transaction(async (manager) => {
      const notification = await manager
        .getRepository(Notification)
        .createQueryBuilder('n')
        .setLock('pessimistic_write')
        .where('n.id = :id AND n.organisation_id = :organisationId', {
          id,
          organisationId: actor.organisationId,
        })
        .getOne();
      if (!notification) throw notFound('Notification');
      if (notification.readAt) return toNotificationDto(notification);
      notification.readAt = new Date();
      await manager.update(Notification, { id }, { readAt: notification.readAt });
      await this.audit.record(manager, actor, {
        action: 'notification.read',
        entityType: 'notification',
        entityId: id,
        consortiumId: notification.consortiumId,
        changes: { kind: notification.kind },
      });
      return toNotificationDto(notification);
    });
  }

  /** Marks every unread notification of the organisation read. */
  async markAllRead(actor: Actor): Promise<MarkedReadDto> {
    return this.dataSource.transaction(async (manager) => {
      const result = await manager.update(
        Notification,
        { organisationId: actor.organisationId, readAt: IsNull() },
        { readAt: new Date() },
      );
      const marked = result.affected ?? 0;
      if (marked > 0) {
        await this.audit.record(manager, actor, {
          action: 'notification.read_all',
          entityType: 'organisation',
          entityId: actor.organisationId,
          changes: { marked },
        });
      }
      return { marked };
    });
  }
}
