import { Client } from 'pg';
import { runMigrations } from '../../src/database/run-migrations';
import { seedDemo } from '../../src/seed/seed';
import { createTestApp } from './test-app';

function runServer(): { serverUrl: string; runDatabase: string } {
  const serverUrl = process.env.CONSORTIUM_TEST_SERVER_URL;
  const runDatabase = process.env.CONSORTIUM_TEST_DATABASE;
  if (!serverUrl || !runDatabase) throw new Error('No test database: run the tests through jest (npm test)');
  return { serverUrl, runDatabase };
}

/** The run's server with another database in the URL. */
function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function onServer<T>(serverUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl(serverUrl, 'postgres') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * The demo seed runs once per test run (migrations, then the demo consortium and its history through the real
 * services) into `<run database>_demo`; each caller then works on its own copy, made with
 * CREATE DATABASE … TEMPLATE in well under a second. An advisory lock lets parallel workers share one template.
 */
async function demoTemplate(serverUrl: string, runDatabase: string): Promise<string> {
  const template = `${runDatabase}_demo`;
  await onServer(serverUrl, async (client) => {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [template]);
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
      if (rowCount) return;
      const building = `${template}_building`;
      await client.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
      await client.query(`CREATE DATABASE "${building}"`);
      const url = databaseUrl(serverUrl, building);
      await runMigrations(url, () => undefined);
      const seeding = await createTestApp({}, url);
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
  await onServer(serverUrl, (client) => client.query(`CREATE DATABASE "${copy}" TEMPLATE "${template}"`));
  return {
    url: databaseUrl(serverUrl, copy),
    async drop() {
      await onServer(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${copy}" WITH (FORCE)`));
    },
  };
}
