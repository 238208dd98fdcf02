/** How audit events read to a person. Plain TypeScript, so it is unit-tested without a browser. */
import { formatDate } from '../format/date';
import { formatMoney } from '../format/money';

/** The entity types the API records (AuditService callers), in words. */
export const ENTITY_TYPE_LABELS: Record<string, string> = {
  api_key: 'API key',
  billing_period: 'Billing period',
  charge_run: 'Charge run',
  compliance_attestation: 'Compliance certificate',
  consortium: 'Consortium',
  cross_charge: 'Cross-charge',
  dispute: 'Dispute',
  membership: 'Membership',
  notification: 'Notification',
  organisation: 'Organisation',
  service: 'Service',
  settlement_payment: 'Settlement payment',
  subscription: 'Subscription',
  usage_batch: 'Usage batch',
  user: 'User',
};

export function entityTypeLabel(entityType: string): string {
  return ENTITY_TYPE_LABELS[entityType] ?? entityType.replace(/_/g, ' ');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids mean nothing to a person: fields holding one are left out (the event's entity says what it was about). */
const isId = (value: unknown) => typeof value === 'string' && UUID.test(value);

function show(value: unknown, field = ''): string {
  // Money fields are pence (`grossMinor`, `amountMinor`): shown as pounds.
  if (
    /Minor$/.test(field) &&
    (typeof value === 'string' || typeof value === 'number') &&
    /^-?\d+$/.test(String(value))
  )
    return formatMoney(String(value));
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return formatDate(value);
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map((v) => show(v)).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** `{ status: { from: 'active', to: 'disabled' } }` reads "status: active → disabled"; other shapes as they are. */
export function describeChanges(changes: Record<string, unknown> | null | undefined): string {
  const parts = Object.entries(changes ?? {}).flatMap(([field, change]) => {
    if (
      change &&
      typeof change === 'object' &&
      !Array.isArray(change) &&
      ('from' in change || 'to' in change)
    ) {
      const { from, to } = change as { from?: unknown; to?: unknown };
      return isId(from) || isId(to) ? [] : [`${field}: ${show(from, field)} → ${show(to, field)}`];
    }
    return isId(change) ? [] : [`${field}: ${show(change, field)}`];
  });
  return parts.length === 0 ? '—' : parts.join('; ');
}

/** The API's `from` (inclusive) and `to` (exclusive) instants for calendar days picked in UK time. */
export function dayRange(fromDay?: string, toDay?: string): { from?: string; to?: string } {
  const midnight = (day: string, plusDays = 0) => {
    const [y, m, d] = day.split('-').map(Number);
    // Midnight in London: UTC in winter, an hour earlier in summer; Intl tells which.
    const utc = Date.UTC(y, m - 1, d + plusDays);
    const offset = londonOffsetMinutes(new Date(utc));
    return new Date(utc - offset * 60_000).toISOString();
  };
  return {
    ...(fromDay ? { from: midnight(fromDay) } : {}),
    ...(toDay ? { to: midnight(toDay, 1) } : {}),
  };
}

function londonOffsetMinutes(at: Date): number {
  const name = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', timeZoneName: 'shortOffset' })
    .formatToParts(at)
    .find((part) => part.type === 'timeZoneName')?.value;
  const match = /GMT([+-]\d+)?/.exec(name ?? '');
  return match?.[1] ? Number(match[1]) * 60 : 0;
}
