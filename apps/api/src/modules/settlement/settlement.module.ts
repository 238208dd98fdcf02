import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { ReconciliationModule } from '../reconciliation/reconciliation.module';
import { SettlementController } from './settlement.controller';
import { SettlementService } from './settlement.service';

/** Period close, net positions and settlement payments. */
@Module({
  imports: [LedgerModule, NotificationsModule, ReconciliationModule],
  controllers: [SettlementController],
  providers: [SettlementService],
  exports: [SettlementService],
})
export class SettlementModule {}
