/**
 * Money as people read it: integer minor units (pence, as the API sends them in `amountMinor` strings) shown as
 * "£1,234.56". BigInt throughout, so a ledger total never passes through a float.
 */

const SYMBOLS: Record<string, string> = { GBP: '£', EUR: '€', USD: '$' };

function digitsOf(amountMinor: string | bigint | number): bigint {
  if (typeof amountMinor === 'bigint') return amountMinor;
  if (typeof amountMinor === 'number') {
    if (!Number.isSafeInteger(amountMinor))
      throw new RangeError(`Not a whole number of minor units: ${amountMinor}`);
    return BigInt(amountMinor);
  }
  if (!/^-?\d+$/.test(amountMinor.trim()))
    throw new RangeError(`Not a whole number of minor units: ${amountMinor}`);
  return BigInt(amountMinor.trim());
}

/** "£1,234.56", "−£12.00" (a true minus sign), or "£0.00". */
export function formatMoney(amountMinor: string | bigint | number, currency = 'GBP'): string {
  const value = digitsOf(amountMinor);
  const negative = value < 0n;
  const absolute = negative ? -value : value;
  const pounds = (absolute / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const pence = (absolute % 100n).toString().padStart(2, '0');
  const symbol = SYMBOLS[currency];
  const body = symbol ? `${symbol}${pounds}.${pence}` : `${pounds}.${pence} ${currency}`;
  return negative ? `−${body}` : body;
}

/** The API's money objects (`{ amountMinor, currency }`, as in MoneyDto) as people read them. */
export function formatAmount(money: { amountMinor: string; currency: string }): string {
  return formatMoney(money.amountMinor, money.currency);
}

/** The size of an amount without its sign: "£12.00" for -1200. */
export function formatMoneyAbsolute(amountMinor: string | bigint | number, currency = 'GBP'): string {
  const value = digitsOf(amountMinor);
  return formatMoney(value < 0n ? -value : value, currency);
}

/** "Norfolk owes Kent £1,234.56": who pays whom, so nobody has to read a sign. */
export function owesPhrase(
  debtor: string,
  creditor: string,
  amountMinor: string | bigint | number,
  currency = 'GBP',
): string {
  return `${debtor} owes ${creditor} ${formatMoneyAbsolute(amountMinor, currency)}`;
}

/**
 * A member's net position in words. Positive: the consortium owes the member; negative: the member owes.
 * `name` is the member ("Kent County Council"); zero reads as "is square".
 */
export function netPositionPhrase(
  name: string,
  netMinor: string | bigint | number,
  currency = 'GBP',
): string {
  const value = digitsOf(netMinor);
  if (value === 0n) return `${name} is square`;
  const amount = formatMoneyAbsolute(value, currency);
  return value > 0n ? `${name} is owed ${amount}` : `${name} owes ${amount}`;
}

/** Pence from what a person typed ("1,234.5", "£12", "0.07"); null when it is not an amount of money. */
export function parseMoneyInput(text: string): bigint | null {
  const cleaned = text.trim().replace(/^£/, '').replace(/,/g, '');
  const match = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(cleaned);
  if (!match) return null;
  const pence = BigInt(match[2]) * 100n + BigInt((match[3] ?? '').padEnd(2, '0') || '0');
  return match[1] ? -pence : pence;
}
