/**
 * A billing period's reconciliation in words: whether every day a subscription was in force and every usage report
 * accepted is on exactly one charge. Plain TypeScript (no React), unit-tested without a browser.
 */
import type { components } from '../api/schema';
import { formatQuantity, metricName, withMetricNames } from '../finance/words';
import { hasRole, isConsortiumAdmin, type Permissions } from '../roles';

export type Reconciliation = components['schemas']['ReconciliationDto'];
export type ReconciliationRow = components['schemas']['ReconciliationRowDto'];
export type ReconciliationSummary = components['schemas']['ReconciliationSummaryDto'];

/** The admin UI's own address of a period's reconciliation (the API's is /api/v1/billing-periods/{id}/reconciliation). */
export function reconciliationPath(billingPeriodId: string): string {
  return `/billing-periods/${billingPeriodId}/reconciliation`;
}

/**
 * Who may see a period's reconciliation, as the endpoint decides: the consortium's administrators (every
 * subscription) and providers' finance teams (their own).
 */
export function seesReconciliation(permissions: Permissions | undefined): boolean {
  return isConsortiumAdmin(permissions) || hasRole(permissions, 'finance');
}

const count = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;

/** An exact decimal as text without the zeros its scale adds ("166500.000000" is "166500"), never through a float. */
export function plainDecimal(text: string): string {
  if (!text.includes('.')) return text;
  const trimmed = text.replace(/0+$/, '').replace(/\.$/, '');
  return trimmed === '-0' ? '0' : trimmed;
}

/** `quantity ÷ days` when it is exact (the quantity held all period, or changes that average out evenly); else null. */
function exactAverage(quantity: string, days: number): string | null {
  const [whole, fraction = ''] = plainDecimal(quantity).replace(/^-/, '').split('.');
  const scaled = BigInt(`${whole}${fraction}`);
  const scale = 10n ** BigInt(fraction.length);
  if (days <= 0 || scaled % BigInt(days) !== 0n) return null;
  const each = scaled / BigInt(days);
  const units = (each / scale).toString();
  const rest = (each % scale).toString().padStart(fraction.length, '0').replace(/0+$/, '');
  return rest ? `${units}.${rest}` : units;
}

/** "Days in force", or "Usage: storage GB". */
export function measureLabel(row: Pick<ReconciliationRow, 'measure' | 'metric'>): string {
  return row.measure === 'days' ? 'Days in force' : `Usage: ${metricName(row.metric ?? 'usage')}`;
}

/**
 * A count and quantity of the row in words: days as "92 days, quantity 3,500" (or "92 days, 322,000 unit-days" when
 * the quantity changed in the period, or just "92 days" for a flat fee), usage as "166,500 framework spend (£) in 3
 * reports"; "None" for nothing.
 */
function figures(row: ReconciliationRow, howMany: number, quantity: string | null): string {
  if (row.measure === 'days') {
    if (howMany === 0 && (quantity === null || plainDecimal(quantity) === '0')) return 'None';
    const days = count(howMany, 'day');
    if (quantity === null) return days;
    const average = exactAverage(quantity, howMany);
    return average !== null
      ? `${days}, quantity ${formatQuantity(average)}`
      : `${days}, ${formatQuantity(plainDecimal(quantity))} unit-days`;
  }
  const amount = plainDecimal(quantity ?? '0');
  if (howMany === 0 && amount === '0') return 'None';
  return `${formatQuantity(amount)} ${metricName(row.metric ?? 'usage')} in ${count(howMany, 'report')}`;
}

/** What the period owes for the row: the days in force, or the usage accepted (not withdrawn). */
export function expectedText(row: ReconciliationRow): string {
  return figures(row, row.expectedCount, row.expectedQuantity);
}

/** What the period's charges (draft, issued and supplementary) charge for the row. */
export function chargedText(row: ReconciliationRow): string {
  return figures(row, row.chargedCount, row.chargedQuantity);
}

/** The API's explanation of the row, with its metrics named as people read them. */
export function rowExplanation(row: Pick<ReconciliationRow, 'explanation'>): string {
  return withMetricNames(row.explanation);
}

export type ReconciliationState = 'complete' | 'running' | 'incomplete';

export function reconciliationState(
  reconciliation: Pick<Reconciliation, 'complete' | 'chargeRunInProgress'>,
): ReconciliationState {
  if (reconciliation.chargeRunInProgress) return 'running';
  return reconciliation.complete ? 'complete' : 'incomplete';
}

export const RECONCILIATION_STATE_TITLES: Record<ReconciliationState, string> = {
  complete: 'Completely charged',
  running: 'A charge run is in progress',
  incomplete: 'Not completely charged',
};

/** The summary's figures worth showing, in words: only those that are not nought, withdrawn reports last. */
export function summaryFigures(summary: ReconciliationSummary): { label: string; value: string }[] {
  const figuresShown: [string, number][] = [
    ['Subscriptions and metrics that differ', summary.differences],
    ['Days in force not on any charge', summary.unbilledDays],
    ['Usage reports not on any charge', summary.unbilledEvents],
    ['Days charged beyond those in force', summary.overchargedDays],
    ['Usage reports charged that are no longer owed', summary.overchargedEvents],
    ['Usage reports withdrawn by providers (never charged)', summary.withdrawnEvents],
  ];
  return figuresShown
    .filter(([, value]) => value !== 0)
    .map(([label, value]) => ({ label, value: value.toLocaleString('en-GB') }));
}

/** What an empty table means: nothing differs (differences shown), or nothing is charged in the period at all. */
export function emptyRowsText(show: 'differences' | 'all', periodName: string): string {
  return show === 'differences'
    ? `Nothing differs: every day in force and every usage report accepted in ${periodName} is on exactly one charge.`
    : `No subscription you can see is charged in ${periodName}.`;
}
