import fc from 'fast-check';
import {
  type BillingPeriod,
  billingPeriodFor,
  billingPeriodFromKey,
  billingPeriodLabel,
  billingPeriodsBetween,
  daysInPeriod,
  nextBillingPeriod,
  periodContains,
  previousBillingPeriod,
} from './billing-period';
import { addDays, fromEpochDay } from './calendar-date';
import { DomainError } from './domain-error';
import { BILLING_CYCLES } from './roles';

const dateArb = fc.integer({ min: 0, max: 40_000 }).map(fromEpochDay);
const cycleArb = fc.constantFrom(...BILLING_CYCLES);

describe('billing periods', () => {
  it('finds the calendar month of a date', () => {
    expect(billingPeriodFor('2024-02-14', 'monthly')).toEqual({
      cycle: 'monthly',
      key: '2024-02',
      startDate: '2024-02-01',
      endDate: '2024-02-29',
    });
  });

  it('finds the calendar quarter of a date, which is also a UK financial-year quarter', () => {
    expect(billingPeriodFor('2025-05-20', 'quarterly')).toEqual({
      cycle: 'quarterly',
      key: '2025-Q2',
      startDate: '2025-04-01',
      endDate: '2025-06-30',
    });
    expect(billingPeriodFor('2025-12-31', 'quarterly').key).toBe('2025-Q4');
    expect(billingPeriodFor('2026-01-01', 'quarterly').key).toBe('2026-Q1');
  });

  it('counts the days in a period', () => {
    expect(daysInPeriod(billingPeriodFromKey('2025-04'))).toBe(30);
    expect(daysInPeriod(billingPeriodFromKey('2024-02'))).toBe(29);
    expect(daysInPeriod(billingPeriodFromKey('2025-Q1'))).toBe(90);
    expect(daysInPeriod(billingPeriodFromKey('2024-Q1'))).toBe(91);
    expect(daysInPeriod(billingPeriodFromKey('2025-Q4'))).toBe(92);
  });

  it('moves to the next and previous period across year ends', () => {
    expect(nextBillingPeriod(billingPeriodFromKey('2025-12')).key).toBe('2026-01');
    expect(nextBillingPeriod(billingPeriodFromKey('2025-Q4')).key).toBe('2026-Q1');
    expect(previousBillingPeriod(billingPeriodFromKey('2026-Q1')).key).toBe('2025-Q4');
  });

  it('labels periods for people', () => {
    expect(billingPeriodLabel(billingPeriodFromKey('2025-04'))).toBe('April 2025');
    expect(billingPeriodLabel(billingPeriodFromKey('2025-Q2'))).toBe('Q2 2025 (April to June)');
  });

  it('lists the periods between two dates', () => {
    expect(billingPeriodsBetween('2025-02-10', '2025-10-01', 'quarterly').map((p) => p.key)).toEqual([
      '2025-Q1',
      '2025-Q2',
      '2025-Q3',
      '2025-Q4',
    ]);
    expect(() => billingPeriodsBetween('2025-03-01', '2025-02-01', 'monthly')).toThrow(DomainError);
  });

  it.each(['2025-13', '2025-Q5', '2025-4', 'April'])('refuses the period key %j', (key) => {
    expect(() => billingPeriodFromKey(key)).toThrow(DomainError);
  });

  it('places every date in exactly one period, with no gap before the next', () => {
    fc.assert(
      fc.property(dateArb, cycleArb, (date, cycle) => {
        const period = billingPeriodFor(date, cycle);
        const next = nextBillingPeriod(period);
        expect(periodContains(period, date)).toBe(true);
        expect(periodContains(next, date)).toBe(false);
        expect(next.startDate).toBe(addDays(period.endDate, 1));
        expect(previousBillingPeriod(next)).toEqual(period);
        expect(billingPeriodFromKey(period.key)).toEqual(period);
      }),
    );
  });

  it('makes each quarter exactly its three months', () => {
    fc.assert(
      fc.property(dateArb, (date) => {
        const quarter = billingPeriodFor(date, 'quarterly');
        const months: BillingPeriod[] = billingPeriodsBetween(quarter.startDate, quarter.endDate, 'monthly');
        expect(months).toHaveLength(3);
        expect(months.reduce((days, month) => days + daysInPeriod(month), 0)).toBe(daysInPeriod(quarter));
      }),
    );
  });
});
