import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';

export const MAX_VOID_BATCH = 1000;
const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** Usage events to withdraw, by the ids your organisation reported them under, and why. */
export class VoidUsageEventsDto {
  /** 1 to 1,000 of your event ids. */
  @ApiProperty({
    type: [String],
    minItems: 1,
    maxItems: MAX_VOID_BATCH,
    items: { type: 'string', maxLength: 200, pattern: '^[\\x21-\\x7e]{1,200}$' },
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_VOID_BATCH)
  @IsString({ each: true })
  @Matches(/^[\x21-\x7e]{1,200}$/, { each: true, message: 'each event id is 1–200 printable characters' })
  eventIds!: string[];

  /** Why the events are withdrawn: kept with them and in the audit trail. */
  @ApiProperty({
    minLength: 3,
    maxLength: 2000,
    example: 'Meter read twice on 3 November; duplicates withdrawn.',
  })
  @Transform(trimmed)
  @IsString()
  @MinLength(3)
  @MaxLength(2000)
  reason!: string;
}

/** What happened to one event id. */
export class VoidUsageEventResultDto {
  eventId!: string;
  /**
   * `voided` now; `already-voided` earlier (nothing changes); `rejected` with a `code`: `not-found` (not one of
   * your events), `period-not-open` (its period is closed), `on-issued-charge` (already charged on an issued charge:
   * correct it by a dispute and credit note instead).
   */
  @ApiProperty({ enum: ['voided', 'already-voided', 'rejected'] })
  status!: 'voided' | 'already-voided' | 'rejected';
  @ApiProperty({ required: false, enum: ['not-found', 'period-not-open', 'on-issued-charge'] })
  code?: 'not-found' | 'period-not-open' | 'on-issued-charge';
  /** Why, in words, for a rejected event. */
  @ApiProperty({ required: false })
  reason?: string;
}

export class VoidUsageEventsResultDto {
  voided!: number;
  alreadyVoided!: number;
  rejected!: number;
  /** One per id asked for, in the order asked. */
  @ApiProperty({ type: [VoidUsageEventResultDto], maxItems: MAX_VOID_BATCH })
  results!: VoidUsageEventResultDto[];
}
