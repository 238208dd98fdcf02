import { DomainError } from './domain-error';
import { StateMachine } from './state-machine';

/**
 * A membership joins an organisation to a consortium. It starts either as a request (the organisation asked,
 * a consortium administrator decides) or as an invitation (the consortium asked, the organisation decides).
 */
export const MEMBERSHIP_STATUSES = [
  'invited',
  'requested',
  'active',
  'suspended',
  'left',
  'rejected',
  'declined',
] as const;
export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];

export const MEMBERSHIP_ACTIONS = [
  'request',
  'invite',
  'approve',
  'reject',
  'accept',
  'decline',
  'suspend',
  'reinstate',
  'leave',
] as const;
export type MembershipAction = (typeof MEMBERSHIP_ACTIONS)[number];

export const membershipLifecycle = new StateMachine<MembershipStatus, MembershipAction>('membership', {
  requested: { approve: 'active', reject: 'rejected' },
  invited: { accept: 'active', decline: 'declined' },
  active: { suspend: 'suspended', leave: 'left' },
  suspended: { reinstate: 'active', leave: 'left' },
  // An organisation that left, or was turned down, may ask again or be invited again.
  left: { request: 'requested', invite: 'invited' },
  rejected: { request: 'requested', invite: 'invited' },
  declined: { request: 'requested', invite: 'invited' },
});

export type MembershipParty = 'organisation' | 'consortium';

/** Who may take each action: the organisation itself or the consortium's administrators. */
export const MEMBERSHIP_ACTION_PARTY: Record<MembershipAction, MembershipParty> = {
  request: 'organisation',
  accept: 'organisation',
  decline: 'organisation',
  leave: 'organisation',
  invite: 'consortium',
  approve: 'consortium',
  reject: 'consortium',
  suspend: 'consortium',
  reinstate: 'consortium',
};

/** The statuses in which an organisation takes part in the consortium (and other members can see it). */
export const MEMBERSHIP_STATUSES_VISIBLE_TO_MEMBERS: readonly MembershipStatus[] = ['active', 'suspended'];

/** The audit action for each membership action, in the past tense: `membership.approved`. */
export const MEMBERSHIP_EVENT: Record<MembershipAction, string> = {
  request: 'membership.requested',
  invite: 'membership.invited',
  approve: 'membership.approved',
  reject: 'membership.rejected',
  accept: 'membership.accepted',
  decline: 'membership.declined',
  suspend: 'membership.suspended',
  reinstate: 'membership.reinstated',
  leave: 'membership.left',
};

/** The parts of a membership its lifecycle decides. `status: null` is an organisation with no membership yet. */
export interface MembershipState {
  status: MembershipStatus | null;
  joinedAt: Date | null;
  leftAt: Date | null;
}

/**
 * Takes `action` on a membership (or on no membership yet, which only a request or an invitation can open).
 * `joinedAt` is when the organisation last became a member (a reinstatement keeps it); `leftAt` is when it
 * left. Re-opening a membership that ended starts a fresh application, so both are cleared.
 * Throws a conflict DomainError (`illegal-transition`) when the action is not allowed from the current status.
 */
export function transitionMembership(
  current: MembershipState,
  action: MembershipAction,
  now: Date,
): { status: MembershipStatus; joinedAt: Date | null; leftAt: Date | null } {
  if (current.status === null) {
    if (action === 'request') return { status: 'requested', joinedAt: null, leftAt: null };
    if (action === 'invite') return { status: 'invited', joinedAt: null, leftAt: null };
    throw new DomainError(
      'conflict',
      'illegal-transition',
      `Cannot ${action} a membership that does not exist: the organisation must first ask to join or be invited`,
      { from: null, action },
    );
  }
  const status = membershipLifecycle.next(current.status, action);
  switch (status) {
    case 'requested':
    case 'invited':
      return { status, joinedAt: null, leftAt: null };
    case 'active':
      return { status, joinedAt: action === 'reinstate' ? (current.joinedAt ?? now) : now, leftAt: null };
    case 'left':
      return { status, joinedAt: current.joinedAt, leftAt: now };
    default:
      return { status, joinedAt: current.joinedAt, leftAt: current.leftAt };
  }
}
