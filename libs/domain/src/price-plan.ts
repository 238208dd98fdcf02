import { CURRENCY_DETAILS, isCurrency } from './currency';
import { compareDecimals, decimalSign, parseDecimal } from './decimal';
import { DomainError } from './domain-error';
import { RATE_DECIMAL_PLACES } from './rate';
import { CURRENCIES, type Currency } from './roles';

export const PRICE_MODELS = ['flat_fee', 'per_unit', 'graduated', 'volume', 'metered'] as const;
export type PriceModel = (typeof PRICE_MODELS)[number];

export const PRICE_MODEL_LABELS: Readonly<Record<PriceModel, string>> = {
  flat_fee: 'Flat fee per period',
  per_unit: 'Per unit',
  graduated: 'Graduated tiers',
  volume: 'Volume tiers',
  metered: 'Metered usage',
};

/*
 * A price plan is stored and exchanged as JSON, so every amount in it is a decimal string of major units
 * ("1500.00", "0.0125"): exact, readable, and free of float rounding. Fees are whole pence (at most two
 * decimal places); unit prices may be fractions of a penny (at most six).
 */
interface PricePlanCommon {
  readonly currency: Currency;
  /** A one-off fee, charged once when the subscription starts. */
  readonly setupFee?: string | null;
}

/** The same fee each billing period, whatever the quantity. */
export interface FlatFeePricePlan extends PricePlanCommon {
  readonly model: 'flat_fee';
  readonly feePerPeriod: string;
}

/** Quantity × unit price each period: seats, sites, devices. */
export interface PerUnitPricePlan extends PricePlanCommon {
  readonly model: 'per_unit';
  readonly unitPrice: string;
  /** What one unit is, singular: "device", "site". */
  readonly unitName?: string;
}

/**
 * A tier covers the units above the previous tier's `upTo` up to and including its own; the first starts at
 * zero and the last has `upTo: null` (no limit). Describing tiers only by their upper bounds makes gaps and
 * overlaps impossible: contiguity is structural, and validation checks the bounds increase.
 */
export interface PriceTier {
  readonly upTo: number | null;
  readonly unitPrice: string;
}

/** Each tier's units at that tier's price: 1–100 at £5, the next 400 at £4, and so on. */
export interface GraduatedPricePlan extends PricePlanCommon {
  readonly model: 'graduated';
  readonly tiers: readonly PriceTier[];
  readonly unitName?: string;
}

/** Every unit at the price of the tier the quantity reaches: 150 units all at the 101–500 price. */
export interface VolumePricePlan extends PricePlanCommon {
  readonly model: 'volume';
  readonly tiers: readonly PriceTier[];
  readonly unitName?: string;
}

/** A price per unit of a named usage metric, with an optional allowance included each period at no charge. */
export interface MeteredPricePlan extends PricePlanCommon {
  readonly model: 'metered';
  /** The usage events' metric, e.g. "storage_gb". */
  readonly metric: string;
  readonly unitPrice: string;
  readonly includedPerPeriod?: string | null;
  readonly unitName?: string;
}

export type TieredPricePlan = GraduatedPricePlan | VolumePricePlan;
export type PricePlan = FlatFeePricePlan | PerUnitPricePlan | TieredPricePlan | MeteredPricePlan;

export const MAX_PRICE_TIERS = 20;
export const QUANTITY_DECIMAL_PLACES = 6;
/** Lower-case snake case, so metric names are stable identifiers in usage events and URLs. */
export const METRIC_NAME_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;
export const MAX_UNIT_NAME_LENGTH = 40;
/** Longest amount text a plan accepts: far beyond any real price, short enough to bound the work of parsing it. */
export const MAX_AMOUNT_TEXT_LENGTH = 32;
/**
 * The most any one price or fee may be, in major units (£1bn). Charges are pence in a bigint; with quantities of at
 * most a million units this keeps every line (and a period's sum of them) far inside it.
 */
export const MAX_PRICE_AMOUNT = '1000000000';
const MAX_PRICE = parseDecimal(MAX_PRICE_AMOUNT);

export interface PricePlanProblem {
  /** Where in the plan, e.g. "tiers[1].upTo". */
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

export type PricePlanValidation =
  | { readonly valid: true; readonly plan: PricePlan }
  | { readonly valid: false; readonly problems: readonly PricePlanProblem[] };

const FIELDS: Readonly<Record<PriceModel, readonly string[]>> = {
  flat_fee: ['feePerPeriod'],
  per_unit: ['unitPrice', 'unitName'],
  graduated: ['tiers', 'unitName'],
  volume: ['tiers', 'unitName'],
  metered: ['metric', 'unitPrice', 'includedPerPeriod', 'unitName'],
};
const COMMON_FIELDS = ['model', 'currency', 'setupFee'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class ProblemList {
  readonly problems: PricePlanProblem[] = [];

  add(path: string, code: string, message: string): void {
    this.problems.push({ path, code, message });
  }

  /** A decimal string from 0 to MAX_PRICE_AMOUNT with at most `maxScale` places. */
  checkAmount(value: unknown, path: string, maxScale: number, what: string): void {
    if (typeof value !== 'string') {
      this.add(path, 'not-a-decimal-string', `The ${what} must be a decimal string such as "12.50"`);
      return;
    }
    if (value.length > MAX_AMOUNT_TEXT_LENGTH) {
      this.add(path, 'amount-too-long', `The ${what} must be at most ${MAX_AMOUNT_TEXT_LENGTH} characters`);
      return;
    }
    try {
      const amount = parseDecimal(value, { maxScale, what });
      if (decimalSign(amount) < 0) {
        this.add(path, 'negative', `The ${what} must not be negative`);
      } else if (compareDecimals(amount, MAX_PRICE) > 0) {
        this.add(path, 'amount-too-large', `The ${what} must be at most 1,000,000,000.00`);
      }
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      this.add(path, error.code, error.message);
    }
  }

  checkUnitName(value: unknown): void {
    if (value === undefined) return;
    if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_UNIT_NAME_LENGTH) {
      this.add(
        'unitName',
        'invalid-unit-name',
        `The unit name must be 1 to ${MAX_UNIT_NAME_LENGTH} characters`,
      );
    }
  }

  checkTiers(value: unknown, rateScale: number): void {
    if (!Array.isArray(value) || value.length === 0) {
      this.add('tiers', 'no-tiers', 'A tiered plan needs at least one tier');
      return;
    }
    if (value.length > MAX_PRICE_TIERS) {
      this.add('tiers', 'too-many-tiers', `A plan may have at most ${MAX_PRICE_TIERS} tiers`);
    }
    let previousUpTo = 0;
    value.forEach((tier: unknown, index) => {
      const path = `tiers[${index}]`;
      const isLast = index === value.length - 1;
      if (!isRecord(tier)) {
        this.add(path, 'invalid-tier', 'Each tier must be an object with upTo and unitPrice');
        return;
      }
      for (const key of Object.keys(tier)) {
        if (key !== 'upTo' && key !== 'unitPrice')
          this.add(`${path}.${key}`, 'unknown-field', `Unknown tier field "${key}"`);
      }
      this.checkAmount(tier.unitPrice, `${path}.unitPrice`, rateScale, 'unit price');
      const upTo = tier.upTo;
      if (isLast) {
        if (upTo !== null) {
          this.add(
            `${path}.upTo`,
            'last-tier-bounded',
            'The last tier must have no upper limit (upTo: null)',
          );
        }
        return;
      }
      if (upTo === null) {
        this.add(`${path}.upTo`, 'unbounded-tier-not-last', 'Only the last tier may have no upper limit');
        return;
      }
      if (typeof upTo !== 'number' || !Number.isSafeInteger(upTo) || upTo <= 0) {
        this.add(
          `${path}.upTo`,
          'invalid-tier-bound',
          "Each tier's upTo must be a whole number of units above zero",
        );
        return;
      }
      if (upTo <= previousUpTo) {
        this.add(
          `${path}.upTo`,
          'tiers-not-increasing',
          `Each tier must end above the previous one: ${upTo} is not above ${previousUpTo}`,
        );
      }
      previousUpTo = Math.max(previousUpTo, upTo);
    });
  }
}

/**
 * Checks a plan definition from outside (a request body, a stored JSON column) and returns every problem found,
 * each with the path of the field at fault, so a form can show them all at once.
 */
export function validatePricePlan(input: unknown): PricePlanValidation {
  const list = new ProblemList();
  if (!isRecord(input)) {
    list.add('', 'not-an-object', 'A price plan must be an object');
    return { valid: false, problems: list.problems };
  }
  const model = input.model;
  if (!(PRICE_MODELS as readonly unknown[]).includes(model)) {
    list.add('model', 'unknown-model', `The price model must be one of ${PRICE_MODELS.join(', ')}`);
    return { valid: false, problems: list.problems };
  }
  const priceModel = model as PriceModel;
  if (!isCurrency(input.currency)) {
    list.add('currency', 'unknown-currency', `The currency must be one of ${CURRENCIES.join(', ')}`);
  }
  const feeScale = isCurrency(input.currency) ? CURRENCY_DETAILS[input.currency].minorDigits : 2;

  const allowed = new Set([...COMMON_FIELDS, ...FIELDS[priceModel]]);
  for (const key of Object.keys(input)) {
    if (!allowed.has(key))
      list.add(key, 'unknown-field', `A ${priceModel.replace('_', ' ')} plan has no field "${key}"`);
  }
  if (input.setupFee !== undefined && input.setupFee !== null) {
    list.checkAmount(input.setupFee, 'setupFee', feeScale, 'set-up fee');
  }

  switch (priceModel) {
    case 'flat_fee':
      list.checkAmount(input.feePerPeriod, 'feePerPeriod', feeScale, 'fee per period');
      break;
    case 'per_unit':
      list.checkAmount(input.unitPrice, 'unitPrice', RATE_DECIMAL_PLACES, 'unit price');
      list.checkUnitName(input.unitName);
      break;
    case 'graduated':
    case 'volume':
      list.checkTiers(input.tiers, RATE_DECIMAL_PLACES);
      list.checkUnitName(input.unitName);
      break;
    case 'metered':
      if (typeof input.metric !== 'string' || !METRIC_NAME_PATTERN.test(input.metric)) {
        list.add('metric', 'invalid-metric', 'The metric must be a lower-case name such as storage_gb');
      }
      list.checkAmount(input.unitPrice, 'unitPrice', RATE_DECIMAL_PLACES, 'unit price');
      if (input.includedPerPeriod !== undefined && input.includedPerPeriod !== null) {
        list.checkAmount(
          input.includedPerPeriod,
          'includedPerPeriod',
          QUANTITY_DECIMAL_PLACES,
          'included usage',
        );
      }
      list.checkUnitName(input.unitName);
      break;
  }
  return list.problems.length === 0
    ? { valid: true, plan: input as unknown as PricePlan }
    : { valid: false, problems: list.problems };
}

/** The plan, or an `invalid-price-plan` error listing every problem in `details.problems`. */
export function assertValidPricePlan(input: unknown): PricePlan {
  const result = validatePricePlan(input);
  if (!result.valid) {
    throw new DomainError(
      'invalid',
      'invalid-price-plan',
      `The price plan is not valid: ${result.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ')}`,
      { problems: result.problems },
    );
  }
  return result.plan;
}

/** The usage metrics a plan charges for: what usage events for a subscription on this plan may report. */
export function pricePlanMetrics(plan: PricePlan): string[] {
  return plan.model === 'metered' ? [plan.metric] : [];
}
