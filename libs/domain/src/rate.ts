import { formatCurrencyAmount, parseCurrencyAmount } from './amount-text';
import { currencyDetails } from './currency';
import {
  type Decimal,
  type DecimalInput,
  formatDecimal,
  multiplyDecimals,
  normaliseDecimal,
  toDecimal,
} from './decimal';
import { DomainError } from './domain-error';
import { type ExactMoney, type Money, roundToMoney } from './money';
import type { Currency } from './roles';
import { powerOfTen } from './rounding';

/** Unit rates are exact to a millionth of a pound: enough for £0.0125 per GB, or £0.000045 per API call. */
export const RATE_DECIMAL_PLACES = 6;

/**
 * A price per unit, which unlike Money may be a fraction of a penny. Held as an integer count of millionths of
 * the major unit (£0.0125 is 12,500), so equal rates are equal values and arithmetic stays exact.
 */
export interface UnitRate {
  readonly amountMicros: bigint;
  readonly currency: Currency;
}

export function unitRate(amountMicros: bigint, currency: Currency): UnitRate {
  if (typeof amountMicros !== 'bigint') {
    throw new DomainError('invalid', 'invalid-rate', 'A unit rate must be a bigint of millionths');
  }
  currencyDetails(currency);
  return { amountMicros, currency };
}

/** Reads "0.0125", "£0.0125" or "£1,200.50" exactly; more than six decimal places is an error, never a rounding. */
export function parseRate(text: string, currency: Currency): UnitRate {
  const value = parseCurrencyAmount(text, currency, RATE_DECIMAL_PLACES, 'rate');
  return { amountMicros: value.coefficient * powerOfTen(RATE_DECIMAL_PLACES - value.scale), currency };
}

/** The rate as an exact decimal of major units. */
export function rateAsDecimal(rate: UnitRate): Decimal {
  return normaliseDecimal({ coefficient: rate.amountMicros, scale: RATE_DECIMAL_PLACES });
}

/** "£0.0125", "£4.50": at least the currency's minor digits, then only the digits the rate has. */
export function formatRate(rate: UnitRate): string {
  return formatCurrencyAmount(rateAsDecimal(rate), rate.currency, currencyDetails(rate.currency).minorDigits);
}

/** "0.0125", "4.50": the rate as plain decimal text for storage and JSON; parseRate reads it back exactly. */
export function rateToDecimalString(rate: UnitRate): string {
  return formatDecimal(rateAsDecimal(rate), { minScale: currencyDetails(rate.currency).minorDigits });
}

/** A rate equal to an amount of money per unit (a flat fee is a rate for one unit). */
export function rateFromMoney(value: Money): UnitRate {
  const { minorDigits } = currencyDetails(value.currency);
  return {
    amountMicros: value.amountMinor * powerOfTen(RATE_DECIMAL_PLACES - minorDigits),
    currency: value.currency,
  };
}

/** quantity × rate, exactly. */
export function exactCharge(quantity: DecimalInput, rate: UnitRate): ExactMoney {
  return {
    amount: multiplyDecimals(toDecimal(quantity, 'quantity'), rateAsDecimal(rate)),
    currency: rate.currency,
  };
}

/** quantity × rate rounded once to whole minor units, half to even. */
export function chargeFor(quantity: DecimalInput, rate: UnitRate): Money {
  return roundToMoney(exactCharge(quantity, rate));
}
