import { type Actor, CurrentActor, Scopes } from '@consortium/auth';
import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ReconciliationDto, ReconciliationQuery } from './dto/reconciliation.dto';
import { ReconciliationService } from './reconciliation.service';

/** Whether a billing period is completely charged: the completeness invariant, row by row. */
@ApiTags('billing periods')
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
@Controller()
export class ReconciliationController {
  constructor(private readonly reconciliation: ReconciliationService) {}

  /**
   * For every subscription of the period: the days it was in force (and days × quantity) and, per metric, the
   * usage events accepted, against what the period's draft, issued and supplementary charges charge; withdrawn
   * events counted apart. `complete` is true when nothing differs and no charge run is in progress. The
   * consortium's administrators see every subscription; a provider's finance team (or an API key with
   * `charges:read`) its own. Others in the consortium: 403; outside it: 404.
   */
  @Scopes('charges:read')
  @Get('billing-periods/:id/reconciliation')
  get(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: ReconciliationQuery,
  ): Promise<ReconciliationDto> {
    return this.reconciliation.forPeriod(actor, id, query.show);
  }
}
