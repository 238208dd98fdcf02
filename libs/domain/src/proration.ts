import { daysInPeriod, type BillingPeriod, periodContains } from './billing-period';
import {
  assertIsoDate,
  compareIsoDates,
  daysBetween,
  earlierDate,
  type IsoDate,
  laterDate,
} from './calendar-date';
import { DomainError } from './domain-error';
import { type ExactMoney, exactMinorUnits, type Money } from './money';
import { roundHalfEven } from './rounding';

/** A run of whole days, both ends inclusive. */
export interface DayRange {
  readonly from: IsoDate;
  readonly to: IsoDate;
}

/**
 * The days of `period` on which a subscription running from `startDate` to `endDate` (its last day, inclusive;
 * null while open-ended) is in service, or null when it is not in service at all during the period.
 */
export function serviceDaysInPeriod(
  period: BillingPeriod,
  startDate: IsoDate,
  endDate: IsoDate | null = null,
): DayRange | null {
  assertIsoDate(startDate, 'subscription start date');
  if (endDate !== null) {
    assertIsoDate(endDate, 'subscription end date');
    if (compareIsoDates(endDate, startDate) < 0) {
      throw new DomainError('invalid', 'invalid-date-range', 'A subscription cannot end before it starts', {
        startDate,
        endDate,
      });
    }
  }
  const from = laterDate(startDate, period.startDate);
  const to = endDate === null ? period.endDate : earlierDate(endDate, period.endDate);
  return compareIsoDates(from, to) <= 0 ? { from, to } : null;
}

export function daysInRange(range: DayRange): number {
  return daysBetween(range.from, range.to) + 1;
}

export function isWholePeriod(period: BillingPeriod, range: DayRange): boolean {
  return range.from === period.startDate && range.to === period.endDate;
}

/**
 * The part of a whole period's exact charge that falls on the days of `range`, in whole minor units.
 *
 * Why cumulative rounding rather than rounding each part, or largest remainders: the charge for the first k days
 * is the exact amount × k / days rounded half to even, and a range's part is the difference of two such figures.
 * The parts of any split of the period into day ranges then add up (they telescope) to the whole period's
 * rounded charge, however the period is split and whoever computes each part, and each part is within one minor
 * unit of its exact share. A range starting on the period's first day is within half a minor unit.
 */
export function prorateByDays(exact: ExactMoney, period: BillingPeriod, range: DayRange): Money {
  if (!periodContains(period, range.from) || !periodContains(period, range.to)) {
    throw new DomainError(
      'invalid',
      'range-outside-period',
      'The days to charge must lie within the period',
      {
        period: period.key,
        ...range,
      },
    );
  }
  if (compareIsoDates(range.from, range.to) > 0) {
    throw new DomainError('invalid', 'invalid-date-range', 'A day range cannot end before it starts', {
      ...range,
    });
  }
  const days = BigInt(daysInPeriod(period));
  const { numerator, denominator } = exactMinorUnits(exact);
  const firstDays = (k: number) => roundHalfEven(numerator * BigInt(k), denominator * days);
  const before = daysBetween(period.startDate, range.from);
  const through = daysBetween(period.startDate, range.to) + 1;
  return { amountMinor: firstDays(through) - firstDays(before), currency: exact.currency };
}
