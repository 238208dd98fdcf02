import { Foundation1795539564081 } from './1795539564081-Foundation';
import { Catalogue1795540561420 } from './1795540561420-Catalogue';
import { SubscriptionOpenPerConsumer1795540913089 } from './1795540913089-SubscriptionOpenPerConsumer';
import { Ledger1795542636709 } from './1795542636709-Ledger';
import { LedgerPeriodLock1795542989192 } from './1795542989192-LedgerPeriodLock';
import { IdempotentReplayVerbatim1795545788016 } from './1795545788016-IdempotentReplayVerbatim';
import { RateLimitsAndLedgerCodes1796110036823 } from './1796110036823-RateLimitsAndLedgerCodes';
import { LedgerCodesByEntryKind1796112518874 } from './1796112518874-LedgerCodesByEntryKind';
import { Webhooks1796110056969 } from './1796110056969-Webhooks';
import { WebhookSecretRotation1796111375167 } from './1796111375167-WebhookSecretRotation';
import { EventsFeedSequence1796113138787 } from './1796113138787-EventsFeedSequence';
import { RefreshTokenSuccession1796123345034 } from './1796123345034-RefreshTokenSuccession';
import { ChargeRunHeartbeat1796672934076 } from './1796672934076-ChargeRunHeartbeat';
import { BillingCompleteness1796673054096 } from './1796673054096-BillingCompleteness';
import { Sessions1796673132303 } from './1796673132303-Sessions';
import { SignInThrottles1796674334657 } from './1796674334657-SignInThrottles';
import { LedgerGuards1796675160757 } from './1796675160757-LedgerGuards';
import { UsagePeriodTotals1797000000002 } from './1797000000002-UsagePeriodTotals';
import { ListIndexes1797000000004 } from './1797000000004-ListIndexes';
import { ConsortiumAdminUserIndex1797000000005 } from './1797000000005-ConsortiumAdminUserIndex';

/** Every migration in order. Listed explicitly so the bundled API carries them. */
export const MIGRATIONS = [
  Foundation1795539564081,
  Catalogue1795540561420,
  SubscriptionOpenPerConsumer1795540913089,
  Ledger1795542636709,
  LedgerPeriodLock1795542989192,
  IdempotentReplayVerbatim1795545788016,
  RateLimitsAndLedgerCodes1796110036823,
  Webhooks1796110056969,
  WebhookSecretRotation1796111375167,
  LedgerCodesByEntryKind1796112518874,
  EventsFeedSequence1796113138787,
  RefreshTokenSuccession1796123345034,
  ChargeRunHeartbeat1796672934076,
  BillingCompleteness1796673054096,
  Sessions1796673132303,
  SignInThrottles1796674334657,
  LedgerGuards1796675160757,
  UsagePeriodTotals1797000000002,
  ListIndexes1797000000004,
  ConsortiumAdminUserIndex1797000000005,
];
