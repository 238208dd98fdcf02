import fc from 'fast-check';
import { type BillingPeriod, billingPeriodFromKey, daysInPeriod } from './billing-period';
import { addDays } from './calendar-date';
import { compareDecimals, decimal, formatDecimal, parseDecimal } from './decimal';
import { DomainError } from './domain-error';
import { exactMinorUnits, money } from './money';
import type { GraduatedPricePlan, PricePlan, PriceTier, VolumePricePlan } from './price-plan';
import { rateToDecimalString, unitRate } from './rate';
import {
  type ChargeLine,
  chargeLineToJson,
  computeChargeLines,
  type SubscriptionChargeInput,
  totalChargeLines,
  volumeTierIndex,
} from './subscription-charges';

const april = billingPeriodFromKey('2025-04');
const gbp = (pence: bigint) => money(pence, 'GBP');

const flatFee: PricePlan = {
  model: 'flat_fee',
  currency: 'GBP',
  feePerPeriod: '1500.00',
  setupFee: '250.00',
};
const perDevice: PricePlan = { model: 'per_unit', currency: 'GBP', unitPrice: '4.50', unitName: 'device' };
const tiers: PriceTier[] = [
  { upTo: 100, unitPrice: '5.00' },
  { upTo: 500, unitPrice: '4.00' },
  { upTo: null, unitPrice: '3.00' },
];
const graduated: GraduatedPricePlan = { model: 'graduated', currency: 'GBP', tiers, unitName: 'device' };
const volume: VolumePricePlan = { model: 'volume', currency: 'GBP', tiers, unitName: 'device' };
const storage: PricePlan = {
  model: 'metered',
  currency: 'GBP',
  metric: 'storage_gb',
  unitPrice: '0.0125',
  includedPerPeriod: '500',
  unitName: 'GB',
};

/** A subscription running all through April unless told otherwise. */
function charge(plan: PricePlan, overrides: Partial<SubscriptionChargeInput> = {}): ChargeLine[] {
  return computeChargeLines({
    plan,
    period: april,
    quantity: 0,
    subscriptionStartDate: '2024-01-01',
    setupFeeDue: false,
    vatTreatment: 'outside_scope',
    ...overrides,
  });
}

const amounts = (lines: ChargeLine[]) =>
  Object.fromEntries(lines.map((line) => [line.key, line.amount.amountMinor]));
const net = (lines: ChargeLine[]) => lines.reduce((sum, line) => sum + line.amount.amountMinor, 0n);

describe('charge lines for a subscription in a period', () => {
  it('charges a flat fee for the whole period', () => {
    const [line] = charge(flatFee);
    expect(line).toMatchObject({
      key: 'flat_fee',
      kind: 'flat_fee',
      description: 'Flat fee for April 2025',
      periodKey: '2025-04',
      priceModel: 'flat_fee',
      amount: gbp(150_000n),
      proration: null,
      vat: gbp(0n),
    });
    expect(formatDecimal(line.quantity)).toBe('1');
  });

  it('prorates a flat fee by days for a subscription starting mid-period', () => {
    const [line] = charge(flatFee, { subscriptionStartDate: '2025-04-16' });
    expect(line.amount).toEqual(gbp(75_000n));
    expect(line.proration).toEqual({ from: '2025-04-16', to: '2025-04-30', serviceDays: 15, periodDays: 30 });
    expect(line.description).toBe('Flat fee for April 2025, 16 Apr 2025 to 30 Apr 2025 (15 of 30 days)');
  });

  it('prorates for a subscription ending mid-period', () => {
    const lines = charge(perDevice, { quantity: 10, subscriptionEndDate: '2025-04-03' });
    // 10 × £4.50 × 3/30 = £4.50.
    expect(amounts(lines)).toEqual({ per_unit: 450n });
  });

  it('charges quantity × unit price', () => {
    const [line] = charge(perDevice, { quantity: 1200 });
    expect(line.description).toBe('1,200 × £4.50 per device');
    expect(line.amount).toEqual(gbp(540_000n));
    expect(rateToDecimalString(line.unitRate)).toBe('4.50');
  });

  it('charges each graduated tier at its own rate, one line per tier', () => {
    const lines = charge(graduated, { quantity: 650 });
    expect(lines.map((line) => line.description)).toEqual([
      'Tier 1 (up to 100): 100 × £5.00 per device',
      'Tier 2 (above 100, up to 500): 400 × £4.00 per device',
      'Tier 3 (above 500): 150 × £3.00 per device',
    ]);
    expect(amounts(lines)).toEqual({ 'tier:1': 50_000n, 'tier:2': 160_000n, 'tier:3': 45_000n });
    expect(lines[1].tier).toEqual({ number: 2, above: 100, upTo: 500 });
  });

  it('stops at the tier the quantity reaches', () => {
    expect(amounts(charge(graduated, { quantity: 100 }))).toEqual({ 'tier:1': 50_000n });
    expect(amounts(charge(graduated, { quantity: '100.5' }))).toEqual({ 'tier:1': 50_000n, 'tier:2': 200n });
  });

  it('charges every unit at the rate of the volume tier reached', () => {
    const [line] = charge(volume, { quantity: 650 });
    expect(line.description).toBe('650 × £3.00 per device (volume tier 3: above 500)');
    expect(line.amount).toEqual(gbp(195_000n));
    expect(line.tier).toEqual({ number: 3, above: 500, upTo: null });
  });

  it('can charge less for more units at a volume tier edge, as volume pricing intends', () => {
    // 100 units at £5.00 cost more than 101 units at £4.00: the guarantee is monotony within a tier only.
    expect(net(charge(volume, { quantity: 100 }))).toBe(50_000n);
    expect(net(charge(volume, { quantity: 101 }))).toBe(40_400n);
  });

  it('charges usage beyond the allowance at the metered rate', () => {
    const [line] = charge(storage, { usage: { storage_gb: 820 } });
    expect(line.description).toBe('Usage of storage_gb: 820 used, 500 included, 320 × £0.0125 per GB');
    expect(line.amount).toEqual(gbp(400n));
    expect(line.usage).toEqual({
      metric: 'storage_gb',
      used: decimal(820n),
      included: decimal(500n),
      billable: decimal(320n),
    });
  });

  it('shows usage within the allowance as a zero line, so the allowance is visible', () => {
    const [line] = charge(storage, { usage: { storage_gb: '499.999' } });
    expect(line.amount).toEqual(gbp(0n));
    expect(formatDecimal(line.quantity)).toBe('0');
    expect(charge(storage)[0].usage?.used).toEqual(decimal(0n));
  });

  it('charges fractional usage exactly and rounds once, half to even', () => {
    const plan: PricePlan = { model: 'metered', currency: 'GBP', metric: 'storage_gb', unitPrice: '0.0125' };
    const [line] = charge(plan, { usage: { storage_gb: '1234.5' } });
    expect(formatDecimal(line.exactAmount.amount)).toBe('15.43125');
    expect(line.amount).toEqual(gbp(1543n));
    // 0.4 × 0.0125 = £0.005: exactly half a penny, rounded to the even 0p.
    expect(charge(plan, { usage: { storage_gb: '0.4' } })[0].amount).toEqual(gbp(0n));
    expect(charge(plan, { usage: { storage_gb: '1.2' } })[0].amount).toEqual(gbp(2n));
  });

  it('does not prorate usage or its allowance for a part period', () => {
    const [line] = charge(storage, { usage: { storage_gb: 820 }, subscriptionStartDate: '2025-04-20' });
    expect(line.amount).toEqual(gbp(400n));
    expect(line.proration).toBeNull();
  });

  it('adds the one-off set-up fee only when due, without proration', () => {
    const lines = charge(flatFee, { setupFeeDue: true, subscriptionStartDate: '2025-04-16' });
    expect(amounts(lines)).toEqual({ setup_fee: 25_000n, flat_fee: 75_000n });
    expect(lines[0].description).toBe('One-off set-up fee');
    expect(amounts(charge(flatFee))).toEqual({ flat_fee: 150_000n });
    expect(amounts(charge({ ...perDevice, setupFee: '0.00' }, { quantity: 1, setupFeeDue: true }))).toEqual({
      per_unit: 450n,
    });
  });

  it('adds VAT per line on standard-rated services and totals the lines', () => {
    const lines = charge(flatFee, { setupFeeDue: true, vatTreatment: 'standard' });
    expect(lines.map((line) => line.vat)).toEqual([gbp(5_000n), gbp(30_000n)]);
    expect(formatDecimal(lines[0].vatRate)).toBe('0.2');
    expect(totalChargeLines(lines, 'GBP')).toEqual({
      net: gbp(175_000n),
      vat: gbp(35_000n),
      gross: gbp(210_000n),
    });
    expect(totalChargeLines([], 'GBP').gross).toEqual(gbp(0n));
  });

  it('charges nothing recurring outside the subscription’s dates, but still charges reported usage', () => {
    expect(charge(perDevice, { quantity: 5, subscriptionStartDate: '2025-05-01' })).toEqual([]);
    expect(charge(perDevice, { quantity: 5, subscriptionEndDate: '2025-03-31' })).toEqual([]);
    const lines = charge(storage, { usage: { storage_gb: 600 }, subscriptionEndDate: '2025-03-31' });
    expect(amounts(lines)).toEqual({ 'usage:storage_gb': 125n });
  });

  it('leaves out lines with no units', () => {
    expect(charge(perDevice, { quantity: 0 })).toEqual([]);
    expect(charge(graduated, { quantity: 0 })).toEqual([]);
    expect(charge(volume, { quantity: 0 })).toEqual([]);
  });

  it.each<[string, PricePlan, Partial<SubscriptionChargeInput>, string]>([
    [
      'usage of a metric the plan does not charge for',
      storage,
      { usage: { api_calls: 5 } },
      'unknown-metric',
    ],
    ['usage on a plan without metrics', perDevice, { usage: { storage_gb: 5 } }, 'unknown-metric'],
    ['negative usage', storage, { usage: { storage_gb: '-1' } }, 'negative-quantity'],
    ['a negative quantity', perDevice, { quantity: -1 }, 'negative-quantity'],
    ['a fractional JavaScript number', perDevice, { quantity: 2.5 }, 'inexact-number'],
    ['a quantity finer than a millionth', perDevice, { quantity: '1.0000001' }, 'too-many-decimal-places'],
    [
      'an invalid plan',
      { ...perDevice, unitPrice: '-4' } as PricePlan,
      { quantity: 1 },
      'invalid-price-plan',
    ],
    [
      'a start after the end',
      perDevice,
      { subscriptionStartDate: '2025-04-10', subscriptionEndDate: '2025-04-01' },
      'invalid-date-range',
    ],
    ['an unknown VAT treatment', perDevice, { vatTreatment: 'zero' as never }, 'unknown-vat-treatment'],
  ])('refuses %s', (_, plan, overrides, code) => {
    expect(() => charge(plan, overrides)).toThrow(DomainError);
    expect(() => charge(plan, overrides)).toThrow(expect.objectContaining({ code }));
  });

  it('gives every line a key unique within the charge', () => {
    const lines = charge({ ...graduated, setupFee: '10' }, { quantity: 900, setupFeeDue: true });
    expect(new Set(lines.map((line) => line.key)).size).toBe(lines.length);
  });

  it('serialises lines to JSON with exact strings', () => {
    const [line] = charge(storage, { usage: { storage_gb: '1234.5' }, vatTreatment: 'standard' });
    const json = JSON.parse(JSON.stringify(chargeLineToJson(line)));
    expect(json).toEqual({
      key: 'usage:storage_gb',
      kind: 'usage',
      description: 'Usage of storage_gb: 1,234.5 used, 500 included, 734.5 × £0.0125 per GB',
      periodKey: '2025-04',
      priceModel: 'metered',
      quantity: '734.5',
      unitRate: '0.0125',
      exactAmount: '9.18125',
      proration: null,
      amount: { amountMinor: '918', currency: 'GBP' },
      vatTreatment: 'standard',
      vatRate: '0.2',
      vat: { amountMinor: '184', currency: 'GBP' },
      usage: { metric: 'storage_gb', used: '1234.5', included: '500', billable: '734.5' },
    });
  });

  it('finds the volume tier a quantity reaches', () => {
    expect([0, 1, 100, '100.01', 500, 501, 10_000].map((q) => volumeTierIndex(volume, q))).toEqual([
      0, 0, 0, 1, 1, 2, 2,
    ]);
  });
});

describe('charge line properties', () => {
  const rateText = fc
    .bigInt({ min: 0n, max: 10n ** 8n })
    .map((micros) => rateToDecimalString(unitRate(micros, 'GBP')));
  const feeText = fc.bigInt({ min: 0n, max: 10n ** 8n }).map((pence) => formatDecimal(decimal(pence, 2)));
  const tiersArb = fc
    .array(fc.record({ step: fc.integer({ min: 1, max: 1000 }), unitPrice: rateText }), {
      minLength: 1,
      maxLength: 5,
    })
    .map((specs) => {
      let upTo = 0;
      return specs.map(({ step, unitPrice }, i): PriceTier => {
        upTo += step;
        return { upTo: i === specs.length - 1 ? null : upTo, unitPrice };
      });
    });
  const quantityArb = fc
    .tuple(fc.bigInt({ min: 0n, max: 5_000_000n }), fc.integer({ min: 0, max: 3 }))
    .map(([coefficient, scale]) => formatDecimal(decimal(coefficient, scale)));
  const graduatedArb = tiersArb.map((t): GraduatedPricePlan => ({
    model: 'graduated',
    currency: 'GBP',
    tiers: t,
  }));
  const volumeArb = tiersArb.map((t): VolumePricePlan => ({ model: 'volume', currency: 'GBP', tiers: t }));
  const recurringPlanArb: fc.Arbitrary<PricePlan> = fc.oneof(
    feeText.map((fee): PricePlan => ({ model: 'flat_fee', currency: 'GBP', feePerPeriod: fee })),
    rateText.map((price): PricePlan => ({ model: 'per_unit', currency: 'GBP', unitPrice: price })),
    graduatedArb,
    volumeArb,
  );
  const periodArb = fc
    .tuple(fc.integer({ min: 2020, max: 2040 }), fc.integer({ min: 1, max: 12 }), fc.boolean())
    .map(([year, n, monthly]) =>
      billingPeriodFromKey(
        monthly ? `${year}-${String(n).padStart(2, '0')}` : `${year}-Q${((n - 1) % 4) + 1}`,
      ),
    );
  const whole = (plan: PricePlan, quantity: string, period: BillingPeriod = april) =>
    charge(plan, { quantity, period, subscriptionStartDate: period.startDate });

  /** Orders two quantities. */
  const ordered = ([a, b]: [string, string]): [string, string] =>
    compareDecimals(parseDecimal(a), parseDecimal(b)) <= 0 ? [a, b] : [b, a];

  it('never charges less for more units on graduated tiers', () => {
    fc.assert(
      fc.property(graduatedArb, fc.tuple(quantityArb, quantityArb).map(ordered), (plan, [fewer, more]) => {
        expect(net(whole(plan, fewer)) <= net(whole(plan, more))).toBe(true);
      }),
    );
  });

  it('never charges less for more units within one volume tier', () => {
    fc.assert(
      fc.property(volumeArb, fc.tuple(quantityArb, quantityArb).map(ordered), (plan, [fewer, more]) => {
        fc.pre(volumeTierIndex(plan, fewer) === volumeTierIndex(plan, more));
        expect(net(whole(plan, fewer)) <= net(whole(plan, more))).toBe(true);
      }),
    );
  });

  it('never charges more on volume tiers than on graduated tiers when rates fall tier by tier', () => {
    const fallingTiersArb = tiersArb.map((t) =>
      [...t.map((tier) => tier.unitPrice)]
        .sort((a, b) => compareDecimals(parseDecimal(b), parseDecimal(a)))
        .map((unitPrice, i): PriceTier => ({ upTo: t[i].upTo, unitPrice })),
    );
    fc.assert(
      fc.property(fallingTiersArb, quantityArb, (t, quantity) => {
        const exact = (lines: ChargeLine[]) =>
          lines.reduce(
            (sum, line) =>
              sum + line.exactAmount.amount.coefficient * 10n ** BigInt(20 - line.exactAmount.amount.scale),
            0n,
          );
        const volumeExact = exact(whole({ model: 'volume', currency: 'GBP', tiers: t }, quantity));
        const graduatedExact = exact(whole({ model: 'graduated', currency: 'GBP', tiers: t }, quantity));
        expect(volumeExact <= graduatedExact).toBe(true);
      }),
    );
  });

  it('never charges less for more usage', () => {
    fc.assert(
      fc.property(
        rateText,
        quantityArb,
        fc.tuple(quantityArb, quantityArb).map(ordered),
        (price, included, [less, more]) => {
          const plan: PricePlan = {
            model: 'metered',
            currency: 'GBP',
            metric: 'calls',
            unitPrice: price,
            includedPerPeriod: included,
          };
          expect(
            net(charge(plan, { usage: { calls: less } })) <= net(charge(plan, { usage: { calls: more } })),
          ).toBe(true);
        },
      ),
    );
  });

  it('rounds every unprorated line (recurring, set-up fee, usage) to within half a penny of its exact amount', () => {
    const meteredArb = fc
      .tuple(rateText, fc.option(quantityArb, { nil: undefined }))
      .map(([unitPrice, includedPerPeriod]): PricePlan => ({
        model: 'metered',
        currency: 'GBP',
        metric: 'calls',
        unitPrice,
        includedPerPeriod,
      }));
    const planArb = fc
      .tuple(fc.oneof(recurringPlanArb, meteredArb), fc.option(feeText, { nil: undefined }))
      .map(([plan, setupFee]): PricePlan => ({ ...plan, setupFee }));
    fc.assert(
      fc.property(planArb, quantityArb, quantityArb, periodArb, (plan, quantity, used, period) => {
        const lines = charge(plan, {
          quantity,
          period,
          subscriptionStartDate: period.startDate,
          setupFeeDue: true,
          usage: plan.model === 'metered' ? { calls: used } : {},
        });
        for (const line of lines) {
          expect(line.proration).toBeNull();
          const { numerator, denominator } = exactMinorUnits(line.exactAmount);
          const error = 2n * (line.amount.amountMinor * denominator - numerator);
          expect((error < 0n ? -error : error) <= denominator).toBe(true);
        }
      }),
    );
  });

  it('keeps each prorated line within a penny of its exact share of the period', () => {
    fc.assert(
      fc.property(
        recurringPlanArb,
        quantityArb,
        periodArb,
        fc.nat(),
        fc.nat(),
        (plan, quantity, period, a, b) => {
          const days = daysInPeriod(period);
          const [first, last] = [a % days, b % days].sort((x, y) => x - y);
          const lines = charge(plan, {
            quantity,
            period,
            subscriptionStartDate: addDays(period.startDate, first),
            subscriptionEndDate: addDays(period.startDate, last),
          });
          for (const line of lines) {
            const { numerator, denominator } = exactMinorUnits(line.exactAmount);
            const served = BigInt(last - first + 1);
            const error = line.amount.amountMinor * denominator * BigInt(days) - numerator * served;
            expect((error < 0n ? -error : error) <= denominator * BigInt(days)).toBe(true);
          }
        },
      ),
    );
  });

  it('makes the prorated parts of a period sum to the whole period’s charge', () => {
    fc.assert(
      fc.property(
        recurringPlanArb,
        quantityArb,
        periodArb,
        fc.array(fc.nat(), { maxLength: 6 }),
        (plan, quantity, period, offsets) => {
          // The same subscription terms, served as consecutive subscriptions that together cover the period.
          const days = daysInPeriod(period);
          const starts = [...new Set([0, ...offsets.map((offset) => offset % days)])].sort((x, y) => x - y);
          const parts = starts.flatMap((start, i) =>
            charge(plan, {
              quantity,
              period,
              subscriptionStartDate: addDays(period.startDate, start),
              subscriptionEndDate: addDays(period.startDate, (starts[i + 1] ?? days) - 1),
            }),
          );
          const summed: Record<string, bigint> = {};
          for (const line of parts) summed[line.key] = (summed[line.key] ?? 0n) + line.amount.amountMinor;
          expect(summed).toEqual(amounts(whole(plan, quantity, period)));
        },
      ),
    );
  });
});
