import { Module } from '@nestjs/common';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';
import { LedgerService } from './ledger.service';

/**
 * The double-entry ledger. Import it and post through LedgerService (see the note at the top of
 * ledger.service.ts); members read their accounts through AccountsController.
 */
@Module({
  controllers: [AccountsController],
  providers: [LedgerService, AccountsService],
  exports: [LedgerService, AccountsService],
})
export class LedgerModule {}
