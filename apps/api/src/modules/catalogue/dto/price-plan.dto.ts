import {
  type Currency,
  MAX_AMOUNT_TEXT_LENGTH,
  MAX_PRICE_TIERS,
  MAX_UNIT_NAME_LENGTH,
  type PriceModel,
} from '@consortium/domain';
import { ApiProperty, getSchemaPath } from '@nestjs/swagger';

/*
 * These classes only document the price plan for OpenAPI. The plan is validated by the domain's own validator
 * (validatePricePlan in libs/domain), which reports every problem with its path, so there is one set of rules.
 * Amounts are decimal strings of pounds: fees in whole pence ("1500.00"), unit prices to a millionth ("0.0125").
 * The limits documented here are the validator's.
 */

const AMOUNT = { maxLength: MAX_AMOUNT_TEXT_LENGTH, pattern: '^\\d+(\\.\\d+)?$' };
const UNIT_NAME = { maxLength: MAX_UNIT_NAME_LENGTH, minLength: 1 };

/** A tier covers the units above the previous tier's `upTo`, up to and including its own. */
export class PriceTierDto {
  /** The last unit this tier covers; null for the last tier (no limit). */
  @ApiProperty({
    type: 'integer',
    format: 'int64',
    minimum: 1,
    maximum: Number.MAX_SAFE_INTEGER,
    nullable: true,
    example: 100,
  })
  upTo!: number | null;
  /** Price per unit in this tier, a decimal string of pounds (up to 6 decimal places). */
  @ApiProperty({ ...AMOUNT, example: '4.50' })
  unitPrice!: string;
}

class PricePlanCommonDto {
  /** Defaults to the consortium's currency; any other is refused. */
  @ApiProperty({ enum: ['GBP'], required: false })
  currency?: Currency;
  /** One-off fee charged when a subscription starts, a decimal string of pounds in whole pence. */
  @ApiProperty({ ...AMOUNT, required: false, nullable: true, example: '250.00' })
  setupFee?: string | null;
}

/** The same fee each billing period, whatever the quantity. */
export class FlatFeePricePlanDto extends PricePlanCommonDto {
  @ApiProperty({ enum: ['flat_fee'] })
  model!: Extract<PriceModel, 'flat_fee'>;
  /** e.g. "1500.00". */
  @ApiProperty({ ...AMOUNT, example: '1500.00' })
  feePerPeriod!: string;
}

/** Quantity × unit price each period: seats, sites, devices. */
export class PerUnitPricePlanDto extends PricePlanCommonDto {
  @ApiProperty({ enum: ['per_unit'] })
  model!: Extract<PriceModel, 'per_unit'>;
  @ApiProperty({ ...AMOUNT, example: '12.50' })
  unitPrice!: string;
  /** What one unit is, singular: "device", "site". */
  @ApiProperty({ ...UNIT_NAME, required: false, example: 'device' })
  unitName?: string;
}

/** `graduated`: each tier's units at that tier's price. `volume`: every unit at the price of the tier reached. */
export class TieredPricePlanDto extends PricePlanCommonDto {
  @ApiProperty({ enum: ['graduated', 'volume'] })
  model!: Extract<PriceModel, 'graduated' | 'volume'>;
  /** 1 to 20 tiers with increasing `upTo`; the last has `upTo: null`. */
  @ApiProperty({ type: () => [PriceTierDto], minItems: 1, maxItems: MAX_PRICE_TIERS })
  tiers!: PriceTierDto[];
  @ApiProperty({ ...UNIT_NAME, required: false, example: 'site' })
  unitName?: string;
}

/** A price per unit of a named usage metric, with an optional allowance included each period. */
export class MeteredPricePlanDto extends PricePlanCommonDto {
  @ApiProperty({ enum: ['metered'] })
  model!: Extract<PriceModel, 'metered'>;
  /** Lower-case snake case, e.g. "storage_gb": the metric usage is reported under. */
  @ApiProperty({ maxLength: 63, pattern: '^[a-z][a-z0-9_]{0,62}$', example: 'storage_gb' })
  metric!: string;
  @ApiProperty({ ...AMOUNT, example: '0.0125' })
  unitPrice!: string;
  /** Usage included each period at no charge, a decimal string. */
  @ApiProperty({ ...AMOUNT, required: false, nullable: true, example: '500' })
  includedPerPeriod?: string | null;
  @ApiProperty({ ...UNIT_NAME, required: false, example: 'GB' })
  unitName?: string;
}

export const PRICE_PLAN_MODELS = [
  FlatFeePricePlanDto,
  PerUnitPricePlanDto,
  TieredPricePlanDto,
  MeteredPricePlanDto,
];

/**
 * The OpenAPI schema of a price plan: one of the models, told apart by `model`. A plan has at most 7 fields (a
 * metered one: model, currency, setupFee, metric, unitPrice, includedPerPeriod, unitName); validatePricePlan
 * refuses any other.
 */
export const PRICE_PLAN_SCHEMA = {
  maxProperties: 7,
  oneOf: PRICE_PLAN_MODELS.map((model) => ({ $ref: getSchemaPath(model) })),
  discriminator: {
    propertyName: 'model',
    mapping: {
      flat_fee: getSchemaPath(FlatFeePricePlanDto),
      per_unit: getSchemaPath(PerUnitPricePlanDto),
      graduated: getSchemaPath(TieredPricePlanDto),
      volume: getSchemaPath(TieredPricePlanDto),
      metered: getSchemaPath(MeteredPricePlanDto),
    },
  },
};
