import { Client } from 'pg';
import { ensureDatabaseRoles, withClient } from '../../src/database/database-roles';
import { runMigrations } from '../../src/database/run-migrations';

/**
 * The test server's two roles, as in production: databases are owned and migrated by the owner, and the apps
 * under test connect as the API's role. Roles belong to the server, so every run (and every developer's) shares
 * them; each database grants them its own privileges. The passwords only matter on a server that asks for one.
 */
export const TEST_ROLES = {
  owner: { name: 'consortium_test_owner', password: 'consortium-test-owner' },
  app: { name: 'consortium_test_app', password: 'consortium-test-app' },
} as const;

export function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** The server's URL for `database`, connecting as one of the test roles. */
export function asRole(serverUrl: string, database: string, role: 'owner' | 'app'): string {
  const url = new URL(withDatabase(serverUrl, database));
  url.username = TEST_ROLES[role].name;
  url.password = TEST_ROLES[role].password;
  return url.toString();
}

/** Creates the test roles if this server lacks them (the server URL's user must be able to create roles). */
export async function ensureTestRoles(serverUrl: string): Promise<void> {
  await withClient(withDatabase(serverUrl, 'postgres'), (admin) => ensureDatabaseRoles(admin, TEST_ROLES));
}

/** Creates `name` owned by the test owner role, from `template` when given. */
export async function createOwnedDatabase(serverUrl: string, name: string, template?: string): Promise<void> {
  await withClient(withDatabase(serverUrl, 'postgres'), (client) =>
    client.query(
      `CREATE DATABASE "${name}" OWNER ${TEST_ROLES.owner.name}${template ? ` TEMPLATE "${template}"` : ''}`,
    ),
  );
}

/** Migrates `name` as the owner and grants the API's role, as `migrate` does in production. */
export async function migrateAsOwner(serverUrl: string, name: string): Promise<string[]> {
  return runMigrations(asRole(serverUrl, name, 'owner'), () => undefined, { appRole: TEST_ROLES.app.name });
}

/** The run's server and database, from scripts/jest/global-setup.ts. */
export function runServer(): { serverUrl: string; runDatabase: string } {
  const serverUrl = process.env.CONSORTIUM_TEST_SERVER_URL;
  const runDatabase = process.env.CONSORTIUM_TEST_DATABASE;
  if (!serverUrl || !runDatabase) throw new Error('No test database: run the tests through jest (npm test)');
  return { serverUrl, runDatabase };
}

/** Runs `work` on the server's maintenance database as the server's superuser (CREATE/DROP DATABASE). */
export function onServer<T>(work: (client: Client) => Promise<T>): Promise<T> {
  return withClient(withDatabase(runServer().serverUrl, 'postgres'), work);
}

/**
 * Runs `work` connected as the owner role (the run's database unless `url` says otherwise): for what the API's
 * role may not do, such as showing that a trigger refuses a change even to the owner.
 */
export function asOwner<T>(
  work: (client: Client) => Promise<T>,
  url = process.env.CONSORTIUM_TEST_OWNER_DATABASE_URL,
): Promise<T> {
  if (!url) throw new Error('No test database: run the tests through jest (npm test)');
  return withClient(url, work);
}

export interface SpecDatabase {
  name: string;
  /** The API's role: what apps under test connect with. */
  url: string;
  /** The owner role, which migrated it. */
  ownerUrl: string;
  drop(): Promise<void>;
}

/**
 * A migrated database of the spec's own (`<run database>_<suffix>`), owned by the owner role with the API's role
 * granted, as in production. The run's teardown drops it if the spec does not.
 */
export async function aSpecDatabase(suffix: string): Promise<SpecDatabase> {
  const { serverUrl, runDatabase } = runServer();
  const name = `${runDatabase}_${suffix}`;
  await createOwnedDatabase(serverUrl, name);
  await migrateAsOwner(serverUrl, name);
  return {
    name,
    url: asRole(serverUrl, name, 'app'),
    ownerUrl: asRole(serverUrl, name, 'owner'),
    drop: () => onServer((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(),
  };
}
