import { type Actor, CurrentActor, Roles, Scopes } from '@consortium/auth';
import { Controller, Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ukToday } from '../catalogue/compliance-status';
import { ConsortiumSavingsDto, MemberSavingsDto, SavingsQuery } from './dto/savings.dto';
import { StatementDto, StatementQuery } from './dto/statement.dto';
import { SavingsService } from './savings.service';
import { statementCsv, statementFileName, statementHtml } from './statement-export';
import { StatementsService } from './statements.service';

/**
 * Statements and savings. Your organisation's are open to its finance team, administrators and viewers (and API
 * keys with `charges:read` or `ledger:read`); a consortium administrator may read any member's. Another member's is
 * not found (404).
 */
@ApiTags('statements')
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
@Controller()
export class StatementsController {
  constructor(
    private readonly statements: StatementsService,
    private readonly savings: SavingsService,
  ) {}

  /**
   * A member's statement for a period: charges to and from each counterparty (net, VAT, gross), credit notes, the
   * net position ("Norfolk owes Kent £1,234.56") and the settlement. `format=csv` gives one row per charge line and
   * credit note (amounts in pounds); `format=html` a printable page.
   */
  @Roles('finance', 'org_admin', 'viewer', 'consortium_admin', 'superadmin')
  @Scopes('charges:read', 'ledger:read')
  @ApiProduces('application/json', 'text/csv', 'text/html')
  @ApiOkResponse({ type: StatementDto, description: 'The statement (JSON), or the CSV or HTML document' })
  @Get('statements')
  async statement(
    @CurrentActor() actor: Actor,
    @Query() query: StatementQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StatementDto | string> {
    const statement = await this.statements.statement(actor, query);
    if (query.format === 'csv') {
      void reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${statementFileName(statement, 'csv')}"`);
      return statementCsv(statement);
    }
    if (query.format === 'html') {
      void reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('content-disposition', `inline; filename="${statementFileName(statement, 'html')}"`)
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
      return statementHtml(statement, ukToday());
    }
    return statement;
  }

  /** A member's savings: each subscription's in-house baseline against what was charged, per period and to date. */
  @Roles('finance', 'org_admin', 'viewer', 'consortium_admin', 'superadmin')
  @Scopes('charges:read', 'ledger:read')
  @Get('savings')
  memberSavings(@CurrentActor() actor: Actor, @Query() query: SavingsQuery): Promise<MemberSavingsDto> {
    return this.savings.forMember(actor, query);
  }

  /** Every member's savings, for the consortium's administrators: the figure that justifies the consortium. */
  @Roles('consortium_admin', 'superadmin')
  @Get('consortia/:id/savings')
  consortiumSavings(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ConsortiumSavingsDto> {
    return this.savings.forConsortium(actor, id);
  }
}
