import { CHARGE_RUN_STATUSES, type ChargeRunStatus } from '@consortium/domain';
import { ApiProperty } from '@nestjs/swagger';
import { PageInfo, PageQuery } from '../../../common/pagination';

/** A charge run: the computation of a billing period's draft cross-charges, in the background. */
export class ChargeRunDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  consortiumId!: string;

  @ApiProperty({ format: 'uuid' })
  billingPeriodId!: string;

  /** queued → running → completed, or failed (see `error`). */
  @ApiProperty({ enum: CHARGE_RUN_STATUSES })
  status!: ChargeRunStatus;

  /** Subscriptions in force during the period, counted when the run started. */
  totalSubscriptions!: number;

  /** Subscriptions charged so far by this run. */
  processedSubscriptions!: number;

  /** Cross-charges in the period when the run completed (draft or already issued). */
  crossCharges!: number;

  /** Charge lines in the period when the run completed. */
  chargeLines!: number;

  /** Why the run failed. */
  @ApiProperty({ type: String, nullable: true })
  error!: string | null;

  /** Who started the run. */
  requestedBy!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedAt!: Date | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: Date | null;

  createdAt!: Date;
}

export class ChargeRunListQuery extends PageQuery {}

export class ChargeRunPageDto {
  @ApiProperty({ type: [ChargeRunDto] })
  data!: ChargeRunDto[];

  page!: PageInfo;
}
