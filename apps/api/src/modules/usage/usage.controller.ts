import { type Actor, CurrentActor, Roles, Scopes } from '@consortium/auth';
import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { UsageBatchDto, UsageBatchResultDto } from './dto/usage-event.dto';
import { UsageBatchPipe } from './usage-batch.pipe';
import { UsageService } from './usage.service';

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
  constructor(private readonly usage: UsageService) {}

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
}
