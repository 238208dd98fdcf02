import { StateMachine } from './state-machine';

/** A service listing's life: drafted by its provider, published to the consortium, suspended for a while, retired. */
export const SERVICE_STATUSES = ['draft', 'published', 'suspended', 'retired'] as const;
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];

export const SERVICE_ACTIONS = ['publish', 'suspend', 'reinstate', 'retire'] as const;
export type ServiceAction = (typeof SERVICE_ACTIONS)[number];

export const serviceLifecycle = new StateMachine<ServiceStatus, ServiceAction>('service', {
  draft: { publish: 'published' },
  published: { suspend: 'suspended', retire: 'retired' },
  suspended: { reinstate: 'published', retire: 'retired' },
  // Retired is final: subscribers and charges still refer to it, so it is never revived or reused.
  retired: {},
});

/** Only a published service takes new subscriptions: not a draft, nor a suspended or retired one. */
export function serviceTakesNewSubscriptions(status: ServiceStatus): boolean {
  return status === 'published';
}
