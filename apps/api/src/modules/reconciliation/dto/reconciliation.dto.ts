import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

export class ReconciliationQuery {
  /** `differences` (the default) lists only rows that do not agree; `all` lists every row. */
  @IsOptional()
  @IsIn(['differences', 'all'])
  show?: 'differences' | 'all';
}

/** One subscription's days in force, or one metric's usage, against what the period's charges charge. */
export class ReconciliationRowDto {
  @ApiProperty({ format: 'uuid' })
  subscriptionId!: string;
  @ApiProperty({ format: 'uuid' })
  serviceId!: string;
  serviceTitle!: string;
  @ApiProperty({ format: 'uuid' })
  providerId!: string;
  providerName!: string;
  @ApiProperty({ format: 'uuid' })
  consumerId!: string;
  consumerName!: string;
  /** `days`: the days the subscription was in force (and days × quantity); `usage`: one metric's events. */
  @ApiProperty({ enum: ['days', 'usage'] })
  measure!: 'days' | 'usage';
  /** The usage metric; null for days. */
  @ApiProperty({ type: String, nullable: true })
  metric!: string | null;
  /** Days in force, or usage events accepted and not withdrawn. */
  expectedCount!: number;
  /** Days × quantity in force (null for a flat fee), or the quantity of those events: exact decimal text. */
  @ApiProperty({ type: String, nullable: true, example: '920' })
  expectedQuantity!: string | null;
  /** Days, or events, charged across the period's charges (draft, issued and supplementary). */
  chargedCount!: number;
  @ApiProperty({ type: String, nullable: true, example: '920' })
  chargedQuantity!: string | null;
  /** Usage events withdrawn by the provider: counted apart, never charged. */
  withdrawnCount!: number;
  @ApiProperty({ example: '0' })
  withdrawnQuantity!: string;
  /** References of the period's charges holding lines of this subscription. */
  charges!: string[];
  /** Expected and charged agree. */
  agrees!: boolean;
  /** The row in words, e.g. "3 storage_gb reports accepted but not on any charge yet". */
  explanation!: string;
}

export class ReconciliationSummaryDto {
  /** Rows that do not agree. */
  differences!: number;
  /** Days in force not yet charged, across the rows shown to you. */
  unbilledDays!: number;
  /** Usage events accepted and not yet charged. */
  unbilledEvents!: number;
  /** Days or events charged beyond what is owed (a later run corrects them). */
  overchargedDays!: number;
  overchargedEvents!: number;
  /** Usage events withdrawn by providers. */
  withdrawnEvents!: number;
}

/** Whether every accepted usage event and every day in force of the period is charged exactly once. */
export class ReconciliationDto {
  @ApiProperty({ format: 'uuid' })
  billingPeriodId!: string;
  periodKey!: string;
  /** True when no row differs and no charge run is in progress. */
  complete!: boolean;
  /** A charge run is queued or running: drafts are being recomputed. */
  chargeRunInProgress!: boolean;
  /** The answer in words, for people. */
  summaryText!: string;
  summary!: ReconciliationSummaryDto;
  /** The rows asked for (`show`), providers' own subscriptions only for a provider's finance team. */
  @ApiProperty({ type: [ReconciliationRowDto], maxItems: 100000 })
  rows!: ReconciliationRowDto[];
}
