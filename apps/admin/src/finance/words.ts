/**
 * Cross-charges in the finance teams' words, and which review step each side may take. Plain TypeScript (no React),
 * so the rules the screens follow are unit-tested without a browser. The API still decides every request: these
 * only avoid offering a button that would be refused.
 */
import type { components } from '../api/schema';
import { formatMoneyAbsolute } from '../format/money';
import { hasRole, type Permissions } from '../roles';

export type CrossCharge = components['schemas']['CrossChargeDto'];
export type CrossChargeDetail = components['schemas']['CrossChargeDetailDto'];
export type ChargeLine = components['schemas']['CrossChargeLineDto'];
export type Dispute = components['schemas']['DisputeDto'];
export type ChargeStatus = CrossCharge['status'];
export type DisputeStatus = Dispute['status'];

export const CHARGE_STATUS_LABELS: Record<ChargeStatus, string> = {
  draft: 'Draft (not yet issued)',
  issued: 'Issued, awaiting approval',
  disputed: 'Disputed',
  approved: 'Approved',
  void: 'Void',
};

export const DISPUTE_STATUS_LABELS: Record<DisputeStatus, string> = {
  open: 'Awaiting the provider',
  accepted: 'Accepted: credit note raised',
  rejected: 'Rejected by the provider',
  escalated: 'Escalated to the consortium administrators',
  upheld: 'Upheld: credit note raised',
  dismissed: 'Dismissed: the line stands',
  withdrawn: 'Withdrawn',
};

export const DIRECTION_LABELS = { to_us: 'Charges to us', from_us: 'Charges from us' } as const;

/** Disputes still waiting for somebody's decision (libs/domain UNRESOLVED_DISPUTE_STATUSES). */
const UNRESOLVED: readonly DisputeStatus[] = ['open', 'rejected', 'escalated'];

export function isUnresolved(dispute: Dispute): boolean {
  return UNRESOLVED.includes(dispute.status);
}

/**
 * "Delt Shared Services Ltd charges Kent County Council £12,345.67": who charges whom, and how much. A charge whose
 * total is negative (a supplementary charge that corrects its original downwards) gives money back, and says so:
 * "Delt Shared Services Ltd credits Kent County Council £120.00", as a credit note reads.
 */
export function chargeSentence(charge: Pick<CrossCharge, 'provider' | 'consumer' | 'gross'>): string {
  const amount = formatMoneyAbsolute(charge.gross.amountMinor, charge.gross.currency);
  const verb = BigInt(charge.gross.amountMinor) < 0n ? 'credits' : 'charges';
  return `${charge.provider.name} ${verb} ${charge.consumer.name} ${amount}`;
}

/** "Supplementary to ECIC-2026-Q4-0018" for a supplementary charge; null for an original. */
export function supplementLabel(charge: Pick<CrossCharge, 'supplementOf'>): string | null {
  return charge.supplementOf ? `Supplementary to ${charge.supplementOf.reference}` : null;
}

/**
 * What a supplementary charge holds, in words: "It holds what was reported or changed after ECIC-2026-Q4-0018 was
 * issued: 2 lines, £45.00 net." (or "a credit of £12.00 net" when it corrects the original downwards); null for an
 * original.
 */
export function supplementSentence(
  charge: Pick<CrossChargeDetail, 'supplementOf' | 'lines' | 'net'>,
): string | null {
  if (!charge.supplementOf) return null;
  const net = BigInt(charge.net.amountMinor);
  const amount = formatMoneyAbsolute(net, charge.net.currency);
  const lines = `${charge.lines.length} ${charge.lines.length === 1 ? 'line' : 'lines'}`;
  return (
    `It holds what was reported or changed after ${charge.supplementOf.reference} was issued: ${lines}, ` +
    `${net < 0n ? `a credit of ${amount}` : amount} net.`
  );
}

/**
 * A usage metric as people read it: "storage_gb" is "storage GB", "framework_spend_gbp" is "framework spend (£)".
 */
export function metricName(metric: string): string {
  return metric
    .replace(/_gbp$/i, ' (£)')
    .replace(/_/g, ' ')
    .replace(/\bgb\b/gi, 'GB')
    .replace(/\bgbp\b/gi, '£')
    .trim();
}

/**
 * The API's sentences name metrics as they are sent ("3 storage_gb in 2 reports"): these read them as people do
 * ("3 storage GB in 2 reports"). Only words joined by underscores change; references and amounts stay as they are.
 */
export function withMetricNames(text: string): string {
  return text.replace(/\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/g, (metric) => metricName(metric));
}

export const CREDIT_DIRECTION_LABELS = { to_us: 'Credits to us', from_us: 'Credits from us' } as const;

/** "Kent County Council credits Norfolk County Council £1,000.00": the provider gives the credit back. */
export function creditNoteSentence(
  note: Pick<components['schemas']['CreditNoteSummaryDto'], 'provider' | 'consumer' | 'gross'>,
): string {
  return `${note.provider.name} credits ${note.consumer.name} ${formatMoneyAbsolute(
    note.gross.amountMinor,
    note.gross.currency,
  )}`;
}

/** The other organisation of the charge, from the caller's side (the provider for a consortium administrator). */
export function counterpartyOf(charge: CrossCharge): string {
  return charge.direction === 'to_us' ? charge.provider.name : charge.consumer.name;
}

export type ChargeSide = 'provider' | 'consumer' | null;

export function sideOf(charge: Pick<CrossCharge, 'direction'>): ChargeSide {
  if (charge.direction === 'from_us') return 'provider';
  if (charge.direction === 'to_us') return 'consumer';
  return null;
}

/** Finance and organisation administrators act on their organisation's charges (the endpoints' @Roles). */
function mayAct(permissions: Permissions | undefined): boolean {
  return hasRole(permissions, 'finance', 'org_admin');
}

export interface ChargeActions {
  issue: boolean;
  approve: boolean;
  comment: boolean;
  /** Lines the consumer may dispute: none already awaiting a decision. */
  disputableLineIds: string[];
}

/** What this person may do to the charge as a whole, from the charge's lifecycle (libs/domain cross-charge.ts). */
export function chargeActions(
  charge: CrossChargeDetail,
  permissions: Permissions | undefined,
): ChargeActions {
  const side = sideOf(charge);
  const acting = mayAct(permissions) && side !== null;
  const reviewable = charge.status === 'issued' || charge.status === 'disputed';
  const disputedLines = new Set(charge.disputes.filter(isUnresolved).map((d) => d.crossChargeLineId));
  return {
    issue: acting && side === 'provider' && charge.status === 'draft',
    approve: acting && side === 'consumer' && charge.status === 'issued',
    comment: acting,
    disputableLineIds:
      acting && side === 'consumer' && reviewable
        ? charge.lines.filter((line) => !disputedLines.has(line.id)).map((line) => line.id)
        : [],
  };
}

export type DisputeAction = 'accept' | 'reject' | 'escalate' | 'withdraw';

/**
 * The steps this person may take on a dispute (libs/domain disputeLifecycle): the provider accepts or rejects an
 * open one; either side escalates an open or rejected one; the consumer withdraws it before a final decision.
 */
export function disputeActions(
  charge: Pick<CrossCharge, 'direction'>,
  dispute: Pick<Dispute, 'status'>,
  permissions: Permissions | undefined,
): DisputeAction[] {
  const side = sideOf(charge);
  if (!mayAct(permissions) || side === null) return [];
  const actions: DisputeAction[] = [];
  if (side === 'provider' && dispute.status === 'open') actions.push('accept', 'reject');
  if (dispute.status === 'open' || dispute.status === 'rejected') actions.push('escalate');
  if (side === 'consumer' && (dispute.status === 'open' || dispute.status === 'rejected')) {
    actions.push('withdraw');
  }
  return actions;
}

export interface HistoryStep {
  at: string;
  text: string;
}

/**
 * The charge's status history, oldest first, from the dates the API keeps: created as a draft, issued, each
 * dispute raised and decided, approved.
 */
export function statusHistory(charge: CrossChargeDetail): HistoryStep[] {
  const lineTitle = (lineId: string) =>
    charge.lines.find((line) => line.id === lineId)?.description ?? 'a line';
  const steps: HistoryStep[] = [{ at: charge.createdAt, text: 'Drafted by the charge run' }];
  if (charge.issuedAt) steps.push({ at: charge.issuedAt, text: `Issued by ${charge.provider.name}` });
  for (const dispute of charge.disputes) {
    steps.push({
      at: dispute.createdAt,
      text: `${charge.consumer.name} disputed “${lineTitle(dispute.crossChargeLineId)}”`,
    });
    if (dispute.resolvedAt) {
      steps.push({
        at: dispute.resolvedAt,
        text: `Dispute ${DISPUTE_STATUS_LABELS[dispute.status].toLowerCase()}`,
      });
    }
  }
  if (charge.approvedAt) steps.push({ at: charge.approvedAt, text: `Approved by ${charge.consumer.name}` });
  return steps.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** "2,990 storage GB used, 2,500 included, 490 charged (3 reports)" from a metered line's `detail`; null otherwise. */
export function usageText(detail: Record<string, unknown>): string | null {
  const usage = detail.usage as
    { metric?: string; used?: string; included?: string; billable?: string } | undefined;
  if (!usage || typeof usage.used !== 'string') return null;
  const metric = metricName(usage.metric ?? '');
  const events = typeof detail.usageEvents === 'number' ? ` (${detail.usageEvents} reports)` : '';
  return (
    `${formatQuantity(usage.used)} ${metric} used, ${formatQuantity(usage.included ?? '0')} included, ` +
    `${formatQuantity(usage.billable ?? '0')} charged${events}`
  );
}

/**
 * An exact decimal with thousands separators, never through a float: "3,500", "1,234.5"; a correction's negative
 * quantity with a true minus sign, as money has: "−490".
 */
export function formatQuantity(decimal: string): string {
  const negative = decimal.startsWith('-');
  const [whole, fraction] = (negative ? decimal.slice(1) : decimal).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const text = fraction ? `${grouped}.${fraction}` : grouped;
  return negative ? `−${text}` : text;
}

/** An exact unit rate in pounds ("0.0125") as "£0.0125"; at least two decimals ("£450.00"). */
export function formatRate(rate: string | null): string {
  if (rate === null) return '—';
  const negative = rate.startsWith('-');
  const [whole, fraction = ''] = (negative ? rate.slice(1) : rate).split('.');
  const text = `£${formatQuantity(whole)}.${fraction.padEnd(2, '0')}`;
  return negative ? `−${text}` : text;
}

/**
 * "Kent County Council saved £1,234.56 (34.5%) against running it in-house", or paid more, or the same; "Not charged
 * yet" while there is nothing to compare.
 */
export function savingsPhrase(
  name: string,
  figures: {
    baseline: { amountMinor: string };
    charged: { amountMinor: string };
    savings: { amountMinor: string; currency: string };
    savingsPercentage?: string | null;
  },
  what = 'it',
): string {
  if (BigInt(figures.baseline.amountMinor) === 0n && BigInt(figures.charged.amountMinor) === 0n) {
    return 'Not charged yet';
  }
  const value = BigInt(figures.savings.amountMinor);
  const amount = formatMoneyAbsolute(value, figures.savings.currency);
  const share = figures.savingsPercentage ? ` (${figures.savingsPercentage.replace(/^-/, '')}%)` : '';
  if (value > 0n) return `${name} saved ${amount}${share} against running ${what} in-house`;
  if (value < 0n) return `${name} paid ${amount}${share} more than running ${what} in-house`;
  return `${name} paid the same as running ${what} in-house`;
}

/** Pounds as a number, for drawing a chart only: every figure shown in words still comes from the exact pence. */
export function poundsForChart(amountMinor: string): number {
  return Number(BigInt(amountMinor)) / 100;
}

type LedgerEntry = Pick<components['schemas']['AccountEntryDto'], 'accountKind' | 'amountMinor' | 'currency'>;

/**
 * What a posting did to the member's position, in words: a charge it raised adds to what it is owed, a payment it
 * received takes from it, a charge to it adds to what it owes, a payment it made takes from that.
 */
export function entryEffect(entry: LedgerEntry): string {
  const value = BigInt(entry.amountMinor);
  const amount = formatMoneyAbsolute(value, entry.currency);
  if (entry.accountKind === 'receivable') {
    return value >= 0n ? `We are owed ${amount} more` : `We are owed ${amount} less`;
  }
  return value <= 0n ? `We owe ${amount} more` : `We owe ${amount} less`;
}

/** A running balance in words: "Owed to us £1,234.56", "We owe £12.00" or "Square". */
export function balancePhrase(amountMinor: string, currency = 'GBP'): string {
  const value = BigInt(amountMinor);
  if (value === 0n) return 'Square';
  const amount = formatMoneyAbsolute(value, currency);
  return value > 0n ? `Owed to us ${amount}` : `We owe ${amount}`;
}

const PERIOD_STATUS_LABELS: Record<string, string> = {
  open: 'Open',
  closing: 'Closing',
  closed: 'Closed, awaiting settlement',
  settled: 'Settled',
};

export function periodStatusLabel(status: string): string {
  return PERIOD_STATUS_LABELS[status] ?? status;
}
