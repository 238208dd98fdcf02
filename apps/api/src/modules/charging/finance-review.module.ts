import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { ChargeCommentsController } from './charge-comments.controller';
import { ChargeCommentsService } from './charge-comments.service';
import { CreditNotesService } from './credit-notes.service';
import {
  BillingPeriodChargesController,
  CreditNotesController,
  CrossChargesController,
} from './cross-charges.controller';
import { CrossChargesService } from './cross-charges.service';
import { DisputesController } from './disputes.controller';
import { DisputesService } from './disputes.service';

/** Finance review of cross-charges: issue, approve, dispute, credit notes and the comment thread. */
@Module({
  imports: [NotificationsModule, LedgerModule],
  controllers: [
    CrossChargesController,
    BillingPeriodChargesController,
    CreditNotesController,
    ChargeCommentsController,
    DisputesController,
  ],
  providers: [CrossChargesService, DisputesService, CreditNotesService, ChargeCommentsService],
})
export class FinanceReviewModule {}
