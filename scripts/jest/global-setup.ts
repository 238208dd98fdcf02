import './register-paths';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { runMigrations } from '../../apps/api/src/database/run-migrations';
import { startEmbeddedPostgres } from '../../apps/api/src/database/embedded-postgres';
import { createRunDatabase, findServerUrl, withDatabase } from './test-database';

/** Creates this run's database (on a server that answers, or an embedded one) and migrates it once for all workers. */
export default async function globalSetup(): Promise<void> {
  let serverUrl = await findServerUrl();
  if (!serverUrl) {
    // Under the project (not a root-only temp folder), so the postgres system user can reach it.
    const dataDir = mkdtempSync(join(__dirname, '..', '..', 'tmp-test-pg-'));
    const embedded = await startEmbeddedPostgres(dataDir, (m) => console.log(m));
    (globalThis as { __embedded?: unknown }).__embedded = { ...embedded, dataDir };
    serverUrl = embedded.databaseUrl;
  }
  const name = await createRunDatabase(serverUrl);
  const url = withDatabase(serverUrl, name);
  await runMigrations(url, () => undefined);
  process.env.CONSORTIUM_TEST_SERVER_URL = serverUrl;
  process.env.CONSORTIUM_TEST_DATABASE = name;
  process.env.CONSORTIUM_TEST_DATABASE_URL = url;
  console.log(`\nTest database ${name} created and migrated`);
}
