import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../../common/pagination';
import { EVENT_TYPES, type EventType } from '../event-types';

export class EventFeedQuery {
  /** The `page.nextCursor` of your last read; leave out to start from the oldest event. */
  @ApiProperty({ required: false, maxLength: 200 })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'after must be a cursor this API issued' })
  after?: string;

  @ApiProperty({ required: false, minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  /** Only these event types, comma-separated, e.g. `cross_charge.issued,period.closed`. */
  @ApiProperty({ required: false, maxLength: 1000, example: 'cross_charge.issued,period.closed' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  @Matches(
    new RegExp(
      `^(${EVENT_TYPES.join('|').replace(/\./g, '\\.')})(,(${EVENT_TYPES.join('|').replace(/\./g, '\\.')}))*$`,
    ),
    {
      message: `type must be one or more of: ${EVENT_TYPES.join(', ')}, comma-separated`,
    },
  )
  type?: string;
}

/** One event, exactly as a webhook delivers it. */
export class EventDto {
  /** Unique per event: the `Consortium-Event-Id` header of its webhook deliveries. */
  id!: string;
  @ApiProperty({ enum: EVENT_TYPES })
  type!: EventType;
  occurredAt!: string;
  /** The organisation the event is addressed to (yours). */
  organisationId!: string;
  consortiumId!: string | null;
  /** What the event is about: `entityType`, `entityId`, `title`, and facts particular to the type. */
  @ApiProperty({ type: 'object', additionalProperties: true })
  data!: Record<string, unknown>;
}

export class EventFeedPageInfo {
  /**
   * Pass as `after` next time. Always set, even on the last page, so polling carries on from here. Opaque, and
   * good only for your organisation.
   */
  nextCursor!: string;
  limit!: number;
  /** True when more events are waiting now: read again at once rather than after your polling interval. */
  hasMore!: boolean;
}

export class EventFeedDto {
  data!: EventDto[];
  page!: EventFeedPageInfo;
}
