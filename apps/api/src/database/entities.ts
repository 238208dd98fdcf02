import { BillingPeriodRecord } from '../modules/billing-periods/billing-period.entity';
import { ChargeComment } from '../modules/charging/charge-comment.entity';
import { ChargeRun } from '../modules/charging/charge-run.entity';
import { CreditNote } from '../modules/charging/credit-note.entity';
import { CrossCharge } from '../modules/charging/cross-charge.entity';
import { CrossChargeLine } from '../modules/charging/cross-charge-line.entity';
import { Dispute } from '../modules/charging/dispute.entity';
import { IdempotencyRecord } from '../modules/idempotency/idempotency-record.entity';
import { AccountBalance } from '../modules/ledger/account-balance.entity';
import { JournalEntryRecord } from '../modules/ledger/journal-entry.entity';
import { JournalEntryHash } from '../modules/ledger/journal-entry-hash.entity';
import { LedgerAccount } from '../modules/ledger/ledger-account.entity';
import { LedgerVerification } from '../modules/ledger/ledger-verification.entity';
import { PostingRecord } from '../modules/ledger/posting.entity';
import { MemberPosition } from '../modules/settlement/member-position.entity';
import { SettlementPayment } from '../modules/settlement/settlement-payment.entity';
import { UsageEvent } from '../modules/usage/usage-event.entity';
import { UsagePeriodTotal } from '../modules/usage/usage-period-total.entity';
import { ApiKey } from '../modules/api-keys/api-key.entity';
import { AuditEvent } from '../modules/audit/audit-event.entity';
import { RefreshToken } from '../modules/auth/refresh-token.entity';
import { Session } from '../modules/auth/session.entity';
import { SignInThrottle } from '../modules/auth/sign-in-throttle.entity';
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
import { WebhookDelivery } from '../modules/webhooks/webhook-delivery.entity';
import { WebhookDeliveryAttempt } from '../modules/webhooks/webhook-delivery-attempt.entity';
import { WebhookEndpoint } from '../modules/webhooks/webhook-endpoint.entity';
import { RateLimitCounter } from '../modules/rate-limits/rate-limit-counter.entity';
import { LedgerCodeMapping } from '../modules/exports/ledger-code-mapping.entity';

/** Every entity, listed explicitly so the bundled API needs no file globs. */
export const ENTITIES = [
  Organisation,
  Consortium,
  Membership,
  ConsortiumAdmin,
  User,
  Session,
  RefreshToken,
  SignInThrottle,
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
  BillingPeriodRecord,
  LedgerAccount,
  JournalEntryRecord,
  PostingRecord,
  AccountBalance,
  JournalEntryHash,
  LedgerVerification,
  UsageEvent,
  UsagePeriodTotal,
  ChargeRun,
  CrossCharge,
  CrossChargeLine,
  Dispute,
  ChargeComment,
  CreditNote,
  MemberPosition,
  SettlementPayment,
  IdempotencyRecord,
  RateLimitCounter,
  LedgerCodeMapping,
  WebhookEndpoint,
  WebhookDelivery,
  WebhookDeliveryAttempt,
];
