import { Module } from '@nestjs/common';
import { ComplianceExpiryController } from './compliance-expiry.controller';
import { ComplianceExpiryService } from './compliance-expiry.service';
import { NotificationsController } from './notifications.controller';
import { NotificationsService } from './notifications.service';

/** In-app notifications and the outbox. Import it and call NotificationsService.notify inside your transaction. */
@Module({
  controllers: [NotificationsController, ComplianceExpiryController],
  providers: [NotificationsService, ComplianceExpiryService],
  exports: [NotificationsService, ComplianceExpiryService],
})
export class NotificationsModule {}
