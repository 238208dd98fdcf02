import { formatCurrencyAmount, parseCurrencyAmount } from './amount-text';
import { currencyDetails, isCurrency } from './currency';
import { type Decimal, normaliseDecimal } from './decimal';
import { DomainError } from './domain-error';
import type { Currency } from './roles';
import { powerOfTen, roundHalfEven } from './rounding';

/**
 * An amount of money in integer minor units (pence), with its currency. A bigint, never a float, so sums of
 * thousands of charge lines are exact; the currency travels with the amount so two currencies never mix silently.
 */
export interface Money {
  readonly amountMinor: bigint;
  readonly currency: Currency;
}

/** Money as JSON: the amount as an integer string, because JSON numbers are floats and bigint has no JSON form. */
export interface MoneyJson {
  readonly amountMinor: string;
  readonly currency: Currency;
}

/**
 * An exact, not yet rounded amount in major units (pounds), such as 1,234.5 GB × £0.0125 = £15.43125.
 * Charges stay exact until roundToMoney, the single rounding step of a charge line.
 */
export interface ExactMoney {
  readonly amount: Decimal;
  readonly currency: Currency;
}

export function money(amountMinor: bigint, currency: Currency): Money {
  if (typeof amountMinor !== 'bigint') {
    throw new DomainError('invalid', 'invalid-money', 'An amount of money must be a bigint of minor units');
  }
  currencyDetails(currency);
  return { amountMinor, currency };
}

export function zeroMoney(currency: Currency): Money {
  return money(0n, currency);
}

function assertSameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) {
    throw new DomainError('invalid', 'currency-mismatch', `Cannot combine ${a.currency} with ${b.currency}`, {
      currencies: [a.currency, b.currency],
    });
  }
}

export function addMoney(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return { amountMinor: a.amountMinor + b.amountMinor, currency: a.currency };
}

export function subtractMoney(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return { amountMinor: a.amountMinor - b.amountMinor, currency: a.currency };
}

export function negateMoney(a: Money): Money {
  return { amountMinor: -a.amountMinor, currency: a.currency };
}

export function compareMoney(a: Money, b: Money): -1 | 0 | 1 {
  assertSameCurrency(a, b);
  return a.amountMinor < b.amountMinor ? -1 : a.amountMinor > b.amountMinor ? 1 : 0;
}

/** Equal amount and currency; different currencies are simply not equal. */
export function moneyEquals(a: Money, b: Money): boolean {
  return a.currency === b.currency && a.amountMinor === b.amountMinor;
}

export function isZeroMoney(a: Money): boolean {
  return a.amountMinor === 0n;
}

/** The total of `items`; `currency` says what an empty list totals in, and every item must be in it. */
export function sumMoney(items: readonly Money[], currency: Currency): Money {
  return items.reduce(addMoney, zeroMoney(currency));
}

/** "£1,234.56", "-£12.00". */
export function formatMoney(value: Money): string {
  const { minorDigits } = currencyDetails(value.currency);
  return formatCurrencyAmount(
    { coefficient: value.amountMinor, scale: minorDigits },
    value.currency,
    minorDigits,
  );
}

/**
 * Reads "£1,234.56", "-£12.00", "1234.5" or "£12" as money in `currency`. More decimal places than the minor
 * unit allows is an error rather than a rounding: a typed price is never silently changed.
 */
export function parseMoney(text: string, currency: Currency): Money {
  const { minorDigits } = currencyDetails(currency);
  const value = parseCurrencyAmount(text, currency, minorDigits, 'money');
  return { amountMinor: value.coefficient * powerOfTen(minorDigits - value.scale), currency };
}

export function moneyToJson(value: Money): MoneyJson {
  return { amountMinor: value.amountMinor.toString(), currency: value.currency };
}

export function moneyFromJson(json: unknown): Money {
  const candidate = json as Partial<MoneyJson> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.amountMinor !== 'string' ||
    !/^-?\d+$/.test(candidate.amountMinor) ||
    !isCurrency(candidate.currency)
  ) {
    throw new DomainError(
      'invalid',
      'invalid-money',
      'Money must be { amountMinor: an integer string, currency: a known currency }',
      { value: json },
    );
  }
  return { amountMinor: BigInt(candidate.amountMinor), currency: candidate.currency };
}

/** The exact form of an amount already in whole minor units. */
export function exactMoneyOf(value: Money): ExactMoney {
  const { minorDigits } = currencyDetails(value.currency);
  return {
    amount: normaliseDecimal({ coefficient: value.amountMinor, scale: minorDigits }),
    currency: value.currency,
  };
}

/**
 * The exact amount as a fraction of minor units, numerator / denominator. Proration divides by days, which a
 * decimal cannot always hold exactly, so it works on this fraction and rounds once at the end.
 */
export function exactMinorUnits(value: ExactMoney): { numerator: bigint; denominator: bigint } {
  const { minorDigits } = currencyDetails(value.currency);
  const { coefficient, scale } = value.amount;
  return scale >= minorDigits
    ? { numerator: coefficient, denominator: powerOfTen(scale - minorDigits) }
    : { numerator: coefficient * powerOfTen(minorDigits - scale), denominator: 1n };
}

/** Rounds an exact amount to whole minor units, half to even: the one rounding step of a charge line. */
export function roundToMoney(value: ExactMoney): Money {
  const { numerator, denominator } = exactMinorUnits(value);
  return { amountMinor: roundHalfEven(numerator, denominator), currency: value.currency };
}
