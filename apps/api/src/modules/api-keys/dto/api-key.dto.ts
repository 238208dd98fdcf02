import { API_KEY_SCOPES, type ApiKeyScope } from '@consortium/auth';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsDate,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
  MinDate,
  MinLength,
} from 'class-validator';
import { PageInfo } from '../../../common/pagination';

export class CreateApiKeyDto {
  /** What the key is for, e.g. the integrating system's name. */
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  /** What the key may do: at least one of the API key scopes. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(API_KEY_SCOPES.length)
  @ArrayUnique()
  @IsIn(API_KEY_SCOPES, { each: true })
  scopes!: ApiKeyScope[];

  /** When the key stops working (ISO 8601, in the future). Without it, the key works until revoked. */
  @ApiPropertyOptional({ type: String, format: 'date-time', maxLength: 35 })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'expiresAt must be an ISO 8601 date-time' })
  @MinDate(() => new Date(), { message: 'expiresAt must be in the future' })
  expiresAt?: Date;
}

export class ApiKeyCreatorDto {
  id!: string;
  name!: string;
  email!: string;
}

/** An API key as listed: never its secret. */
export class ApiKeyDto {
  id!: string;
  name!: string;
  /** The public part of the key (`csk_<prefix>_…`), to tell keys apart. */
  prefix!: string;
  scopes!: ApiKeyScope[];
  createdAt!: Date;
  /** The last time the key was used (recorded at most once a minute). */
  lastUsedAt!: Date | null;
  revokedAt!: Date | null;
  expiresAt!: Date | null;
  /** The user who created the key; null once that user is deleted. */
  createdBy!: ApiKeyCreatorDto | null;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  /** The whole key, `csk_<prefix>_<secret>`. Shown only in this response: store it now. */
  key!: string;
}

export class ApiKeyPageDto {
  data!: ApiKeyDto[];
  page!: PageInfo;
}
