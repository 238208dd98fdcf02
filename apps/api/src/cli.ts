import 'reflect-metadata';
import { createSuperadmin, USAGE } from './cli/commands';
import { ConfigurationError, loadEnvironment } from './config/environment';
import { runMigrations } from './database/run-migrations';

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  const env = loadEnvironment();
  if (!command || command === 'help' || command === '--help') return console.log(USAGE);
  if (!env.DATABASE_URL) throw new ConfigurationError('DATABASE_URL must be set for CLI commands');
  if (command === 'migrate') return void (await runMigrations(env.DATABASE_URL, console.log));
  if (command === 'create-superadmin') return createSuperadmin(env.DATABASE_URL, args);
  throw new ConfigurationError(`Unknown command ${command}\n\n${USAGE}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigurationError ? error.message : error);
  process.exit(1);
});
