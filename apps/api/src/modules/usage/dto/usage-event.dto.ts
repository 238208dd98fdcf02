import { ApiProperty } from '@nestjs/swagger';
import { ArrayMinSize, IsArray } from 'class-validator';

export const MAX_USAGE_BATCH = 1000;

/** One metered usage event, as a provider reports it. */
export class UsageEventInputDto {
  /** The provider's own id for the event (1–200 printable characters): a replay with the same id is a duplicate. */
  @ApiProperty({
    maxLength: 200,
    pattern: '^[\\x21-\\x7e]{1,200}$',
    example: 'storage-2026-04-01-norfolk-0001',
  })
  eventId!: string;

  /** A subscription to one of your organisation's services. */
  @ApiProperty({ format: 'uuid' })
  subscriptionId!: string;

  /** A metric the subscription's price plan charges for, e.g. `storage_gb`. */
  @ApiProperty({ maxLength: 63, pattern: '^[a-z][a-z0-9_]{0,62}$', example: 'storage_gb' })
  metric!: string;

  /** Non-negative, at most 6 decimal places: a decimal string (preferred) or a plain JSON number. */
  @ApiProperty({
    oneOf: [
      { type: 'string', maxLength: 39, pattern: '^\\d{1,18}(\\.\\d{1,20})?$', example: '12.5' },
      { type: 'number', minimum: 0 },
    ],
  })
  quantity!: string | number;

  /** When the usage happened, ISO 8601 with a zone. Its UK date picks the subscription's billing period. */
  @ApiProperty({ format: 'date-time', maxLength: 35, example: '2026-04-01T09:30:00Z' })
  occurredAt!: string;
}

export class UsageBatchDto {
  /**
   * 1 to 1,000 events. Each is checked on its own (shape, subscription, metric, period) and answered in
   * `results`; a larger batch is refused whole with 413.
   */
  @ApiProperty({ type: [UsageEventInputDto], maxItems: MAX_USAGE_BATCH })
  @IsArray()
  @ArrayMinSize(1)
  events!: unknown[];
}

export const USAGE_EVENT_OUTCOMES = ['accepted', 'duplicate', 'rejected'] as const;
export type UsageEventOutcome = (typeof USAGE_EVENT_OUTCOMES)[number];

export class UsageEventResultDto {
  /** The event's id as sent (null when the event had no usable id). */
  @ApiProperty({ type: String, nullable: true })
  eventId!: string | null;

  /** accepted: stored now; duplicate: stored before with the same body, not counted again; rejected: see code. */
  @ApiProperty({ enum: USAGE_EVENT_OUTCOMES })
  status!: UsageEventOutcome;

  /**
   * Why an event was rejected: invalid-event, invalid-quantity, occurred-in-future, not-your-subscription,
   * subscription-not-in-force, unknown-metric, period-not-open, conflicting-duplicate.
   */
  code?: string;

  reason?: string;
}

export class UsageBatchResultDto {
  accepted!: number;
  duplicates!: number;
  rejected!: number;
  /** One result per event, in request order. */
  @ApiProperty({ type: [UsageEventResultDto] })
  results!: UsageEventResultDto[];
}
