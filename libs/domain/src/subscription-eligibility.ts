import { DomainError } from './domain-error';
import { type ServiceStatus, serviceTakesNewSubscriptions } from './service-lifecycle';

export interface SubscriptionCandidate {
  readonly providerId: string;
  readonly serviceStatus: ServiceStatus;
  readonly consumerId: string;
}

/**
 * Why a member may not subscribe to a service, or null when it may. Checked when the request is made and again
 * when the provider approves it, since the service may have been suspended or retired in between.
 */
export function subscriptionRefusal(candidate: SubscriptionCandidate): DomainError | null {
  if (candidate.consumerId === candidate.providerId) {
    return new DomainError('invalid', 'own-service', 'A member cannot subscribe to its own service', {
      memberId: candidate.consumerId,
    });
  }
  if (!serviceTakesNewSubscriptions(candidate.serviceStatus)) {
    return new DomainError(
      'conflict',
      'service-not-open-for-subscription',
      `A service that is ${candidate.serviceStatus} takes no new subscriptions`,
      { serviceStatus: candidate.serviceStatus },
    );
  }
  return null;
}

export function canSubscribe(candidate: SubscriptionCandidate): boolean {
  return subscriptionRefusal(candidate) === null;
}

export function assertCanSubscribe(candidate: SubscriptionCandidate): void {
  const refusal = subscriptionRefusal(candidate);
  if (refusal) throw refusal;
}
