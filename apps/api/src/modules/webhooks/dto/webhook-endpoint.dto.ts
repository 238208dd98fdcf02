import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { PageInfo } from '../../../common/pagination';
import { EVENT_TYPES, type EventType } from '../event-types';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateWebhookEndpointDto {
  /**
   * Where to POST events: `https://…` at a public address (plain `http://` only outside production, or for
   * localhost). Loopback, private, link-local and unique-local addresses are refused unless the operator allows
   * them.
   */
  @ApiProperty({ example: 'https://finance.example.gov.uk/hooks/consortium' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  url!: string;

  /** The event types to send to this endpoint. */
  @ApiProperty({ enum: EVENT_TYPES, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(EVENT_TYPES, { each: true })
  eventTypes!: EventType[];

  /** What the endpoint is for, e.g. "Unit4 invoice import". */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(500)
  description?: string;
}

export class UpdateWebhookEndpointDto {
  @ApiProperty({ required: false, example: 'https://finance.example.gov.uk/hooks/consortium' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  url?: string;

  @ApiProperty({ required: false, enum: EVENT_TYPES, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(EVENT_TYPES, { each: true })
  eventTypes?: EventType[];

  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(500)
  description?: string;

  /** `false` stops deliveries (they wait); `true` resumes them and clears the failure count. */
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export const DEFAULT_PREVIOUS_SECRET_HOURS = 24;

export class RotateWebhookSecretDto {
  /** How long the old secret keeps signing alongside the new one: 0 to 72 hours, default 24; 0 if it leaked. */
  @ApiProperty({
    required: false,
    type: 'integer',
    minimum: 0,
    maximum: 72,
    default: DEFAULT_PREVIOUS_SECRET_HOURS,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(72)
  previousSecretValidHours?: number;
}

/** A webhook endpoint, never with its secret. */
export class WebhookEndpointDto {
  id!: string;
  organisationId!: string;
  url!: string;
  description!: string | null;
  @ApiProperty({ enum: EVENT_TYPES, isArray: true })
  eventTypes!: EventType[];
  enabled!: boolean;
  /** Why it was disabled (by someone, or automatically after repeated failures); null while enabled. */
  disabledReason!: string | null;
  /** Failed attempts in a row since the last success. */
  consecutiveFailures!: number;
  /** Until when the secret before the last rotation still signs deliveries (a second `v1`); null when it does not. */
  previousSecretExpiresAt!: Date | null;
  createdAt!: Date;
  updatedAt!: Date;
}

export class WebhookEndpointWithSecretDto extends WebhookEndpointDto {
  /** The signing secret (`whsec_…`). Shown only in this response: store it now. */
  secret!: string;
}

export class WebhookEndpointPageDto {
  data!: WebhookEndpointDto[];
  page!: PageInfo;
}
