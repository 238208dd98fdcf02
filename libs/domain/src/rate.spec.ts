import fc from 'fast-check';
import { decimal } from './decimal';
import { DomainError } from './domain-error';
import { exactMinorUnits, money } from './money';
import {
  chargeFor,
  exactCharge,
  formatRate,
  parseRate,
  rateFromMoney,
  rateToDecimalString,
  unitRate,
  type UnitRate,
} from './rate';

const gbpRate = (micros: bigint): UnitRate => unitRate(micros, 'GBP');
const rateArb = fc.bigInt({ min: 0n, max: 10n ** 12n }).map(gbpRate);
const quantityArb = fc
  .record({ coefficient: fc.bigInt({ min: 0n, max: 10n ** 12n }), scale: fc.integer({ min: 0, max: 6 }) })
  .map(({ coefficient, scale }) => decimal(coefficient, scale));

describe('unit rates', () => {
  it('keeps fractions of a penny exactly', () => {
    expect(parseRate('£0.0125', 'GBP')).toEqual(gbpRate(12_500n));
    expect(parseRate('0.000045', 'GBP')).toEqual(gbpRate(45n));
    expect(parseRate('£1,200.5', 'GBP')).toEqual(gbpRate(1_200_500_000n));
    expect(formatRate(gbpRate(12_500n))).toBe('£0.0125');
    expect(formatRate(gbpRate(4_500_000n))).toBe('£4.50');
    expect(formatRate(gbpRate(1_200_500_000n))).toBe('£1,200.50');
    expect(rateToDecimalString(gbpRate(12_500n))).toBe('0.0125');
    expect(rateToDecimalString(gbpRate(4_500_000n))).toBe('4.50');
  });

  it('refuses more than six decimal places instead of rounding a price', () => {
    expect(() => parseRate('0.0000001', 'GBP')).toThrow(
      expect.objectContaining({ code: 'too-many-decimal-places' }),
    );
    expect(() => parseRate('twelve', 'GBP')).toThrow(DomainError);
  });

  it('round-trips through both text forms', () => {
    fc.assert(
      fc.property(rateArb, (rate) => {
        expect(parseRate(formatRate(rate), 'GBP')).toEqual(rate);
        expect(parseRate(rateToDecimalString(rate), 'GBP')).toEqual(rate);
      }),
    );
  });

  it('multiplies exactly and rounds once, half to even', () => {
    const perGb = parseRate('0.0125', 'GBP');
    expect(exactCharge('1234.5', perGb).amount).toEqual(decimal(1543125n, 5));
    expect(chargeFor('1234.5', perGb)).toEqual(money(1543n, 'GBP'));
    const halfPenny = parseRate('0.005', 'GBP');
    expect(chargeFor(1, halfPenny)).toEqual(money(0n, 'GBP'));
    expect(chargeFor(3, halfPenny)).toEqual(money(2n, 'GBP'));
    expect(chargeFor(5, halfPenny)).toEqual(money(2n, 'GBP'));
    expect(chargeFor(1200, parseRate('4.50', 'GBP'))).toEqual(money(540_000n, 'GBP'));
  });

  it('is never more than half a penny from the exact charge', () => {
    fc.assert(
      fc.property(quantityArb, rateArb, (quantity, rate) => {
        const { numerator, denominator } = exactMinorUnits(exactCharge(quantity, rate));
        const error = 2n * (chargeFor(quantity, rate).amountMinor * denominator - numerator);
        expect((error < 0n ? -error : error) <= denominator).toBe(true);
      }),
    );
  });

  it('turns a whole-penny amount into a rate for one unit', () => {
    expect(rateFromMoney(money(150_000n, 'GBP'))).toEqual(parseRate('1500', 'GBP'));
  });
});
