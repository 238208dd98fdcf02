import {
  BILLING_CYCLES,
  BILLING_PERIOD_STATUSES,
  type BillingCycle,
  type BillingPeriodStatus,
} from '@consortium/domain';
import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, Matches } from 'class-validator';
import { PageInfo, PageQuery } from '../../../common/pagination';

export class BillingPeriodListQuery extends PageQuery {
  /** Only periods with this status. */
  @IsOptional()
  @IsIn(BILLING_PERIOD_STATUSES)
  status?: BillingPeriodStatus;
}

/** A consortium's billing period: a calendar month or quarter, open → closing → closed → settled. */
export class BillingPeriodDto {
  id!: string;
  consortiumId!: string;
  /** `2026-11` for a month, `2026-Q4` for a quarter. */
  key!: string;
  /** For people: "November 2026", "Q4 2026 (October to December)". */
  label!: string;
  @ApiProperty({ enum: BILLING_CYCLES })
  cycle!: BillingCycle;
  /** The first day, YYYY-MM-DD. */
  @ApiProperty({ format: 'date' })
  startDate!: string;
  /** The last day (inclusive), YYYY-MM-DD. */
  @ApiProperty({ format: 'date' })
  endDate!: string;
  @ApiProperty({ enum: BILLING_PERIOD_STATUSES })
  status!: BillingPeriodStatus;
  /** Why a consortium administrator closed the period despite unissued charges or unresolved disputes. */
  closeOverrideReason!: string | null;
  closedAt!: Date | null;
  settledAt!: Date | null;
  createdAt!: Date;
  updatedAt!: Date;
}

export class BillingPeriodPageDto {
  data!: BillingPeriodDto[];
  page!: PageInfo;
}

export class OpenBillingPeriodDto {
  /** Any day of the period to open, YYYY-MM-DD: the period of the consortium's billing cycle containing it. */
  @ApiProperty({ format: 'date', example: '2026-11-24' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must be a date as YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'date must be a real calendar date' })
  date!: string;
}
