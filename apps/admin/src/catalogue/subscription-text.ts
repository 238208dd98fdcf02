import type { components } from '../api/schema';
import { messageFor } from '../api/problem-text';
import { formatDate } from '../format/date';
import { formatQuantity } from './price-plan-text';

type Schemas = components['schemas'];

/** "160 of 400 units taken, 240 left", or that there is no limit. */
export function capacityText(capacity: Schemas['CapacityDto']): string {
  const noun = (n: number) =>
    capacity.unit === 'subscribers'
      ? n === 1
        ? 'subscriber place'
        : 'subscriber places'
      : n === 1
        ? 'unit'
        : 'units';
  if (capacity.limit === null)
    return `No limit (${formatQuantity(capacity.inUse)} ${noun(capacity.inUse)} taken)`;
  const left = capacity.remaining ?? Math.max(capacity.limit - capacity.inUse, 0);
  const tail = left === 0 ? 'none left' : `${formatQuantity(left)} left`;
  return `${formatQuantity(capacity.inUse)} of ${formatQuantity(capacity.limit)} ${noun(capacity.limit)} taken, ${tail}`;
}

/** The buttons each `availableActions` code becomes (the API's names; `reinstate` is POST …/resume). */
export const SUBSCRIPTION_ACTION_LABELS: Record<string, string> = {
  approve: 'Approve',
  reject: 'Reject',
  cancel: 'Withdraw request',
  suspend: 'Suspend',
  reinstate: 'Resume',
  give_notice: 'Give notice',
  end: 'End subscription',
};

const EVENT_LABELS: Record<string, string> = {
  requested: 'Requested',
  approved: 'Approved',
  rejected: 'Rejected',
  cancelled: 'Request withdrawn',
  suspended: 'Suspended',
  resumed: 'Resumed',
  notice_given: 'Notice given',
  ended: 'Ended',
  quantity_changed: 'Quantity changed',
  price_accepted: 'New price accepted',
};

/** One history entry in words: "Quantity changed from 10 to 12 from 1 Jan 2027. Reason: …". */
export function eventText(event: Schemas['SubscriptionEventDto']): string {
  const label = EVENT_LABELS[event.event] ?? event.event.replace(/_/g, ' ');
  const d = event.details ?? {};
  const parts: string[] = [];
  if (event.event === 'requested' && typeof d.quantity === 'number') {
    parts.push(`${label}: quantity ${formatQuantity(d.quantity)}, ${d.termMonths} months' term`);
  } else if (event.event === 'quantity_changed' && typeof d.to === 'number') {
    const from = typeof d.effectiveFrom === 'string' ? ` from ${formatDate(d.effectiveFrom)}` : '';
    parts.push(`${label} from ${formatQuantity(String(d.from))} to ${formatQuantity(d.to)}${from}`);
  } else if (event.event === 'price_accepted' && typeof d.toVersion === 'number') {
    parts.push(`${label}: price version ${d.toVersion} (was ${String(d.fromVersion)})`);
  } else {
    parts.push(label);
  }
  if (typeof d.endDate === 'string') parts.push(`Ends after ${formatDate(d.endDate)}`);
  if (typeof d.reason === 'string' && d.reason) parts.push(`Reason: ${d.reason}`);
  return parts.join('. ');
}

/** The API's account of a full service ("… 8 are taken and this needs 2 more"), when that is the refusal. */
function capacityDetail(error: unknown): string | undefined {
  // Read as ApiProblem reads (its `body` is the problem document), without importing react-admin here.
  const body = typeof error === 'object' && error !== null ? (error as { body?: unknown }).body : undefined;
  const problem =
    typeof body === 'object' && body !== null ? (body as { code?: unknown; detail?: unknown }) : {};
  // Domain refusals are 409 conflicts whose `code` names the rule (apps/api/src/common/problem.filter.ts).
  if (problem.code !== 'capacity-exhausted') return undefined;
  return typeof problem.detail === 'string' ? problem.detail.replace(/\.$/, '') : 'it is full';
}

/**
 * The words for a failed subscription action. A full service is the problem people meet most when approving or
 * growing a subscription, so it is said plainly; everything else reads as the API's problem text.
 */
export function subscriptionProblemMessage(error: unknown): string {
  const full = capacityDetail(error);
  if (full !== undefined) {
    return `There is not enough room on this service: ${full}. Free some capacity (or raise it on the service) and try again.`;
  }
  return messageFor(error);
}

/**
 * A full service refusing the subscriber's larger quantity, said to the subscriber (who cannot raise the
 * provider's capacity) under the quantity it typed; undefined for any other refusal.
 */
export function quantityRefusedForCapacity(error: unknown): string | undefined {
  const full = capacityDetail(error);
  if (full === undefined) return undefined;
  return `There is not enough room on this service for that many: ${full}. Choose a smaller quantity, or ask the provider for more room.`;
}

/** "30 minutes", "1 hour", "4 hours": service-level targets as people say them. */
export function hoursText(hours: number): string {
  if (hours < 1) return `${Math.round(hours * 60)} minutes`;
  return hours === 1 ? '1 hour' : `${formatQuantity(hours)} hours`;
}

/** Today in the UK as YYYY-MM-DD (the API's calendar dates are UK days). */
export function ukToday(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(now);
}

/** The first day of next month, YYYY-MM-DD: when most subscriptions start. */
export function firstOfNextMonth(today: string): string {
  const [year, month] = today.split('-').map(Number);
  return month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
}
