import { type Actor, CurrentActor, Roles, Scopes } from '@consortium/auth';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AuditEventsService } from './audit-events.service';
import { AuditEventListQuery, AuditEventPageDto } from './dto/audit-event.dto';

@ApiTags('audit')
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
@Controller('audit-events')
export class AuditEventsController {
  constructor(private readonly events: AuditEventsService) {}

  /**
   * The audit trail. Organisation administrators (and API keys with `audit:read`) see their organisation's
   * events; consortium administrators pass `consortiumId` to see that consortium's. Sort by `occurredAt`
   * (default `-occurredAt`).
   */
  @Roles('org_admin', 'consortium_admin', 'superadmin')
  @Scopes('audit:read')
  @Get()
  list(@CurrentActor() actor: Actor, @Query() query: AuditEventListQuery): Promise<AuditEventPageDto> {
    return this.events.list(actor, query);
  }
}
