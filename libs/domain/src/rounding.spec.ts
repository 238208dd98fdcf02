import fc from 'fast-check';
import { DomainError } from './domain-error';
import { powerOfTen, roundHalfEven } from './rounding';

describe('roundHalfEven', () => {
  it.each([
    [5n, 10n, 0n],
    [15n, 10n, 2n],
    [25n, 10n, 2n],
    [35n, 10n, 4n],
    [-5n, 10n, 0n],
    [-15n, 10n, -2n],
    [-25n, 10n, -2n],
    [14n, 10n, 1n],
    [16n, 10n, 2n],
    [-16n, 10n, -2n],
    [7n, 1n, 7n],
    [1n, -2n, 0n],
    [3n, -2n, -2n],
  ])('rounds %s / %s to %s', (numerator, denominator, expected) => {
    expect(roundHalfEven(numerator, denominator)).toBe(expected);
  });

  it('refuses to divide by zero', () => {
    expect(() => roundHalfEven(1n, 0n)).toThrow(DomainError);
  });

  it('is never more than half away from the exact quotient, and breaks exact halves towards even', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n }),
        fc.bigInt({ min: 1n, max: 10n ** 9n }),
        (numerator, denominator) => {
          const rounded = roundHalfEven(numerator, denominator);
          const twiceError = 2n * (rounded * denominator - numerator);
          const absTwiceError = twiceError < 0n ? -twiceError : twiceError;
          expect(absTwiceError <= denominator).toBe(true);
          if (absTwiceError === denominator) expect(rounded % 2n).toBe(0n);
        },
      ),
    );
  });

  it('is symmetric about zero, so credits mirror charges', () => {
    fc.assert(
      fc.property(fc.bigInt(), fc.bigInt({ min: 1n, max: 10n ** 12n }), (numerator, denominator) => {
        expect(roundHalfEven(-numerator, denominator)).toBe(-roundHalfEven(numerator, denominator));
      }),
    );
  });
});

describe('powerOfTen', () => {
  it('gives 10 to a non-negative whole power', () => {
    expect(powerOfTen(0)).toBe(1n);
    expect(powerOfTen(6)).toBe(1_000_000n);
    expect(() => powerOfTen(-1)).toThrow(DomainError);
  });
});
