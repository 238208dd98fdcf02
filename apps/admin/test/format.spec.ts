import { periodName, periodShortName } from '../src/format/period';
import { formatDate, formatDateNumeric, formatDateRange, formatDateTime } from '../src/format/date';
import {
  formatAmount,
  formatMoney,
  formatMoneyAbsolute,
  netPositionPhrase,
  owesPhrase,
  parseMoneyInput,
} from '../src/format/money';

describe('money as people read it', () => {
  it('shows pence as pounds with thousands separators and a true minus sign', () => {
    expect(formatMoney('123456')).toBe('£1,234.56');
    expect(formatMoney('-1200')).toBe('−£12.00');
    expect(formatMoney('7')).toBe('£0.07');
    expect(formatMoney(0)).toBe('£0.00');
  });

  it('keeps every penny of amounts beyond a float’s exact range', () => {
    expect(formatMoney('123456789012345678901')).toBe('£1,234,567,890,123,456,789.01');
  });

  it('names a currency it has no symbol for after the amount', () => {
    expect(formatMoney('150', 'CHF')).toBe('1.50 CHF');
  });

  it('reads the API’s money objects', () => {
    expect(formatAmount({ amountMinor: '85050000', currency: 'GBP' })).toBe('£850,500.00');
  });

  it('refuses what is not a whole number of pence rather than guess', () => {
    expect(() => formatMoney('12.5')).toThrow(RangeError);
    expect(() => formatMoney(0.1)).toThrow(RangeError);
  });

  it('spells out who owes whom and a member’s net position, never leaving a sign to read', () => {
    expect(formatMoneyAbsolute('-1200')).toBe('£12.00');
    expect(owesPhrase('Norfolk County Council', 'Kent County Council', '-123456')).toBe(
      'Norfolk County Council owes Kent County Council £1,234.56',
    );
    expect(netPositionPhrase('Kent County Council', '5000')).toBe('Kent County Council is owed £50.00');
    expect(netPositionPhrase('Suffolk County Council', '-5000')).toBe('Suffolk County Council owes £50.00');
    expect(netPositionPhrase('Broadland', '0')).toBe('Broadland is square');
  });

  it('reads amounts people type, in pounds, into pence', () => {
    expect(parseMoneyInput('£1,234.5')).toBe(123450n);
    expect(parseMoneyInput('12')).toBe(1200n);
    expect(parseMoneyInput('0.07')).toBe(7n);
    expect(parseMoneyInput('-3.10')).toBe(-310n);
    expect(parseMoneyInput('1.234')).toBeNull();
    expect(parseMoneyInput('twelve')).toBeNull();
  });
});

describe('dates as people in the UK write them', () => {
  it('shows a calendar date as that day, whatever the time zone', () => {
    expect(formatDate('2026-12-31')).toBe('31 Dec 2026');
    expect(formatDateNumeric('2026-01-05')).toBe('05/01/2026');
    expect(formatDateRange('2026-10-01', '2026-12-31')).toBe('1 Oct 2026 – 31 Dec 2026');
  });

  it('shows an instant in UK time, summer time included', () => {
    expect(formatDateTime('2026-07-01T08:30:00Z')).toBe('1 Jul 2026, 09:30');
    expect(formatDateTime('2026-12-01T08:30:00Z')).toBe('1 Dec 2026, 08:30');
  });

  it('shows a dash for nothing and the text itself for what is not a date', () => {
    expect(formatDate(null)).toBe('—');
    expect(formatDateTime('')).toBe('—');
    expect(formatDate('soon')).toBe('soon');
  });
});

describe('billing periods in words', () => {
  it('names a period by its months, never by its key', () => {
    expect(periodName('2026-Q4')).toBe('Q4 2026 (October to December)');
    expect(periodName('2026-11')).toBe('November 2026');
    expect(periodName('not-a-key')).toBe('not-a-key');
    expect(periodShortName('2026-Q4')).toBe('Q4 2026');
    expect(periodShortName('2026-11')).toBe('November 2026');
  });
});
