import fc from 'fast-check';
import {
  addDays,
  addMonths,
  compareIsoDates,
  daysBetween,
  formatDateForPeople,
  fromEpochDay,
  isIsoDate,
  toEpochDay,
} from './calendar-date';
import { DomainError } from './domain-error';

// 1900-01-01 to 2199-12-31 in days since 1970-01-01.
const epochDayArb = fc.integer({ min: -25567, max: 84005 });

describe('calendar dates', () => {
  it('recognises real calendar dates only', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2025-02-29')).toBe(false);
    expect(isIsoDate('2000-02-29')).toBe(true);
    expect(isIsoDate('1900-02-29')).toBe(false);
    expect(isIsoDate('2025-04-31')).toBe(false);
    expect(isIsoDate('2025-4-1')).toBe(false);
    expect(isIsoDate('2025-04-01T00:00:00Z')).toBe(false);
    expect(isIsoDate(20250401)).toBe(false);
  });

  it('counts days as the UTC calendar does', () => {
    fc.assert(
      fc.property(epochDayArb, (day) => {
        const date = fromEpochDay(day);
        expect(date).toBe(new Date(day * 86_400_000).toISOString().slice(0, 10));
        expect(toEpochDay(date)).toBe(day);
      }),
    );
  });

  it('adds days and measures the days between dates', () => {
    expect(addDays('2025-02-28', 1)).toBe('2025-03-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-01-01', -1)).toBe('2024-12-31');
    expect(daysBetween('2025-04-01', '2025-06-30')).toBe(90);
    fc.assert(
      fc.property(epochDayArb, fc.integer({ min: -1000, max: 1000 }), (day, days) => {
        const date = fromEpochDay(day);
        expect(daysBetween(date, addDays(date, days))).toBe(days);
        expect(compareIsoDates(date, addDays(date, days))).toBe(Math.sign(-days) || 0);
      }),
    );
  });

  it('adds months, keeping to the end of shorter months', () => {
    expect(addMonths('2025-01-31', 1)).toBe('2025-02-28');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2025-04-15', 12)).toBe('2026-04-15');
    expect(addMonths('2025-03-31', -1)).toBe('2025-02-28');
    expect(addMonths('2025-11-30', 3)).toBe('2026-02-28');
  });

  it('writes dates as UK statements do', () => {
    expect(formatDateForPeople('2025-04-01')).toBe('1 Apr 2025');
    expect(formatDateForPeople('2025-12-25')).toBe('25 Dec 2025');
  });

  it('refuses malformed dates', () => {
    expect(() => addDays('2025-13-01', 1)).toThrow(DomainError);
    expect(() => compareIsoDates('tomorrow', '2025-01-01')).toThrow(DomainError);
  });
});
