import { chargeRunStatusText, type RunForWords } from './charge-run-status';

const NOW = new Date('2026-11-30T20:00:00Z');
const run: RunForWords = {
  status: 'running',
  interrupted: false,
  processedSubscriptions: 1500,
  totalSubscriptions: 10000,
  heartbeatAt: new Date('2026-11-30T19:59:58Z'),
  error: null,
  needsAttention: [],
};

describe('a charge run’s status in words', () => {
  it('says how far a running run has got, with thousands separated', () => {
    expect(chargeRunStatusText(run, NOW)).toBe('Running: 1,500 of 10,000 subscriptions');
    expect(chargeRunStatusText({ ...run, status: 'queued' }, NOW)).toBe('Queued');
  });

  it('says an interrupted run is resuming, with its last heartbeat in UK time', () => {
    const summer = new Date('2026-07-01T18:42:10Z');
    expect(chargeRunStatusText({ ...run, interrupted: true, heartbeatAt: summer }, summer)).toBe(
      'Interrupted, resuming (last heartbeat 19:42:10)',
    );
    expect(
      chargeRunStatusText({ ...run, interrupted: true, heartbeatAt: new Date('2026-11-29T09:05:00Z') }, NOW),
    ).toBe('Interrupted, resuming (last heartbeat 09:05:00 on 29 Nov 2026)');
    expect(chargeRunStatusText({ ...run, interrupted: true, heartbeatAt: null }, NOW)).toBe(
      'Interrupted, resuming (no heartbeat yet)',
    );
  });

  it('counts the subscriptions a completed run could not charge, in proper plurals', () => {
    const completed = { ...run, status: 'completed' as const };
    expect(chargeRunStatusText(completed, NOW)).toBe('Completed');
    expect(chargeRunStatusText({ ...completed, needsAttention: [{}] }, NOW)).toBe(
      'Completed with 1 subscription needing attention',
    );
    expect(chargeRunStatusText({ ...completed, needsAttention: [{}, {}] }, NOW)).toBe(
      'Completed with 2 subscriptions needing attention',
    );
  });

  it('gives a failed run’s reason', () => {
    expect(
      chargeRunStatusText({ ...run, status: 'failed', error: 'The billing period is closed' }, NOW),
    ).toBe('Failed: The billing period is closed');
  });
});
