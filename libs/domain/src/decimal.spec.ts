import fc from 'fast-check';
import {
  addDecimals,
  compareDecimals,
  type Decimal,
  decimal,
  formatDecimal,
  multiplyDecimals,
  normaliseDecimal,
  parseDecimal,
  roundDecimal,
  subtractDecimals,
  toDecimal,
  toScaledInteger,
} from './decimal';
import { DomainError } from './domain-error';

const decimalArb = fc
  .record({
    coefficient: fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
    scale: fc.integer({ min: 0, max: 8 }),
  })
  .map(({ coefficient, scale }) => decimal(coefficient, scale));

/** The value scaled to 10^-16 units, to compare against plain bigint arithmetic. */
function scaled(value: Decimal, scale = 16): bigint {
  return value.coefficient * 10n ** BigInt(scale - value.scale);
}

describe('decimals', () => {
  it('parses plain decimal text exactly', () => {
    expect(parseDecimal('0.0125')).toEqual({ coefficient: 125n, scale: 4 });
    expect(parseDecimal('-12.50')).toEqual({ coefficient: -125n, scale: 1 });
    expect(parseDecimal('1200')).toEqual({ coefficient: 1200n, scale: 0 });
  });

  it.each(['', '1e3', '.5', '1.', '1,200', ' 1', '+1', 'NaN', '--1'])('rejects %j', (text) => {
    expect(() => parseDecimal(text)).toThrow(DomainError);
  });

  it('limits significant decimal places, ignoring trailing zeros', () => {
    expect(parseDecimal('1.500', { maxScale: 1 })).toEqual({ coefficient: 15n, scale: 1 });
    expect(() => parseDecimal('1.05', { maxScale: 1, what: 'fee' })).toThrow(/fee may have at most 1/);
  });

  it('formats with padding and grouping for people', () => {
    expect(formatDecimal(parseDecimal('4.5'), { minScale: 2 })).toBe('4.50');
    expect(formatDecimal(parseDecimal('-1234567.125'), { grouping: true })).toBe('-1,234,567.125');
    expect(formatDecimal(decimal(5n, 3))).toBe('0.005');
    expect(formatDecimal(decimal(0n, 3))).toBe('0');
  });

  it('accepts whole numbers but not inexact fractional numbers', () => {
    expect(toDecimal(42)).toEqual({ coefficient: 42n, scale: 0 });
    expect(toDecimal(7n)).toEqual({ coefficient: 7n, scale: 0 });
    expect(toDecimal('0.1')).toEqual({ coefficient: 1n, scale: 1 });
    expect(() => toDecimal(0.1)).toThrow(/decimal string/);
  });

  it('round-trips through text', () => {
    fc.assert(
      fc.property(decimalArb, (value) => {
        expect(parseDecimal(formatDecimal(value))).toEqual(normaliseDecimal(value));
      }),
    );
  });

  it('adds, subtracts, multiplies and compares exactly', () => {
    fc.assert(
      fc.property(decimalArb, decimalArb, (a, b) => {
        expect(scaled(addDecimals(a, b))).toBe(scaled(a) + scaled(b));
        expect(scaled(subtractDecimals(a, b))).toBe(scaled(a) - scaled(b));
        expect(scaled(multiplyDecimals(a, b), 32)).toBe(scaled(a) * scaled(b));
        const expected = scaled(a) < scaled(b) ? -1 : scaled(a) > scaled(b) ? 1 : 0;
        expect(compareDecimals(a, b)).toBe(expected);
      }),
    );
  });

  it('rounds half to even and converts to scaled integers only without loss', () => {
    expect(roundDecimal(parseDecimal('0.125'), 2)).toEqual(parseDecimal('0.12'));
    expect(roundDecimal(parseDecimal('0.135'), 2)).toEqual(parseDecimal('0.14'));
    expect(toScaledInteger(parseDecimal('0.0125'), 6)).toBe(12_500n);
    expect(() => toScaledInteger(parseDecimal('0.0000001'), 6)).toThrow(DomainError);
  });
});
