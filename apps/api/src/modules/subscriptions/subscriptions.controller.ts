import { type Actor, CurrentActor, Roles, Scopes } from '@consortium/auth';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import {
  ChangeQuantityDto,
  CreateSubscriptionDto,
  HistoryQuery,
  OptionalSubscriptionReasonDto,
  SubscriptionDetailDto,
  SubscriptionEventPageDto,
  SubscriptionListQuery,
  SubscriptionPageDto,
  SubscriptionReasonDto,
} from './dto/subscription.dto';
import { SubscriptionsService } from './subscriptions.service';

/**
 * Subscriptions between members: the consumer requests, the provider approves or rejects, and both sides see
 * the result. Changes need `service_manager` or `org_admin` (or an API key with `subscriptions:write`); a
 * subscription you are not a party to is not found unless you administer its consortium; a party that may not
 * take an action gets 403, and a change the status does not allow is a 409 conflict.
 */
@ApiTags('subscriptions')
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
@Controller('subscriptions')
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  /**
   * Subscriptions your organisation takes (`role=consumer`), provides (`role=provider`), or both (default).
   * A consortium administrator passing `consortiumId` sees every subscription in that consortium. Sort by
   * `createdAt` (default `-createdAt`) or `startDate`.
   */
  @Scopes('subscriptions:read', 'subscriptions:write')
  @Get()
  list(@CurrentActor() actor: Actor, @Query() query: SubscriptionListQuery): Promise<SubscriptionPageDto> {
    return this.subscriptions.list(actor, query);
  }

  /** One subscription, with its agreed price plan and quantity schedule. */
  @Scopes('subscriptions:read', 'subscriptions:write')
  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<SubscriptionDetailDto> {
    return this.subscriptions.get(actor, id);
  }

  /** Everything that happened to a subscription, oldest first (`sort=-occurredAt` for newest first). */
  @Scopes('subscriptions:read', 'subscriptions:write')
  @Get(':id/history')
  history(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: HistoryQuery,
  ): Promise<SubscriptionEventPageDto> {
    return this.subscriptions.history(actor, id, query);
  }

  /**
   * Asks to take a published service of a consortium your organisation is an active member of. The request
   * agrees to the service's current price version and waits for the provider's approval. Your own service is
   * refused (422 `own-service`), a suspended or retired one too (409 `service-not-open-for-subscription`), and
   * so is a second open subscription to the same service (409 `subscription-already-open`).
   */
  @Roles('service_manager', 'org_admin')
  @Scopes('subscriptions:write')
  @Post()
  request(@CurrentActor() actor: Actor, @Body() body: CreateSubscriptionDto): Promise<SubscriptionDetailDto> {
    return this.subscriptions.request(actor, body);
  }

  /** Approves a request (the provider). Refused with 409 `capacity-exhausted` when the service is full. */
  @Roles('service_manager', 'org_admin')
  @Scopes('subscriptions:write')
  @Post(':id/approve')
  @HttpCode(HttpStatus.OK)
  approve(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<SubscriptionDetailDto> {
    return this.subscriptions.approve(actor, id);
  }

  /** Turns down a request, with a reason the consumer reads (the provider). */
  @Roles('service_manager', 'org_admin')
  @Scopes('subscriptions:write')
  @Post(':id/reject')
  @HttpCode(HttpStatus.OK)
  reject(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: SubscriptionReasonDto,
  ): Promise<SubscriptionDetailDto> {
    return this.subscriptions.reject(actor, id, body.reason);
  }

  /** Withdraws a request that has not been decided yet (the consumer). */
  @Roles('service_manager', 'org_admin')
  @Scopes('subscriptions:write')
  @Post(':id/cancel')
  @HttpCode(HttpStatus.OK)
  cancel(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: OptionalSubscriptionReasonDto,
  ): Promise<SubscriptionDetailDto> {
    return this.subscriptions.cancel(actor, id, body.reason);
  }

  /** Suspends an active subscription, with a reason (the provider). It keeps its share of capacity. */
  @Roles('service_manager', 'org_admin')
  @Scopes('subscriptions:write')
  @Post(':id/suspend')
  @HttpCode(HttpStatus.OK)
  suspend(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: SubscriptionReasonDto,
  ): Promise<SubscriptionDetailDto> {
    return this.subscriptions.suspend(actor, id, body.reason);
  }

  /** Resumes a suspended subscription (the provider). */
  @Roles('service_manager', 'org_admin')
  @Scopes('subscriptions:write')
  @Post(':id/resume')
  @HttpCode(HttpStatus.OK)
  resume(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<SubscriptionDetailDto> {
    return this.subscriptions.resume(actor, id);
  }

  /**
   * Gives notice (either side). The subscription ends on the later of the end of its initial term and today
   * plus its notice period; `endDate` says which day.
   */
  @Roles('service_manager', 'org_admin')
  @Scopes('subscriptions:write')
  @Post(':id/give-notice')
  @HttpCode(HttpStatus.OK)
  giveNotice(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: OptionalSubscriptionReasonDto,
  ): Promise<SubscriptionDetailDto> {
    return this.subscriptions.giveNotice(actor, id, body.reason);
  }

  /** Ends a subscription under notice, on or after its end date (409 `notice-not-run-out` before). */
  @Roles('service_manager', 'org_admin')
  @Scopes('subscriptions:write')
  @Post(':id/end')
  @HttpCode(HttpStatus.OK)
  end(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<SubscriptionDetailDto> {
    return this.subscriptions.end(actor, id);
  }

  /**
   * Changes the quantity from a date on (the consumer). An increase is refused with 409 `capacity-exhausted`
   * when the service cannot take it.
   */
  @Roles('service_manager', 'org_admin')
  @Scopes('subscriptions:write')
  @Post(':id/quantity')
  @HttpCode(HttpStatus.OK)
  changeQuantity(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: ChangeQuantityDto,
  ): Promise<SubscriptionDetailDto> {
    return this.subscriptions.changeQuantity(actor, id, body);
  }

  /** Moves to the service's current price version (the consumer); 409 `already-on-current-price` if it is on it. */
  @Roles('service_manager', 'org_admin')
  @Scopes('subscriptions:write')
  @Post(':id/accept-price')
  @HttpCode(HttpStatus.OK)
  acceptPrice(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<SubscriptionDetailDto> {
    return this.subscriptions.acceptPrice(actor, id);
  }
}
