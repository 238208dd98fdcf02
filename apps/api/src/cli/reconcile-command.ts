import { DataSource } from 'typeorm';
import { chargeRunInProgress } from '../modules/charging/charge-run-guard';
import { ReconciliationService } from '../modules/reconciliation/reconciliation.service';
import { withAppContext } from './context';
import { CommandFailed, type OperatorCommand } from './operator-commands';
import { resolvePeriod } from './periods';

/** Rows named in full before the rest are only counted. */
const SHOWN = 50;

/**
 * The completeness invariant for operators: the same reconciliation as GET /billing-periods/{id}/reconciliation,
 * exiting non-zero when anything is unbilled, charged twice, or a run is still in progress.
 */
export const reconcile: OperatorCommand = {
  spec: {
    name: 'reconcile',
    usage: 'reconcile --period <id | key> [--consortium <name | id>]',
    summary:
      'Checks that every day each subscription was in force and every accepted usage event of the period is ' +
      'charged exactly once (draft, issued and supplementary charges; withdrawn events apart). Prints each ' +
      'difference and exits with status 1 when there is any, or while a charge run is in progress.',
    required: ['period'],
    optional: ['consortium'],
  },
  async run(env, databaseUrl, { values }, out) {
    await withAppContext(env, databaseUrl, async (app) => {
      const manager = app.get(DataSource).manager;
      const period = await resolvePeriod(manager, values.period as string, values.consortium);
      out.line(`Reconciling ${period.key}…`);
      const { summary, rows } = await app
        .get(ReconciliationService, { strict: false })
        .differences(manager, period.id);
      const running = await chargeRunInProgress(manager, period.id);
      for (const row of rows.slice(0, SHOWN)) {
        out.line(`  ${row.providerName} → ${row.consumerName}, ${row.serviceTitle}: ${row.explanation}`);
      }
      if (rows.length > SHOWN) out.line(`  … and ${rows.length - SHOWN} more`);
      out.line(
        `${period.key}: ${summary.differences} difference(s); ${summary.unbilledDays} day(s) and ` +
          `${summary.unbilledEvents} usage event(s) unbilled; ${summary.overchargedDays} day(s) and ` +
          `${summary.overchargedEvents} event(s) charged beyond what is owed; ${summary.withdrawnEvents} withdrawn`,
      );
      if (running)
        throw new CommandFailed(`A charge run of ${period.key} is in progress: reconcile after it`);
      if (summary.differences > 0) throw new CommandFailed(`${period.key} is not completely charged`);
      out.line(`${period.key} is completely charged: every day and every accepted usage event exactly once`);
    });
  },
};
