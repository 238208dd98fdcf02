import { DomainError } from './domain-error';
import { powerOfTen, roundHalfEven } from './rounding';

/**
 * An exact decimal number: coefficient × 10^-scale. Quantities and unit rates are decimals so that
 * "1,234.5 GB at £0.0125" is computed exactly; binary floating point cannot represent either figure.
 */
export interface Decimal {
  readonly coefficient: bigint;
  readonly scale: number;
}

/**
 * What callers may pass where a decimal is expected. Numbers must be safe integers: a fractional JavaScript
 * number is already inexact, so fractions must arrive as decimal strings (as PostgreSQL `numeric` gives them).
 */
export type DecimalInput = Decimal | string | bigint | number;

const DECIMAL_TEXT = /^(-?)(\d+)(?:\.(\d+))?$/;

export function decimal(coefficient: bigint, scale = 0): Decimal {
  if (!Number.isSafeInteger(scale) || scale < 0) {
    throw new DomainError('invalid', 'invalid-decimal', `A decimal's scale must be a non-negative integer`);
  }
  return { coefficient, scale };
}

export interface ParseDecimalOptions {
  /** Most decimal places allowed, ignoring trailing zeros ("1.500" has one). */
  readonly maxScale?: number;
  /** Names the value in error messages, e.g. "quantity". */
  readonly what?: string;
}

/** Parses plain decimal text such as "12", "-0.0125" or "1200.50" (no exponent, no grouping). */
export function parseDecimal(text: string, options: ParseDecimalOptions = {}): Decimal {
  const what = options.what ?? 'number';
  const match = typeof text === 'string' ? DECIMAL_TEXT.exec(text) : null;
  if (!match) {
    throw new DomainError('invalid', 'invalid-decimal', `The ${what} must be a decimal number such as 12.5`, {
      value: text,
    });
  }
  const [, sign, whole, fraction = ''] = match;
  const parsed = normaliseDecimal({
    coefficient: BigInt(whole + fraction) * (sign ? -1n : 1n),
    scale: fraction.length,
  });
  if (options.maxScale !== undefined && parsed.scale > options.maxScale) {
    throw new DomainError(
      'invalid',
      'too-many-decimal-places',
      `The ${what} may have at most ${options.maxScale} decimal places`,
      { value: text, maxScale: options.maxScale },
    );
  }
  return parsed;
}

export function isDecimal(value: unknown): value is Decimal {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Decimal).coefficient === 'bigint' &&
    Number.isSafeInteger((value as Decimal).scale) &&
    (value as Decimal).scale >= 0
  );
}

export function toDecimal(input: DecimalInput, what = 'number'): Decimal {
  if (typeof input === 'bigint') return { coefficient: input, scale: 0 };
  if (typeof input === 'number') {
    if (!Number.isSafeInteger(input)) {
      throw new DomainError(
        'invalid',
        'inexact-number',
        `The ${what} must be a whole number, or a decimal string for fractions`,
        { value: input },
      );
    }
    return { coefficient: BigInt(input), scale: 0 };
  }
  if (typeof input === 'string') return parseDecimal(input, { what });
  if (isDecimal(input)) return input;
  throw new DomainError('invalid', 'invalid-decimal', `The ${what} must be a decimal number`);
}

/** The same value with trailing zeros removed, so equal values have one representation. */
export function normaliseDecimal(value: Decimal): Decimal {
  let { coefficient, scale } = value;
  if (coefficient === 0n) return { coefficient: 0n, scale: 0 };
  while (scale > 0 && coefficient % 10n === 0n) {
    coefficient /= 10n;
    scale -= 1;
  }
  return { coefficient, scale };
}

export interface FormatDecimalOptions {
  /** Pads with zeros to at least this many decimal places ("4.5" → "4.50"). */
  readonly minScale?: number;
  /** Groups thousands with commas, for people rather than machines. */
  readonly grouping?: boolean;
}

/** Plain decimal text, exact: the inverse of parseDecimal. */
export function formatDecimal(value: Decimal, options: FormatDecimalOptions = {}): string {
  const normal = normaliseDecimal(value);
  const scale = Math.max(normal.scale, options.minScale ?? 0);
  const coefficient = normal.coefficient * powerOfTen(scale - normal.scale);
  const negative = coefficient < 0n;
  const digits = (negative ? -coefficient : coefficient).toString().padStart(scale + 1, '0');
  let whole = digits.slice(0, digits.length - scale);
  if (options.grouping) whole = groupThousands(whole);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${fraction}` : ''}`;
}

export function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function aligned(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.coefficient * powerOfTen(scale - a.scale), b.coefficient * powerOfTen(scale - b.scale), scale];
}

export function addDecimals(a: Decimal, b: Decimal): Decimal {
  const [x, y, scale] = aligned(a, b);
  return normaliseDecimal({ coefficient: x + y, scale });
}

export function subtractDecimals(a: Decimal, b: Decimal): Decimal {
  const [x, y, scale] = aligned(a, b);
  return normaliseDecimal({ coefficient: x - y, scale });
}

export function multiplyDecimals(a: Decimal, b: Decimal): Decimal {
  return normaliseDecimal({ coefficient: a.coefficient * b.coefficient, scale: a.scale + b.scale });
}

export function negateDecimal(value: Decimal): Decimal {
  return normaliseDecimal({ coefficient: -value.coefficient, scale: value.scale });
}

export function compareDecimals(a: Decimal, b: Decimal): -1 | 0 | 1 {
  const [x, y] = aligned(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function decimalSign(value: Decimal): -1 | 0 | 1 {
  return value.coefficient < 0n ? -1 : value.coefficient > 0n ? 1 : 0;
}

export function minDecimal(a: Decimal, b: Decimal): Decimal {
  return compareDecimals(a, b) <= 0 ? a : b;
}

export function maxDecimal(a: Decimal, b: Decimal): Decimal {
  return compareDecimals(a, b) >= 0 ? a : b;
}

/** Rounds to `scale` decimal places, half to even. */
export function roundDecimal(value: Decimal, scale: number): Decimal {
  if (value.scale <= scale) return normaliseDecimal(value);
  return normaliseDecimal({
    coefficient: roundHalfEven(value.coefficient, powerOfTen(value.scale - scale)),
    scale,
  });
}

/**
 * The value as an integer count of 10^-scale, refusing to lose precision: the way rates and fees reach their
 * scaled-integer form, where silently rounding would change a price.
 */
export function toScaledInteger(value: Decimal, scale: number): bigint {
  const normal = normaliseDecimal(value);
  if (normal.scale > scale) {
    throw new DomainError(
      'invalid',
      'too-many-decimal-places',
      `${formatDecimal(value)} has more than ${scale} decimal places`,
    );
  }
  return normal.coefficient * powerOfTen(scale - normal.scale);
}
