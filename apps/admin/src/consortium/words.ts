import type { components } from '../api/schema';
import { formatDateTime } from '../format/date';
import { formatMoneyAbsolute } from '../format/money';

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

/** What stops a period closing, read from the API's 409 `period-not-ready-to-close` problem; null for any other. */
export function closeBlockers(body: unknown): { draftCharges: number; unresolvedDisputes: number } | null {
  if (typeof body !== 'object' || body === null) return null;
  const { code, details } = body as {
    code?: unknown;
    details?: { draftCharges?: unknown; unresolvedDisputes?: unknown };
  };
  if (code !== 'period-not-ready-to-close') return null;
  const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
  return {
    draftCharges: count(details?.draftCharges),
    unresolvedDisputes: count(details?.unresolvedDisputes),
  };
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/** "Q4 2026 cannot close yet: 1 dispute is still to be decided." */
export function closeRefusalText(
  period: string,
  blockers: { draftCharges: number; unresolvedDisputes: number },
): string {
  const reasons = [
    blockers.draftCharges > 0
      ? `${plural(blockers.draftCharges, 'charge is', 'charges are')} still draft (not yet issued by ${blockers.draftCharges === 1 ? 'its provider' : 'their providers'})`
      : null,
    blockers.unresolvedDisputes > 0
      ? `${plural(blockers.unresolvedDisputes, 'dispute is', 'disputes are')} still to be decided`
      : null,
  ].filter((reason): reason is string => reason !== null);
  return `${period} cannot close yet: ${reasons.length > 0 ? reasons.join(' and ') : 'something is still open'}.`;
}
