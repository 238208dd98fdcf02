import { Module } from '@nestjs/common';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';
import { LedgerService } from './ledger.service';
import { LedgerVerificationMetrics } from './ledger-verification.metrics';
import { LedgerVerificationService } from './ledger-verification.service';

/**
 * The double-entry ledger. Import it and post through LedgerService (see the note at the top of
 * ledger.service.ts); members read their accounts through AccountsController; operators check it with
 * LedgerVerificationService (`verify-ledger`), whose last result is served as metrics.
 */
@Module({
  controllers: [AccountsController],
  providers: [LedgerService, AccountsService, LedgerVerificationService, LedgerVerificationMetrics],
  exports: [LedgerService, AccountsService, LedgerVerificationService],
})
export class LedgerModule {}
