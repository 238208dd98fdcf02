import type { components } from '../api/schema';
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

export const CHARGE_RUN_STATUS_LABELS: Record<components['schemas']['ChargeRunDto']['status'], string> = {
  queued: 'Waiting to start',
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
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

/** A run's progress as a percentage (0–100) and in words. */
export function runProgress(
  run: Pick<
    ChargeRun,
    'status' | 'totalSubscriptions' | 'processedSubscriptions' | 'crossCharges' | 'chargeLines' | 'error'
  >,
): { percent: number; text: string } {
  const total = run.totalSubscriptions;
  const done = Math.min(run.processedSubscriptions, total);
  const percent = run.status === 'completed' ? 100 : total > 0 ? Math.floor((done / total) * 100) : 0;
  switch (run.status) {
    case 'queued':
      return { percent, text: 'Waiting to start…' };
    case 'running':
      return { percent, text: `${done} of ${total} subscriptions charged` };
    case 'completed':
      return {
        percent,
        text: `Completed: ${total} subscriptions charged, ${run.crossCharges} cross-charges with ${run.chargeLines} lines in the period`,
      };
    case 'failed':
      return {
        percent,
        text: `Failed after ${done} of ${total} subscriptions: ${run.error ?? 'no reason given'}`,
      };
  }
}
