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

/** Who may take each action: the organisation itself or the consortium's administrators. */
export const MEMBERSHIP_ACTION_PARTY: Record<MembershipAction, 'organisation' | 'consortium'> = {
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
