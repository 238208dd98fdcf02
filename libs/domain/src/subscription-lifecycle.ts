import { StateMachine } from './state-machine';

export const SUBSCRIPTION_STATUSES = [
  'requested',
  'active',
  'rejected',
  'cancelled',
  'suspended',
  'notice_given',
  'ended',
] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export const SUBSCRIPTION_ACTIONS = [
  'approve',
  'reject',
  'cancel',
  'suspend',
  'reinstate',
  'give_notice',
  'end',
] as const;
export type SubscriptionAction = (typeof SUBSCRIPTION_ACTIONS)[number];

export const subscriptionLifecycle = new StateMachine<SubscriptionStatus, SubscriptionAction>(
  'subscription',
  {
    requested: { approve: 'active', reject: 'rejected', cancel: 'cancelled' },
    active: { suspend: 'suspended', give_notice: 'notice_given' },
    suspended: { reinstate: 'active', give_notice: 'notice_given' },
    notice_given: { end: 'ended' },
    rejected: {},
    cancelled: {},
    ended: {},
  },
);

/**
 * Who may take each action. The provider decides on requests and suspends; only the consumer withdraws its own
 * request; either side may give notice; the subscription ends when the notice runs out (either side, or the system).
 */
export const SUBSCRIPTION_ACTION_PARTY: Readonly<
  Record<SubscriptionAction, 'provider' | 'consumer' | 'either'>
> = {
  approve: 'provider',
  reject: 'provider',
  suspend: 'provider',
  reinstate: 'provider',
  cancel: 'consumer',
  give_notice: 'either',
  end: 'either',
};

/** Statuses in which a subscription is still in force, so it holds a share of the service's capacity. */
export const SUBSCRIPTION_STATUSES_IN_FORCE: readonly SubscriptionStatus[] = [
  'active',
  'suspended',
  'notice_given',
];
