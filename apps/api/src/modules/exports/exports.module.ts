import { Module } from '@nestjs/common';
import { FinanceExportController } from './finance-export.controller';
import { FinanceExportService } from './finance-export.service';
import { LedgerCodesController } from './ledger-codes.controller';
import { LedgerCodesService } from './ledger-codes.service';

/** The finance-system export per billing period and the organisation's ledger code rules behind it. */
@Module({
  controllers: [FinanceExportController, LedgerCodesController],
  providers: [FinanceExportService, LedgerCodesService],
  exports: [FinanceExportService],
})
export class ExportsModule {}
