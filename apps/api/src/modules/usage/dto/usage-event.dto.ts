import { MAX_USAGE_EVENT_QUANTITY, QUANTITY_DECIMAL_PLACES } from '@consortium/domain';
import { ApiProperty } from '@nestjs/swagger';
import { ArrayMinSize, IsArray } from 'class-validator';

export const MAX_USAGE_BATCH = 1000;

const MAX_QUANTITY_DIGITS = String(MAX_USAGE_EVENT_QUANTITY).length;
/** A quantity as a string: what usage-event-input.ts accepts (larger or more precise values are refused). */
export const USAGE_QUANTITY_PATTERN = `^\\d{1,${MAX_QUANTITY_DIGITS}}(\\.\\d{1,${QUANTITY_DECIMAL_PLACES}})?$`;

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

  /**
   * From 0 to 1,000,000,000 units (`quantity-too-large` above), with at most 6 decimal places
   * (`invalid-quantity`): a decimal string (preferred) or a JSON number that reads back exactly. A JSON number
   * with more than 15 significant digits may not (9007199254740993 reads as 9007199254740992): the event is then
   * rejected as `quantity-not-exact`, and the value must be sent as a string. Across events, one subscription may
   * report at most 1,000,000,000,000 units of a metric in one billing period (`period-usage-limit`).
   */
  @ApiProperty({
    oneOf: [
      {
        type: 'string',
        maxLength: MAX_QUANTITY_DIGITS + 1 + QUANTITY_DECIMAL_PLACES,
        pattern: USAGE_QUANTITY_PATTERN,
        example: '12.5',
      },
      { type: 'number', minimum: 0, maximum: MAX_USAGE_EVENT_QUANTITY },
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
  @ApiProperty({ type: [UsageEventInputDto], minItems: 1, maxItems: MAX_USAGE_BATCH })
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
   * Why an event was rejected: invalid-event, invalid-quantity, quantity-not-exact, quantity-too-large,
   * occurred-in-future, not-your-subscription, subscription-not-in-force, unknown-metric, period-not-open,
   * period-usage-limit, conflicting-duplicate.
   */
  code?: string;

  reason?: string;
}

export class UsageBatchResultDto {
  accepted!: number;
  duplicates!: number;
  rejected!: number;
  /** One result per event, in request order. */
  @ApiProperty({ type: [UsageEventResultDto], maxItems: MAX_USAGE_BATCH })
  results!: UsageEventResultDto[];
}
