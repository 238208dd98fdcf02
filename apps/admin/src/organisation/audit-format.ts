/** How audit events read to a person. Plain TypeScript, so it is unit-tested without a browser. */
import { formatDate, formatDateTime } from '../format/date';
import { formatMoney } from '../format/money';
import { ROLE_LABELS } from '../roles';

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

/** Actions that read better whole than as "<what> <done>". */
const ACTION_LABELS: Record<string, string> = {
  'auth.login': 'Signed in',
  'auth.logout': 'Signed out',
  'auth.session_ended': 'Session ended',
  'auth.sign_in_throttled': 'Sign-ins from one address slowed down after failures',
  'auth.sign_in_failures_reported': 'Repeated failed sign-ins reported',
  'seed.demo_data': 'Demo data loaded',
};

/** The subjects of actions that are not themselves entity types. */
const ACTION_SUBJECTS: Record<string, string> = {
  compliance: 'Compliance certificate',
  usage: 'Usage',
  webhook_delivery: 'Webhook delivery',
  webhook_endpoint: 'Webhook endpoint',
};

/** `billing_period.closed` reads "Billing period closed": what was done to what, in words. */
export function actionLabel(action: string): string {
  if (ACTION_LABELS[action]) return ACTION_LABELS[action];
  const dot = action.indexOf('.');
  if (dot < 0) return action.replace(/_/g, ' ');
  const subject = action.slice(0, dot);
  const what = ACTION_SUBJECTS[subject] ?? entityTypeLabel(subject);
  const done = action.slice(dot + 1).replace(/[._]/g, ' ');
  return `${what.charAt(0).toUpperCase()}${what.slice(1)} ${done}`;
}

/** `endDate` reads "End date"; money in pence (`grossMinor`) is shown in pounds, so "Gross". */
function fieldLabel(field: string): string {
  const words = field
    .replace(/Minor$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
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
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return formatDateTime(value);
  if (field === 'roles' && typeof value === 'string')
    return ROLE_LABELS[value as keyof typeof ROLE_LABELS] ?? value;
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map((v) => show(v, field)).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** `{ status: { from: 'active', to: 'disabled' } }` reads "Status: active → disabled"; other shapes as they are. */
export function describeChanges(changes: Record<string, unknown> | null | undefined): string {
  const parts = Object.entries(changes ?? {}).flatMap(([field, change]) => {
    if (
      change &&
      typeof change === 'object' &&
      !Array.isArray(change) &&
      ('from' in change || 'to' in change)
    ) {
      const { from, to } = change as { from?: unknown; to?: unknown };
      return isId(from) || isId(to)
        ? []
        : [`${fieldLabel(field)}: ${show(from, field)} → ${show(to, field)}`];
    }
    return isId(change) ? [] : [`${fieldLabel(field)}: ${show(change, field)}`];
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
