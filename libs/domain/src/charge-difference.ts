import { counted } from './counted';
import { type Decimal, decimalSign, formatDecimal, subtractDecimals } from './decimal';

/**
 * What one charge line charges, as the reconciliation counts it: money, the quantity priced, the days in force
 * (and days × quantity) it covers, and the usage it counts. Figures may be negative on a correction.
 */
export interface LineFigures {
  readonly key: string;
  readonly kind: string;
  readonly description: string;
  readonly quantity: Decimal;
  readonly netMinor: bigint;
  readonly vatMinor: bigint;
  readonly serviceDays: number | null;
  readonly unitDays: Decimal | null;
  readonly usageMetric: string | null;
  readonly usageQuantity: Decimal | null;
  readonly usageEvents: number | null;
}

/** What the subscription's charges that have left draft already charge for one line key, and where. */
export interface ChargedFigures extends LineFigures {
  /** References of the charges holding these lines, e.g. `ECIC-2026-Q4-0018`. */
  readonly references: readonly string[];
}

/** A line for the draft: the whole line when nothing was charged for its key yet, else the difference. */
export interface DraftLine<T extends LineFigures = LineFigures> extends LineFigures {
  /** The charge(s) already holding part of this key; empty for a line charged for the first time. */
  readonly correcting: readonly string[];
  /** The line as priced now; null when the key is no longer due and the line reverses it. */
  readonly desired: T | null;
}

const ZERO: Decimal = { coefficient: 0n, scale: 0 };

const orZero = (value: Decimal | null): Decimal => value ?? ZERO;

function differenceOrNull(desired: Decimal | null, charged: Decimal | null): Decimal | null {
  return desired === null && charged === null ? null : subtractDecimals(orZero(desired), orZero(charged));
}

function intDifferenceOrNull(desired: number | null, charged: number | null): number | null {
  return desired === null && charged === null ? null : (desired ?? 0) - (charged ?? 0);
}

function isNothing(line: LineFigures): boolean {
  return (
    line.netMinor === 0n &&
    line.vatMinor === 0n &&
    decimalSign(line.quantity) === 0 &&
    (line.serviceDays ?? 0) === 0 &&
    decimalSign(orZero(line.unitDays)) === 0 &&
    decimalSign(orZero(line.usageQuantity)) === 0 &&
    (line.usageEvents ?? 0) === 0
  );
}

function describeDifference(desired: LineFigures | undefined, charged: ChargedFigures): string {
  const on = charged.references.join(', ');
  if (!desired) return `Reverses "${charged.description}", charged on ${on}: no longer due`;
  if (desired.usageMetric !== null && desired.usageEvents !== null) {
    const events = desired.usageEvents - (charged.usageEvents ?? 0);
    const quantity = subtractDecimals(orZero(desired.usageQuantity), orZero(charged.usageQuantity));
    const change =
      events >= 0
        ? `${formatDecimal(quantity, { grouping: true })} ${desired.usageMetric} in ${counted(events, 'report')} ` +
          `reported after ${on} was issued`
        : `${formatDecimal(quantity, { grouping: true })} ${desired.usageMetric} withdrawn after ${on} was issued`;
    return `${change}; the period's usage is now: ${desired.description}`;
  }
  return `Change since ${on} was issued: ${desired.description} (replacing "${charged.description}")`;
}

/**
 * The draft lines of one subscription for one period, given everything it owes (`desired`, as a fresh charge run
 * prices it) and what its charges that have left draft already charge (`charged`, summed per line key).
 *
 * For every key, the draft line is desired − charged, so across the period's charges each key adds up to exactly
 * what is owed: nothing missing, nothing twice. A key charged for the first time is the desired line itself; a key
 * no longer due is reversed. Keys whose difference is nothing give no line, except that a subscription charged
 * for the first time (`charged` empty) keeps all its lines, £0 ones included, as a first charge always has.
 */
export function draftLines<T extends LineFigures>(
  desired: readonly T[],
  charged: readonly ChargedFigures[],
): DraftLine<T>[] {
  const whole = (line: T): DraftLine<T> => ({ ...line, correcting: [], desired: line });
  if (charged.length === 0) return desired.map(whole);
  const chargedByKey = new Map(charged.map((line) => [line.key, line]));
  const desiredKeys = new Set(desired.map((line) => line.key));
  const lines: DraftLine<T>[] = [];
  for (const line of desired) {
    const before = chargedByKey.get(line.key);
    if (!before) {
      if (!isNothing(line)) lines.push(whole(line));
      continue;
    }
    const difference: DraftLine<T> = {
      key: line.key,
      kind: line.kind,
      description: describeDifference(line, before),
      quantity: subtractDecimals(line.quantity, before.quantity),
      netMinor: line.netMinor - before.netMinor,
      vatMinor: line.vatMinor - before.vatMinor,
      serviceDays: intDifferenceOrNull(line.serviceDays, before.serviceDays),
      unitDays: differenceOrNull(line.unitDays, before.unitDays),
      usageMetric: line.usageMetric ?? before.usageMetric,
      usageQuantity: differenceOrNull(line.usageQuantity, before.usageQuantity),
      usageEvents: intDifferenceOrNull(line.usageEvents, before.usageEvents),
      correcting: before.references,
      desired: line,
    };
    if (!isNothing(difference)) lines.push(difference);
  }
  for (const before of charged) {
    if (desiredKeys.has(before.key)) continue;
    const reversal: DraftLine<T> = {
      key: before.key,
      kind: before.kind,
      description: describeDifference(undefined, before),
      quantity: subtractDecimals(ZERO, before.quantity),
      netMinor: -before.netMinor,
      vatMinor: -before.vatMinor,
      serviceDays: before.serviceDays === null ? null : -before.serviceDays,
      unitDays: before.unitDays === null ? null : subtractDecimals(ZERO, before.unitDays),
      usageMetric: before.usageMetric,
      usageQuantity: before.usageQuantity === null ? null : subtractDecimals(ZERO, before.usageQuantity),
      usageEvents: before.usageEvents === null ? null : -before.usageEvents,
      correcting: before.references,
      desired: null,
    };
    if (!isNothing(reversal)) lines.push(reversal);
  }
  return lines;
}
