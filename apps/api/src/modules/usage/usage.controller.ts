import { type Actor, CurrentActor, Roles, Scopes } from '@consortium/auth';
import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { UsageBatchDto, UsageBatchResultDto } from './dto/usage-event.dto';
import { UsageBatchPipe } from './usage-batch.pipe';
import { UsageService } from './usage.service';
import { UsageVoidService } from './usage-void.service';
import { VoidUsageEventsDto, VoidUsageEventsResultDto } from './dto/usage-void.dto';

/**
 * The body as UsageBatchPipe returns it. A type, not the class, so the global validation pipe (which would copy
 * every event with class-transformer) leaves it to UsageBatchPipe; @ApiBody documents the DTO.
 */
type UsageBatch = Pick<UsageBatchDto, 'events'>;

/** Metered usage, reported by the provider of the subscribed service. */
@ApiTags('usage')
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
@Controller('usage-events')
export class UsageController {
  constructor(
    private readonly usage: UsageService,
    private readonly voids: UsageVoidService,
  ) {}

  /**
   * Records a batch of up to 1,000 usage events for your organisation's subscriptions (an API key with
   * `usage:write`, or a `service_manager`/`org_admin` of the provider). Idempotent per event id: a replay with
   * the same body is a `duplicate` and is not counted twice; the same id with a different body is rejected
   * (`conflicting-duplicate`). The answer lists every event's outcome in request order; accepted events are
   * stored together or not at all. With an `Idempotency-Key`, a retry of the batch returns the first answer.
   */
  @Roles('service_manager', 'org_admin')
  @Scopes('usage:write')
  @Idempotent()
  @Post()
  @HttpCode(HttpStatus.OK)
  @ApiBody({ type: UsageBatchDto })
  record(@CurrentActor() actor: Actor, @Body(UsageBatchPipe) body: UsageBatch): Promise<UsageBatchResultDto> {
    return this.usage.ingest(actor, body.events);
  }

  /**
   * Withdraws usage events your organisation reported, by event id, with a reason (an API key with `usage:write`,
   * or a `service_manager`/`org_admin` of the provider). Only events not yet on an issued charge can be withdrawn:
   * the next charge run leaves them out and the reconciliation counts them apart. An event an issued charge
   * already counts is `rejected` (`on-issued-charge`): correct it with a dispute and credit note. Withdrawing
   * again is `already-voided` and changes nothing; with an `Idempotency-Key`, a retry returns the first answer.
   */
  @Roles('service_manager', 'org_admin')
  @Scopes('usage:write')
  @Idempotent()
  @Post('void')
  @HttpCode(HttpStatus.OK)
  void(@CurrentActor() actor: Actor, @Body() body: VoidUsageEventsDto): Promise<VoidUsageEventsResultDto> {
    return this.voids.void(actor, body);
  }
}
