import fc from 'fast-check';
import { DomainError } from './domain-error';
import {
  MEMBERSHIP_ACTION_PARTY,
  MEMBERSHIP_ACTIONS,
  MEMBERSHIP_EVENT,
  MEMBERSHIP_STATUSES,
  type MembershipAction,
  membershipLifecycle,
  type MembershipState,
  type MembershipStatus,
  transitionMembership,
} from './membership';

const T0 = new Date('2026-01-05T09:00:00Z');
const T1 = new Date('2026-02-05T09:00:00Z');
const T2 = new Date('2026-03-05T09:00:00Z');

const none: MembershipState = { status: null, joinedAt: null, leftAt: null };

function expectIllegal(run: () => unknown) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: 'conflict', code: 'illegal-transition' });
    return;
  }
  throw new Error('expected an illegal-transition conflict');
}

describe('membership lifecycle', () => {
  it('admits an organisation that asked to join once an administrator approves', () => {
    const requested = transitionMembership(none, 'request', T0);
    expect(requested).toEqual({ status: 'requested', joinedAt: null, leftAt: null });
    expect(transitionMembership(requested, 'approve', T1)).toEqual({
      status: 'active',
      joinedAt: T1,
      leftAt: null,
    });
  });

  it('admits an invited organisation once it accepts', () => {
    const invited = transitionMembership(none, 'invite', T0);
    expect(invited.status).toBe('invited');
    expect(transitionMembership(invited, 'accept', T1)).toEqual({
      status: 'active',
      joinedAt: T1,
      leftAt: null,
    });
  });

  it('ends a request with rejection and an invitation with a refusal', () => {
    expect(membershipLifecycle.next('requested', 'reject')).toBe('rejected');
    expect(membershipLifecycle.next('invited', 'decline')).toBe('declined');
  });

  it('keeps the original joining date when a suspended member is reinstated', () => {
    const suspended = transitionMembership({ status: 'active', joinedAt: T0, leftAt: null }, 'suspend', T1);
    expect(suspended).toEqual({ status: 'suspended', joinedAt: T0, leftAt: null });
    expect(transitionMembership(suspended, 'reinstate', T2)).toEqual({
      status: 'active',
      joinedAt: T0,
      leftAt: null,
    });
  });

  it('records when a member left, and starts afresh when it asks to join again', () => {
    const left = transitionMembership({ status: 'active', joinedAt: T0, leftAt: null }, 'leave', T1);
    expect(left).toEqual({ status: 'left', joinedAt: T0, leftAt: T1 });
    expect(transitionMembership(left, 'request', T2)).toEqual({
      status: 'requested',
      joinedAt: null,
      leftAt: null,
    });
  });

  it('lets a suspended member leave', () => {
    expect(membershipLifecycle.next('suspended', 'leave')).toBe('left');
  });

  it('lets an organisation that was rejected or declined ask again or be invited again', () => {
    for (const from of ['rejected', 'declined', 'left'] as const) {
      expect(membershipLifecycle.next(from, 'request')).toBe('requested');
      expect(membershipLifecycle.next(from, 'invite')).toBe('invited');
    }
  });

  it.each<[MembershipAction, MembershipStatus]>([
    ['approve', 'active'],
    ['request', 'active'],
    ['invite', 'active'],
    ['accept', 'requested'],
    ['request', 'requested'],
    ['approve', 'invited'],
    ['request', 'invited'],
    ['reinstate', 'left'],
    ['suspend', 'suspended'],
    ['approve', 'rejected'],
    ['accept', 'declined'],
  ])('refuses to %s a membership that is %s', (action, from) => {
    expectIllegal(() => membershipLifecycle.next(from, action));
  });

  it('refuses every action but a request or an invitation when there is no membership yet', () => {
    for (const action of MEMBERSHIP_ACTIONS.filter((a) => a !== 'request' && a !== 'invite')) {
      expectIllegal(() => transitionMembership(none, action, T0));
    }
  });

  it('names the state and the action in the conflict', () => {
    expect(() => membershipLifecycle.next('active', 'approve')).toThrow(
      'Cannot approve a membership that is active',
    );
  });

  it('assigns every action to exactly one party and one audit action', () => {
    for (const action of MEMBERSHIP_ACTIONS) {
      expect(['organisation', 'consortium']).toContain(MEMBERSHIP_ACTION_PARTY[action]);
      expect(MEMBERSHIP_EVENT[action]).toMatch(/^membership\.[a-z]+$/);
    }
    expect(new Set(Object.values(MEMBERSHIP_EVENT)).size).toBe(MEMBERSHIP_ACTIONS.length);
  });

  it('leaves the organisation to decide on invitations and the consortium to decide on requests', () => {
    const decidingParty = (from: MembershipStatus) =>
      new Set(membershipLifecycle.actionsFrom(from).map((action) => MEMBERSHIP_ACTION_PARTY[action]));
    expect(decidingParty('requested')).toEqual(new Set(['consortium']));
    expect(decidingParty('invited')).toEqual(new Set(['organisation']));
  });

  it('keeps its dates consistent with its status over any sequence of actions (seeded random walk)', () => {
    const actions = fc.array(
      fc.record({ action: fc.constantFrom(...MEMBERSHIP_ACTIONS), days: fc.integer({ min: 0, max: 400 }) }),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(actions, (steps) => {
        let state: MembershipState = none;
        let now = T0.getTime();
        let everActive = false;
        for (const { action, days } of steps) {
          now += days * 86_400_000;
          const legal =
            state.status === null
              ? action === 'request' || action === 'invite'
              : membershipLifecycle.can(state.status, action);
          if (!legal) {
            expect(() => transitionMembership(state, action, new Date(now))).toThrow(DomainError);
            continue;
          }
          const next = transitionMembership(state, action, new Date(now));
          expect(MEMBERSHIP_STATUSES).toContain(next.status);
          if (next.status === 'requested' || next.status === 'invited') everActive = false;
          if (next.status === 'active') everActive = true;
          // A member (current or former) has a joining date; nobody else does.
          const hasJoined = ['active', 'suspended', 'left'].includes(next.status);
          expect(next.joinedAt !== null).toBe(hasJoined && everActive);
          // Only a former member has a leaving date, never before it joined.
          expect(next.leftAt !== null).toBe(next.status === 'left');
          if (next.leftAt && next.joinedAt)
            expect(next.leftAt.getTime()).toBeGreaterThanOrEqual(next.joinedAt.getTime());
          state = next;
        }
      }),
      { seed: 20260105, numRuns: 300 },
    );
  });
});
