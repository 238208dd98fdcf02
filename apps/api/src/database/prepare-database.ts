import { ConfigurationError, type Environment } from '../config/environment';
import { roleOf } from './app-role-grants';
import { apiRoleProblems } from './database-roles';
import { startEmbeddedPostgres } from './embedded-postgres';
import { pendingMigrations, runMigrations } from './run-migrations';

/**
 * The owner role's URL, which runs the migrations: MIGRATION_DATABASE_URL, or outside production DATABASE_URL
 * (one role for everything, as a developer's own PostgreSQL often has). Production never migrates as the API.
 */
export function migrationDatabaseUrl(env: Environment): string | undefined {
  return env.MIGRATION_DATABASE_URL ?? (env.NODE_ENV === 'production' ? undefined : env.DATABASE_URL);
}

export interface PreparedDatabase {
  /** The API's role: what the app connects with. */
  databaseUrl: string;
  /** Stops the embedded server, if this start runs one. */
  stop(): Promise<void>;
}

/**
 * Gets the database ready before the app starts: the embedded server when no DATABASE_URL is given; migrations
 * and grants as the owner role when its URL is known, otherwise (production without MIGRATION_DATABASE_URL, the
 * migrations having run in their own step) a refusal to start on a schema that is not current; then a check that
 * the API's role owns nothing and is no superuser, fatal in production.
 */
export async function prepareDatabase(
  env: Environment,
  log: (message: string) => void,
): Promise<PreparedDatabase> {
  const embedded = env.DATABASE_URL ? undefined : await startEmbeddedPostgres(env.DATA_DIR, log);
  const databaseUrl = env.DATABASE_URL ?? (embedded?.databaseUrl as string);
  const migrationUrl = embedded ? embedded.migrationDatabaseUrl : migrationDatabaseUrl(env);
  const stop = async () => {
    if (!embedded) return;
    log('Stopping embedded PostgreSQL');
    await embedded.stop();
  };
  try {
    if (migrationUrl) {
      await runMigrations(migrationUrl, log, { appRole: roleOf(databaseUrl) });
    } else {
      const pending = await pendingMigrations(databaseUrl).catch((error: Error) => {
        throw new ConfigurationError(
          `Cannot tell whether the database is migrated (${error.message}): run \`node dist/apps/api/cli.js migrate\` with MIGRATION_DATABASE_URL (the owner role) first`,
        );
      });
      if (pending.length > 0) {
        throw new ConfigurationError(
          `The database lacks ${pending.length} migration(s) (${pending.join(', ')}): run \`node dist/apps/api/cli.js migrate\` with MIGRATION_DATABASE_URL (the owner role), or give this instance MIGRATION_DATABASE_URL`,
        );
      }
      log('Database schema is up to date');
    }
    for (const problem of await apiRoleProblems(databaseUrl)) {
      if (env.NODE_ENV === 'production') throw new ConfigurationError(problem);
      log(`${problem}. Allowed outside production.`);
    }
    return { databaseUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
