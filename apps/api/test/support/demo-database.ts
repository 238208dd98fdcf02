import { seedDemo } from '../../src/seed/seed';
import { asRole, createOwnedDatabase, migrateAsOwner, onServer, runServer } from './databases';
import { createTestApp } from './test-app';

/**
 * The demo seed runs once per test run (migrations, then the demo consortium and its history through the real
 * services) into `<run database>_demo`; each caller then works on its own copy, made with
 * CREATE DATABASE … TEMPLATE in well under a second. An advisory lock lets parallel workers share one template.
 */
async function demoTemplate(serverUrl: string, runDatabase: string): Promise<string> {
  const template = `${runDatabase}_demo`;
  await onServer(async (client) => {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [template]);
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
      if (rowCount) return;
      const building = `${template}_building`;
      await client.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
      await createOwnedDatabase(serverUrl, building);
      await migrateAsOwner(serverUrl, building);
      const seeding = await createTestApp({}, asRole(serverUrl, building, 'app'));
      try {
        await seedDemo(seeding.app, () => undefined);
      } finally {
        await seeding.close();
      }
      // Renaming needs no one connected: anything the app left open (a pool draining) is ended first.
      await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
        building,
      ]);
      await client.query(`ALTER DATABASE "${building}" RENAME TO "${template}"`);
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [template]);
    }
  });
  return template;
}

export interface DemoDatabase {
  url: string;
  drop(): Promise<void>;
}

let copies = 0;

/**
 * A fresh database holding the demo consortium, for tests that need the demo as `npm start` loads it (the
 * browser tests). scripts/jest/global-teardown.ts drops any copy a test leaves behind.
 */
export async function aDemoDatabase(): Promise<DemoDatabase> {
  const { serverUrl, runDatabase } = runServer();
  const template = await demoTemplate(serverUrl, runDatabase);
  copies += 1;
  const copy = `${runDatabase}_demo_${process.pid}_${copies}`;
  await createOwnedDatabase(serverUrl, copy, template);
  // The copy keeps the template's grants, but not its database-level ones: no temporary tables here either.
  await onServer((client) => client.query(`REVOKE TEMPORARY ON DATABASE "${copy}" FROM PUBLIC`));
  return {
    url: asRole(serverUrl, copy, 'app'),
    async drop() {
      await onServer((client) => client.query(`DROP DATABASE IF EXISTS "${copy}" WITH (FORCE)`));
    },
  };
}
