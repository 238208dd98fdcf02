import {
  SUBSCRIPTION_ACTION_PARTY,
  SUBSCRIPTION_ACTIONS,
  SUBSCRIPTION_STATUSES,
  subscriptionLifecycle,
} from './subscription-lifecycle';

describe('subscription lifecycle', () => {
  it('allows exactly the documented transitions', () => {
    const allowed = SUBSCRIPTION_STATUSES.flatMap((from) =>
      SUBSCRIPTION_ACTIONS.filter((action) => subscriptionLifecycle.can(from, action)).map(
        (action) => `${from} -${action}-> ${subscriptionLifecycle.next(from, action)}`,
      ),
    );
    expect(allowed).toEqual([
      'requested -approve-> active',
      'requested -reject-> rejected',
      'requested -cancel-> cancelled',
      'active -suspend-> suspended',
      'active -give_notice-> notice_given',
      'suspended -reinstate-> active',
      'suspended -give_notice-> notice_given',
      'notice_given -end-> ended',
    ]);
  });

  it('ends for good: rejected, cancelled and ended subscriptions go nowhere', () => {
    for (const status of ['rejected', 'cancelled', 'ended'] as const) {
      expect(subscriptionLifecycle.actionsFrom(status)).toEqual([]);
    }
  });

  it('refuses an illegal transition as a conflict', () => {
    expect(() => subscriptionLifecycle.next('active', 'approve')).toThrow(
      expect.objectContaining({ kind: 'conflict', code: 'illegal-transition' }),
    );
    expect(() => subscriptionLifecycle.next('ended', 'reinstate')).toThrow(
      'Cannot reinstate a subscription that is ended',
    );
  });

  it('lets only the consumer withdraw its request and only the provider decide on it', () => {
    expect(SUBSCRIPTION_ACTION_PARTY.cancel).toBe('consumer');
    expect(SUBSCRIPTION_ACTION_PARTY.approve).toBe('provider');
    expect(SUBSCRIPTION_ACTION_PARTY.reject).toBe('provider');
  });
});
