import { BILLING_CYCLES } from '@consortium/domain';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { writeFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import type { Environment } from '../config/environment';
import { AuditService } from '../modules/audit/audit.service';
import { ChargeRunComputation } from '../modules/charging/charge-run.computation';
import { ChargeRun } from '../modules/charging/charge-run.entity';
import { ChargeRunsService } from '../modules/charging/charge-runs.service';
import { ConsortiaService } from '../modules/consortia/consortia.service';
import { CreateConsortiumDto } from '../modules/consortia/dto/consortium.dto';
import { FinanceExportService } from '../modules/exports/finance-export.service';
import { Organisation } from '../modules/organisations/organisation.entity';
import { SettlementService } from '../modules/settlement/settlement.service';
import { actingAs, type CliOutput, withAppContext } from './context';
import { type CommandSpec, type ParsedOptions, UsageError } from './options';
import { resolvePeriod, UUID } from './periods';
import { followChargeRun } from './progress';
import { reconcile } from './reconcile-command';
import { verifyLedger } from './verify-ledger-command';

/** A command that works through the API's services; `run` throws (UsageError or the service's problem) to fail. */
export interface OperatorCommand {
  spec: CommandSpec;
  run(env: Environment, databaseUrl: string, options: ParsedOptions, out: CliOutput): Promise<void>;
}

/** A command that ran but whose work did not succeed (a failed charge run): exit status 1. */
export class CommandFailed extends Error {}

const PERIOD_USAGE = '--period <id | key> [--consortium <name | id>]';

const createConsortium: OperatorCommand = {
  spec: {
    name: 'create-consortium',
    usage:
      'create-consortium --name <name> --admin <email> [--billing-cycle ' +
      `${BILLING_CYCLES.join('|')}] [--currency GBP] [--description <text>]`,
    summary:
      'Founds a consortium: the --admin user (an existing, active user) becomes its first administrator and ' +
      'their organisation its first member. Billing cycle defaults to quarterly.',
    required: ['name', 'admin'],
    optional: ['billing-cycle', 'currency', 'description'],
  },
  async run(env, databaseUrl, { values }, out) {
    const dto = plainToInstance(CreateConsortiumDto, {
      name: values.name,
      description: values.description,
      billingCycle: values['billing-cycle'] ?? 'quarterly',
      currency: values.currency,
    });
    // The same validation as POST /consortia, so the CLI accepts exactly what the API accepts.
    const errors = await validate(dto, { forbidUnknownValues: false });
    if (errors.length > 0) {
      const reasons = errors.flatMap((e) => Object.values(e.constraints ?? {}));
      throw new UsageError(`Invalid consortium: ${reasons.join('; ')}`);
    }
    await withAppContext(env, databaseUrl, async (app) => {
      const actor = await actingAs(app, values.admin as string, 'create-consortium');
      const created = await app.get(ConsortiaService, { strict: false }).create(actor, dto);
      out.line(`Created consortium ${created.name} (${created.id}), billed ${created.billingCycle}`);
      out.line(`Administrator: ${values.admin}; first member: their organisation`);
    });
  },
};

const runCharges: OperatorCommand = {
  spec: {
    name: 'run-charges',
    usage: `run-charges ${PERIOD_USAGE} --as <email>`,
    summary:
      "Starts a charge run for an open period as the --as user (a superadmin or one of the consortium's " +
      'administrators) and follows it to the end. A run already in progress is refused: resume it instead.',
    required: ['period', 'as'],
    optional: ['consortium'],
  },
  async run(env, databaseUrl, { values }, out) {
    await withAppContext(env, databaseUrl, async (app) => {
      const dataSource = app.get(DataSource);
      const period = await resolvePeriod(dataSource.manager, values.period as string, values.consortium);
      const actor = await actingAs(app, values.as as string, 'run-charges');
      const started = await app.get(ChargeRunsService, { strict: false }).start(actor, period.id);
      out.line(`Charge run ${started.id} queued for ${period.key}`);
      reportRun(await followChargeRun(dataSource, started.id, out), out);
    });
  },
};

const resumeChargeRun: OperatorCommand = {
  spec: {
    name: 'resume-charge-run',
    usage: 'resume-charge-run --run <id>',
    summary:
      'Resumes a queued or interrupted charge run in this process, adding only what is missing (a run is ' +
      'idempotent), instead of waiting for an instance to take it over. It takes the run even from a worker ' +
      'that still beats its heartbeat (that worker stops at its next chunk). Recorded as the system.',
    required: ['run'],
  },
  async run(env, databaseUrl, { values }, out) {
    await withAppContext(env, databaseUrl, async (app) => {
      const dataSource = app.get(DataSource);
      const run = await dataSource.getRepository(ChargeRun).findOneBy({ id: values.run as string });
      if (!run) throw new UsageError(`No charge run has the id ${values.run}`);
      if (run.status === 'completed') return out.line(`Charge run ${run.id} has already completed`);
      if (run.status === 'failed') {
        throw new CommandFailed(
          `Charge run ${run.id} failed (${run.error}): start a new run with run-charges`,
        );
      }
      await dataSource.transaction((manager) =>
        app.get(AuditService).record(manager, 'system', {
          action: 'charge_run.resumed',
          entityType: 'charge_run',
          entityId: run.id,
          consortiumId: run.consortiumId,
          changes: { status: run.status, processedSubscriptions: run.processedSubscriptions, via: 'cli' },
        }),
      );
      out.line(`Resuming charge run ${run.id} (${run.status}, ${run.processedSubscriptions} done)`);
      const [, finished] = await Promise.all([
        // Forced: the operator decides, even over a live holder, which then stops at its next chunk.
        app.get(ChargeRunComputation, { strict: false }).execute(run.id, { force: true }),
        followChargeRun(dataSource, run.id, out),
      ]);
      reportRun(finished, out);
    });
  },
};

const closePeriod: OperatorCommand = {
  spec: {
    name: 'close-period',
    usage: `close-period ${PERIOD_USAGE} --as <email> [--override-reason <text>]`,
    summary:
      "Closes a billing period as the --as user (a superadmin or one of the consortium's administrators), " +
      'fixing each member’s net position and the settlement payments. Refused while charges are draft or ' +
      'disputes open, unless --override-reason says why.',
    required: ['period', 'as'],
    optional: ['consortium', 'override-reason'],
  },
  async run(env, databaseUrl, { values }, out) {
    await withAppContext(env, databaseUrl, async (app) => {
      const dataSource = app.get(DataSource);
      const period = await resolvePeriod(dataSource.manager, values.period as string, values.consortium);
      const actor = await actingAs(app, values.as as string, 'close-period');
      const settlement = await app
        .get(SettlementService, { strict: false })
        .close(actor, period.id, values['override-reason']);
      out.line(
        `Closed ${settlement.billingPeriodKey}: ${settlement.positions.length} member position(s), ` +
          `${settlement.payments.length} settlement payment(s) to record; period ${settlement.periodStatus}`,
      );
    });
  },
};

const financeExport: OperatorCommand = {
  spec: {
    name: 'export',
    usage: `export ${PERIOD_USAGE} --organisation <name | id> [--out <file>]`,
    summary:
      "Writes an organisation's finance-system export for a period (its postings with its own cost centres and " +
      'ledger codes, as GET /billing-periods/{id}/finance-export gives it) to --out, or to standard output.',
    required: ['period', 'organisation'],
    optional: ['consortium', 'out'],
  },
  async run(env, databaseUrl, { values }, out) {
    await withAppContext(env, databaseUrl, async (app) => {
      const manager = app.get(DataSource).manager;
      const period = await resolvePeriod(manager, values.period as string, values.consortium);
      const name = values.organisation as string;
      const organisation = await manager.findOneBy(Organisation, UUID.test(name) ? { id: name } : { name });
      if (!organisation) throw new UsageError(`No organisation is called ${name}`);
      const file = await app
        .get(FinanceExportService, { strict: false })
        .csvForOrganisation(period.id, organisation.id);
      if (!values.out) return out.line(file.csv.replace(/\r\n$/, ''));
      writeFileSync(values.out, file.csv);
      const rows = file.csv.split('\r\n').length - 2;
      out.line(`Wrote ${rows} row(s) of ${organisation.name}'s ${period.key} export to ${values.out}`);
    });
  },
};

function reportRun(run: ChargeRun, out: CliOutput): void {
  if (run.status !== 'completed') throw new CommandFailed(`Charge run ${run.id} failed: ${run.error}`);
  out.line(
    `Charge run ${run.id} completed: ${run.processedSubscriptions} subscription(s), ` +
      `${run.crossCharges} cross-charge(s), ${run.chargeLines} line(s)`,
  );
}

export const OPERATOR_COMMANDS: readonly OperatorCommand[] = [
  createConsortium,
  runCharges,
  resumeChargeRun,
  closePeriod,
  reconcile,
  verifyLedger,
  financeExport,
];
