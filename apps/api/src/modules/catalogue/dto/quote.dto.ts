import {
  BILLING_CYCLES,
  type BillingCycle,
  CHARGE_LINE_KINDS,
  type ChargeLineKind,
  PRICE_MODELS,
  type PriceModel,
  VAT_TREATMENTS,
  type VatTreatment,
} from '@consortium/domain';
import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsObject, IsOptional, Max, Min } from 'class-validator';
import { MaxProperties } from '../../../common/validation';

/** Metrics a quote's usage may name: far more than any plan charges for (one today; others are refused). */
export const MAX_QUOTE_METRICS = 10;

export class QuoteRequestDto {
  /** Units to price (seats, sites, devices); flat-fee and metered plans ignore it. */
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  quantity!: number;

  /**
   * Expected usage in one billing period per metric, as decimal strings (up to 6 decimal places), e.g.
   * `{ "storage_gb": "1250.5" }`. Only a metered plan's metric is accepted (422 unknown-metric otherwise).
   */
  @ApiProperty({
    required: false,
    type: Object,
    maxProperties: MAX_QUOTE_METRICS,
    // As checked by PriceVersionsService: up to 15 digits and 6 decimal places.
    additionalProperties: {
      type: 'string',
      maxLength: 22,
      pattern: '^\\d{1,15}(\\.\\d{1,6})?$',
      example: '1250.5',
    },
  })
  @IsOptional()
  @IsObject()
  @MaxProperties(MAX_QUOTE_METRICS)
  usage?: Record<string, string>;
}

/** An amount of money: integer minor units (pence) as a string, never a float. */
export class MoneyDto {
  @ApiProperty({ example: '150000' })
  amountMinor!: string;
  currency!: string;
}

export class QuoteTotalsDto {
  net!: MoneyDto;
  vat!: MoneyDto;
  gross!: MoneyDto;
}

export class QuotePeriodDto {
  @ApiProperty({ enum: BILLING_CYCLES })
  cycle!: BillingCycle;
  /** e.g. "2025-04" or "2025-Q2". */
  key!: string;
  /** e.g. "April 2025". */
  label!: string;
  @ApiProperty({ format: 'date' })
  startDate!: string;
  @ApiProperty({ format: 'date' })
  endDate!: string;
}

export class QuoteLineTierDto {
  /** 1 for the first tier. */
  number!: number;
  /** The tier covers units above this… */
  above!: number;
  /** …up to and including this; null for the last tier. */
  upTo!: number | null;
}

export class QuoteLineUsageDto {
  metric!: string;
  used!: string;
  included!: string;
  billable!: string;
}

/** One charge line, exactly as the charge run would compute it. Decimals are exact strings. */
export class QuoteLineDto {
  /** Unique within the quote, e.g. "per_unit", "tier:2", "usage:storage_gb", "setup_fee". */
  key!: string;
  @ApiProperty({ enum: CHARGE_LINE_KINDS })
  kind!: ChargeLineKind;
  description!: string;
  quantity!: string;
  /** Price per unit, a decimal string of pounds (may be a fraction of a penny). */
  unitRate!: string;
  /** quantity × unitRate before rounding. */
  exactAmount!: string;
  /** Rounded once, half to even, to whole pence. */
  amount!: MoneyDto;
  @ApiProperty({ enum: VAT_TREATMENTS })
  vatTreatment!: VatTreatment;
  /** e.g. "0.2" or "0". */
  vatRate!: string;
  vat!: MoneyDto;
  tier?: QuoteLineTierDto;
  usage?: QuoteLineUsageDto;
}

/** What subscribing would cost under the service's current price: one full billing period and the set-up fee. */
export class QuoteDto {
  serviceId!: string;
  /** The price version quoted (the current one). */
  priceVersion!: number;
  @ApiProperty({ enum: PRICE_MODELS })
  priceModel!: PriceModel;
  @ApiProperty({ enum: VAT_TREATMENTS })
  vatTreatment!: VatTreatment;
  quantity!: number;
  /** The billing period priced: the consortium's current one, as a whole period (no proration). */
  period!: QuotePeriodDto;
  /** The recurring and usage lines of one full billing period. */
  lines!: QuoteLineDto[];
  periodTotals!: QuoteTotalsDto;
  /** The one-off set-up fee line, or null when the plan has none. */
  setupFee!: QuoteLineDto | null;
  /** One full period plus the set-up fee: what the first full period's charge would come to. */
  firstPeriodTotals!: QuoteTotalsDto;
}
