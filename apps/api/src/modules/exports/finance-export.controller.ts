import { type Actor, CurrentActor, Roles, Scopes } from '@consortium/auth';
import { Controller, Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { FinanceExportQuery } from './dto/finance-export.dto';
import { FinanceExportService } from './finance-export.service';

@ApiTags('exports')
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
@Controller()
export class FinanceExportController {
  constructor(private readonly exports: FinanceExportService) {}

  /**
   * Your organisation's journal for its finance system (Unit4, Oracle, SAP…): one CSV row per posting to your
   * marketplace accounts in the period, each a balanced debit and credit coded with your own cost centres and
   * ledger codes (see `PUT /organisations/{id}/ledger-codes`). A side no rule codes is marked `UNMAPPED`. Dates are
   * ISO 8601 (UK calendar dates); amounts are in pence and in pounds. For the finance team and organisation
   * administrators, or an API key with `exports:read`.
   */
  @Roles('finance', 'org_admin')
  @Scopes('exports:read')
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'The CSV file', schema: { type: 'string' } })
  @Get('billing-periods/:id/finance-export')
  async financeExport(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() _query: FinanceExportQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const file = await this.exports.exportPeriodCsv(actor, id);
    void reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${file.fileName}"`);
    return file.csv;
  }
}
