import { Module } from '@nestjs/common';
import { BillingPeriodsController } from './billing-periods.controller';
import { BillingPeriodsService } from './billing-periods.service';

/** Billing periods. Import it for BillingPeriodsService.ensurePeriodFor; lock a period with lockPeriodFor(). */
@Module({
  controllers: [BillingPeriodsController],
  providers: [BillingPeriodsService],
  exports: [BillingPeriodsService],
})
export class BillingPeriodsModule {}
