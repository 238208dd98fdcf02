import { type Actor, CurrentActor, Roles, Scopes } from '@consortium/auth';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { PageQuery } from '../../common/pagination';
import {
  WebhookDeliveryDetailDto,
  WebhookDeliveryDto,
  WebhookDeliveryListQuery,
  WebhookDeliveryPageDto,
} from './dto/webhook-delivery.dto';
import {
  CreateWebhookEndpointDto,
  RotateWebhookSecretDto,
  UpdateWebhookEndpointDto,
  WebhookEndpointDto,
  WebhookEndpointPageDto,
  WebhookEndpointWithSecretDto,
} from './dto/webhook-endpoint.dto';
import { WebhookDeliveriesService } from './webhook-deliveries.service';
import { WebhookEndpointsService } from './webhook-endpoints.service';

/**
 * Your organisation's webhook endpoints and their delivery logs. Anyone in the organisation may look; its
 * administrators (or an API key with `webhooks:manage`) change them. Deliveries are signed: see
 * docs/integrators.md for the `Consortium-Signature` header and how to verify it.
 */
@ApiTags('webhooks')
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
@Scopes('webhooks:manage')
@Controller('webhooks')
export class WebhooksController {
  constructor(
    private readonly endpoints: WebhookEndpointsService,
    private readonly deliveries: WebhookDeliveriesService,
  ) {}

  /** Registers an endpoint for some event types. The response is the only time its signing secret is shown. */
  @Roles('org_admin')
  @Post()
  create(
    @CurrentActor() actor: Actor,
    @Body() body: CreateWebhookEndpointDto,
  ): Promise<WebhookEndpointWithSecretDto> {
    return this.endpoints.create(actor, body);
  }

  /** Your organisation's endpoints, newest first (`sort=createdAt|url`). */
  @Get()
  list(@CurrentActor() actor: Actor, @Query() query: PageQuery): Promise<WebhookEndpointPageDto> {
    return this.endpoints.list(actor, query);
  }

  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<WebhookEndpointDto> {
    return this.endpoints.get(actor, id);
  }

  /** Changes the URL, event types or description; `enabled` switches deliveries off or back on. */
  @Roles('org_admin')
  @Patch(':id')
  update(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateWebhookEndpointDto,
  ): Promise<WebhookEndpointDto> {
    return this.endpoints.update(actor, id, body);
  }

  /**
   * Makes a new signing secret and shows it (only here). The old one keeps signing alongside it for
   * `previousSecretValidHours` (default 24; 0 ends it now).
   */
  @Roles('org_admin')
  @ApiBody({ type: RotateWebhookSecretDto, required: false })
  @Post(':id/rotate-secret')
  @HttpCode(HttpStatus.OK)
  rotateSecret(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: RotateWebhookSecretDto,
  ): Promise<WebhookEndpointWithSecretDto> {
    return this.endpoints.rotateSecret(actor, id, body);
  }

  /** Removes the endpoint and its delivery log; nothing more is sent to it. */
  @Roles('org_admin')
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  remove(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.endpoints.remove(actor, id);
  }

  /** The endpoint's delivery log, newest first; filter with `status`. */
  @Get(':id/deliveries')
  listDeliveries(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: WebhookDeliveryListQuery,
  ): Promise<WebhookDeliveryPageDto> {
    return this.deliveries.list(actor, id, query);
  }

  /** One delivery with every attempt: when, how long, what the endpoint answered. */
  @Get(':id/deliveries/:deliveryId')
  getDelivery(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('deliveryId', ParseUUIDPipe) deliveryId: string,
  ): Promise<WebhookDeliveryDetailDto> {
    return this.deliveries.get(actor, id, deliveryId);
  }

  /** Sends the delivery's event again now, as a new delivery with the same event id (409 while disabled). */
  @Roles('org_admin')
  @Post(':id/deliveries/:deliveryId/redeliver')
  @HttpCode(HttpStatus.ACCEPTED)
  redeliver(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('deliveryId', ParseUUIDPipe) deliveryId: string,
  ): Promise<WebhookDeliveryDto> {
    return this.deliveries.redeliver(actor, id, deliveryId);
  }
}
