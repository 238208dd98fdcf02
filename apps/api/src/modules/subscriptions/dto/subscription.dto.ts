import {
  CURRENCIES,
  type Currency,
  SUBSCRIPTION_STATUSES,
  type SubscriptionStatus,
} from '@consortium/domain';
import { ApiProperty } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PageInfo, PageQuery } from '../../../common/pagination';

const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const ISO_DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

export const MAX_QUANTITY = 1_000_000;
export const MAX_TERM_MONTHS = 120;
export const MAX_NOTICE_PERIOD_MONTHS = 24;

/** Money as JSON, as everywhere in the API: integer minor units (pence) as a string, and the currency. */
export class BaselineCostDto {
  /** Pence, as an integer string: "4500000" is £45,000.00. */
  @ApiProperty({ maxLength: 15, example: '4500000' })
  @IsString()
  @Matches(/^\d{1,15}$/, { message: 'amountMinor must be a whole number of pence, as a string' })
  amountMinor!: string;

  @IsIn(CURRENCIES)
  currency!: Currency;
}

export class CreateSubscriptionDto {
  /** The published service to take. */
  @IsUUID()
  serviceId!: string;

  /**
   * Units to take (seats, sites, devices). For a service whose capacity counts subscribers, each subscription
   * takes one place whatever its quantity.
   */
  @ApiProperty({ type: 'integer', example: 25 })
  @IsInt()
  @Min(1)
  @Max(MAX_QUANTITY)
  quantity!: number;

  /**
   * The first day of service, YYYY-MM-DD. At most 31 days in the past (paperwork often follows a service that
   * began on the first of the month; anything older would reach into billing periods that may be closed) and at
   * most two years ahead.
   */
  @ApiProperty({ format: 'date', example: '2026-04-01' })
  @Matches(ISO_DATE_ONLY, { message: 'startDate must be a date as YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'startDate must be a real calendar date' })
  startDate!: string;

  /** The initial term in months (1 to 120). */
  @ApiProperty({ type: 'integer', example: 36 })
  @IsInt()
  @Min(1)
  @Max(MAX_TERM_MONTHS)
  termMonths!: number;

  /** Months of notice either side must give to end it (0 to 24). */
  @ApiProperty({ type: 'integer', example: 6 })
  @IsInt()
  @Min(0)
  @Max(MAX_NOTICE_PERIOD_MONTHS)
  noticePeriodMonths!: number;

  /** Your purchase-order reference, shown on cross-charges. */
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  purchaseOrderReference?: string;

  /** Your cost centre, shown on cross-charges. */
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  costCentre?: string;

  /**
   * What it would cost you a year to run this service in-house; the savings report compares it with what you
   * pay. In the service's currency.
   */
  @IsOptional()
  @ValidateNested()
  @Type(() => BaselineCostDto)
  baselineAnnualCost?: BaselineCostDto;
}

/** A reason the other side will read. */
export class SubscriptionReasonDto {
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason!: string;
}

export class OptionalSubscriptionReasonDto {
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason?: string;
}

export class ChangeQuantityDto {
  /** The new quantity (1 or more). */
  @ApiProperty({ type: 'integer', example: 25 })
  @IsInt()
  @Min(1)
  @Max(MAX_QUANTITY)
  quantity!: number;

  /**
   * The first day at the new quantity, YYYY-MM-DD: today or later, and not before the subscription starts. It
   * replaces any change already scheduled on or after that day.
   */
  @ApiProperty({ format: 'date', example: '2026-07-01' })
  @Matches(ISO_DATE_ONLY, { message: 'effectiveFrom must be a date as YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'effectiveFrom must be a real calendar date' })
  effectiveFrom!: string;
}

export const SUBSCRIPTION_ROLES = ['consumer', 'provider'] as const;
export type SubscriptionRole = (typeof SUBSCRIPTION_ROLES)[number];

export class SubscriptionListQuery extends PageQuery {
  /** `consumer`: what your organisation takes; `provider`: what it provides. Both when left out. */
  @IsOptional()
  @IsIn(SUBSCRIPTION_ROLES)
  role?: SubscriptionRole;

  /**
   * Only this consortium's subscriptions. A consortium administrator passing their consortium sees every
   * subscription in it, not only their own organisation's.
   */
  @IsOptional()
  @IsUUID()
  consortiumId?: string;

  @IsOptional()
  @IsIn(SUBSCRIPTION_STATUSES)
  status?: SubscriptionStatus;

  @IsOptional()
  @IsUUID()
  serviceId?: string;
}

export class HistoryQuery extends PageQuery {}

/** Money as JSON: integer minor units as a string, and the currency. */
export class BaselineCostResponseDto {
  amountMinor!: string;
  currency!: Currency;
}

/** A consumer's agreement to take a provider's service, at a quantity, for a term, at the price agreed then. */
export class SubscriptionDto {
  id!: string;
  consortiumId!: string;
  status!: SubscriptionStatus;
  /** The reason given with the last rejection, suspension, notice or cancellation. */
  statusReason!: string | null;
  serviceId!: string;
  serviceTitle!: string;
  consumerOrganisationId!: string;
  consumerOrganisationName!: string;
  providerOrganisationId!: string;
  providerOrganisationName!: string;
  /** The price version this subscription agreed to; it keeps it until the consumer accepts a newer one. */
  priceVersion!: number;
  priceVersionId!: string;
  /** The service's current price version: above `priceVersion` when a new price awaits acceptance. */
  servicePriceVersion!: number;
  /** The quantity from the latest change on (see `quantities` on the single subscription for the schedule). */
  quantity!: number;
  /** First day of service. */
  startDate!: string;
  termMonths!: number;
  /** The last day of the initial term. */
  termEndDate!: string;
  noticePeriodMonths!: number;
  /** The last day of service, once notice has been given. */
  endDate!: string | null;
  purchaseOrderReference!: string | null;
  costCentre!: string | null;
  baselineAnnualCost!: BaselineCostResponseDto | null;
  currency!: Currency;
  /** When the provider approved or rejected the request. */
  decidedAt!: Date | null;
  createdAt!: Date;
  updatedAt!: Date;
}

export class SubscriptionPageDto {
  data!: SubscriptionDto[];
  page!: PageInfo;
}

/** A quantity from a date on. */
export class SubscriptionQuantityDto {
  quantity!: number;
  effectiveFrom!: string;
}

export class SubscriptionDetailDto extends SubscriptionDto {
  /** The agreed price version's plan, as the catalogue defines price plans. */
  pricePlan!: Record<string, unknown>;
  /** Every quantity and the day it takes effect, oldest first. */
  quantities!: SubscriptionQuantityDto[];
  /** What either side may do next, e.g. `approve`, `give_notice`. */
  availableActions!: string[];
}

/** One entry in a subscription's history. */
export class SubscriptionEventDto {
  id!: string;
  /** requested, approved, rejected, cancelled, suspended, resumed, notice_given, ended, quantity_changed, price_accepted. */
  event!: string;
  fromStatus!: string | null;
  toStatus!: string | null;
  details!: Record<string, unknown>;
  /** Who did it: a user's email or an API key's prefix. */
  actorLabel!: string;
  occurredAt!: Date;
}

export class SubscriptionEventPageDto {
  data!: SubscriptionEventDto[];
  page!: PageInfo;
}
