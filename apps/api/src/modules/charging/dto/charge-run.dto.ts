import { CHARGE_RUN_STATUSES, type ChargeRunStatus } from '@consortium/domain';
import { ApiProperty } from '@nestjs/swagger';
import { PageInfo, PageQuery } from '../../../common/pagination';

/** A subscription the run could not charge (the run charged everyone else), and why. */
export class SubscriptionNeedingAttentionDto {
  @ApiProperty({ format: 'uuid' })
  subscriptionId!: string;

  /** The service subscribed to. */
  serviceTitle!: string;

  /** The organisation that would be charged. */
  consumerName!: string;

  /** The organisation that provides the service. */
  providerName!: string;

  /** Why its charge could not be worked out, in words (for example an amount beyond what can be charged). */
  reason!: string;
}

/** A charge run: the computation of a billing period's draft cross-charges, in the background. */
export class ChargeRunDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  consortiumId!: string;

  @ApiProperty({ format: 'uuid' })
  billingPeriodId!: string;

  /**
   * queued → running → completed, or failed (see `error`). A running run whose worker stopped is still `running`,
   * with `interrupted` true, until an instance resumes it.
   */
  @ApiProperty({ enum: CHARGE_RUN_STATUSES })
  status!: ChargeRunStatus;

  /**
   * The status in words: 'Queued', 'Running: 1,500 of 10,000 subscriptions', 'Interrupted, resuming (last
   * heartbeat 19:42:10)', 'Completed', 'Completed with 1 subscription needing attention', 'Failed: …'. Times are
   * UK time.
   */
  statusText!: string;

  /**
   * Running, but its worker has not shown it is alive for longer than the staleness threshold (it crashed or was
   * stopped): another instance resumes it on its own, and a consortium administrator may resume it at once
   * (POST /charge-runs/{id}/resume).
   */
  interrupted!: boolean;

  /** When the run's worker last showed it was alive (null before it started). */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  heartbeatAt!: Date | null;

  /** How many times the run was resumed after an interruption. */
  resumedCount!: number;

  /** Subscriptions the run could not charge, with the reason for each; empty when it charged them all. */
  @ApiProperty({ type: [SubscriptionNeedingAttentionDto] })
  needsAttention!: SubscriptionNeedingAttentionDto[];

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
