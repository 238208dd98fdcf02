import { Module } from '@nestjs/common';
import { SecretBox } from '../../common/secret-box';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../config/runtime-config';
import { NotificationsModule } from '../notifications/notifications.module';
import { CertificateExpirySchedule } from './certificate-expiry.schedule';
import { EventsController } from './events.controller';
import { EventsFeedService } from './events-feed.service';
import { WebhookAddressPolicy } from './webhook-address-policy';
import { WebhookDeliveriesService } from './webhook-deliveries.service';
import { WebhookDeliveryQueue } from './webhook-delivery.queue';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { WebhookMetrics } from './webhook.metrics';
import { WebhookWorker } from './webhook.worker';
import { WebhooksController } from './webhooks.controller';

/** Webhooks and the events feed: how integrators hear about what happens, from the notifications outbox. */
@Module({
  imports: [NotificationsModule],
  controllers: [WebhooksController, EventsController],
  providers: [
    {
      provide: SecretBox,
      useFactory: (config: RuntimeConfig) => new SecretBox(config.secretsKey),
      inject: [RUNTIME_CONFIG],
    },
    {
      provide: WebhookAddressPolicy,
      useFactory: (config: RuntimeConfig) => WebhookAddressPolicy.fromEnvironment(config.env),
      inject: [RUNTIME_CONFIG],
    },
    WebhookEndpointsService,
    WebhookDeliveriesService,
    WebhookDeliveryQueue,
    EventsFeedService,
    CertificateExpirySchedule,
    WebhookMetrics,
    WebhookWorker,
  ],
  exports: [WebhookWorker, WebhookDeliveriesService],
})
export class WebhooksModule {}
