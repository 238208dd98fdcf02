import {
  addDays,
  assertIsoDate,
  compareIsoDates,
  daysBetween,
  daysInMonth,
  type IsoDate,
  isoDate,
  isoDateParts,
  MONTH_NAMES,
} from './calendar-date';
import { DomainError } from './domain-error';
import type { BillingCycle } from './roles';

/**
 * A billing period: a calendar month or a calendar quarter (Jan–Mar, Apr–Jun, Jul–Sep, Oct–Dec, so the UK
 * financial year's quarters are periods too). Both dates are inclusive: the period runs from the first day
 * to the last day as a finance team would write it.
 */
export interface BillingPeriod {
  readonly cycle: BillingCycle;
  /** '2025-04' for a month, '2025-Q2' for a quarter: unique per cycle, sortable, fit for a unique constraint. */
  readonly key: string;
  readonly startDate: IsoDate;
  readonly endDate: IsoDate;
}

const MONTH_KEY = /^(\d{4})-(0[1-9]|1[0-2])$/;
const QUARTER_KEY = /^(\d{4})-Q([1-4])$/;

function monthPeriod(year: number, month: number): BillingPeriod {
  return {
    cycle: 'monthly',
    key: `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`,
    startDate: isoDate(year, month, 1),
    endDate: isoDate(year, month, daysInMonth(year, month)),
  };
}

function quarterPeriod(year: number, quarter: number): BillingPeriod {
  const firstMonth = (quarter - 1) * 3 + 1;
  return {
    cycle: 'quarterly',
    key: `${String(year).padStart(4, '0')}-Q${quarter}`,
    startDate: isoDate(year, firstMonth, 1),
    endDate: isoDate(year, firstMonth + 2, daysInMonth(year, firstMonth + 2)),
  };
}

/** The period of `cycle` that contains `date`. */
export function billingPeriodFor(date: IsoDate, cycle: BillingCycle): BillingPeriod {
  const [year, month] = isoDateParts(date);
  if (cycle === 'monthly') return monthPeriod(year, month);
  if (cycle === 'quarterly') return quarterPeriod(year, Math.floor((month - 1) / 3) + 1);
  throw new DomainError('invalid', 'unknown-billing-cycle', `Unknown billing cycle ${String(cycle)}`);
}

/** The period a key such as '2025-04' or '2025-Q2' names. */
export function billingPeriodFromKey(key: string): BillingPeriod {
  const month = MONTH_KEY.exec(key);
  if (month) return monthPeriod(Number(month[1]), Number(month[2]));
  const quarter = QUARTER_KEY.exec(key);
  if (quarter) return quarterPeriod(Number(quarter[1]), Number(quarter[2]));
  throw new DomainError(
    'invalid',
    'invalid-period-key',
    `"${key}" is not a period such as 2025-04 or 2025-Q2`,
    {
      key,
    },
  );
}

export function nextBillingPeriod(period: BillingPeriod): BillingPeriod {
  return billingPeriodFor(addDays(period.endDate, 1), period.cycle);
}

export function previousBillingPeriod(period: BillingPeriod): BillingPeriod {
  return billingPeriodFor(addDays(period.startDate, -1), period.cycle);
}

/** Days in the period, counting both the first and the last. */
export function daysInPeriod(period: BillingPeriod): number {
  return daysBetween(period.startDate, period.endDate) + 1;
}

export function periodContains(period: BillingPeriod, date: IsoDate): boolean {
  return compareIsoDates(period.startDate, date) <= 0 && compareIsoDates(date, period.endDate) <= 0;
}

/** The periods of `cycle` from the one containing `from` to the one containing `to`, in order. */
export function billingPeriodsBetween(from: IsoDate, to: IsoDate, cycle: BillingCycle): BillingPeriod[] {
  assertIsoDate(from, 'start date');
  assertIsoDate(to, 'end date');
  if (compareIsoDates(from, to) > 0) {
    throw new DomainError('invalid', 'invalid-date-range', 'The start date must not be after the end date', {
      from,
      to,
    });
  }
  const periods = [billingPeriodFor(from, cycle)];
  while (compareIsoDates(periods[periods.length - 1].endDate, to) < 0) {
    periods.push(nextBillingPeriod(periods[periods.length - 1]));
  }
  return periods;
}

/** "April 2025", or "Q2 2025 (April to June)". */
export function billingPeriodLabel(period: BillingPeriod): string {
  const [year, firstMonth] = isoDateParts(period.startDate);
  if (period.cycle === 'monthly') return `${MONTH_NAMES[firstMonth - 1]} ${year}`;
  const quarter = Math.floor((firstMonth - 1) / 3) + 1;
  return `Q${quarter} ${year} (${MONTH_NAMES[firstMonth - 1]} to ${MONTH_NAMES[firstMonth + 1]})`;
}
