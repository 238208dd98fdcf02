import { parseDecimal, toScaledInteger } from './decimal';
import { QUANTITY_DECIMAL_PLACES } from './price-plan';

/*
 * Bounds on metered usage, checked when it is reported (each event refused on its own, with a code), so that one
 * provider's mistake cannot break a charge run. Charges are pence in a bigint (at most about 9.2e18): a period's
 * total of 1e12 units at up to £92,000 a unit stays inside it, and PostgreSQL's sums over events stay far from
 * any limit. Both are far above any real use: a billion gigabytes (or API calls) in one reading, a trillion units
 * of one metric for one subscription in one billing period. Real usage beyond the first is split across events.
 */

/** The most units one usage event may report. */
export const MAX_USAGE_EVENT_QUANTITY = 1_000_000_000;

/** The most units of one metric one subscription may have in one billing period (voided events not counted). */
export const MAX_USAGE_PER_SUBSCRIPTION_PERIOD = 1_000_000_000_000;

const SCALE = 10n ** BigInt(QUANTITY_DECIMAL_PLACES);

/** Plain decimal text within QUANTITY_DECIMAL_PLACES places: the form ingestion stores, counted without parsing. */
const PLAIN_QUANTITY = new RegExp(`^(\\d+)(?:\\.(\\d{1,${QUANTITY_DECIMAL_PLACES}}))?$`);

/** A usage quantity (decimal text, at most QUANTITY_DECIMAL_PLACES places) in millionths of a unit, exactly. */
export function usageMicroUnits(quantity: string): bigint {
  // Every event of a batch is counted: its digits, the fraction padded to the scale, are already the answer.
  const plain = PLAIN_QUANTITY.exec(quantity);
  if (plain) return BigInt(plain[1] + (plain[2] ?? '').padEnd(QUANTITY_DECIMAL_PLACES, '0'));
  return toScaledInteger(
    parseDecimal(quantity, { maxScale: QUANTITY_DECIMAL_PLACES, what: 'quantity' }),
    QUANTITY_DECIMAL_PLACES,
  );
}

/** A whole-unit bound (MAX_USAGE_EVENT_QUANTITY…) in millionths of a unit. */
export const usageBoundMicroUnits = (bound: number): bigint => BigInt(bound) * SCALE;
