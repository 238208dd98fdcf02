import { ConfigurationError, loadEnvironment } from '../config/environment';
import { roleOf } from '../database/app-role-grants';
import { migrationDatabaseUrl } from '../database/prepare-database';
import { runMigrations } from '../database/run-migrations';
import { createSuperadmin, USAGE } from './commands';
import { type CliOutput } from './context';
import { OPERATOR_COMMANDS } from './operator-commands';
import { helpRequested, helpText, parseOptions, UsageError } from './options';

/** Runs one CLI invocation (`argv` without node and the script); throws to fail it (see describeFailure). */
export async function runCli(
  argv: string[],
  out: CliOutput,
  source: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const [command, ...args] = argv;
  if (!command || command === 'help' || command === '--help') return out.line(USAGE);
  const operator = OPERATOR_COMMANDS.find((candidate) => candidate.spec.name === command);
  if (helpRequested(args)) return out.line(operator ? helpText(operator.spec) : USAGE);
  const env = loadEnvironment(source);
  if (!env.DATABASE_URL) throw new ConfigurationError('DATABASE_URL must be set for CLI commands');
  if (command === 'migrate') {
    // As the owner role; the API's role (DATABASE_URL) is then granted what it needs.
    const migrationUrl = migrationDatabaseUrl(env);
    if (!migrationUrl) {
      throw new ConfigurationError(
        'MIGRATION_DATABASE_URL (the owner role) must be set for migrate when NODE_ENV=production',
      );
    }
    return void (await runMigrations(migrationUrl, out.line, { appRole: roleOf(env.DATABASE_URL) }));
  }
  if (command === 'create-superadmin') return createSuperadmin(env.DATABASE_URL, args);
  if (operator) return operator.run(env, env.DATABASE_URL, parseOptions(operator.spec, args), out);
  throw new UsageError(`Unknown command ${command}\n\n${USAGE}`);
}
