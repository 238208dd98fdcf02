import { EVENT_TYPE_OF_TOPIC, EVENT_TYPES, topicsOf } from './event-types';

describe('event types', () => {
  it('has an outbox topic for every event type of the contract, so each one can be emitted', () => {
    const mapped = new Set(Object.values(EVENT_TYPE_OF_TOPIC));
    expect(EVENT_TYPES.filter((type) => !mapped.has(type))).toEqual([]);
  });

  it('finds the topics behind a contract type', () => {
    expect(topicsOf(['certificate.expiring'])).toEqual(['compliance.expiring', 'compliance.expired']);
    expect(topicsOf(['period.closed'])).toEqual(['billing_period.closed']);
  });
});
