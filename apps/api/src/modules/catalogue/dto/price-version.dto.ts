import { PRICE_MODELS, type PriceModel } from '@consortium/domain';
import { ApiProperty } from '@nestjs/swagger';
import { IsObject } from 'class-validator';
import { PageInfo, PageQuery } from '../../../common/pagination';
import { PRICE_PLAN_SCHEMA } from './price-plan.dto';

export class CreatePriceVersionDto {
  /**
   * The new price plan, checked by the domain's rules (every problem in `errors[]`, with its path). It becomes
   * version n+1 and the price new subscriptions agree to; existing subscriptions keep the version they agreed to.
   */
  @ApiProperty(PRICE_PLAN_SCHEMA)
  @IsObject()
  pricePlan!: Record<string, unknown>;
}

/** One version of a service's price. Versions are never edited or removed. */
export class PriceVersionDto {
  id!: string;
  serviceId!: string;
  /** 1 for the price the service was created with, then n+1 for each change. */
  version!: number;
  /** Whether new subscriptions agree to this version. */
  isCurrent!: boolean;
  @ApiProperty({ enum: PRICE_MODELS })
  model!: PriceModel;
  @ApiProperty(PRICE_PLAN_SCHEMA)
  plan!: Record<string, unknown>;
  currency!: string;
  /** The user who set this price; null when an API key or the system did. */
  createdByUserId!: string | null;
  createdAt!: Date;
}

/** Sort by `version` (default `-version`, newest first) or `createdAt`. */
export class PriceVersionListQuery extends PageQuery {}

export class PriceVersionPageDto {
  data!: PriceVersionDto[];
  page!: PageInfo;
}
