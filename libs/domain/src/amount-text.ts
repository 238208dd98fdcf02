import { currencyDetails } from './currency';
import { type Decimal, formatDecimal, groupThousands } from './decimal';
import { DomainError } from './domain-error';
import type { Currency } from './roles';

// Shared by money and rates so both read and write amounts the same way; not exported from the library.

function escapeForPattern(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const amountPatterns = new Map<string, RegExp>();

/** The pattern of an amount in the currency with this symbol, built once per symbol. */
function amountPattern(symbol: string): RegExp {
  let pattern = amountPatterns.get(symbol);
  if (!pattern) {
    pattern = new RegExp(`^(-)?(?:${escapeForPattern(symbol)})?(\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.(\\d+))?$`);
    amountPatterns.set(symbol, pattern);
  }
  return pattern;
}

/**
 * Reads "£1,234.56", "-£12", "1234.5" or "£0.0125": an optional minus, an optional currency symbol, digits
 * (grouped by commas in threes, or not at all) and at most `maxDecimals` decimal places.
 */
export function parseCurrencyAmount(
  text: string,
  currency: Currency,
  maxDecimals: number,
  what: 'money' | 'rate',
): Decimal {
  const { symbol } = currencyDetails(currency);
  const pattern = amountPattern(symbol);
  const match = typeof text === 'string' ? pattern.exec(text.trim()) : null;
  if (!match) {
    throw new DomainError(
      'invalid',
      `invalid-${what}`,
      `"${text}" is not ${what === 'money' ? 'an amount' : 'a rate'} in ${currency}, such as ${symbol}1,234.56`,
      {
        value: text,
      },
    );
  }
  const [, minus, whole, fraction = ''] = match;
  const significant = fraction.replace(/0+$/, '');
  if (significant.length > maxDecimals) {
    throw new DomainError(
      'invalid',
      'too-many-decimal-places',
      `"${text}" has more than ${maxDecimals} decimal places`,
      { value: text, maxDecimals },
    );
  }
  const coefficient = BigInt(whole.replace(/,/g, '') + significant);
  return { coefficient: minus ? -coefficient : coefficient, scale: significant.length };
}

/** "-£1,234.56": the minus first, then the symbol, then grouped digits with at least `minDecimals` places. */
export function formatCurrencyAmount(value: Decimal, currency: Currency, minDecimals: number): string {
  const { symbol } = currencyDetails(currency);
  const text = formatDecimal(value, { minScale: minDecimals });
  const negative = text.startsWith('-');
  const [whole, fraction] = (negative ? text.slice(1) : text).split('.');
  return `${negative ? '-' : ''}${symbol}${groupThousands(whole)}${fraction === undefined ? '' : `.${fraction}`}`;
}
