import { DomainError } from './domain-error';
import { StateMachine } from './state-machine';

/**
 * open: usage, charge runs, issuing and disputes. closing: the close has begun, so no new usage or charge runs
 * may change the figures, but issuing and resolving disputes can finish. closed: net positions and the settlement
 * plan are fixed; only settlement payments are recorded. settled: every settlement payment is recorded.
 */
export const BILLING_PERIOD_STATUSES = ['open', 'closing', 'closed', 'settled'] as const;
export type BillingPeriodStatus = (typeof BILLING_PERIOD_STATUSES)[number];

export const BILLING_PERIOD_ACTIONS = ['begin_closing', 'reopen', 'close', 'settle'] as const;
export type BillingPeriodAction = (typeof BILLING_PERIOD_ACTIONS)[number];

export const billingPeriodLifecycle = new StateMachine<BillingPeriodStatus, BillingPeriodAction>(
  'billing period',
  {
    open: { begin_closing: 'closing' },
    // A close that cannot finish (a late dispute) goes back to open rather than forcing the period shut.
    closing: { reopen: 'open', close: 'closed' },
    closed: { settle: 'settled' },
    settled: {},
  },
);

export const PERIOD_ACTIVITIES = [
  'record_usage',
  'run_charges',
  'issue_charges',
  'record_settlement',
] as const;
export type PeriodActivity = (typeof PERIOD_ACTIVITIES)[number];

const ALLOWED: Readonly<Record<PeriodActivity, readonly BillingPeriodStatus[]>> = {
  record_usage: ['open'],
  run_charges: ['open'],
  // Issuing posts to the ledger and credit notes answer disputes; both may finish while the period is closing.
  issue_charges: ['open', 'closing'],
  record_settlement: ['closed'],
};

export function periodAllows(status: BillingPeriodStatus, activity: PeriodActivity): boolean {
  return ALLOWED[activity]?.includes(status) ?? false;
}

/** Refuses, as a conflict, an activity the period's status does not allow: nothing is posted into a closed period. */
export function assertPeriodAllows(status: BillingPeriodStatus, activity: PeriodActivity): void {
  if (!periodAllows(status, activity)) {
    throw new DomainError(
      'conflict',
      'period-not-open',
      `Cannot ${activity.replace(/_/g, ' ')} in a billing period that is ${status}`,
      { status, activity },
    );
  }
}
