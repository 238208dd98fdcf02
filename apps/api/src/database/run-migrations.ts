import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';

/** Any fixed key: every process migrating this database takes the same session-level advisory lock. */
const MIGRATION_LOCK_KEY = 7_305_519_341;

/**
 * Applies pending migrations and reports what ran; safe to call on every start, and from several instances at
 * once: an advisory lock makes the others wait, then find nothing left to apply.
 */
export async function runMigrations(databaseUrl: string, log: (message: string) => void): Promise<string[]> {
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
    return applied.map((m) => m.name);
  } finally {
    // Ending the session releases the lock too; unlocking first lets a waiting instance go on at once.
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.release();
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
