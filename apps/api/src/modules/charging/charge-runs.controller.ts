import { type Actor, CurrentActor, Scopes } from '@consortium/auth';
import { Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { ChargeRunsService } from './charge-runs.service';
import { ChargeRunDto, ChargeRunListQuery, ChargeRunPageDto } from './dto/charge-run.dto';

/**
 * Charge runs compute a billing period's draft cross-charges in the background. A period outside your consortia
 * is not found; starting or resuming a run needs a consortium administrator (403 otherwise).
 */
@ApiTags('charge-runs')
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
@Controller()
export class ChargeRunsController {
  constructor(private readonly runs: ChargeRunsService) {}

  /**
   * Queues a charge run for an open period (202, status `queued`); follow it at GET /charge-runs/{id}. A second
   * run while one is queued or running is refused (409 `charge-run-in-progress`); a period that is not open too
   * (409 `period-not-open`). Running again is safe: it adds only missing lines and never touches issued charges.
   */
  @Idempotent()
  @Post('billing-periods/:id/charge-runs')
  @HttpCode(HttpStatus.ACCEPTED)
  start(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) periodId: string): Promise<ChargeRunDto> {
    return this.runs.start(actor, periodId);
  }

  /**
   * Resumes an interrupted run now (202, the run `running` again under this instance) rather than waiting for an
   * instance to take it over on its own, which happens within about a minute. Only a consortium administrator
   * (403); a run outside your consortia is not found (404). A run that is not interrupted (queued, running with a
   * fresh heartbeat, completed or failed) is a 409 `charge-run-not-interrupted`: a failed run is not resumed, start
   * a new run for the period instead.
   */
  @Idempotent()
  @Post('charge-runs/:id/resume')
  @HttpCode(HttpStatus.ACCEPTED)
  resume(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<ChargeRunDto> {
    return this.runs.resume(actor, id);
  }

  /** A period's charge runs, newest first. */
  @Scopes('charges:read')
  @Get('billing-periods/:id/charge-runs')
  list(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) periodId: string,
    @Query() query: ChargeRunListQuery,
  ): Promise<ChargeRunPageDto> {
    return this.runs.list(actor, periodId, query);
  }

  /**
   * A charge run's status (also in words), progress counts, last heartbeat (`interrupted` when its worker stopped),
   * the subscriptions it could not charge, and its error if it failed.
   */
  @Scopes('charges:read')
  @Get('charge-runs/:id')
  get(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<ChargeRunDto> {
    return this.runs.get(actor, id);
  }
}
