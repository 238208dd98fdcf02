/**
 * The events integrators can receive (webhooks) or poll (the events feed): the published contract. Internally an
 * event is an outbox row whose topic is the in-app notification kind; this table maps those topics to the
 * contract's names, so in-app wording can change without breaking integrators.
 */
export const EVENT_TYPES = [
  'subscription.requested',
  'subscription.approved',
  'subscription.ended',
  'cross_charge.issued',
  'cross_charge.approved',
  'cross_charge.disputed',
  'cross_charge.credited',
  'period.closed',
  'settlement.recorded',
  'certificate.expiring',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Outbox topic → contract event type. Topics not listed here stay in-app only. */
export const EVENT_TYPE_OF_TOPIC: Readonly<Record<string, EventType>> = {
  'subscription.requested': 'subscription.requested',
  'subscription.approved': 'subscription.approved',
  'subscription.ended': 'subscription.ended',
  'cross_charge.issued': 'cross_charge.issued',
  'cross_charge.approved': 'cross_charge.approved',
  'cross_charge.disputed': 'cross_charge.disputed',
  'cross_charge.credited': 'cross_charge.credited',
  'billing_period.closed': 'period.closed',
  'settlement_payment.recorded': 'settlement.recorded',
  // A certificate that has already lapsed is still news to whoever watches for expiring ones: data.standing says which.
  'compliance.expiring': 'certificate.expiring',
  'compliance.expired': 'certificate.expiring',
};

export const TOPICS = Object.keys(EVENT_TYPE_OF_TOPIC);

/** The topics that make up the given contract event types. */
export function topicsOf(types: readonly string[]): string[] {
  return TOPICS.filter((topic) => types.includes(EVENT_TYPE_OF_TOPIC[topic]));
}
