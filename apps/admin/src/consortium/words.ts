import type { components } from '../api/schema';
import { formatDateTime } from '../format/date';
import { formatMoneyAbsolute } from '../format/money';
import { reconciliationPath, rowExplanation } from '../reconciliation/words';

/** What consortium administrators read on their screens: statuses and types in words. Plain TypeScript, unit-tested. */

type Member = components['schemas']['MemberDto'];
export type MembershipStatus = Member['status'];
export type MembershipAction = 'approve' | 'reject' | 'suspend' | 'reinstate';

export const MEMBERSHIP_STATUS_LABELS: Record<MembershipStatus, string> = {
  requested: 'Asked to join',
  invited: 'Invited',
  active: 'Active member',
  suspended: 'Suspended',
  rejected: 'Request turned down',
  declined: 'Declined the invitation',
  left: 'Left',
};

/** What an administrator may do with a membership in each status (the API answers 409 to anything else). */
export function membershipActions(status: MembershipStatus): MembershipAction[] {
  switch (status) {
    case 'requested':
      return ['approve', 'reject'];
    case 'active':
      return ['suspend'];
    case 'suspended':
      return ['reinstate'];
    default:
      return [];
  }
}

export const MEMBERSHIP_ACTION_LABELS: Record<MembershipAction, string> = {
  approve: 'Approve',
  reject: 'Reject',
  suspend: 'Suspend',
  reinstate: 'Reinstate',
};

/** The question a confirmation asks before an administrator changes a membership. */
export function membershipQuestion(action: MembershipAction, organisation: string): string {
  switch (action) {
    case 'approve':
      return `Admit ${organisation} as a member? It will be able to publish, subscribe and be cross-charged.`;
    case 'reject':
      return `Turn down ${organisation}'s request to join?`;
    case 'suspend':
      return `Suspend ${organisation}? Its users stop acting in the consortium until it is reinstated.`;
    case 'reinstate':
      return `Reinstate ${organisation} as an active member?`;
  }
}

export const BILLING_PERIOD_STATUS_LABELS: Record<
  components['schemas']['BillingPeriodDto']['status'],
  string
> = {
  open: 'Open',
  closing: 'Closing',
  closed: 'Closed, awaiting payments',
  settled: 'Settled',
};

export const SETTLEMENT_STATUS_LABELS: Record<components['schemas']['SettlementDto']['status'], string> = {
  provisional: 'Provisional: the period is still open, so these figures may change until it is closed',
  awaiting_payments: 'Closed: these figures are fixed and the payments below settle them',
  settled: 'Settled: every payment has been recorded',
};

/** "Norfolk County Council pays Kent County Council £1,234.56". */
export function paysPhrase(payer: string, payee: string, amountMinor: string): string {
  return `${payer} pays ${payee} ${formatMoneyAbsolute(amountMinor)}`;
}

/** Names longer than this are abbreviated in the picture (the full name is in the list beside it). */
const PICTURE_NAME_LENGTH = 20;

/**
 * A short name for the picture: "Norfolk" for "Norfolk County Council"; a long name keeps its first word and the
 * initials of the rest ("Eastern IFCA" for "Eastern Inshore Fisheries and Conservation Authority").
 */
export function shortName(name: string): string {
  const short = name
    .replace(/\s+(County|Borough|District|City|Town|Parish)?\s*Council$/i, '')
    .replace(/\s+(Ltd|Limited|plc)\.?$/i, '')
    .trim();
  if (!short) return name;
  if (short.length <= PICTURE_NAME_LENGTH) return short;
  const [first, ...rest] = short.split(/\s+/);
  const initials = rest
    .filter((word) => /^[A-Z]/.test(word))
    .map((word) => word[0])
    .join('');
  return initials ? `${first} ${initials}` : short;
}

type ChargeRun = components['schemas']['ChargeRunDto'];

/** Whether a run is still to finish, so the screen keeps asking how far it has got. */
export function isRunInProgress(run: Pick<ChargeRun, 'status'>): boolean {
  return run.status === 'queued' || run.status === 'running';
}

/** "1 subscription needs attention", "3 subscriptions need attention". */
export function needsAttentionHeading(count: number): string {
  return count === 1 ? '1 subscription needs attention' : `${count} subscriptions need attention`;
}

/**
 * A run's progress as a percentage (0–100) and in words. An interrupted run (its worker stopped) says so with its
 * last heartbeat; a completed one counts the subscriptions it could not charge.
 */
export function runProgress(
  run: Pick<
    ChargeRun,
    'status' | 'totalSubscriptions' | 'processedSubscriptions' | 'crossCharges' | 'chargeLines' | 'error'
  > &
    Partial<Pick<ChargeRun, 'interrupted' | 'heartbeatAt' | 'needsAttention'>>,
): { percent: number; text: string } {
  const total = run.totalSubscriptions;
  const done = Math.min(run.processedSubscriptions, total);
  const percent = run.status === 'completed' ? 100 : total > 0 ? Math.floor((done / total) * 100) : 0;
  const attention = run.needsAttention?.length ?? 0;
  switch (run.status) {
    case 'queued':
      return { percent, text: 'Waiting to start…' };
    case 'running':
      return run.interrupted
        ? {
            percent,
            text: `Interrupted at ${done} of ${total} subscriptions, resuming (last heartbeat ${formatDateTime(run.heartbeatAt)})`,
          }
        : { percent, text: `${done} of ${total} subscriptions charged` };
    case 'completed':
      return {
        percent,
        text:
          attention === 0
            ? `Completed: ${total} subscriptions charged, ${run.crossCharges} cross-charges with ${run.chargeLines} lines in the period`
            : `Completed: ${total - attention} of ${total} subscriptions charged, ${run.crossCharges} cross-charges with ${run.chargeLines} lines in the period; ${needsAttentionHeading(attention)}`,
      };
    case 'failed':
      return {
        percent,
        text: `Failed after ${done} of ${total} subscriptions: ${run.error ?? 'no reason given'}`,
      };
  }
}

type ReconciliationSummary = components['schemas']['ReconciliationSummaryDto'];

/** A row the API names as not completely charged, as the close refusal carries it. */
export interface UnbilledRow {
  providerName: string;
  consumerName: string;
  serviceTitle: string;
  explanation: string;
}

/** What stops a period closing, read from the API's 409 `period-not-ready-to-close` problem. */
export interface CloseBlockers {
  draftCharges: number;
  unresolvedDisputes: number;
  /** The reconciliation's summary: what is not on any charge yet (or charged beyond what is owed). */
  unbilled: ReconciliationSummary;
  /** The first rows that differ, each explained. */
  differences: UnbilledRow[];
  /** The API's addresses of what to look at: reconciliation, chargeRuns, draftCharges, disputes. */
  links: Partial<Record<CloseLinkKind, string>>;
}

export type CloseLinkKind = 'reconciliation' | 'chargeRuns' | 'draftCharges' | 'disputes';

const NO_DIFFERENCES: ReconciliationSummary = {
  differences: 0,
  unbilledDays: 0,
  unbilledEvents: 0,
  overchargedDays: 0,
  overchargedEvents: 0,
  withdrawnEvents: 0,
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;
const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
const text = (value: unknown) => (typeof value === 'string' ? value : '');

/** The refusal's details, defensively (an older API sends only the counts); null for any other problem. */
export function closeBlockers(body: unknown): CloseBlockers | null {
  if (!isObject(body) || body.code !== 'period-not-ready-to-close') return null;
  const details = isObject(body.details) ? body.details : {};
  const unbilled = isObject(details.unbilled) ? details.unbilled : {};
  const links = isObject(details.links) ? details.links : {};
  return {
    draftCharges: count(details.draftCharges),
    unresolvedDisputes: count(details.unresolvedDisputes),
    unbilled: Object.fromEntries(
      Object.keys(NO_DIFFERENCES).map((key) => [key, count(unbilled[key])]),
    ) as unknown as ReconciliationSummary,
    differences: (Array.isArray(details.differences) ? details.differences : [])
      .filter(isObject)
      .map((row) => ({
        providerName: text(row.providerName),
        consumerName: text(row.consumerName),
        serviceTitle: text(row.serviceTitle),
        explanation: rowExplanation({ explanation: text(row.explanation) }),
      })),
    links: Object.fromEntries(
      (['reconciliation', 'chargeRuns', 'draftCharges', 'disputes'] as const)
        .filter((kind) => typeof links[kind] === 'string')
        .map((kind) => [kind, links[kind] as string]),
    ),
  };
}

const plural = (n: number, one: string, many: string) =>
  `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;

/** "a", "a and b", "a, b and c". */
function listInWords(items: string[]): string {
  return items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Why the period is not completely charged, in words; none when the reconciliation found nothing. */
function unbilledReasons(unbilled: ReconciliationSummary): string[] {
  if (unbilled.differences === 0) return [];
  const missing = [
    unbilled.unbilledDays > 0 ? plural(unbilled.unbilledDays, 'day in force', 'days in force') : null,
    unbilled.unbilledEvents > 0 ? plural(unbilled.unbilledEvents, 'usage report', 'usage reports') : null,
  ].filter((part): part is string => part !== null);
  const over = unbilled.overchargedDays + unbilled.overchargedEvents;
  const reasons = [
    missing.length > 0
      ? `${missing.join(' and ')} ${unbilled.unbilledDays + unbilled.unbilledEvents === 1 ? 'is' : 'are'} not on any charge yet`
      : null,
    over > 0
      ? `${plural(over, 'day or usage report is', 'days or usage reports are')} charged beyond what is owed`
      : null,
  ].filter((reason): reason is string => reason !== null);
  return reasons.length > 0
    ? reasons
    : [`${plural(unbilled.differences, 'charge differs', 'charges differ')} from the quantities in force`];
}

/**
 * "Q4 2026 cannot close yet: 2 usage reports are not on any charge yet, 1 charge is still draft (not yet issued by
 * its provider) and 1 dispute is still to be decided."
 */
export function closeRefusalText(
  period: string,
  blockers: Pick<CloseBlockers, 'draftCharges' | 'unresolvedDisputes'> &
    Partial<Pick<CloseBlockers, 'unbilled'>>,
): string {
  const reasons = [
    ...unbilledReasons(blockers.unbilled ?? NO_DIFFERENCES),
    blockers.draftCharges > 0
      ? `${plural(blockers.draftCharges, 'charge is', 'charges are')} still draft (not yet issued by ${blockers.draftCharges === 1 ? 'its provider' : 'their providers'})`
      : null,
    blockers.unresolvedDisputes > 0
      ? `${plural(blockers.unresolvedDisputes, 'dispute is', 'disputes are')} still to be decided`
      : null,
  ].filter((reason): reason is string => reason !== null);
  return `${period} cannot close yet: ${reasons.length > 0 ? listInWords(reasons) : 'something is still open'}.`;
}

/** One thing to look at or do before closing: words for a link, and the admin UI's address it opens. */
export interface CloseStep {
  kind: CloseLinkKind;
  text: string;
  to: string;
}

/** The admin UI's period page (charge runs, reconciliation, close and settlement of one period). */
export function periodPath(billingPeriodId: string): string {
  return `/consortium-billing-periods/${billingPeriodId}/show`;
}

/**
 * The admin UI's screen for one of the API's addresses in a close refusal: the reconciliation page, the period's
 * page (its charge runs) or the cross-charges list filtered as the API's query filters it; null for an address it
 * does not know.
 */
export function screenFor(apiAddress: string): string | null {
  const [path, query = ''] = apiAddress.split('?');
  const period = /^\/api\/v1\/billing-periods\/([^/]+)\/(reconciliation|charge-runs)$/.exec(path);
  if (period) return period[2] === 'reconciliation' ? reconciliationPath(period[1]) : periodPath(period[1]);
  if (path === '/api/v1/cross-charges') {
    const filter = Object.fromEntries(new URLSearchParams(query).entries());
    return `/cross-charges?filter=${encodeURIComponent(JSON.stringify(filter))}`;
  }
  return null;
}

/**
 * What to do about each thing that stops the close, in the order to do it, each a link: see what is unbilled and
 * run charges (which drafts it), have the drafts issued, decide the disputes.
 */
export function closeSteps(blockers: CloseBlockers): CloseStep[] {
  const unbilled = blockers.unbilled.differences > 0;
  const wanted: [CloseLinkKind, boolean, string][] = [
    ['reconciliation', unbilled, 'See what is not charged yet, in the reconciliation'],
    ['chargeRuns', unbilled, 'Run charges, so that the drafts take it in'],
    [
      'draftCharges',
      blockers.draftCharges > 0,
      `See the ${plural(blockers.draftCharges, 'draft charge', 'draft charges')} to be issued by ${blockers.draftCharges === 1 ? 'its provider' : 'their providers'}`,
    ],
    [
      'disputes',
      blockers.unresolvedDisputes > 0,
      `See the disputed charges (${plural(blockers.unresolvedDisputes, 'dispute', 'disputes')} to decide)`,
    ],
  ];
  return wanted.flatMap(([kind, needed, words]) => {
    const address = blockers.links[kind];
    const to = needed && address ? screenFor(address) : null;
    return to ? [{ kind, text: words, to }] : [];
  });
}
