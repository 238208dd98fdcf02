import fc from 'fast-check';
import { billingPeriodFromKey, daysInPeriod, type BillingPeriod } from './billing-period';
import { addDays, daysBetween } from './calendar-date';
import { decimal, parseDecimal } from './decimal';
import { DomainError } from './domain-error';
import { type ExactMoney, exactMinorUnits, money, roundToMoney } from './money';
import { prorateByDays, serviceDaysInPeriod } from './proration';

const april = billingPeriodFromKey('2025-04');
const pounds = (text: string): ExactMoney => ({ amount: parseDecimal(text), currency: 'GBP' });

const periodArb = fc
  .tuple(fc.integer({ min: 2000, max: 2100 }), fc.integer({ min: 1, max: 12 }), fc.boolean())
  .map(([year, n, monthly]) =>
    billingPeriodFromKey(monthly ? `${year}-${String(n).padStart(2, '0')}` : `${year}-Q${((n - 1) % 4) + 1}`),
  );
const exactArb = fc
  .record({
    coefficient: fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
    scale: fc.integer({ min: 0, max: 8 }),
  })
  .map(({ coefficient, scale }): ExactMoney => ({ amount: decimal(coefficient, scale), currency: 'GBP' }));

/** Cuts a period into consecutive day ranges at the given day offsets. */
function cut(period: BillingPeriod, offsets: number[]) {
  const days = daysInPeriod(period);
  const starts = [...new Set([0, ...offsets.map((offset) => offset % days)])].sort((a, b) => a - b);
  return starts.map((start, i) => ({
    from: addDays(period.startDate, start),
    to: addDays(period.startDate, (starts[i + 1] ?? days) - 1),
  }));
}

/** |amount − exact × range days / period days| in minor units, times 2 × denominator. */
function twiceError(
  exact: ExactMoney,
  period: BillingPeriod,
  range: { from: string; to: string },
  amount: bigint,
) {
  const { numerator, denominator } = exactMinorUnits(exact);
  const rangeDays = BigInt(daysBetween(range.from, range.to) + 1);
  const periodDays = BigInt(daysInPeriod(period));
  const error = 2n * (amount * denominator * periodDays - numerator * rangeDays);
  return { error: error < 0n ? -error : error, unit: denominator * periodDays };
}

describe('service days in a period', () => {
  it('covers the whole period for a subscription running throughout', () => {
    expect(serviceDaysInPeriod(april, '2024-01-01', null)).toEqual({ from: '2025-04-01', to: '2025-04-30' });
  });

  it('starts on the start date and stops on the last day of service', () => {
    expect(serviceDaysInPeriod(april, '2025-04-16')).toEqual({ from: '2025-04-16', to: '2025-04-30' });
    expect(serviceDaysInPeriod(april, '2025-01-01', '2025-04-10')).toEqual({
      from: '2025-04-01',
      to: '2025-04-10',
    });
    expect(serviceDaysInPeriod(april, '2025-04-30', '2025-04-30')).toEqual({
      from: '2025-04-30',
      to: '2025-04-30',
    });
  });

  it('is empty for a subscription outside the period', () => {
    expect(serviceDaysInPeriod(april, '2025-05-01')).toBeNull();
    expect(serviceDaysInPeriod(april, '2025-01-01', '2025-03-31')).toBeNull();
  });

  it('refuses a subscription that ends before it starts', () => {
    expect(() => serviceDaysInPeriod(april, '2025-04-10', '2025-04-09')).toThrow(DomainError);
  });
});

describe('proration by days', () => {
  it('charges half of a 30-day month for 15 days', () => {
    const range = { from: '2025-04-16', to: '2025-04-30' };
    expect(prorateByDays(pounds('1500'), april, range)).toEqual(money(75_000n, 'GBP'));
  });

  it('charges the whole rounded amount for the whole period', () => {
    const range = { from: april.startDate, to: april.endDate };
    expect(prorateByDays(pounds('15.43125'), april, range)).toEqual(money(1543n, 'GBP'));
  });

  it('makes a month split into thirds add up to the whole', () => {
    const parts = cut(april, [10, 20]).map(
      (range) => prorateByDays(pounds('1.00'), april, range).amountMinor,
    );
    expect(parts).toEqual([33n, 34n, 33n]);
  });

  it('refuses days outside the period', () => {
    expect(() => prorateByDays(pounds('1'), april, { from: '2025-03-31', to: '2025-04-02' })).toThrow(
      expect.objectContaining({ code: 'range-outside-period' }),
    );
    expect(() => prorateByDays(pounds('1'), april, { from: '2025-04-05', to: '2025-04-02' })).toThrow(
      DomainError,
    );
  });

  it('splits any period into parts that sum to the whole period’s charge', () => {
    fc.assert(
      fc.property(periodArb, exactArb, fc.array(fc.nat(), { maxLength: 10 }), (period, exact, offsets) => {
        const parts = cut(period, offsets).map((range) => prorateByDays(exact, period, range).amountMinor);
        expect(parts.reduce((sum, part) => sum + part, 0n)).toBe(roundToMoney(exact).amountMinor);
      }),
    );
  });

  it('keeps each part within a penny of its exact share, and within half a penny from the first day', () => {
    fc.assert(
      fc.property(periodArb, exactArb, fc.array(fc.nat(), { maxLength: 10 }), (period, exact, offsets) => {
        cut(period, offsets).forEach((range, index) => {
          const { error, unit } = twiceError(
            exact,
            period,
            range,
            prorateByDays(exact, period, range).amountMinor,
          );
          expect(error <= 2n * unit).toBe(true);
          if (index === 0) expect(error <= unit).toBe(true);
        });
      }),
    );
  });
});
