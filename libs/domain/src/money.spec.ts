import fc from 'fast-check';
import { parseDecimal } from './decimal';
import { DomainError } from './domain-error';
import {
  addMoney,
  compareMoney,
  exactMoneyOf,
  formatMoney,
  type Money,
  money,
  moneyEquals,
  moneyFromJson,
  moneyToJson,
  negateMoney,
  parseMoney,
  roundToMoney,
  subtractMoney,
  sumMoney,
} from './money';
import type { Currency } from './roles';

const gbp = (pence: bigint): Money => money(pence, 'GBP');
// Only GBP exists today; a second currency is faked to prove amounts in different currencies never mix.
const eur = (cents: bigint): Money => ({ amountMinor: cents, currency: 'EUR' as Currency });
const gbpArb = fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }).map(gbp);

describe('money', () => {
  it.each([
    [123456n, '£1,234.56'],
    [-1200n, '-£12.00'],
    [5n, '£0.05'],
    [-5n, '-£0.05'],
    [0n, '£0.00'],
    [100000000n, '£1,000,000.00'],
    [3200000000n, '£32,000,000.00'],
  ])('formats %s pence as %s', (pence, text) => {
    expect(formatMoney(gbp(pence))).toBe(text);
  });

  it.each([
    ['£1,234.56', 123456n],
    ['-£12.00', -1200n],
    ['1234.5', 123450n],
    ['£12', 1200n],
    [' £0.05 ', 5n],
    ['1,000,000', 100000000n],
    ['£12.500', 1250n],
  ])('parses %j as %s pence', (text, pence) => {
    expect(parseMoney(text, 'GBP')).toEqual(gbp(pence));
  });

  it.each(['£12.345', '£1,23.00', '1,2345', 'abc', '', '£', '--£1', '£-1', '$12.00', '12.', '1e3'])(
    'refuses %j rather than guessing',
    (text) => {
      expect(() => parseMoney(text, 'GBP')).toThrow(DomainError);
    },
  );

  it('round-trips any amount through format and parse', () => {
    fc.assert(
      fc.property(gbpArb, (amount) => {
        expect(parseMoney(formatMoney(amount), 'GBP')).toEqual(amount);
      }),
    );
  });

  it('round-trips through JSON as an integer string, never a float', () => {
    expect(moneyToJson(gbp(-1999n))).toEqual({ amountMinor: '-1999', currency: 'GBP' });
    fc.assert(
      fc.property(gbpArb, (amount) => {
        expect(moneyFromJson(JSON.parse(JSON.stringify(moneyToJson(amount))))).toEqual(amount);
      }),
    );
  });

  it.each([
    { amountMinor: 12.5, currency: 'GBP' },
    { amountMinor: '12.5', currency: 'GBP' },
    { amountMinor: '12', currency: 'XYZ' },
    { amountMinor: '12' },
    null,
    '12',
  ])('refuses malformed JSON %j', (json) => {
    expect(() => moneyFromJson(json)).toThrow(DomainError);
  });

  it('adds, subtracts, negates and compares in one currency', () => {
    expect(addMoney(gbp(150n), gbp(-50n))).toEqual(gbp(100n));
    expect(subtractMoney(gbp(150n), gbp(200n))).toEqual(gbp(-50n));
    expect(negateMoney(gbp(7n))).toEqual(gbp(-7n));
    expect(compareMoney(gbp(1n), gbp(2n))).toBe(-1);
    expect(compareMoney(gbp(2n), gbp(2n))).toBe(0);
    expect(sumMoney([gbp(1n), gbp(2n), gbp(3n)], 'GBP')).toEqual(gbp(6n));
    expect(sumMoney([], 'GBP')).toEqual(gbp(0n));
    fc.assert(
      fc.property(gbpArb, gbpArb, (a, b) => {
        expect(subtractMoney(addMoney(a, b), b)).toEqual(a);
        expect(addMoney(a, negateMoney(a))).toEqual(gbp(0n));
      }),
    );
  });

  it('refuses to mix currencies', () => {
    for (const combine of [addMoney, subtractMoney, compareMoney]) {
      expect(() => combine(gbp(1n), eur(1n))).toThrow(expect.objectContaining({ code: 'currency-mismatch' }));
    }
    expect(() => sumMoney([gbp(1n), eur(1n)], 'GBP')).toThrow(DomainError);
    expect(moneyEquals(gbp(1n), eur(1n))).toBe(false);
  });

  it('refuses floats and unknown currencies', () => {
    expect(() => money(12.5 as unknown as bigint, 'GBP')).toThrow(DomainError);
    expect(() => money(1n, 'XYZ' as Currency)).toThrow(DomainError);
  });

  it('rounds an exact amount once, half to even', () => {
    const round = (pounds: string) => roundToMoney({ amount: parseDecimal(pounds), currency: 'GBP' });
    expect(round('15.43125')).toEqual(gbp(1543n));
    expect(round('0.005')).toEqual(gbp(0n));
    expect(round('0.015')).toEqual(gbp(2n));
    expect(round('0.025')).toEqual(gbp(2n));
    expect(round('-0.015')).toEqual(gbp(-2n));
    expect(round('12')).toEqual(gbp(1200n));
    expect(roundToMoney(exactMoneyOf(gbp(-123n)))).toEqual(gbp(-123n));
  });
});
