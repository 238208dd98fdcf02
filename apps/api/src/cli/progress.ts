import { SingleBar } from 'cli-progress';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { ChargeRun } from '../modules/charging/charge-run.entity';
import type { CliOutput } from './context';

const POLL_MS = 250;
const FINISHED = ['completed', 'failed'];

/**
 * Follows a charge run to its end from its row (whichever process runs it): a progress bar on a terminal, a plain
 * "processed/total" line at each change otherwise (logs and CI have no cursor). Resolves with the finished run.
 */
export async function followChargeRun(
  dataSource: DataSource,
  runId: string,
  out: CliOutput,
): Promise<ChargeRun> {
  const runs = dataSource.getRepository(ChargeRun);
  const bar = out.tty
    ? new SingleBar({
        stream: out.tty,
        format: 'Charge run [{bar}] {percentage}% | {value}/{total} subscriptions',
        hideCursor: true,
      })
    : undefined;
  let shown = '';
  let started = false;
  try {
    for (;;) {
      const run = await runs.findOneByOrFail({ id: runId });
      const total = run.totalSubscriptions;
      const done = run.processedSubscriptions;
      if (bar) {
        if (!started) bar.start(total, done);
        else bar.setTotal(total);
        bar.update(done);
        started = true;
      } else if (`${done}/${total}` !== shown && (run.status !== 'queued' || total > 0)) {
        shown = `${done}/${total}`;
        out.line(`${shown} subscriptions`);
      }
      if (FINISHED.includes(run.status)) return run;
      await sleep(POLL_MS);
    }
  } finally {
    bar?.stop();
  }
}
