import {
  CAPACITY_UNITS,
  type CapacityUnit,
  COMPLIANCE_KINDS,
  type ComplianceKind,
  ORGANISATION_TYPES,
  type OrganisationType,
  PRICE_MODELS,
  type PriceModel,
  SERVICE_CATEGORIES,
  SERVICE_STATUSES,
  type ServiceCategory,
  type ServiceStatus,
  VAT_TREATMENTS,
  type VatTreatment,
} from '@consortium/domain';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PageInfo, PageQuery } from '../../../common/pagination';
import { IsOmittable } from '../../../common/validation';
import { ServiceComplianceDto } from './compliance.dto';
import { PRICE_PLAN_SCHEMA } from './price-plan.dto';

const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
/** Query strings carry text: only "true" and "false" are booleans, anything else fails validation. */
const booleanText = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;

/** The largest capacity a service can state (the column is a PostgreSQL integer). */
const MAX_CAPACITY = 2_147_483_647;

/** What the provider commits to. */
export class ServiceLevelDto {
  /** When the service is staffed, e.g. "24x7" or "Mon–Fri 08:00–18:00". */
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  hoursOfCover!: string;

  /** Hours to respond to an incident (up to two decimal places: 0.5 is thirty minutes). */
  @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(8760)
  responseTargetHours!: number;

  /** Hours to resolve an incident. */
  @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(8760)
  resolutionTargetHours!: number;

  /** Availability as a decimal string of percent, e.g. "99.9" (0 to 100, up to three decimal places). */
  @ApiProperty({ maxLength: 7, example: '99.9' })
  @Matches(/^(100(\.0{1,3})?|\d{1,2}(\.\d{1,3})?)$/, {
    message: 'availabilityPercent must be a decimal string from 0 to 100, such as "99.9"',
  })
  availabilityPercent!: string;
}

export class ServiceContactDto {
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsEmail()
  @MaxLength(320)
  email!: string;

  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MaxLength(50)
  phone?: string;

  /** What to contact them about, e.g. "Service owner" or "Out-of-hours escalation". */
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MaxLength(100)
  role?: string;
}

/** How much the service can take. */
export class CapacityInputDto {
  /** Subscribers or units the service can take; null for unlimited. */
  @ApiProperty({ type: 'integer', nullable: true, example: 10 })
  @ValidateIf((_, value) => value !== null)
  @IsInt()
  @Min(1)
  @Max(MAX_CAPACITY)
  limit!: number | null;

  /** `subscribers` counts subscribing organisations; `units` sums their quantities (seats, sites, devices). */
  @IsIn(CAPACITY_UNITS)
  @ApiProperty({ enum: CAPACITY_UNITS })
  unit!: CapacityUnit;
}

export class CreateServiceDto {
  /** The consortium to offer it to: your organisation must be an active member. */
  @IsUUID()
  consortiumId!: string;

  @IsIn(SERVICE_CATEGORIES)
  @ApiProperty({ enum: SERVICE_CATEGORIES })
  category!: ServiceCategory;

  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title!: string;

  /** One or two sentences for the catalogue listing. */
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  summary!: string;

  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(20_000)
  description!: string;

  @ValidateNested()
  @Type(() => ServiceLevelDto)
  serviceLevel!: ServiceLevelDto;

  @ValidateNested()
  @Type(() => CapacityInputDto)
  capacity!: CapacityInputDto;

  /**
   * The price plan, checked by the domain's rules: every problem is reported in `errors[]` with its path
   * (`pricePlan.tiers[1].upTo`). It becomes price version 1. `currency` may be left out (the consortium's).
   */
  @ApiProperty(PRICE_PLAN_SCHEMA)
  @IsObject()
  pricePlan!: Record<string, unknown>;

  /** Usually `outside_scope` between public bodies. */
  @IsIn(VAT_TREATMENTS)
  @ApiProperty({ enum: VAT_TREATMENTS })
  vatTreatment!: VatTreatment;

  /** 1 to 10 people to contact about the service. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => ServiceContactDto)
  contacts!: ServiceContactDto[];
}

/**
 * Fields left out stay as they are; `serviceLevel`, `capacity` and `contacts` are replaced whole. The price is
 * not changed here: every price change appends a price version (POST /services/{id}/price-versions).
 */
export class UpdateServiceDto {
  @IsOmittable()
  @IsIn(SERVICE_CATEGORIES)
  @ApiPropertyOptional({ enum: SERVICE_CATEGORIES })
  category?: ServiceCategory;

  @IsOmittable()
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title?: string;

  @IsOmittable()
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  summary?: string;

  @IsOmittable()
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(20_000)
  description?: string;

  @IsOmittable()
  @ValidateNested()
  @Type(() => ServiceLevelDto)
  serviceLevel?: ServiceLevelDto;

  /** May not fall below what subscriptions in force already hold (409 capacity-below-use). */
  @IsOmittable()
  @ValidateNested()
  @Type(() => CapacityInputDto)
  capacity?: CapacityInputDto;

  @IsOmittable()
  @IsIn(VAT_TREATMENTS)
  @ApiPropertyOptional({ enum: VAT_TREATMENTS })
  vatTreatment?: VatTreatment;

  @IsOmittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => ServiceContactDto)
  contacts?: ServiceContactDto[];
}

export class ServiceListQuery extends PageQuery {
  /**
   * Words to search for in the title, summary, category, provider's name and description, with English
   * stemming ("hosts" finds "hosting") and web-search syntax ("quoted phrase", -excluded, or). Results are
   * ranked: the default sort becomes `relevance` (best first).
   */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @IsOptional()
  @IsUUID()
  consortiumId?: string;

  @IsOptional()
  @IsIn(SERVICE_CATEGORIES)
  @ApiPropertyOptional({ enum: SERVICE_CATEGORIES })
  category?: ServiceCategory;

  /** Only this provider organisation's services. */
  @IsOptional()
  @IsUUID()
  providerId?: string;

  @IsOptional()
  @IsIn(ORGANISATION_TYPES)
  @ApiPropertyOptional({ enum: ORGANISATION_TYPES })
  providerType?: OrganisationType;

  /** Only services whose current price plan uses this model. */
  @IsOptional()
  @IsIn(PRICE_MODELS)
  @ApiPropertyOptional({ enum: PRICE_MODELS })
  priceModel?: PriceModel;

  /** Only services holding a certificate of this kind that has not expired. */
  @IsOptional()
  @IsIn(COMPLIANCE_KINDS)
  @ApiPropertyOptional({ enum: COMPLIANCE_KINDS })
  compliance?: ComplianceKind;

  /** `true`: only services with room for at least one more subscriber or unit. */
  @IsOptional()
  @Transform(booleanText)
  @IsBoolean()
  hasCapacity?: boolean;

  /** `true`: only your organisation's own services, in every status unless `status` is given. */
  @IsOptional()
  @Transform(booleanText)
  @IsBoolean()
  mine?: boolean;

  /**
   * Default `published`. Drafts are listed only to their provider; suspended and retired services to their
   * provider, the consortium's administrators and organisations that subscribe to them.
   */
  @IsOptional()
  @IsIn(SERVICE_STATUSES)
  @ApiPropertyOptional({ enum: SERVICE_STATUSES })
  status?: ServiceStatus;
}

export class ServiceProviderDto {
  id!: string;
  name!: string;
  @ApiProperty({ enum: ORGANISATION_TYPES })
  type!: OrganisationType;
}

export class CapacityDto {
  /** Null for unlimited. */
  limit!: number | null;
  @ApiProperty({ enum: CAPACITY_UNITS })
  unit!: CapacityUnit;
  /**
   * What subscriptions in force (active, suspended, or under notice) hold: subscribing organisations for
   * `subscribers`, the sum of their quantities for `units`.
   */
  inUse!: number;
  /** limit − inUse (never below zero); null for unlimited. */
  remaining!: number | null;
}

/** The price new subscriptions agree to. */
export class CurrentPriceDto {
  priceVersionId!: string;
  version!: number;
  @ApiProperty({ enum: PRICE_MODELS })
  model!: PriceModel;
  @ApiProperty(PRICE_PLAN_SCHEMA)
  plan!: Record<string, unknown>;
  currency!: string;
  createdAt!: Date;
}

/** A service listing as the catalogue shows it. */
export class ServiceDto {
  id!: string;
  consortiumId!: string;
  provider!: ServiceProviderDto;
  @ApiProperty({ enum: SERVICE_CATEGORIES })
  category!: ServiceCategory;
  title!: string;
  summary!: string;
  description!: string;
  serviceLevel!: ServiceLevelDto;
  capacity!: CapacityDto;
  @ApiProperty({ enum: VAT_TREATMENTS })
  vatTreatment!: VatTreatment;
  contacts!: ServiceContactDto[];
  @ApiProperty({ enum: SERVICE_STATUSES })
  status!: ServiceStatus;
  publishedAt!: Date | null;
  price!: CurrentPriceDto;
  compliance!: ServiceComplianceDto;
  createdAt!: Date;
  updatedAt!: Date;
}

export class ServicePageDto {
  data!: ServiceDto[];
  page!: PageInfo;
}
