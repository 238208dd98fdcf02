import type { Actor } from '@consortium/auth';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { paginate, type Page, PageQuery, type SortSpec } from '../../common/pagination';
import { conflict, notFound } from '../../common/problem';
import { SecretBox } from '../../common/secret-box';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../config/runtime-config';
import { AuditService, diff } from '../audit/audit.service';
import {
  CreateWebhookEndpointDto,
  DEFAULT_PREVIOUS_SECRET_HOURS,
  RotateWebhookSecretDto,
  UpdateWebhookEndpointDto,
  WebhookEndpointDto,
  WebhookEndpointWithSecretDto,
} from './dto/webhook-endpoint.dto';
import type { EventType } from './event-types';
import { WebhookAddressPolicy } from './webhook-address-policy';
import { assertDeliverableUrl } from './webhook-url';
import { WebhookDeliveryQueue } from './webhook-delivery.queue';
import { WebhookEndpoint } from './webhook-endpoint.entity';

const ENDPOINT_SORT: SortSpec = {
  fields: { createdAt: 'e.createdAt', url: 'e.url' },
  default: '-createdAt',
  tieBreaker: 'e.id',
};

export const newSigningSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

export function toEndpointDto(endpoint: WebhookEndpoint): WebhookEndpointDto {
  return {
    id: endpoint.id,
    organisationId: endpoint.organisationId,
    url: endpoint.url,
    description: endpoint.description,
    eventTypes: endpoint.eventTypes as EventType[],
    enabled: endpoint.enabled,
    disabledReason: endpoint.disabledReason,
    consecutiveFailures: endpoint.consecutiveFailures,
    previousSecretExpiresAt: endpoint.previousSecretExpiresAt,
    createdAt: endpoint.createdAt,
    updatedAt: endpoint.updatedAt,
  };
}

/** An organisation's webhook endpoints: registered, changed and removed by its administrators (or a key). */
@Injectable()
export class WebhookEndpointsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    private readonly audit: AuditService,
    private readonly deliveryQueue: WebhookDeliveryQueue,
    private readonly secretBox: SecretBox,
    private readonly addressPolicy: WebhookAddressPolicy,
  ) {}

  private deliverableUrl(url: string): string {
    return assertDeliverableUrl(url, this.config.env.NODE_ENV, this.addressPolicy);
  }

  async create(actor: Actor, body: CreateWebhookEndpointDto): Promise<WebhookEndpointWithSecretDto> {
    const url = this.deliverableUrl(body.url);
    return this.dataSource.transaction(async (manager) => {
      const secret = newSigningSecret();
      const endpoint = await manager.save(
        manager.create(WebhookEndpoint, {
          organisationId: actor.organisationId,
          url,
          description: body.description || null,
          eventTypes: body.eventTypes,
          secret: this.secretBox.seal(secret),
          enabled: true,
          disabledReason: null,
          consecutiveFailures: 0,
        }),
      );
      await this.audit.record(manager, actor, {
        action: 'webhook_endpoint.created',
        entityType: 'webhook_endpoint',
        entityId: endpoint.id,
        changes: { url, eventTypes: body.eventTypes },
      });
      return { ...toEndpointDto(endpoint), secret };
    });
  }

  list(actor: Actor, query: PageQuery): Promise<Page<WebhookEndpointDto>> {
    const endpoints = this.dataSource
      .getRepository(WebhookEndpoint)
      .createQueryBuilder('e')
      .where('e.organisation_id = :organisationId', { organisationId: actor.organisationId });
    return paginate(endpoints, query, ENDPOINT_SORT, toEndpointDto);
  }

  async get(actor: Actor, id: string): Promise<WebhookEndpointDto> {
    return toEndpointDto(await this.findOwn(this.dataSource.manager, actor, id));
  }

  async update(actor: Actor, id: string, body: UpdateWebhookEndpointDto): Promise<WebhookEndpointDto> {
    const url = body.url === undefined ? undefined : this.deliverableUrl(body.url);
    return this.dataSource.transaction(async (manager) => {
      const endpoint = await this.findOwn(manager, actor, id, true);
      const next: Partial<WebhookEndpoint> = {
        ...(url !== undefined ? { url } : {}),
        ...(body.eventTypes ? { eventTypes: body.eventTypes } : {}),
        ...(body.description !== undefined ? { description: body.description || null } : {}),
        ...(body.enabled !== undefined && body.enabled !== endpoint.enabled
          ? body.enabled
            ? { enabled: true, disabledReason: null, consecutiveFailures: 0 }
            : { enabled: false, disabledReason: `Disabled by ${actor.label}` }
          : {}),
      };
      const changes = diff(endpoint, next);
      if (Object.keys(changes).length === 0) return toEndpointDto(endpoint);
      await manager.update(WebhookEndpoint, { id }, next);
      // Deliveries that waited while it was off are sent now (or at their retry time).
      if (next.enabled) await this.deliveryQueue.scheduleWaiting(manager, id);
      await this.audit.record(manager, actor, {
        action: 'webhook_endpoint.updated',
        entityType: 'webhook_endpoint',
        entityId: id,
        changes,
      });
      return toEndpointDto(await manager.findOneByOrFail(WebhookEndpoint, { id }));
    });
  }

  /**
   * A new secret, shown once. The old one keeps signing alongside it (a second `v1`) for
   * `previousSecretValidHours` (default 24), so receivers can switch over without missing a delivery; 0 stops it
   * at once, for a secret that leaked.
   */
  async rotateSecret(
    actor: Actor,
    id: string,
    body: RotateWebhookSecretDto = {},
  ): Promise<WebhookEndpointWithSecretDto> {
    const hours = body.previousSecretValidHours ?? DEFAULT_PREVIOUS_SECRET_HOURS;
    return this.dataSource.transaction(async (manager) => {
      await this.findOwn(manager, actor, id, true);
      const secret = newSigningSecret();
      await manager.query(
        `UPDATE webhook_endpoints
            SET previous_secret = CASE WHEN $3 > 0 THEN secret END,
                previous_secret_expires_at = CASE WHEN $3 > 0 THEN now() + make_interval(hours => $3) END,
                secret = $2, updated_at = now()
          WHERE id = $1`,
        [id, this.secretBox.seal(secret), hours],
      );
      await this.audit.record(manager, actor, {
        action: 'webhook_endpoint.secret_rotated',
        entityType: 'webhook_endpoint',
        entityId: id,
        changes: { previousSecretValidHours: hours },
      });
      return { ...toEndpointDto(await manager.findOneByOrFail(WebhookEndpoint, { id })), secret };
    });
  }

  /** Removes the endpoint with its delivery log; its pending deliveries are never sent. */
  async remove(actor: Actor, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const endpoint = await this.findOwn(manager, actor, id, true);
      await manager.delete(WebhookEndpoint, { id });
      await this.audit.record(manager, actor, {
        action: 'webhook_endpoint.deleted',
        entityType: 'webhook_endpoint',
        entityId: id,
        changes: { url: endpoint.url, eventTypes: endpoint.eventTypes },
      });
    });
  }

  /** The endpoint if it belongs to the caller's organisation; anyone else's is not found. */
  async findOwn(manager: EntityManager, actor: Actor, id: string, lock = false): Promise<WebhookEndpoint> {
    const query = manager
      .getRepository(WebhookEndpoint)
      .createQueryBuilder('e')
      .where('e.id = :id AND e.organisation_id = :organisationId', {
        id,
        organisationId: actor.organisationId,
      });
    if (lock) query.setLock('pessimistic_write');
    const endpoint = await query.getOne();
    if (!endpoint) throw notFound('Webhook endpoint');
    return endpoint;
  }

  /** Redelivery needs a live endpoint: a disabled one would only queue it. */
  assertEnabled(endpoint: WebhookEndpoint): void {
    if (!endpoint.enabled) {
      throw conflict('The endpoint is disabled: enable it first', 'webhook-endpoint-disabled');
    }
  }
}
