import { allocateByWeights } from './allocation';
import type { BillingPeriod } from './billing-period';
import { isoDateParts } from './calendar-date';
import { type Decimal, formatDecimal } from './decimal';
import { DomainError } from './domain-error';
import { roundHalfEven } from './rounding';

/**
 * The share of an annual in-house baseline that falls in one billing period: the annual figure split into 12
 * monthly or 4 quarterly parts by the largest-remainder method (so the parts of a calendar year always add back to
 * the annual figure exactly, the odd pence going to the earlier periods), and the part of this period taken.
 */
export function baselineForPeriod(annualMinor: bigint, period: BillingPeriod): bigint {
  if (annualMinor < 0n) {
    throw new DomainError('invalid', 'negative-baseline', 'An in-house baseline cannot be negative', {
      annualMinor: annualMinor.toString(),
    });
  }
  const [, month] = isoDateParts(period.startDate);
  const parts = period.cycle === 'monthly' ? 12 : 4;
  const index = period.cycle === 'monthly' ? month - 1 : Math.floor((month - 1) / 3);
  return allocateByWeights(annualMinor, new Array<number>(parts).fill(1))[index];
}

/**
 * What was saved against the baseline as a percentage of the baseline, to one decimal place (half to even):
 * "34.5" when £100 of baseline cost £65.50. Negative when the service cost more than doing it in-house; null
 * when there is no baseline to compare with.
 */
export function savingsPercentage(baselineMinor: bigint, chargedMinor: bigint): string | null {
  if (baselineMinor <= 0n) return null;
  const tenths = roundHalfEven((baselineMinor - chargedMinor) * 1000n, baselineMinor);
  const value: Decimal = { coefficient: tenths, scale: 1 };
  return formatDecimal(value, { minScale: 1 });
}
