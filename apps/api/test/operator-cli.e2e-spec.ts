import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { OPERATOR_COMMANDS } from '../src/cli/operator-commands';
import { parseOptions } from '../src/cli/options';
import { runCli } from '../src/cli/run-cli';
import { loadEnvironment } from '../src/config/environment';
import { ChargeRunComputation } from '../src/modules/charging/charge-run.computation';
import {
  aChargePeriod,
  aConsortiumWithMembers,
  aDatedSubscription,
  aPostedCharge,
  aService,
  aSuperadmin,
  aUser,
  anOrganisation,
  unique,
} from './support/builders';
import { createTestApp, TEST_SECRETS_KEY, type TestApp } from './support/test-app';

const ROOT = resolve(__dirname, '../../..');
const databaseUrl = () => process.env.CONSORTIUM_TEST_DATABASE_URL as string;
/** As an operator's shell would have it: the secrets key set, so no key file is made in the checkout. */
const CLI_ENV = { NODE_ENV: 'test', SECRETS_KEY: TEST_SECRETS_KEY };

/** Runs an operator command in this process, as `node cli.js <name> <args>` would, collecting what it prints. */
async function cli(name: string, args: string[]): Promise<string[]> {
  const command = OPERATOR_COMMANDS.find((c) => c.spec.name === name);
  if (!command) throw new Error(`no command ${name}`);
  const lines: string[] = [];
  const env = loadEnvironment({ ...CLI_ENV, LOG_LEVEL: 'silent', ADMIN_UI_DIR: '' });
  await command.run(env, databaseUrl(), parseOptions(command.spec, args), { line: (l) => lines.push(l) });
  return lines;
}

const MISSING_RUN = '00000000-0000-4000-8000-000000000000';

describe('the operators’ command line', () => {
  let test: TestApp;
  beforeAll(async () => (test = await createTestApp()));
  afterAll(() => test.close());

  describe('create-consortium', () => {
    it('founds a consortium with the --admin user as its administrator, audited as them through the CLI', async () => {
      const organisation = await anOrganisation(test.dataSource);
      const admin = await aUser(test.dataSource, organisation, ['org_admin']);
      const name = unique('Western Shared Services');
      const output = await cli('create-consortium', ['--name', name, '--admin', admin.email]);

      const [consortium] = await test.dataSource.query(
        'SELECT id, billing_cycle FROM consortia WHERE name = $1',
        [name],
      );
      expect(consortium.billing_cycle).toBe('quarterly');
      expect(output[0]).toBe(`Created consortium ${name} (${consortium.id}), billed quarterly`);
      const admins = await test.dataSource.query(
        'SELECT user_id FROM consortium_admins WHERE consortium_id = $1',
        [consortium.id],
      );
      expect(admins).toEqual([{ user_id: admin.id }]);
      const audit = await test.dataSource.query(
        `SELECT action, actor_label, request_id FROM audit_events WHERE consortium_id = $1 ORDER BY action`,
        [consortium.id],
      );
      expect(audit).toContainEqual({
        action: 'consortium.created',
        actor_label: `${admin.email} (cli)`,
        request_id: 'cli:create-consortium',
      });
    });

    it('refuses what the API would refuse, and an unknown user, creating nothing', async () => {
      const name = unique('Refused Consortium');
      await expect(
        cli('create-consortium', [
          '--name',
          name,
          '--admin',
          'x@example.gov.uk',
          '--billing-cycle',
          'weekly',
        ]),
      ).rejects.toThrow(/Invalid consortium: billingCycle must be one of/);
      await expect(
        cli('create-consortium', ['--name', name, '--admin', 'nobody@example.gov.uk']),
      ).rejects.toThrow('--as nobody@example.gov.uk: no active user has that email');
      expect(await test.dataSource.query('SELECT id FROM consortia WHERE name = $1', [name])).toEqual([]);
    });
  });

  describe('charge runs and closing a period', () => {
    let world: Awaited<ReturnType<typeof aConsortiumWithMembers>>;
    let period: { id: string; key: string };
    let operator: string;

    beforeAll(async () => {
      const ds = test.dataSource;
      world = await aConsortiumWithMembers(ds);
      operator = (await aSuperadmin(ds)).email;
      period = await aChargePeriod(ds, world.consortium, '2025-06');
      for (const consumer of [world.other, world.other]) {
        const service = await aService(ds, world.consortium, world.home);
        await aDatedSubscription(ds, service, consumer, { startDate: '2025-06-01', quantity: 2 });
      }
    });

    it('refuses a charge run to someone who does not administer the consortium (403), starting none', async () => {
      await expect(
        cli('run-charges', ['--period', period.id, '--as', world.homeUsers.admin.email]),
      ).rejects.toMatchObject({ status: 403 });
      const runs = await test.dataSource.query('SELECT id FROM charge_runs WHERE billing_period_id = $1', [
        period.id,
      ]);
      expect(runs).toEqual([]);
    });

    it('runs the charges of a period named by consortium and key, printing plain progress off a terminal', async () => {
      const output = await cli('run-charges', [
        '--period',
        period.key,
        '--consortium',
        world.consortium.name,
        '--as',
        operator,
      ]);
      expect(output[0]).toMatch(new RegExp(`^Charge run [0-9a-f-]{36} queued for ${period.key}$`));
      expect(output).toContain('2/2 subscriptions');
      expect(output[output.length - 1]).toMatch(
        /^Charge run \S+ completed: 2 subscription\(s\), 1 cross-charge\(s\), 2 line\(s\)$/,
      );
      const charges = await test.dataSource.query(
        `SELECT status FROM cross_charges WHERE billing_period_id = $1`,
        [period.id],
      );
      expect(charges).toEqual([{ status: 'draft' }]);
    });

    it('resumes an interrupted run as the system, adding only what is missing', async () => {
      const [run] = await test.dataSource.query(
        `INSERT INTO charge_runs (consortium_id, billing_period_id, status, requested_by_label)
         VALUES ($1, $2, 'queued', 'test') RETURNING id`,
        [world.consortium.id, period.id],
      );
      // Interrupted before its first chunk, as if its process had died: left running.
      await test.app.get(ChargeRunComputation).execute(run.id, { stopAfterChunks: 0 });

      const output = await cli('resume-charge-run', ['--run', run.id]);
      expect(output[0]).toBe(`Resuming charge run ${run.id} (running, 0 done)`);
      expect(output[output.length - 1]).toMatch(
        /completed: 2 subscription\(s\), 1 cross-charge\(s\), 2 line\(s\)$/,
      );
      const audit = await test.dataSource.query(
        `SELECT actor_type, action FROM audit_events WHERE entity_id = $1 AND action = 'charge_run.resumed'`,
        [run.id],
      );
      expect(audit).toEqual([{ actor_type: 'system', action: 'charge_run.resumed' }]);
      const [{ lines }] = await test.dataSource.query(
        'SELECT count(*)::int AS lines FROM cross_charge_lines WHERE billing_period_id = $1',
        [period.id],
      );
      expect(lines).toBe(2);
      expect(await cli('resume-charge-run', ['--run', run.id])).toEqual([
        `Charge run ${run.id} has already completed`,
      ]);
    });

    it('refuses to close a period with draft charges, then closes it when given an override reason', async () => {
      await expect(cli('close-period', ['--period', period.id, '--as', operator])).rejects.toMatchObject({
        code: 'period-not-ready-to-close',
      });
      const [before] = await test.dataSource.query('SELECT status FROM billing_periods WHERE id = $1', [
        period.id,
      ]);
      expect(before.status).toBe('open');

      const output = await cli('close-period', [
        '--period',
        period.id,
        '--as',
        operator,
        '--override-reason',
        'drafts withdrawn by agreement',
      ]);
      expect(output).toEqual([
        `Closed ${period.key}: 2 member position(s), 0 settlement payment(s) to record; period settled`,
      ]);
      const audit = await test.dataSource.query(
        `SELECT actor_label, changes->>'overrideReason' AS reason FROM audit_events
          WHERE entity_id = $1 AND action = 'billing_period.closed'`,
        [period.id],
      );
      expect(audit).toEqual([{ actor_label: `${operator} (cli)`, reason: 'drafts withdrawn by agreement' }]);
    });
  });

  describe('export', () => {
    it('writes an organisation’s finance-system export for a period to a file', async () => {
      const world = await aConsortiumWithMembers(test.dataSource);
      const period = await aChargePeriod(test.dataSource, world.consortium, '2025-07');
      await aPostedCharge(test, {
        consortiumId: world.consortium.id,
        billingPeriodId: period.id,
        providerId: world.home.id,
        consumerId: world.other.id,
        amountMinor: 12_345,
      });
      const dir = mkdtempSync(join(tmpdir(), 'consortium-export-'));
      const file = join(dir, 'export.csv');
      const output = await cli('export', [
        '--period',
        period.key,
        '--consortium',
        world.consortium.id,
        '--organisation',
        world.home.name,
        '--out',
        file,
      ]);
      expect(output).toEqual([`Wrote 1 row(s) of ${world.home.name}'s 2025-07 export to ${file}`]);
      const [header, row] = readFileSync(file, 'utf8')
        .replace(/^\uFEFF/, '')
        .split('\r\n');
      expect(header.startsWith('Date,Period,Journal entry,Posting')).toBe(true);
      expect(row).toContain('2025-07');
      expect(row).toContain('12345');
      rmSync(dir, { recursive: true });
    });

    it('names an organisation it cannot find', async () => {
      const world = await aConsortiumWithMembers(test.dataSource);
      const period = await aChargePeriod(test.dataSource, world.consortium, '2025-08');
      await expect(
        cli('export', ['--period', period.id, '--organisation', 'Nowhere Council']),
      ).rejects.toThrow('No organisation is called Nowhere Council');
    });
  });

  describe('its entry point', () => {
    const run = async (argv: string[], env: NodeJS.ProcessEnv = {}) => {
      const lines: string[] = [];
      await runCli(argv, { line: (l) => lines.push(l) }, { ...CLI_ENV, ...env });
      return lines.join('\n');
    };

    it('prints the commands, and each command’s own help, without needing a database', async () => {
      expect(await run(['--help'])).toContain('  resume-charge-run --run <id>');
      expect(await run(['close-period', '--help'])).toContain(
        'Usage: close-period --period <id | key> [--consortium <name | id>] --as <email>',
      );
    });

    it('names what is wrong with an invocation: unknown command, missing option, unknown option', async () => {
      const env = { DATABASE_URL: databaseUrl() };
      await expect(run(['close-periods'], env)).rejects.toThrow(/^Unknown command close-periods/);
      await expect(run(['run-charges', '--period', '2025-06'], env)).rejects.toThrow(/^Missing --as/);
      await expect(run(['resume-charge-run', '--run', 'x', '--force'], env)).rejects.toThrow(
        /^Unknown argument --force/,
      );
      await expect(run(['resume-charge-run', '--run', 'x'])).rejects.toThrow(/DATABASE_URL must be set/);
    });

    it('exits the process with status 1 and the reason when a command fails', () => {
      const result = spawnSync(
        process.execPath,
        [
          '-r',
          'ts-node/register',
          '-r',
          'tsconfig-paths/register',
          'apps/api/src/cli.ts',
          'resume-charge-run',
          '--run',
          MISSING_RUN,
        ],
        {
          cwd: ROOT,
          encoding: 'utf8',
          env: {
            ...process.env,
            TS_NODE_PROJECT: 'scripts/tsconfig.json',
            TS_NODE_TRANSPILE_ONLY: '1',
            DATABASE_URL: databaseUrl(),
            ...CLI_ENV,
          },
        },
      );
      expect(result.stderr.trim()).toBe(`No charge run has the id ${MISSING_RUN}`);
      expect(result.status).toBe(1);
    }, 60_000);
  });
});
