import {
  BILLING_CYCLES,
  type BillingCycle,
  CURRENCIES,
  type Currency,
  MEMBERSHIP_STATUSES,
  type MembershipStatus,
} from '@consortium/domain';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PageInfo, PageQuery } from '../../../common/pagination';
import { IsOmittable } from '../../../common/validation';

const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** The consortium's rulebook. */
export class ConsortiumRulesDto {
  /** Whether organisations may ask to join (otherwise they join only by invitation). */
  acceptsJoinRequests!: boolean;
  /** Days a consumer has to pay a settled position. */
  paymentTermsDays!: number;
}

/** Rules to set; a rule left out keeps its current value (or its default on creation: requests accepted, 30 days). */
export class ConsortiumRulesInputDto {
  /** Whether organisations may ask to join (otherwise they join only by invitation). */
  @IsOmittable()
  @IsBoolean()
  acceptsJoinRequests?: boolean;

  /** Days a consumer has to pay a settled position (0 to 365). */
  @IsOmittable()
  @IsInt()
  @Min(0)
  @Max(365)
  paymentTermsDays?: number;
}

export class CreateConsortiumDto {
  /** Unique across the platform. */
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MaxLength(2000)
  description?: string;

  /** How often cross-charges are issued and settled. */
  @IsIn(BILLING_CYCLES)
  billingCycle!: BillingCycle;

  /** Only GBP for now (the default). */
  @IsOptional()
  @IsIn(CURRENCIES)
  currency?: Currency;

  @IsOptional()
  @ValidateNested()
  @Type(() => ConsortiumRulesInputDto)
  rules?: ConsortiumRulesInputDto;
}

/** Fields left out stay as they are; `description: null` clears the description. */
export class UpdateConsortiumDto {
  @IsOmittable()
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ValidateIf((_, value) => value !== null && value !== undefined)
  @Transform(trimmed)
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @IsOmittable()
  @IsIn(BILLING_CYCLES)
  billingCycle?: BillingCycle;

  /** Only GBP for now. */
  @IsOmittable()
  @IsIn(CURRENCIES)
  currency?: Currency;

  @IsOmittable()
  @ValidateNested()
  @Type(() => ConsortiumRulesInputDto)
  rules?: ConsortiumRulesInputDto;
}

export class ConsortiumListQuery extends PageQuery {
  /** Only consortia where your organisation's membership has this status. */
  @IsOptional()
  @IsIn(MEMBERSHIP_STATUSES)
  membershipStatus?: MembershipStatus;
}

/** A consortium as one of its (prospective) members sees it. */
export class ConsortiumDto {
  id!: string;
  name!: string;
  description!: string | null;
  billingCycle!: BillingCycle;
  currency!: string;
  rules!: ConsortiumRulesDto;
  /** Your organisation's membership status, or null when it has none (a superadmin looking in). */
  membershipStatus!: MembershipStatus | null;
  /** Whether you administer this consortium. */
  isAdmin!: boolean;
  createdAt!: Date;
  updatedAt!: Date;
}

export class ConsortiumDetailDto extends ConsortiumDto {
  /** Organisations that are active members. */
  memberCount!: number;
}

export class ConsortiumPageDto {
  data!: ConsortiumDto[];
  page!: PageInfo;
}

export class ConsortiumDirectoryQuery extends PageQuery {
  /** Part of the name, case-insensitive. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

/** What an organisation looking for a consortium to join may know about it. */
export class ConsortiumDirectoryEntryDto {
  id!: string;
  name!: string;
  description!: string | null;
  /** Organisations that are active members. */
  memberCount!: number;
}

export class ConsortiumDirectoryPageDto {
  data!: ConsortiumDirectoryEntryDto[];
  page!: PageInfo;
}
