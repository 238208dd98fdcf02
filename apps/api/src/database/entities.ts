import { ApiKey } from '../modules/api-keys/api-key.entity';
import { AuditEvent } from '../modules/audit/audit-event.entity';
import { LoginFailure } from '../modules/auth/login-failure.entity';
import { RefreshToken } from '../modules/auth/refresh-token.entity';
import { ComplianceAttestation } from '../modules/catalogue/compliance-attestation.entity';
import { PriceVersion } from '../modules/catalogue/price-version.entity';
import { Service } from '../modules/catalogue/service.entity';
import { Consortium } from '../modules/consortia/consortium.entity';
import { ConsortiumAdmin } from '../modules/consortia/consortium-admin.entity';
import { Membership } from '../modules/consortia/membership.entity';
import { Organisation } from '../modules/organisations/organisation.entity';
import { Notification } from '../modules/notifications/notification.entity';
import { OutboxEvent } from '../modules/notifications/outbox-event.entity';
import { Subscription } from '../modules/subscriptions/subscription.entity';
import { SubscriptionEvent } from '../modules/subscriptions/subscription-event.entity';
import { SubscriptionQuantity } from '../modules/subscriptions/subscription-quantity.entity';
import { User } from '../modules/users/user.entity';

/** Every entity, listed explicitly so the bundled API needs no file globs. */
export const ENTITIES = [
  Organisation,
  Consortium,
  Membership,
  ConsortiumAdmin,
  User,
  RefreshToken,
  LoginFailure,
  ApiKey,
  AuditEvent,
  Service,
  PriceVersion,
  ComplianceAttestation,
  Subscription,
  SubscriptionEvent,
  SubscriptionQuantity,
  Notification,
  OutboxEvent,
];
