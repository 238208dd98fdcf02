import { DomainError } from './domain-error';
import { CURRENCIES, type Currency } from './roles';

export interface CurrencyDetails {
  readonly symbol: string;
  /** Decimal places of the minor unit: 2 for pence. */
  readonly minorDigits: number;
}

export const CURRENCY_DETAILS: Readonly<Record<Currency, CurrencyDetails>> = {
  GBP: { symbol: '£', minorDigits: 2 },
};

export function isCurrency(value: unknown): value is Currency {
  return typeof value === 'string' && (CURRENCIES as readonly string[]).includes(value);
}

export function currencyDetails(currency: Currency): CurrencyDetails {
  if (!isCurrency(currency)) {
    throw new DomainError('invalid', 'unknown-currency', `Unknown currency ${String(currency)}`, {
      currency,
    });
  }
  return CURRENCY_DETAILS[currency];
}
