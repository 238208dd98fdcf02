import fc from 'fast-check';
import { type BillingPeriod, billingPeriodFromKey, daysInPeriod } from './billing-period';
import { addDays, compareIsoDates, type IsoDate } from './calendar-date';
import { compareDecimals, decimal, type Decimal, formatDecimal, parseDecimal } from './decimal';
import { DomainError } from './domain-error';
import { exactMinorUnits, money } from './money';
import type { GraduatedPricePlan, PricePlan, PriceTier } from './price-plan';
import { daysInRange, serviceDaysInPeriod } from './proration';
import { rateToDecimalString, unitRate } from './rate';
import {
  type ChargeLine,
  chargeLineToJson,
  computeChargeLines,
  MAX_CHARGE_LINE_MINOR,
  type QuantityChange,
  quantitySegments,
  type SubscriptionChargeInput,
} from './subscription-charges';

const q4 = billingPeriodFromKey('2026-Q4');
const gbp = (pence: bigint) => money(pence, 'GBP');
const perSeat: PricePlan = { model: 'per_unit', currency: 'GBP', unitPrice: '10.00', unitName: 'seat' };
const graduated: GraduatedPricePlan = {
  model: 'graduated',
  currency: 'GBP',
  unitName: 'device',
  tiers: [
    { upTo: 100, unitPrice: '5.00' },
    { upTo: 500, unitPrice: '4.00' },
    { upTo: null, unitPrice: '3.00' },
  ],
};
const flatFee: PricePlan = { model: 'flat_fee', currency: 'GBP', feePerPeriod: '920.00' };

/** A subscription running all through Q4 2026 unless told otherwise. */
function charge(plan: PricePlan, overrides: Partial<SubscriptionChargeInput> = {}): ChargeLine[] {
  return computeChargeLines({
    plan,
    period: q4,
    quantity: 10,
    subscriptionStartDate: '2025-01-01',
    setupFeeDue: false,
    vatTreatment: 'outside_scope',
    ...overrides,
  });
}

const amounts = (lines: ChargeLine[]) =>
  Object.fromEntries(lines.map((line) => [line.key, line.amount.amountMinor]));
const segmentsOf = (...args: Parameters<typeof quantitySegments>) =>
  quantitySegments(...args).map((s) => ({ ...s, quantity: formatDecimal(s.quantity) }));

describe('quantity segments of a subscription in a period', () => {
  it('is one segment for the days served when the quantity never changes', () => {
    expect(segmentsOf(q4, '2026-11-01', null, '12.5')).toEqual([
      { from: '2026-11-01', to: '2026-12-31', days: 61, quantity: '12.5' },
    ]);
  });

  it('splits the days served where the quantity changes', () => {
    expect(segmentsOf(q4, '2025-01-01', null, 10, [{ effectiveFrom: '2026-11-15', quantity: 12 }])).toEqual([
      { from: '2026-10-01', to: '2026-11-14', days: 45, quantity: '10' },
      { from: '2026-11-15', to: '2026-12-31', days: 47, quantity: '12' },
    ]);
  });

  it('starts the period at the quantity of the last change before it and ignores changes after it', () => {
    const changes: QuantityChange[] = [
      { effectiveFrom: '2027-01-10', quantity: 99 },
      { effectiveFrom: '2026-06-01', quantity: 7 },
      { effectiveFrom: '2026-12-01', quantity: 8 },
    ];
    expect(segmentsOf(q4, '2025-01-01', null, 10, changes)).toEqual([
      { from: '2026-10-01', to: '2026-11-30', days: 61, quantity: '7' },
      { from: '2026-12-01', to: '2026-12-31', days: 31, quantity: '8' },
    ]);
  });

  it('merges days with equal quantities, however the changes are written', () => {
    const changes: QuantityChange[] = [
      { effectiveFrom: '2026-10-20', quantity: '10.000' },
      { effectiveFrom: '2026-11-05', quantity: 4 },
      { effectiveFrom: '2026-11-06', quantity: '4' },
    ];
    expect(segmentsOf(q4, '2025-01-01', '2026-11-30', 10, changes)).toEqual([
      { from: '2026-10-01', to: '2026-11-04', days: 35, quantity: '10' },
      { from: '2026-11-05', to: '2026-11-30', days: 26, quantity: '4' },
    ]);
  });

  it('takes the later of two changes on the same day', () => {
    const changes: QuantityChange[] = [
      { effectiveFrom: '2026-11-15', quantity: 30 },
      { effectiveFrom: '2026-11-15', quantity: 12 },
    ];
    expect(segmentsOf(q4, '2025-01-01', null, 10, changes).map((s) => s.quantity)).toEqual(['10', '12']);
  });

  it('applies a change made before the subscription started from its first day', () => {
    expect(
      segmentsOf(q4, '2026-11-01', '2026-11-20', 3, [{ effectiveFrom: '2026-10-15', quantity: 5 }]),
    ).toEqual([{ from: '2026-11-01', to: '2026-11-20', days: 20, quantity: '5' }]);
  });

  it('is empty when the subscription serves no day of the period', () => {
    expect(
      quantitySegments(q4, '2027-01-01', null, 1, [{ effectiveFrom: '2026-11-01', quantity: 2 }]),
    ).toEqual([]);
  });

  it.each<[string, DecimalLike, QuantityChange[], string]>([
    ['a negative quantity', -1, [], 'negative-quantity'],
    [
      'a negative changed quantity',
      1,
      [{ effectiveFrom: '2026-11-01', quantity: '-2' }],
      'negative-quantity',
    ],
    [
      'a changed quantity finer than a millionth',
      1,
      [{ effectiveFrom: '2026-11-01', quantity: '1.0000001' }],
      'too-many-decimal-places',
    ],
    ['a change on no real date', 1, [{ effectiveFrom: '2026-11-31', quantity: 2 }], 'invalid-date'],
  ])('refuses %s', (_, quantity, changes, code) => {
    expect(() => quantitySegments(q4, '2025-01-01', null, quantity, changes)).toThrow(
      expect.objectContaining({ code }),
    );
  });
});

type DecimalLike = string | number;

describe('charge lines for a quantity that changes within the period', () => {
  const change = (effectiveFrom: IsoDate, quantity: DecimalLike): QuantityChange[] => [
    { effectiveFrom, quantity },
  ];

  it('charges each quantity for its own days: 10 seats to 14 Nov, 12 from 15 Nov in Q4 2026', () => {
    const lines = charge(perSeat, { quantityChanges: change('2026-11-15', 12) });
    expect(lines.map((line) => [line.key, line.description])).toEqual([
      ['per_unit', '10 × £10.00 per seat, 1 Oct 2026 to 14 Nov 2026 (45 of 92 days)'],
      ['per_unit@2026-11-15', '12 × £10.00 per seat, 15 Nov 2026 to 31 Dec 2026 (47 of 92 days)'],
    ]);
    // £100 × 45/92 = £48.913 → £48.91; £120 for the whole quarter less its first 45 days (£58.70) = £61.30.
    expect(amounts(lines)).toEqual({ per_unit: 4891n, 'per_unit@2026-11-15': 6130n });
    expect(lines.map((line) => line.proration)).toEqual([
      { from: '2026-10-01', to: '2026-11-14', serviceDays: 45, periodDays: 92 },
      { from: '2026-11-15', to: '2026-12-31', serviceDays: 47, periodDays: 92 },
    ]);
    expect(lines.map((line) => line.coverage)).toEqual([
      { from: '2026-10-01', to: '2026-11-14', days: 45, quantity: decimal(10n), countsDays: true },
      { from: '2026-11-15', to: '2026-12-31', days: 47, quantity: decimal(12n), countsDays: true },
    ]);
  });

  it('gives every segment its tier lines, counting the segment’s days on its first line only', () => {
    const lines = charge(graduated, { quantity: 150, quantityChanges: change('2026-12-01', 650) });
    expect(lines.map((line) => [line.key, line.coverage?.days, line.coverage?.countsDays])).toEqual([
      ['tier:1', 61, true],
      ['tier:2', 61, false],
      ['tier:1@2026-12-01', 31, true],
      ['tier:2@2026-12-01', 31, false],
      ['tier:3@2026-12-01', 31, false],
    ]);
    expect(lines[4].description).toBe(
      'Tier 3 (above 500): 150 × £3.00 per device, 1 Dec 2026 to 31 Dec 2026 (31 of 92 days)',
    );
    expect(lines.map((line) => formatDecimal(line.coverage?.quantity ?? decimal(0n)))).toEqual([
      '150',
      '150',
      '650',
      '650',
      '650',
    ]);
  });

  it('keeps the plain keys for a segment starting on the first day served, even when a change starts it', () => {
    const lines = charge(perSeat, {
      subscriptionStartDate: '2026-11-01',
      quantityChanges: [
        { effectiveFrom: '2026-11-01', quantity: 3 },
        { effectiveFrom: '2026-12-01', quantity: 4 },
      ],
    });
    expect(lines.map((line) => line.key)).toEqual(['per_unit', 'per_unit@2026-12-01']);
  });

  it('charges nothing for days at zero units, and does not count them', () => {
    const lines = charge(perSeat, { quantity: 0, quantityChanges: change('2026-12-01', 5) });
    expect(lines.map((line) => [line.key, line.coverage?.days])).toEqual([['per_unit@2026-12-01', 31]]);
  });

  it('does not split a flat fee by quantity', () => {
    const lines = charge(flatFee, { quantityChanges: change('2026-11-15', 12) });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      key: 'flat_fee',
      description: 'Flat fee for Q4 2026 (October to December)',
      amount: gbp(92_000n),
      proration: null,
      coverage: { from: '2026-10-01', to: '2026-12-31', days: 92, quantity: decimal(1n), countsDays: true },
    });
  });

  it('leaves set-up fees and usage without coverage', () => {
    const plan: PricePlan = {
      model: 'metered',
      currency: 'GBP',
      metric: 'calls',
      unitPrice: '0.01',
      setupFee: '50',
    };
    const lines = charge(plan, { setupFeeDue: true, usage: { calls: 10 } });
    expect(lines.map((line) => [line.key, line.coverage])).toEqual([
      ['setup_fee', undefined],
      ['usage:calls', undefined],
    ]);
  });

  it('serialises coverage with the quantity as an exact string', () => {
    const [, line] = charge(perSeat, { quantityChanges: change('2026-11-15', '12.5') });
    expect(JSON.parse(JSON.stringify(chargeLineToJson(line))).coverage).toEqual({
      from: '2026-11-15',
      to: '2026-12-31',
      days: 47,
      quantity: '12.5',
      countsDays: true,
    });
  });
});

describe('the bound on a charge line', () => {
  const perPound: PricePlan = { model: 'per_unit', currency: 'GBP', unitPrice: '1.00', unitName: 'seat' };
  const storage: PricePlan = {
    model: 'metered',
    currency: 'GBP',
    metric: 'storage_gb',
    unitPrice: '1.00',
    unitName: 'GB',
  };

  it('is £10 trillion, so thousands of lines still sum inside a PostgreSQL bigint', () => {
    expect(MAX_CHARGE_LINE_MINOR).toBe(10n ** 15n);
    expect(MAX_CHARGE_LINE_MINOR * 9_000n < 2n ** 63n - 1n).toBe(true);
  });

  it('refuses 999999999999999999 units of usage at £1, in words a finance officer can act on', () => {
    const run = () => charge(storage, { usage: { storage_gb: '999999999999999999' } });
    expect(run).toThrow(DomainError);
    expect(run).toThrow(
      expect.objectContaining({
        kind: 'invalid',
        code: 'amount-out-of-range',
        message:
          'The charge for usage of storage_gb would be £999,999,999,999,999,999.00, more than the ' +
          '£10,000,000,000,000.00 a charge line can hold: check the usage of storage_gb reported',
        details: {
          key: 'usage:storage_gb',
          amountMinor: '99999999999999999900',
          maxMinor: '1000000000000000',
          currency: 'GBP',
        },
      }),
    );
  });

  it('charges a line of exactly the bound, and refuses a penny more', () => {
    const [line] = charge(perPound, { quantity: '10000000000000', vatTreatment: 'standard' });
    expect(line.amount).toEqual(gbp(MAX_CHARGE_LINE_MINOR));
    expect(() => charge(perPound, { quantity: '10000000000000.01' })).toThrow(
      expect.objectContaining({ code: 'amount-out-of-range' }),
    );
  });

  it('checks the exact amount before proration and rounding', () => {
    // A fraction of a penny over the bound for the whole period, though only a few days are served.
    const run = () =>
      charge(perPound, { quantity: '10000000000000.000001', subscriptionStartDate: '2026-12-30' });
    expect(run).toThrow(expect.objectContaining({ code: 'amount-out-of-range' }));
    expect(run).toThrow(/^The charge for "10,000,000,000,000.000001 × £1.00 per seat, 30 Dec 2026 to 31 Dec/);
  });

  it('refuses a quantity segment beyond the bound even when the rest of the period is in range', () => {
    expect(() =>
      charge(perPound, { quantityChanges: [{ effectiveFrom: '2026-12-31', quantity: '1000000000000000' }] }),
    ).toThrow(expect.objectContaining({ code: 'amount-out-of-range' }));
  });
});

describe('quantity segment properties', () => {
  const periodArb = fc
    .tuple(fc.integer({ min: 2020, max: 2040 }), fc.integer({ min: 1, max: 12 }), fc.boolean())
    .map(([year, n, monthly]) =>
      billingPeriodFromKey(
        monthly ? `${year}-${String(n).padStart(2, '0')}` : `${year}-Q${((n - 1) % 4) + 1}`,
      ),
    );
  // A few common values, so that changes often repeat a quantity and segments must merge.
  const quantityArb = fc.oneof(
    fc.constantFrom('0', '1', '10', '100', '100.5', '650'),
    fc
      .tuple(fc.bigInt({ min: 0n, max: 5_000_000n }), fc.integer({ min: 0, max: 3 }))
      .map(([coefficient, scale]) => formatDecimal(decimal(coefficient, scale))),
  );
  const rateText = fc
    .bigInt({ min: 0n, max: 10n ** 8n })
    .map((micros) => rateToDecimalString(unitRate(micros, 'GBP')));
  const tiersArb = fc
    .array(fc.record({ step: fc.integer({ min: 1, max: 1000 }), unitPrice: rateText }), {
      minLength: 1,
      maxLength: 4,
    })
    .map((specs) => {
      let upTo = 0;
      return specs.map(({ step, unitPrice }, i): PriceTier => {
        upTo += step;
        return { upTo: i === specs.length - 1 ? null : upTo, unitPrice };
      });
    });
  const perUnitArb = rateText.map((unitPrice): PricePlan => ({
    model: 'per_unit',
    currency: 'GBP',
    unitPrice,
  }));
  const recurringPlanArb: fc.Arbitrary<PricePlan> = fc.oneof(
    fc.bigInt({ min: 0n, max: 10n ** 8n }).map((pence): PricePlan => ({
      model: 'flat_fee',
      currency: 'GBP',
      feePerPeriod: formatDecimal(decimal(pence, 2)),
    })),
    perUnitArb,
    tiersArb.map((tiers): PricePlan => ({ model: 'graduated', currency: 'GBP', tiers })),
    tiersArb.map((tiers): PricePlan => ({ model: 'volume', currency: 'GBP', tiers })),
  );

  /** A subscription's dates around a period (it may start before, end after, or miss the period) and its changes. */
  const scenarioArb = fc
    .record({
      period: periodArb,
      start: fc.integer({ min: -40, max: 100 }),
      length: fc.option(fc.integer({ min: 0, max: 140 }), { nil: undefined }),
      quantity: quantityArb,
      changes: fc.array(fc.record({ offset: fc.integer({ min: -40, max: 130 }), quantity: quantityArb }), {
        maxLength: 8,
      }),
    })
    .map(({ period, start, length, quantity, changes }) => {
      const startDate = addDays(period.startDate, start);
      return {
        period,
        startDate,
        endDate: length === undefined ? null : addDays(startDate, length),
        quantity,
        changes: changes.map((c): QuantityChange => ({
          effectiveFrom: addDays(period.startDate, c.offset),
          quantity: c.quantity,
        })),
      };
    });
  type Scenario = {
    period: BillingPeriod;
    startDate: IsoDate;
    endDate: IsoDate | null;
    quantity: string;
    changes: QuantityChange[];
  };

  const segmentsFor = (s: Scenario) =>
    quantitySegments(s.period, s.startDate, s.endDate, s.quantity, s.changes);
  const daysServed = (s: Scenario) => {
    const served = serviceDaysInPeriod(s.period, s.startDate, s.endDate);
    return served ? daysInRange(served) : 0;
  };
  const linesFor = (plan: PricePlan, s: Scenario, changes: QuantityChange[] | undefined) =>
    computeChargeLines({
      plan,
      period: s.period,
      quantity: s.quantity,
      subscriptionStartDate: s.startDate,
      subscriptionEndDate: s.endDate,
      setupFeeDue: true,
      vatTreatment: 'standard',
      ...(changes ? { quantityChanges: changes } : {}),
    });

  /** The quantity in force on a day, straight from the definition: the latest change on or before it. */
  const quantityOn = (s: Scenario, day: IsoDate): Decimal => {
    let result = parseDecimal(s.quantity);
    let latest: IsoDate | null = null;
    for (const change of s.changes) {
      if (compareIsoDates(change.effectiveFrom, day) > 0) continue;
      if (latest === null || compareIsoDates(change.effectiveFrom, latest) >= 0) {
        latest = change.effectiveFrom;
        result = parseDecimal(String(change.quantity));
      }
    }
    return result;
  };

  it('covers exactly the days served, in order, without gaps or overlaps, each segment non-empty', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const segments = segmentsFor(s);
        expect(segments.reduce((sum, segment) => sum + segment.days, 0)).toBe(daysServed(s));
        const served = serviceDaysInPeriod(s.period, s.startDate, s.endDate);
        if (!served) return expect(segments).toEqual([]);
        expect(segments[0].from).toBe(served.from);
        expect(segments[segments.length - 1].to).toBe(served.to);
        segments.forEach((segment, i) => {
          expect(segment.days).toBeGreaterThanOrEqual(1);
          expect(segment.days).toBe(daysInRange(segment));
          if (i > 0) {
            expect(segment.from).toBe(addDays(segments[i - 1].to, 1));
            expect(compareDecimals(segment.quantity, segments[i - 1].quantity)).not.toBe(0);
          }
        });
      }),
    );
  });

  it('gives each day served the quantity in force that day', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        for (const segment of segmentsFor(s)) {
          for (let day = segment.from; compareIsoDates(day, segment.to) <= 0; day = addDays(day, 1)) {
            expect(compareDecimals(segment.quantity, quantityOn(s, day))).toBe(0);
          }
        }
      }),
    );
  });

  it('charges exactly today’s lines when the quantity does not change', () => {
    fc.assert(
      fc.property(recurringPlanArb, scenarioArb, fc.boolean(), (plan, s, none) => {
        // The same quantity, written differently (trailing zeros), on every change.
        const same = parseDecimal(s.quantity);
        const written = { coefficient: same.coefficient * 1000n, scale: same.scale + 3 };
        const unchanged = none ? [] : s.changes.map((change) => ({ ...change, quantity: written }));
        expect(linesFor(plan, s, unchanged)).toEqual(linesFor(plan, s, undefined));
      }),
    );
  });

  it('counts each day served at a charged quantity exactly once, on lines with unique keys', () => {
    fc.assert(
      fc.property(recurringPlanArb, scenarioArb, (plan, s) => {
        const lines = linesFor(plan, s, s.changes);
        expect(new Set(lines.map((line) => line.key)).size).toBe(lines.length);
        const counted = lines
          .filter((line) => line.coverage?.countsDays)
          .reduce((sum, line) => sum + (line.coverage?.days ?? 0), 0);
        const charged =
          plan.model === 'flat_fee'
            ? daysServed(s)
            : segmentsFor(s)
                .filter((segment) => segment.quantity.coefficient !== 0n)
                .reduce((sum, segment) => sum + segment.days, 0);
        expect(counted).toBe(charged);
        const segmentsWithLines = new Set(
          lines.flatMap((line) => (line.coverage ? [line.coverage.from] : [])),
        );
        expect(lines.filter((line) => line.coverage?.countsDays)).toHaveLength(segmentsWithLines.size);
      }),
    );
  });

  it('prices each per-unit segment within a penny of its exact day-weighted share', () => {
    fc.assert(
      fc.property(perUnitArb, scenarioArb, (plan, s) => {
        const lines = linesFor(plan, s, s.changes).filter((line) => line.kind === 'per_unit');
        const periodDays = BigInt(daysInPeriod(s.period));
        let error = 0n;
        let scale = 1n;
        for (const line of lines) {
          const days = BigInt(line.coverage?.days ?? 0);
          const { numerator, denominator } = exactMinorUnits(line.exactAmount);
          // The line's error, amount − exact × days / periodDays, over the common denominator.
          const lineError = line.amount.amountMinor * denominator * periodDays - numerator * days;
          expect((lineError < 0n ? -lineError : lineError) <= denominator * periodDays).toBe(true);
          error = error * denominator * periodDays + lineError * scale;
          scale *= denominator * periodDays;
        }
        // Summed: within one penny per segment of the exact day-weighted amount.
        expect((error < 0n ? -error : error) <= scale * BigInt(lines.length)).toBe(true);
      }),
    );
  });
});
