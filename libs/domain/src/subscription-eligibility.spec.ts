import { DomainError } from './domain-error';
import { SERVICE_STATUSES } from './service-lifecycle';
import { assertCanSubscribe, canSubscribe, subscriptionRefusal } from './subscription-eligibility';

describe('who may subscribe to a service', () => {
  it('lets another member subscribe to a published service', () => {
    expect(
      subscriptionRefusal({ providerId: 'norfolk', consumerId: 'suffolk', serviceStatus: 'published' }),
    ).toBeNull();
    expect(() =>
      assertCanSubscribe({ providerId: 'norfolk', consumerId: 'suffolk', serviceStatus: 'published' }),
    ).not.toThrow();
  });

  it('refuses a member subscribing to its own service', () => {
    expect(() =>
      assertCanSubscribe({ providerId: 'norfolk', consumerId: 'norfolk', serviceStatus: 'published' }),
    ).toThrow(expect.objectContaining({ kind: 'invalid', code: 'own-service' }));
  });

  it.each(['draft', 'suspended', 'retired'] as const)(
    'refuses new subscriptions to a %s service',
    (serviceStatus) => {
      const refusal = subscriptionRefusal({ providerId: 'kent', consumerId: 'essex', serviceStatus });
      expect(refusal).toBeInstanceOf(DomainError);
      expect(refusal).toMatchObject({ kind: 'conflict', code: 'service-not-open-for-subscription' });
      expect(refusal?.message).toBe(`A service that is ${serviceStatus} takes no new subscriptions`);
    },
  );

  it('allows only published services', () => {
    expect(
      SERVICE_STATUSES.filter((serviceStatus) =>
        canSubscribe({ providerId: 'kent', consumerId: 'essex', serviceStatus }),
      ),
    ).toEqual(['published']);
  });
});
