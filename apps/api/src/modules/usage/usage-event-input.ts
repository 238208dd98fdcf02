import { groupThousands, MAX_USAGE_EVENT_QUANTITY, QUANTITY_DECIMAL_PLACES } from '@consortium/domain';
import { hash } from 'node:crypto';
import { inexactNumberAt } from '../../common/json-body';

/** A usage event as received, checked for shape and put in one canonical form. */
export interface CanonicalUsageEvent {
  readonly eventId: string;
  readonly subscriptionId: string;
  readonly metric: string;
  /** Exact decimal, normalised: "1.50" and 1.5 are the same quantity. */
  readonly quantity: string;
  /** ISO 8601 in UTC with milliseconds, whatever offset the client wrote. */
  readonly occurredAt: string;
  /** occurredAt as milliseconds since the epoch (parsed once, not per check). */
  readonly occurredAtMs: number;
  /** SHA-256 of the canonical JSON: a replay has the same hash, a different body under the same id does not. */
  readonly bodyHash: string;
}

export type UsageEventCheck =
  | { readonly ok: true; readonly event: CanonicalUsageEvent }
  | { readonly ok: false; readonly eventId: string | null; readonly code: string; readonly reason: string };

const EVENT_ID = /^[\x21-\x7e]{1,200}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const METRIC = /^[a-z][a-z0-9_]{0,62}$/;
/** A date and time with an explicit offset: a usage time without a zone is ambiguous. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
/**
 * Plain decimal text, read generously (up to 18 digits, 20 decimals) so a quantity too large or too precise is
 * refused with its own reason rather than as malformed; the accepted form is USAGE_QUANTITY_PATTERN (usage-event.dto.ts).
 */
const PLAIN_DECIMAL = /^(\d{1,18})(?:\.(\d{1,20}))?$/;
const MAX_EVENT_WHOLE = String(MAX_USAGE_EVENT_QUANTITY);
const GROUPED_MAX_EVENT = groupThousands(MAX_EVENT_WHOLE);
const FIELDS = new Set(['eventId', 'subscriptionId', 'metric', 'quantity', 'occurredAt']);

const reject = (eventId: string | null, code: string, reason: string): UsageEventCheck => ({
  ok: false,
  eventId,
  code,
  reason,
});

/**
 * Checks one event's shape (not yet whether the caller may report it) and canonicalises it. Each event is judged
 * on its own, so one malformed event is rejected with its reason while the rest of the batch goes ahead.
 * A quantity may be a decimal string or a JSON number that JSON.parse reads exactly, from 0 to
 * MAX_USAGE_EVENT_QUANTITY with at most QUANTITY_DECIMAL_PLACES decimal places.
 */
export function checkUsageEventShape(raw: unknown): UsageEventCheck {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return reject(null, 'invalid-event', 'Each event must be an object');
  }
  const input = raw as Record<string, unknown>;
  const eventId = typeof input.eventId === 'string' && EVENT_ID.test(input.eventId) ? input.eventId : null;
  if (!eventId) {
    return reject(null, 'invalid-event', 'eventId must be 1 to 200 printable characters without spaces');
  }
  const unknown = Object.keys(input).filter((key) => !FIELDS.has(key));
  if (unknown.length > 0) return reject(eventId, 'invalid-event', `Unknown field(s): ${unknown.join(', ')}`);
  if (typeof input.subscriptionId !== 'string' || !UUID.test(input.subscriptionId)) {
    return reject(eventId, 'invalid-event', 'subscriptionId must be a UUID');
  }
  if (typeof input.metric !== 'string' || !METRIC.test(input.metric)) {
    return reject(eventId, 'invalid-event', 'metric must be a lower-case name such as storage_gb');
  }
  const inexact = typeof input.quantity === 'number' ? inexactNumberAt(input, 'quantity') : undefined;
  if (inexact) {
    return reject(
      eventId,
      'quantity-not-exact',
      `quantity ${inexact.text} cannot be represented exactly as a JSON number (it would be read as ` +
        `${inexact.readAs}): send it as a decimal string, e.g. "${inexact.text}"`,
    );
  }
  const quantityText =
    typeof input.quantity === 'number' && Number.isFinite(input.quantity)
      ? String(input.quantity)
      : input.quantity;
  const quantityParts = typeof quantityText === 'string' ? PLAIN_DECIMAL.exec(quantityText) : null;
  if (!quantityParts) {
    return reject(
      eventId,
      'invalid-quantity',
      'quantity must be a non-negative decimal (a string such as "12.5", or a plain number)',
    );
  }
  if ((quantityParts[2]?.length ?? 0) > QUANTITY_DECIMAL_PLACES) {
    return reject(
      eventId,
      'invalid-quantity',
      `quantity may have at most ${QUANTITY_DECIMAL_PLACES} decimal places`,
    );
  }
  const quantity = canonicalQuantity(quantityParts[1], quantityParts[2]);
  if (exceedsEventBound(quantity)) {
    return reject(
      eventId,
      'quantity-too-large',
      `quantity may be at most ${GROUPED_MAX_EVENT} units per event: report larger usage as several events`,
    );
  }
  const occurredAtText = input.occurredAt;
  const occurredAtMs =
    typeof occurredAtText === 'string' && ISO_INSTANT.test(occurredAtText) ? Date.parse(occurredAtText) : NaN;
  if (Number.isNaN(occurredAtMs)) {
    return reject(
      eventId,
      'invalid-event',
      'occurredAt must be an ISO 8601 date and time with a zone, e.g. 2026-04-01T09:30:00Z',
    );
  }
  const event = {
    eventId,
    subscriptionId: input.subscriptionId.toLowerCase(),
    metric: input.metric,
    quantity,
    occurredAt: new Date(occurredAtMs).toISOString(),
  };
  return { ok: true, event: { ...event, occurredAtMs, bodyHash: usageEventHash(event) } };
}

/** The hash of an event's canonical JSON (fixed key order, normalised values). */
export function usageEventHash(event: Omit<CanonicalUsageEvent, 'bodyHash' | 'occurredAtMs'>): string {
  const canonical = JSON.stringify([
    event.eventId,
    event.subscriptionId,
    event.metric,
    event.quantity,
    event.occurredAt,
  ]);
  return hash('sha256', canonical, 'hex');
}

/**
 * The normal form of a non-negative decimal given as its digits ("007", "50"): leading zeros of the whole part
 * and trailing zeros of the fraction dropped, so "1.50", "01.5" and 1.5 are all "1.5" and "0.000" is "0" (the
 * same text as formatDecimal(parseDecimal(…)), without BigInt arithmetic per event).
 */
function canonicalQuantity(whole: string, fraction: string | undefined): string {
  let end = fraction === undefined ? 0 : fraction.length;
  while (end > 0 && fraction?.charCodeAt(end - 1) === 48) end -= 1;
  let start = 0;
  while (start < whole.length - 1 && whole.charCodeAt(start) === 48) start += 1;
  const integer = start === 0 ? whole : whole.slice(start);
  return end === 0 ? integer : `${integer}.${(fraction as string).slice(0, end)}`;
}

/** Whether a canonical quantity is above MAX_USAGE_EVENT_QUANTITY (compared as text: no leading zeros). */
function exceedsEventBound(quantity: string): boolean {
  const point = quantity.indexOf('.');
  const whole = point === -1 ? quantity : quantity.slice(0, point);
  if (whole.length !== MAX_EVENT_WHOLE.length) return whole.length > MAX_EVENT_WHOLE.length;
  return whole > MAX_EVENT_WHOLE || (whole === MAX_EVENT_WHOLE && point !== -1);
}
