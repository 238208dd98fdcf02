import PgBoss from 'pg-boss';
import { DataSource, MigrationExecutor } from 'typeorm';
import { grantAppRole, type Sql } from './app-role-grants';
import { JOB_QUEUE_SCHEMA } from './app-role-privileges';
import { dataSourceOptions } from './data-source-options';

/** Any fixed key: every process migrating this database takes the same session-level advisory lock. */
const MIGRATION_LOCK_KEY = 7_305_519_341;

export interface MigrationOptions {
  /**
   * The API's role (the user in DATABASE_URL), granted what it needs once the schema is current. Leave it out
   * only where no API connects (generating a migration).
   */
  appRole?: string;
}

/**
 * Applies pending migrations as the owner role (MIGRATION_DATABASE_URL), creates or upgrades pg-boss's schema,
 * then grants the API's role what app-role-privileges.ts lists; reports what ran. Safe to call on every start,
 * and from several instances at once: an advisory lock makes the others wait, then find nothing left to do.
 */
export async function runMigrations(
  databaseUrl: string,
  log: (message: string) => void,
  options: MigrationOptions = {},
): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions(databaseUrl));
  await dataSource.initialize();
  const lock = dataSource.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    log(
      applied.length
        ? `Applied ${applied.length} migration(s): ${applied.map((m) => m.name).join(', ')}`
        : 'Database schema is up to date',
    );
    await installJobQueueSchema(databaseUrl);
    if (options.appRole) {
      const appRole = options.appRole;
      const warnings = await dataSource.transaction((manager) =>
        grantAppRole(((text: string, params?: unknown[]) => manager.query(text, params)) as Sql, appRole),
      );
      for (const warning of warnings) log(warning);
    }
    return applied.map((m) => m.name);
  } finally {
    // Ending the session releases the lock too; unlocking first lets a waiting instance go on at once.
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.release();
    await dataSource.destroy();
  }
}

/** pg-boss creates its schema, or upgrades it, as the owner: the API's pg-boss only checks it is current. */
async function installJobQueueSchema(databaseUrl: string): Promise<void> {
  const boss = new PgBoss({
    connectionString: databaseUrl,
    schema: JOB_QUEUE_SCHEMA,
    max: 1,
    application_name: 'consortium-migrate',
    migrate: true,
    supervise: false,
    schedule: false,
  });
  await boss.start();
  await boss.stop({ graceful: false, wait: true });
}

/** The migrations this database has not applied yet, read with any role that may read schema_migrations. */
export async function pendingMigrations(databaseUrl: string): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions(databaseUrl));
  await dataSource.initialize();
  try {
    const pending = await new MigrationExecutor(dataSource).getPendingMigrations();
    return pending.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}

/** The SQL that would bring the schema in line with the entities; empty when migrations and entities agree. */
export async function pendingSchemaChanges(databaseUrl: string): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions(databaseUrl));
  await dataSource.initialize();
  try {
    const sql = await dataSource.driver.createSchemaBuilder().log();
    return sql.upQueries.map((q) => q.query);
  } finally {
    await dataSource.destroy();
  }
}
