import {
  BILLING_PERIOD_STATUSES,
  type BillingPeriodStatus,
  SETTLEMENT_PAYMENT_STATUSES,
  type SettlementPaymentStatus,
} from '@consortium/domain';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CloseBillingPeriodDto {
  /**
   * Closes the period although charges are still draft or disputes unresolved (consortium administrators): why.
   * Kept on the period and in the audit trail.
   */
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  overrideReason?: string;
}

export class RecordSettlementPaymentDto {
  /** The payer's remittance reference (e.g. the BACS reference), for both finance teams to reconcile. */
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  paymentReference!: string;
}

/** A member's net position for the period, in minor units: positive when it is owed, negative when it owes. */
export class MemberPositionDto {
  organisationId!: string;
  organisationName!: string;
  @ApiProperty({ example: '-420000' })
  netMinor!: string;
  currency!: string;
}

/** One payment of the settlement plan: the payer pays the payee `amountMinor`. */
export class SettlementPaymentDto {
  /** Null in a provisional plan (the period is not closed yet). */
  id!: string | null;
  billingPeriodId!: string;
  payerOrganisationId!: string;
  payerName!: string;
  payeeOrganisationId!: string;
  payeeName!: string;
  @ApiProperty({ example: '420000' })
  amountMinor!: string;
  currency!: string;
  /** Order in the plan. */
  position!: number;
  @ApiProperty({ enum: SETTLEMENT_PAYMENT_STATUSES })
  status!: SettlementPaymentStatus;
  paymentReference!: string | null;
  /** The ledger entry that recorded the payment. */
  journalEntryId!: string | null;
  recordedAt!: Date | null;
}

/**
 * A period's net positions and the payments that settle them. Before the close the figures are provisional
 * (computed now from the ledger, and may change); from the close on they are fixed.
 */
export class SettlementDto {
  billingPeriodId!: string;
  consortiumId!: string;
  billingPeriodKey!: string;
  @ApiProperty({ enum: BILLING_PERIOD_STATUSES })
  periodStatus!: BillingPeriodStatus;
  /** provisional: the period is not closed; awaiting_payments: closed, some payments unrecorded; settled: all recorded. */
  @ApiProperty({ enum: ['provisional', 'awaiting_payments', 'settled'] })
  status!: 'provisional' | 'awaiting_payments' | 'settled';
  /** minimum: the fewest payments possible (up to 15 members with a position); greedy: largest debtor to largest creditor. */
  @ApiProperty({ enum: ['minimum', 'greedy'] })
  method!: 'minimum' | 'greedy';
  currency!: string;
  /** Why the period was closed despite draft charges or unresolved disputes, if it was. */
  closeOverrideReason!: string | null;
  positions!: MemberPositionDto[];
  payments!: SettlementPaymentDto[];
}
