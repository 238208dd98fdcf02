import fc from 'fast-check';
import { billingPeriodFromKey } from './billing-period';
import { baselineForPeriod, savingsPercentage } from './savings';

describe('savings against an in-house baseline', () => {
  it('gives each month a twelfth of the annual baseline, odd pence to the earlier months', () => {
    // £1,000.03 a year: 100003 = 12 × 8333 + 7, so January to July carry the extra penny.
    expect(baselineForPeriod(100_003n, billingPeriodFromKey('2026-01'))).toBe(8334n);
    expect(baselineForPeriod(100_003n, billingPeriodFromKey('2026-07'))).toBe(8334n);
    expect(baselineForPeriod(100_003n, billingPeriodFromKey('2026-08'))).toBe(8333n);
    expect(baselineForPeriod(100_003n, billingPeriodFromKey('2026-12'))).toBe(8333n);
  });

  it('gives each quarter a quarter of the annual baseline', () => {
    expect(baselineForPeriod(1_000_002n, billingPeriodFromKey('2026-Q1'))).toBe(250_001n);
    expect(baselineForPeriod(1_000_002n, billingPeriodFromKey('2026-Q2'))).toBe(250_001n);
    expect(baselineForPeriod(1_000_002n, billingPeriodFromKey('2026-Q3'))).toBe(250_000n);
    expect(baselineForPeriod(1_000_002n, billingPeriodFromKey('2026-Q4'))).toBe(250_000n);
  });

  it('adds the periods of a year back to the annual baseline exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.boolean(), (annual, monthly) => {
        const keys = monthly
          ? Array.from({ length: 12 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`)
          : ['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4'];
        const total = keys.reduce(
          (sum, key) => sum + baselineForPeriod(annual, billingPeriodFromKey(key)),
          0n,
        );
        expect(total).toBe(annual);
      }),
    );
  });

  it('refuses a negative baseline', () => {
    expect(() => baselineForPeriod(-1n, billingPeriodFromKey('2026-01'))).toThrow(/cannot be negative/);
  });

  it('states the saving as a percentage of the baseline to one decimal place', () => {
    expect(savingsPercentage(10_000n, 6_550n)).toBe('34.5');
    expect(savingsPercentage(3n, 2n)).toBe('33.3');
    expect(savingsPercentage(10_000n, 10_000n)).toBe('0.0');
    expect(savingsPercentage(10_000n, 12_500n)).toBe('-25.0');
  });

  it('rounds an exact half of a tenth to even', () => {
    // 1/16 = 6.25% → 6.2; 3/16 = 18.75% → 18.8.
    expect(savingsPercentage(1_600n, 1_500n)).toBe('6.2');
    expect(savingsPercentage(1_600n, 1_300n)).toBe('18.8');
  });

  it('has no percentage without a baseline', () => {
    expect(savingsPercentage(0n, 500n)).toBeNull();
  });
});
