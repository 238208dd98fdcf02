import { Module } from '@nestjs/common';
import { BillingPeriodsModule } from '../billing-periods/billing-periods.module';
import { UsageController } from './usage.controller';
import { UsageService } from './usage.service';
import { UsageVoidService } from './usage-void.service';

/** Metered usage ingestion (the charge run reads it). */
@Module({
  imports: [BillingPeriodsModule],
  controllers: [UsageController],
  providers: [UsageService, UsageVoidService],
})
export class UsageModule {}
