/**
 * What the dashboard says about money, worked out from the API's charges and savings. Plain TypeScript (BigInt
 * pence throughout), so it is unit-tested without a browser.
 */
import { formatMoney, formatMoneyAbsolute, owesPhrase } from '../format/money';
import { periodName, periodShortName } from '../format/period';

export interface ChargeForSummary {
  direction: 'to_us' | 'from_us' | null;
  status: string;
  provider: { id: string; name: string };
  consumer: { id: string; name: string };
  gross: { amountMinor: string; currency: string };
}

export interface OwedLine {
  /** The other organisation. */
  counterparty: string;
  /** Gross pence, summed over the period's charges with that organisation. */
  amountMinor: string;
  /** "Kent County Council owes Delt £1,234.56". */
  phrase: string;
}

export interface PeriodCharges {
  /** Charges we raised that others owe us (we provide). */
  dueToUs: OwedLine[];
  /** Charges raised to us (we consume). */
  dueFromUs: OwedLine[];
  totalDueToUs: string;
  totalDueFromUs: string;
  /** Our drafts not yet issued: not owed until they are. */
  drafts: number;
}

/** Only charges that have been issued are owed: drafts are work in progress, void ones never count. */
const OWED_STATUSES = new Set(['issued', 'disputed', 'approved']);

function byCounterparty(
  charges: ChargeForSummary[],
  counterpartyOf: (c: ChargeForSummary) => string,
  phrase: (counterparty: string, amountMinor: bigint) => string,
): { lines: OwedLine[]; total: bigint } {
  const sums = new Map<string, bigint>();
  for (const charge of charges) {
    const name = counterpartyOf(charge);
    sums.set(name, (sums.get(name) ?? 0n) + BigInt(charge.gross.amountMinor));
  }
  let total = 0n;
  const lines = [...sums.entries()]
    .sort(([a, x], [b, y]) => (x === y ? a.localeCompare(b) : x > y ? -1 : 1))
    .map(([counterparty, amount]) => {
      total += amount;
      return { counterparty, amountMinor: amount.toString(), phrase: phrase(counterparty, amount) };
    });
  return { lines, total };
}

/** The period's charges to and from `us`, per counterparty, in words. */
export function summariseCharges(us: string, charges: ChargeForSummary[]): PeriodCharges {
  const owed = charges.filter((c) => OWED_STATUSES.has(c.status));
  const toUs = byCounterparty(
    owed.filter((c) => c.direction === 'from_us'),
    (c) => c.consumer.name,
    (them, amount) => owesPhrase(them, us, amount),
  );
  const fromUs = byCounterparty(
    owed.filter((c) => c.direction === 'to_us'),
    (c) => c.provider.name,
    (them, amount) => owesPhrase(us, them, amount),
  );
  return {
    dueToUs: toUs.lines,
    dueFromUs: fromUs.lines,
    totalDueToUs: toUs.total.toString(),
    totalDueFromUs: fromUs.total.toString(),
    drafts: charges.filter((c) => c.status === 'draft' && c.direction === 'from_us').length,
  };
}

export interface PeriodSavings {
  key: string;
  baseline: { amountMinor: string };
  charged: { amountMinor: string };
  savings: { amountMinor: string };
}

export interface SavingsPoint {
  /** The period's name, "Q4 2026 (October to December)". */
  period: string;
  /** "Q4 2026", for the chart's axis. */
  periodShort: string;
  /** Pounds, for the chart's axis only: every figure a person reads is formatted from pence. */
  savedPounds: number;
  cumulativePounds: number;
  savedText: string;
  cumulativeText: string;
}

/** Each period's savings and the running total, for the chart and its text alternative. */
export function savingsSeries(periods: PeriodSavings[]): SavingsPoint[] {
  let running = 0n;
  return periods.map((p) => {
    const saved = BigInt(p.savings.amountMinor);
    running += saved;
    return {
      period: periodName(p.key),
      periodShort: periodShortName(p.key),
      savedPounds: Number(saved) / 100,
      cumulativePounds: Number(running) / 100,
      savedText: formatMoney(saved),
      cumulativeText: formatMoney(running),
    };
  });
}

/** "Saved £12,345.67 (34.5%) against running the services in-house", or the overspend said plainly. */
export function savingsSentence(
  savingsMinor: string,
  percentage: string | null,
  baselineMinor: string,
): string {
  const savings = BigInt(savingsMinor);
  if (BigInt(baselineMinor) === 0n)
    return 'No in-house baseline recorded yet, so there is nothing to compare.';
  const share = percentage === null ? '' : ` (${percentage.replace(/^-/, '')}%)`;
  if (savings >= 0n)
    return `Saved ${formatMoneyAbsolute(savings)}${share} to date against running these services in-house.`;
  return `Spent ${formatMoneyAbsolute(savings)}${share} more to date than running these services in-house.`;
}

/** "3", or "200+" when the API had more than the one page asked for. */
export function countText(count: number, more: boolean): string {
  return more ? `${count}+` : String(count);
}
