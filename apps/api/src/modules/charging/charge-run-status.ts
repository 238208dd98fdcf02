import type { ChargeRunStatus } from '@consortium/domain';

const COUNT = new Intl.NumberFormat('en-GB');
const TIME = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZone: 'Europe/London',
});
const DAY = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'Europe/London',
});

export interface RunForWords {
  status: ChargeRunStatus;
  interrupted: boolean;
  processedSubscriptions: number;
  totalSubscriptions: number;
  heartbeatAt: Date | null;
  error: string | null;
  needsAttention: readonly unknown[];
}

const subscriptions = (count: number) => `${COUNT.format(count)} subscription${count === 1 ? '' : 's'}`;

/** "19:42:10" in UK time; the day is added when it is not today's ("19:42:10 on 3 Mar 2026"). */
export function ukTime(at: Date, now: Date = new Date()): string {
  const time = TIME.format(at);
  return DAY.format(at) === DAY.format(now) ? time : `${time} on ${DAY.format(at)}`;
}

/** A charge run's status in words, as the API and the admin UI show it. */
export function chargeRunStatusText(run: RunForWords, now: Date = new Date()): string {
  switch (run.status) {
    case 'queued':
      return 'Queued';
    case 'running':
      if (run.interrupted) {
        const seen = run.heartbeatAt ? `last heartbeat ${ukTime(run.heartbeatAt, now)}` : 'no heartbeat yet';
        return `Interrupted, resuming (${seen})`;
      }
      return `Running: ${COUNT.format(run.processedSubscriptions)} of ${subscriptions(run.totalSubscriptions)}`;
    case 'completed':
      return run.needsAttention.length === 0
        ? 'Completed'
        : `Completed with ${subscriptions(run.needsAttention.length)} needing attention`;
    case 'failed':
      return `Failed: ${run.error ?? 'no reason was recorded'}`;
  }
}
