import { type Actor, CurrentActor, Scopes } from '@consortium/auth';
import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ComplianceService } from './compliance.service';
import { ConsortiumAttestationPageDto, ConsortiumComplianceQuery } from './dto/compliance.dto';

@ApiTags('compliance')
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
@Controller('consortia/:id/compliance')
export class ConsortiumComplianceController {
  constructor(private readonly compliance: ComplianceService) {}

  /**
   * The consortium's compliance register: every certificate on the services you can see, with its standing
   * (`valid`, `expiring` within 30 days, `expired`). For active members and the consortium's administrators.
   * Filter by `standing`, `kind` or `providerId`; sort by `expiresOn` (default, soonest first) or `createdAt`.
   */
  @Scopes('catalogue:read')
  @Get()
  list(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: ConsortiumComplianceQuery,
  ): Promise<ConsortiumAttestationPageDto> {
    return this.compliance.listForConsortium(actor, id, query);
  }
}
