import { type Actor, CurrentActor, Roles, Scopes } from '@consortium/auth';
import { Body, Controller, Get, Param, ParseUUIDPipe, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { LedgerCodesDto } from './dto/ledger-codes.dto';
import { LedgerCodesService } from './ledger-codes.service';

/** Your organisation's rules for coding the finance export. Another organisation's are not found. */
@ApiTags('exports')
@ApiBearerAuth('bearer')
@Controller('organisations/:id/ledger-codes')
export class LedgerCodesController {
  constructor(private readonly ledgerCodes: LedgerCodesService) {}

  /** Your organisation's ledger code rules (finance team, administrators, or an API key with `exports:read`). */
  @ApiSecurity('api-key')
  @Roles('finance', 'org_admin')
  @Scopes('exports:read')
  @Get()
  get(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<LedgerCodesDto> {
    return this.ledgerCodes.get(actor, id);
  }

  /**
   * Replaces your organisation's ledger code rules with this set (finance team or administrators; audited). The
   * export codes each posting's marketplace account by `account_kind`; its other side by `entry_kind`, else
   * `service_category`, else `counterparty`; and either side by `default` when nothing else matches.
   */
  @Roles('finance', 'org_admin')
  @Put()
  replace(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: LedgerCodesDto,
  ): Promise<LedgerCodesDto> {
    return this.ledgerCodes.replace(actor, id, body);
  }
}
