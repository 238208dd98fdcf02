import { DomainError } from './domain-error';

/**
 * numerator ÷ denominator rounded to the nearest integer, exact halves to the even neighbour (banker's rounding).
 * Half-even has no upward bias, so rounding many charge lines does not drift the consortium's totals one way.
 */
export function roundHalfEven(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) {
    throw new DomainError('invalid', 'division-by-zero', 'Cannot divide by zero');
  }
  if (denominator < 0n) {
    numerator = -numerator;
    denominator = -denominator;
  }
  // BigInt division truncates towards zero and the remainder takes the numerator's sign.
  const quotient = numerator / denominator;
  const remainder = numerator % denominator;
  const twiceRemainder = 2n * (remainder < 0n ? -remainder : remainder);
  if (twiceRemainder < denominator) return quotient;
  const awayFromZero = numerator < 0n ? quotient - 1n : quotient + 1n;
  if (twiceRemainder > denominator) return awayFromZero;
  return quotient % 2n === 0n ? quotient : awayFromZero;
}

/** The powers decimal arithmetic meets (scales of a few dozen places), computed once: pricing asks for them often. */
const SMALL_POWERS_OF_TEN = Array.from({ length: 64 }, (_, n) => 10n ** BigInt(n));

/** 10ⁿ as a bigint. */
export function powerOfTen(exponent: number): bigint {
  const small = SMALL_POWERS_OF_TEN[exponent];
  if (small !== undefined) return small;
  if (!Number.isSafeInteger(exponent) || exponent < 0) {
    throw new DomainError(
      'invalid',
      'invalid-exponent',
      `Exponent must be a non-negative integer, not ${exponent}`,
    );
  }
  return 10n ** BigInt(exponent);
}
