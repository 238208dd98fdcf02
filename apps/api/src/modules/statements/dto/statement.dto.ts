import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { MoneyDto } from '../../catalogue/dto/quote.dto';

export const STATEMENT_FORMATS = ['json', 'csv', 'html'] as const;
export type StatementFormat = (typeof STATEMENT_FORMATS)[number];

export class StatementQuery {
  @IsUUID()
  consortiumId!: string;

  @IsUUID()
  billingPeriodId!: string;

  /** The member the statement is for; your own organisation by default (a consortium admin may name any member). */
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  /** `json` (default), `csv` (one row per charge line and credit note) or `html` (a printable page). */
  @ApiPropertyOptional({ enum: STATEMENT_FORMATS, default: 'json' })
  @IsOptional()
  @IsIn(STATEMENT_FORMATS)
  format?: StatementFormat;
}

export class StatementPartyDto {
  id!: string;
  name!: string;
}

export class AmountsDto {
  net!: MoneyDto;
  vat!: MoneyDto;
  gross!: MoneyDto;
}

export class StatementLineDto {
  id!: string;
  subscriptionId!: string;
  serviceTitle!: string;
  description!: string;
  quantity!: string;
  unitRate!: string | null;
  vatTreatment!: string;
  net!: MoneyDto;
  vat!: MoneyDto;
  gross!: MoneyDto;
}

export class StatementChargeDto {
  id!: string;
  reference!: string;
  /** `to_us`: the member is the consumer; `from_us`: the member is the provider. */
  @ApiProperty({ enum: ['to_us', 'from_us'] })
  direction!: 'to_us' | 'from_us';
  counterparty!: StatementPartyDto;
  status!: string;
  issuedAt!: Date | null;
  net!: MoneyDto;
  vat!: MoneyDto;
  gross!: MoneyDto;
  lines!: StatementLineDto[];
}

export class StatementCreditNoteDto {
  id!: string;
  reference!: string;
  chargeReference!: string;
  /** `to_us`: a credit against a charge to the member (it owes less); `from_us`: against one it raised. */
  @ApiProperty({ enum: ['to_us', 'from_us'] })
  direction!: 'to_us' | 'from_us';
  counterparty!: StatementPartyDto;
  reason!: string;
  net!: MoneyDto;
  vat!: MoneyDto;
  gross!: MoneyDto;
  createdAt!: Date;
}

export class CounterpartySummaryDto {
  counterparty!: StatementPartyDto;
  chargesToUs!: AmountsDto;
  chargesFromUs!: AmountsDto;
  creditNotesToUs!: AmountsDto;
  creditNotesFromUs!: AmountsDto;
  /** What the counterparty owes the member for the period after credit notes: negative when the member owes it. */
  netPosition!: MoneyDto;
  /** e.g. "Norfolk County Council owes Kent County Council £1,234.56", or "Nothing is owed either way". */
  summary!: string;
}

export class StatementTotalsDto {
  chargesToUs!: AmountsDto;
  chargesFromUs!: AmountsDto;
  creditNotesToUs!: AmountsDto;
  creditNotesFromUs!: AmountsDto;
  /** Positive: the member is owed this much for the period; negative: it owes. */
  netPosition!: MoneyDto;
  summary!: string;
}

export class StatementSettlementPaymentDto {
  id!: string;
  payer!: StatementPartyDto;
  payee!: StatementPartyDto;
  amount!: MoneyDto;
  status!: string;
  paymentReference!: string | null;
  recordedAt!: Date | null;
}

export class StatementSettlementDto {
  /** The member's net position fixed at close (positive: owed), or null while the period is not closed. */
  position!: MoneyDto | null;
  /** The settlement payments the member makes or receives. */
  payments!: StatementSettlementPaymentDto[];
}

export class StatementPeriodDto {
  id!: string;
  key!: string;
  /** e.g. "November 2026" or "Q4 2026 (October to December)". */
  label!: string;
  @ApiProperty({ format: 'date' })
  startDate!: string;
  @ApiProperty({ format: 'date' })
  endDate!: string;
  status!: string;
}

export class StatementDto {
  consortium!: StatementPartyDto;
  organisation!: StatementPartyDto;
  billingPeriod!: StatementPeriodDto;
  counterparties!: CounterpartySummaryDto[];
  charges!: StatementChargeDto[];
  creditNotes!: StatementCreditNoteDto[];
  totals!: StatementTotalsDto;
  settlement!: StatementSettlementDto;
}
