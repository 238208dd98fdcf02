import { type BillingPeriod, billingPeriodLabel, daysInPeriod } from './billing-period';
import { addDays, assertIsoDate, compareIsoDates, formatDateForPeople, type IsoDate } from './calendar-date';
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
  exactMinorUnits,
  formatMoney,
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
  /**
   * Changes of quantity, each in force from its date until the next. `quantity` is the quantity before the first
   * change. When given, recurring lines are priced per quantity segment (see quantitySegments).
   */
  readonly quantityChanges?: readonly QuantityChange[];
}

/** From `effectiveFrom` (inclusive) the subscription is for `quantity` units, until the next change. */
export interface QuantityChange {
  readonly effectiveFrom: IsoDate;
  readonly quantity: DecimalInput;
}

/** A maximal run of served days with one quantity, both ends inclusive. */
export interface QuantitySegment {
  readonly from: IsoDate;
  readonly to: IsoDate;
  readonly days: number;
  readonly quantity: Decimal;
}

/**
 * The largest net or VAT a single charge line may carry, in minor units: 10^15, £10,000,000,000,000. Amounts are
 * stored as PostgreSQL bigint (at most 9.22 × 10^18), so even thousands of lines at this bound (9,223 of them) sum
 * inside bigint on a charge's totals and a period's ledger; anything larger is a mistake in the inputs (a usage
 * reading or quantity far beyond reason), refused before it is stored rather than failing in the database.
 */
export const MAX_CHARGE_LINE_MINOR = 10n ** 15n;

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
  /** Recurring lines only: the days and quantity the line charges for. Set-up fees and usage have none. */
  readonly coverage?: ChargeLineCoverage;
}

/**
 * The served days a recurring line charges for, at which quantity. A quantity segment may give several lines (one
 * per graduated tier); `countsDays` is true on exactly one of them (its first), so summing `days` over the lines
 * that count days counts each charged day once. `quantity` is the segment's quantity (the whole quantity, not the
 * units within a tier); a flat fee ignores quantity and is 1.
 */
export interface ChargeLineCoverage {
  readonly from: IsoDate;
  readonly to: IsoDate;
  readonly days: number;
  readonly quantity: Decimal;
  readonly countsDays: boolean;
}

const ZERO: Decimal = { coefficient: 0n, scale: 0 };
const ONE: Decimal = { coefficient: 1n, scale: 0 };

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
  /** The served days a recurring line charges for; the line is prorated unless they are the whole period. */
  readonly coverage?: ChargeLineCoverage;
  /** What to check when the amount is out of range, in words: "the usage reported". */
  readonly source: string;
}

/**
 * The charge lines for one subscription in one billing period.
 *
 * - Recurring lines (flat fee, per unit, tiers) are prorated by the days the subscription served in the period.
 * - With `quantityChanges`, each quantity segment of the served days is priced at its own quantity and prorated
 *   by its own days; a flat fee ignores quantity and stays one line. The segment starting on the first served day
 *   keeps the plain key ("per_unit", "tier:2"), a later one appends its first day ("per_unit@2026-11-15"), so keys
 *   stay the same however often the period is recomputed.
 * - Usage is charged as measured, beyond the allowance, and neither the usage nor the allowance is prorated:
 *   usage already reflects the days served, and a whole allowance each period is what the plan promises.
 * - A graduated plan gives a line per tier reached, so a finance team can check each rate.
 * - Each line is rounded once, half to even, from its exact amount; VAT is then computed on the line's net.
 * - A line whose exact amount or VAT is beyond MAX_CHARGE_LINE_MINOR is refused ('amount-out-of-range').
 */
export function computeChargeLines(input: SubscriptionChargeInput): ChargeLine[] {
  const plan = assertValidPricePlan(input.plan);
  const { period, vatTreatment } = input;
  const vatRate = vatRateFor(vatTreatment);
  const usage = usageByMetric(plan, input.usage ?? {});
  const endDate = input.subscriptionEndDate ?? null;
  const segments = quantitySegments(
    period,
    input.subscriptionStartDate,
    endDate,
    input.quantity,
    input.quantityChanges ?? [],
  );
  const rate = (text: string) => parseRate(text, plan.currency);

  const line = (spec: LineSpec): ChargeLine => {
    const exactAmount = exactCharge(spec.quantity, spec.unitRate);
    const coverage = spec.recurring ? spec.coverage : undefined;
    const proration = coverage && !isWholePeriod(period, coverage) ? prorationOf(period, coverage) : null;
    const amount = proration ? prorateByDays(exactAmount, period, proration) : roundToMoney(exactAmount);
    const vat = vatOnNet(amount, vatTreatment);
    const description = proration ? `${spec.description}${prorationText(proration)}` : spec.description;
    assertWithinLineBound(exactAmount, vat, spec, description);
    return {
      key: spec.key,
      kind: spec.kind,
      description,
      periodKey: period.key,
      priceModel: plan.model,
      quantity: spec.quantity,
      unitRate: spec.unitRate,
      exactAmount,
      proration,
      amount,
      vatTreatment,
      vatRate,
      vat,
      ...(spec.tier ? { tier: spec.tier } : {}),
      ...(spec.usage ? { usage: spec.usage } : {}),
      ...(coverage ? { coverage } : {}),
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
      source: 'set-up fee in the price plan',
    });
  }
  if (segments.length > 0) {
    if (plan.model === 'flat_fee') {
      // A flat fee is the same whatever the quantity: one line for all the served days.
      const first = segments[0];
      const last = segments[segments.length - 1];
      const served = { from: first.from, to: last.to };
      specs.push(
        ...withCoverage(recurringLines(plan, period, ONE, rate), '', {
          ...served,
          days: daysInRange(served),
          quantity: ONE,
        }),
      );
    } else {
      for (const segment of segments) {
        const suffix = segment.from === segments[0].from ? '' : `@${segment.from}`;
        specs.push(...withCoverage(recurringLines(plan, period, segment.quantity, rate), suffix, segment));
      }
    }
  }
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
      source: `usage of ${plan.metric} reported`,
    });
  }
  return specs.map(line);
}

/** The segment's lines, keyed for the segment; the first of them counts the segment's days. */
function withCoverage(specs: LineSpec[], keySuffix: string, segment: QuantitySegment): LineSpec[] {
  return specs.map((spec, index) => ({
    ...spec,
    key: `${spec.key}${keySuffix}`,
    coverage: {
      from: segment.from,
      to: segment.to,
      days: segment.days,
      quantity: segment.quantity,
      countsDays: index === 0,
    },
  }));
}

/**
 * The served days of a subscription in a period, split into maximal runs with one quantity, in order.
 *
 * The quantity in force on a day is that of the latest change with `effectiveFrom` on or before the day (of two
 * changes on the same day, the later in the list), or `quantity` before any change. Changes outside the period
 * still count: one before the period sets the quantity it starts with. Adjacent days with equal quantities are
 * one segment, so the segments' days sum to the days served and a quantity that never changes is one segment.
 * Empty when the subscription serves no day of the period.
 */
export function quantitySegments(
  period: BillingPeriod,
  subscriptionStartDate: IsoDate,
  subscriptionEndDate: IsoDate | null,
  quantity: DecimalInput,
  changes: readonly QuantityChange[] = [],
): QuantitySegment[] {
  const initial = nonNegative(quantity, 'quantity');
  const checked = changes.map((change, index) => {
    assertIsoDate(change.effectiveFrom, 'date a quantity change takes effect');
    return { effectiveFrom: change.effectiveFrom, quantity: nonNegative(change.quantity, 'quantity'), index };
  });
  const served = serviceDaysInPeriod(period, subscriptionStartDate, subscriptionEndDate);
  if (!served) return [];
  // Date order, and list order within a day, so the last change applied to a day is the one in force.
  checked.sort((a, b) => compareIsoDates(a.effectiveFrom, b.effectiveFrom) || a.index - b.index);

  const starts: { from: IsoDate; quantity: Decimal }[] = [{ from: served.from, quantity: initial }];
  for (const change of checked) {
    if (compareIsoDates(change.effectiveFrom, served.to) > 0) break;
    const from = compareIsoDates(change.effectiveFrom, served.from) < 0 ? served.from : change.effectiveFrom;
    const last = starts[starts.length - 1];
    if (last.from === from) starts[starts.length - 1] = { from, quantity: change.quantity };
    else starts.push({ from, quantity: change.quantity });
  }
  const segments: QuantitySegment[] = [];
  starts.forEach((start, i) => {
    const to = i + 1 < starts.length ? addDays(starts[i + 1].from, -1) : served.to;
    const previous = segments[segments.length - 1];
    if (previous && compareDecimals(previous.quantity, start.quantity) === 0) {
      const merged = { from: previous.from, to };
      segments[segments.length - 1] = { ...merged, days: daysInRange(merged), quantity: previous.quantity };
    } else {
      segments.push({
        from: start.from,
        to,
        days: daysInRange({ from: start.from, to }),
        quantity: start.quantity,
      });
    }
  });
  return segments;
}

/** Refuses a line whose exact amount or VAT could not be stored, in words a finance officer can act on. */
function assertWithinLineBound(
  exactAmount: ExactMoney,
  vat: Money,
  spec: LineSpec,
  description: string,
): void {
  const { numerator, denominator } = exactMinorUnits(exactAmount);
  const beyond = (minor: bigint, per: bigint) => (minor < 0n ? -minor : minor) > MAX_CHARGE_LINE_MINOR * per;
  const limit = formatMoney({ amountMinor: MAX_CHARGE_LINE_MINOR, currency: exactAmount.currency });
  const what = spec.usage ? `for usage of ${spec.usage.metric}` : `for "${description}"`;
  const refuse = (figure: string, amount: Money) => {
    throw new DomainError(
      'invalid',
      'amount-out-of-range',
      `The ${figure} ${what} would be ${formatMoney(amount)}, more than the ${limit} a charge line can hold: check the ${spec.source}`,
      {
        key: spec.key,
        amountMinor: amount.amountMinor.toString(),
        maxMinor: MAX_CHARGE_LINE_MINOR.toString(),
        currency: amount.currency,
      },
    );
  };
  if (beyond(numerator, denominator)) refuse('charge', roundToMoney(exactAmount));
  if (beyond(vat.amountMinor, 1n)) refuse('VAT on the charge', vat);
}

function recurringLines(
  plan: PricePlan,
  period: BillingPeriod,
  quantity: Decimal,
  rate: (text: string) => UnitRate,
): LineSpec[] {
  const unit = unitText(plan);
  const source = 'quantity subscribed';
  switch (plan.model) {
    case 'flat_fee':
      return [
        {
          key: 'flat_fee',
          kind: 'flat_fee',
          description: `Flat fee for ${billingPeriodLabel(period)}`,
          quantity: ONE,
          unitRate: rate(plan.feePerPeriod),
          recurring: true,
          source: 'flat fee in the price plan',
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
          source,
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
            source,
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
          source,
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
  readonly coverage?: { from: IsoDate; to: IsoDate; days: number; quantity: string; countsDays: boolean };
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
    ...(line.coverage
      ? { coverage: { ...line.coverage, quantity: formatDecimal(line.coverage.quantity) } }
      : {}),
  };
}
