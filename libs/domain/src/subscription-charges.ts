import { type BillingPeriod, billingPeriodLabel, daysInPeriod } from './billing-period';
import { formatDateForPeople, type IsoDate } from './calendar-date';
import {
  type Decimal,
  type DecimalInput,
  compareDecimals,
  decimalSign,
  formatDecimal,
  maxDecimal,
  minDecimal,
  normaliseDecimal,
  parseDecimal,
  subtractDecimals,
  toDecimal,
} from './decimal';
import { DomainError } from './domain-error';
import {
  addMoney,
  type ExactMoney,
  type Money,
  type MoneyJson,
  moneyToJson,
  roundToMoney,
  zeroMoney,
} from './money';
import {
  assertValidPricePlan,
  type PriceModel,
  type PricePlan,
  pricePlanMetrics,
  QUANTITY_DECIMAL_PLACES,
  type TieredPricePlan,
} from './price-plan';
import { daysInRange, type DayRange, isWholePeriod, prorateByDays, serviceDaysInPeriod } from './proration';
import { exactCharge, formatRate, parseRate, rateToDecimalString, type UnitRate } from './rate';
import type { Currency } from './roles';
import { type VatTreatment, vatOnNet, vatRateFor } from './vat';

export interface SubscriptionChargeInput {
  readonly plan: PricePlan;
  readonly period: BillingPeriod;
  /** Units subscribed (seats, sites, devices). Flat-fee and metered plans ignore it. */
  readonly quantity: DecimalInput;
  /** Total usage in the period per metric; a metric with no entry used nothing. */
  readonly usage?: Readonly<Record<string, DecimalInput>>;
  readonly subscriptionStartDate: IsoDate;
  /** The last day of service, inclusive; null or absent while the subscription is open-ended. */
  readonly subscriptionEndDate?: IsoDate | null;
  /** Whether this period's charge carries the plan's one-off set-up fee (the caller knows if it was charged). */
  readonly setupFeeDue: boolean;
  readonly vatTreatment: VatTreatment;
}

export const CHARGE_LINE_KINDS = [
  'setup_fee',
  'flat_fee',
  'per_unit',
  'graduated_tier',
  'volume',
  'usage',
] as const;
export type ChargeLineKind = (typeof CHARGE_LINE_KINDS)[number];

/** Why a recurring line is less than a whole period's charge: the subscription served only some of its days. */
export interface ChargeLineProration {
  readonly from: IsoDate;
  readonly to: IsoDate;
  readonly serviceDays: number;
  readonly periodDays: number;
}

export interface ChargeLineTier {
  /** 1 for the first tier. */
  readonly number: number;
  /** The tier covers units above this… */
  readonly above: number;
  /** …up to and including this; null for the last tier. */
  readonly upTo: number | null;
}

export interface ChargeLineUsage {
  readonly metric: string;
  readonly used: Decimal;
  readonly included: Decimal;
  readonly billable: Decimal;
}

/**
 * One line of a cross-charge. Everything needed to explain and recompute it is on the line: what was counted,
 * at what rate, the exact unrounded amount, any proration, and the tier or usage it came from. The caller adds
 * the subscription, price version and usage identifiers that tie it to stored records.
 */
export interface ChargeLine {
  /** Unique within one subscription's charge for one period ("tier:2", "usage:storage_gb"): fit for a unique key. */
  readonly key: string;
  readonly kind: ChargeLineKind;
  readonly description: string;
  readonly periodKey: string;
  readonly priceModel: PriceModel;
  readonly quantity: Decimal;
  readonly unitRate: UnitRate;
  /** quantity × unitRate, exact, for the whole period: before proration and before rounding. */
  readonly exactAmount: ExactMoney;
  readonly proration: ChargeLineProration | null;
  /** The net charge in minor units: exactAmount, prorated by days when `proration` is set, rounded once. */
  readonly amount: Money;
  readonly vatTreatment: VatTreatment;
  readonly vatRate: Decimal;
  readonly vat: Money;
  readonly tier?: ChargeLineTier;
  readonly usage?: ChargeLineUsage;
}

const ZERO: Decimal = { coefficient: 0n, scale: 0 };

function nonNegative(input: DecimalInput, what: string): Decimal {
  const value = normaliseDecimal(toDecimal(input, what));
  if (decimalSign(value) < 0) {
    throw new DomainError('invalid', 'negative-quantity', `The ${what} must not be negative`, {
      value: formatDecimal(value),
    });
  }
  if (value.scale > QUANTITY_DECIMAL_PLACES) {
    throw new DomainError(
      'invalid',
      'too-many-decimal-places',
      `The ${what} may have at most ${QUANTITY_DECIMAL_PLACES} decimal places`,
      { value: formatDecimal(value) },
    );
  }
  return value;
}

function quantityText(value: Decimal): string {
  return formatDecimal(value, { grouping: true });
}

function unitText(plan: PricePlan): string {
  return 'unitName' in plan && plan.unitName ? plan.unitName : 'unit';
}

function tierRangeText(tier: ChargeLineTier, only: boolean): string {
  if (only) return 'all units';
  const above = quantityText({ coefficient: BigInt(tier.above), scale: 0 });
  if (tier.upTo === null) return `above ${above}`;
  const upTo = quantityText({ coefficient: BigInt(tier.upTo), scale: 0 });
  return tier.above === 0 ? `up to ${upTo}` : `above ${above}, up to ${upTo}`;
}

function tiersOf(plan: TieredPricePlan): ChargeLineTier[] {
  return plan.tiers.map((tier, index) => ({
    number: index + 1,
    above: index === 0 ? 0 : (plan.tiers[index - 1].upTo as number),
    upTo: tier.upTo,
  }));
}

interface LineSpec {
  readonly key: string;
  readonly kind: ChargeLineKind;
  readonly description: string;
  readonly quantity: Decimal;
  readonly unitRate: UnitRate;
  /** Recurring lines are prorated by the days served; set-up fees and usage are not. */
  readonly recurring: boolean;
  readonly tier?: ChargeLineTier;
  readonly usage?: ChargeLineUsage;
}

/**
 * The charge lines for one subscription in one billing period.
 *
 * - Recurring lines (flat fee, per unit, tiers) are prorated by the days the subscription served in the period.
 * - Usage is charged as measured, beyond the allowance, and neither the usage nor the allowance is prorated:
 *   usage already reflects the days served, and a whole allowance each period is what the plan promises.
 * - A graduated plan gives a line per tier reached, so a finance team can check each rate.
 * - Each line is rounded once, half to even, from its exact amount; VAT is then computed on the line's net.
 */
export function computeChargeLines(input: SubscriptionChargeInput): ChargeLine[] {
  const plan = assertValidPricePlan(input.plan);
  const { period, vatTreatment } = input;
  const vatRate = vatRateFor(vatTreatment);
  const quantity = nonNegative(input.quantity, 'quantity');
  const usage = usageByMetric(plan, input.usage ?? {});
  const served = serviceDaysInPeriod(period, input.subscriptionStartDate, input.subscriptionEndDate ?? null);
  const proration = served && !isWholePeriod(period, served) ? prorationOf(period, served) : null;
  const rate = (text: string) => parseRate(text, plan.currency);

  const line = (spec: LineSpec): ChargeLine => {
    const exactAmount = exactCharge(spec.quantity, spec.unitRate);
    const prorated = spec.recurring ? proration : null;
    const amount = prorated ? prorateByDays(exactAmount, period, prorated) : roundToMoney(exactAmount);
    return {
      key: spec.key,
      kind: spec.kind,
      description: prorated ? `${spec.description}${prorationText(prorated)}` : spec.description,
      periodKey: period.key,
      priceModel: plan.model,
      quantity: spec.quantity,
      unitRate: spec.unitRate,
      exactAmount,
      proration: prorated,
      amount,
      vatTreatment,
      vatRate,
      vat: vatOnNet(amount, vatTreatment),
      ...(spec.tier ? { tier: spec.tier } : {}),
      ...(spec.usage ? { usage: spec.usage } : {}),
    };
  };

  const specs: LineSpec[] = [];
  if (input.setupFeeDue && plan.setupFee && decimalSign(parseDecimal(plan.setupFee)) > 0) {
    specs.push({
      key: 'setup_fee',
      kind: 'setup_fee',
      description: 'One-off set-up fee',
      quantity: { coefficient: 1n, scale: 0 },
      unitRate: rate(plan.setupFee),
      recurring: false,
    });
  }
  if (served) specs.push(...recurringLines(plan, period, quantity, rate));
  if (plan.model === 'metered') {
    const used = usage.get(plan.metric) ?? ZERO;
    const included = plan.includedPerPeriod ? parseDecimal(plan.includedPerPeriod) : ZERO;
    const billable = maxDecimal(subtractDecimals(used, included), ZERO);
    const unitRate = rate(plan.unitPrice);
    const allowance =
      decimalSign(included) > 0 ? `${quantityText(used)} used, ${quantityText(included)} included, ` : '';
    specs.push({
      key: `usage:${plan.metric}`,
      kind: 'usage',
      description: `Usage of ${plan.metric}: ${allowance}${quantityText(billable)} × ${formatRate(unitRate)} per ${unitText(plan)}`,
      quantity: billable,
      unitRate,
      recurring: false,
      usage: { metric: plan.metric, used, included, billable },
    });
  }
  return specs.map(line);
}

function recurringLines(
  plan: PricePlan,
  period: BillingPeriod,
  quantity: Decimal,
  rate: (text: string) => UnitRate,
): LineSpec[] {
  const unit = unitText(plan);
  switch (plan.model) {
    case 'flat_fee':
      return [
        {
          key: 'flat_fee',
          kind: 'flat_fee',
          description: `Flat fee for ${billingPeriodLabel(period)}`,
          quantity: { coefficient: 1n, scale: 0 },
          unitRate: rate(plan.feePerPeriod),
          recurring: true,
        },
      ];
    case 'per_unit': {
      if (decimalSign(quantity) === 0) return [];
      const unitRate = rate(plan.unitPrice);
      return [
        {
          key: 'per_unit',
          kind: 'per_unit',
          description: `${quantityText(quantity)} × ${formatRate(unitRate)} per ${unit}`,
          quantity,
          unitRate,
          recurring: true,
        },
      ];
    }
    case 'graduated': {
      const tiers = tiersOf(plan);
      return tiers.flatMap((tier, index): LineSpec[] => {
        const unitsInTier = unitsWithin(quantity, tier);
        if (decimalSign(unitsInTier) === 0) return [];
        const unitRate = rate(plan.tiers[index].unitPrice);
        return [
          {
            key: `tier:${tier.number}`,
            kind: 'graduated_tier',
            description: `Tier ${tier.number} (${tierRangeText(tier, tiers.length === 1)}): ${quantityText(unitsInTier)} × ${formatRate(unitRate)} per ${unit}`,
            quantity: unitsInTier,
            unitRate,
            recurring: true,
            tier,
          },
        ];
      });
    }
    case 'volume': {
      if (decimalSign(quantity) === 0) return [];
      const tiers = tiersOf(plan);
      const index = volumeTierIndex(plan, quantity);
      const tier = tiers[index];
      const unitRate = rate(plan.tiers[index].unitPrice);
      return [
        {
          key: 'volume',
          kind: 'volume',
          description: `${quantityText(quantity)} × ${formatRate(unitRate)} per ${unit} (volume tier ${tier.number}: ${tierRangeText(tier, tiers.length === 1)})`,
          quantity,
          unitRate,
          recurring: true,
          tier,
        },
      ];
    }
    case 'metered':
      return [];
  }
}

/** How many of `quantity` units fall in the tier: those above `tier.above`, up to `tier.upTo`. */
function unitsWithin(quantity: Decimal, tier: ChargeLineTier): Decimal {
  const above = subtractDecimals(quantity, { coefficient: BigInt(tier.above), scale: 0 });
  if (decimalSign(above) <= 0) return ZERO;
  if (tier.upTo === null) return above;
  return minDecimal(above, { coefficient: BigInt(tier.upTo - tier.above), scale: 0 });
}

/** The index of the tier a quantity reaches: the first whose upTo is at least the quantity. */
export function volumeTierIndex(plan: TieredPricePlan, quantity: DecimalInput): number {
  const value = toDecimal(quantity, 'quantity');
  const index = plan.tiers.findIndex(
    (tier) => tier.upTo === null || compareDecimals(value, { coefficient: BigInt(tier.upTo), scale: 0 }) <= 0,
  );
  return index === -1 ? plan.tiers.length - 1 : index;
}

function usageByMetric(plan: PricePlan, usage: Readonly<Record<string, DecimalInput>>): Map<string, Decimal> {
  const metrics = pricePlanMetrics(plan);
  const result = new Map<string, Decimal>();
  for (const [metric, value] of Object.entries(usage)) {
    if (!metrics.includes(metric)) {
      throw new DomainError(
        'invalid',
        'unknown-metric',
        `The price plan does not charge for the metric ${metric}`,
        {
          metric,
          metrics,
        },
      );
    }
    result.set(metric, nonNegative(value, `usage of ${metric}`));
  }
  return result;
}

function prorationOf(period: BillingPeriod, served: DayRange): ChargeLineProration {
  return {
    from: served.from,
    to: served.to,
    serviceDays: daysInRange(served),
    periodDays: daysInPeriod(period),
  };
}

function prorationText(proration: ChargeLineProration): string {
  const days = `${proration.serviceDays} of ${proration.periodDays} days`;
  return `, ${formatDateForPeople(proration.from)} to ${formatDateForPeople(proration.to)} (${days})`;
}

export interface ChargeTotals {
  readonly net: Money;
  readonly vat: Money;
  readonly gross: Money;
}

/** Net, VAT and gross of a set of lines: sums of the already-rounded line figures, so totals match the lines. */
export function totalChargeLines(lines: readonly ChargeLine[], currency: Currency): ChargeTotals {
  let net = zeroMoney(currency);
  let vat = zeroMoney(currency);
  for (const line of lines) {
    net = addMoney(net, line.amount);
    vat = addMoney(vat, line.vat);
  }
  return { net, vat, gross: addMoney(net, vat) };
}

/** A charge line as JSON: decimals as exact strings, money as MoneyJson. */
export interface ChargeLineJson {
  readonly key: string;
  readonly kind: ChargeLineKind;
  readonly description: string;
  readonly periodKey: string;
  readonly priceModel: PriceModel;
  readonly quantity: string;
  readonly unitRate: string;
  readonly exactAmount: string;
  readonly proration: ChargeLineProration | null;
  readonly amount: MoneyJson;
  readonly vatTreatment: VatTreatment;
  readonly vatRate: string;
  readonly vat: MoneyJson;
  readonly tier?: ChargeLineTier;
  readonly usage?: { metric: string; used: string; included: string; billable: string };
}

export function chargeLineToJson(line: ChargeLine): ChargeLineJson {
  return {
    key: line.key,
    kind: line.kind,
    description: line.description,
    periodKey: line.periodKey,
    priceModel: line.priceModel,
    quantity: formatDecimal(line.quantity),
    unitRate: rateToDecimalString(line.unitRate),
    exactAmount: formatDecimal(line.exactAmount.amount),
    proration: line.proration,
    amount: moneyToJson(line.amount),
    vatTreatment: line.vatTreatment,
    vatRate: formatDecimal(line.vatRate),
    vat: moneyToJson(line.vat),
    ...(line.tier ? { tier: line.tier } : {}),
    ...(line.usage
      ? {
          usage: {
            metric: line.usage.metric,
            used: formatDecimal(line.usage.used),
            included: formatDecimal(line.usage.included),
            billable: formatDecimal(line.usage.billable),
          },
        }
      : {}),
  };
}
