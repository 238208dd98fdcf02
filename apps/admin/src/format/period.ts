import { billingPeriodFromKey, billingPeriodLabel } from '@consortium/domain';

/**
 * "Q4 2026 (October to December)" for the API's period key `2026-Q4` (or "November 2026" for `2026-11`): billing
 * periods are named the way the billing-periods endpoints name them, never by their key. A key the domain does
 * not read is shown as it is.
 */
export function periodName(key: string): string {
  try {
    return billingPeriodLabel(billingPeriodFromKey(key));
  } catch {
    return key;
  }
}

/** "Q4 2026" (or "November 2026"): the name without its months, where space is short (a chart's axis). */
export function periodShortName(key: string): string {
  return periodName(key).replace(/ \(.*\)$/, '');
}
