import {
  assertPeriodAllows,
  BILLING_PERIOD_STATUSES,
  billingPeriodLifecycle,
  PERIOD_ACTIVITIES,
  periodAllows,
} from './billing-period-lifecycle';

describe('billing period lifecycle', () => {
  it('runs open → closing → closed → settled', () => {
    expect(billingPeriodLifecycle.next('open', 'begin_closing')).toBe('closing');
    expect(billingPeriodLifecycle.next('closing', 'close')).toBe('closed');
    expect(billingPeriodLifecycle.next('closed', 'settle')).toBe('settled');
  });

  it('lets a close that cannot finish go back to open', () => {
    expect(billingPeriodLifecycle.next('closing', 'reopen')).toBe('open');
  });

  it('never reopens a closed or settled period', () => {
    expect(() => billingPeriodLifecycle.next('closed', 'reopen')).toThrow(
      expect.objectContaining({ kind: 'conflict', code: 'illegal-transition' }),
    );
    expect(billingPeriodLifecycle.actionsFrom('settled')).toEqual([]);
    expect(() => billingPeriodLifecycle.next('open', 'close')).toThrow(
      /Cannot close a billing period that is open/,
    );
  });

  it('posts nothing into a closed period except settlement payments', () => {
    const allowed = Object.fromEntries(
      BILLING_PERIOD_STATUSES.map((status) => [
        status,
        PERIOD_ACTIVITIES.filter((a) => periodAllows(status, a)),
      ]),
    );
    expect(allowed).toEqual({
      open: ['record_usage', 'run_charges', 'issue_charges'],
      closing: ['issue_charges'],
      closed: ['record_settlement'],
      settled: [],
    });
  });

  it('refuses a disallowed activity as a conflict', () => {
    expect(() => assertPeriodAllows('closed', 'record_usage')).toThrow(
      expect.objectContaining({ kind: 'conflict', code: 'period-not-open' }),
    );
    expect(() => assertPeriodAllows('open', 'record_usage')).not.toThrow();
  });
});
