import './register-paths';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { startEmbeddedServer } from '../../apps/api/src/database/embedded-postgres';
import { asRole, ensureTestRoles, migrateAsOwner } from '../../apps/api/test/support/databases';
import { createRunDatabase, findServerUrl } from './test-database';

/**
 * Creates this run's database (on a server that answers, or an embedded one), owned by the test owner role, and
 * migrates it once for all workers. The apps under test connect as the API's role (CONSORTIUM_TEST_DATABASE_URL),
 * as in production; CONSORTIUM_TEST_OWNER_DATABASE_URL is the owner's, for what only the owner may do.
 */
export default async function globalSetup(): Promise<void> {
  let serverUrl = await findServerUrl();
  if (!serverUrl) {
    // Under the project (not a root-only temp folder), so the postgres system user can reach it.
    const dataDir = mkdtempSync(join(__dirname, '..', '..', 'tmp-test-pg-'));
    const embedded = await startEmbeddedServer(dataDir, (m) => console.log(m));
    (globalThis as { __embedded?: unknown }).__embedded = { ...embedded, dataDir };
    serverUrl = embedded.serverUrl;
  }
  await ensureTestRoles(serverUrl);
  const name = await createRunDatabase(serverUrl);
  await migrateAsOwner(serverUrl, name);
  process.env.CONSORTIUM_TEST_SERVER_URL = serverUrl;
  process.env.CONSORTIUM_TEST_DATABASE = name;
  process.env.CONSORTIUM_TEST_DATABASE_URL = asRole(serverUrl, name, 'app');
  process.env.CONSORTIUM_TEST_OWNER_DATABASE_URL = asRole(serverUrl, name, 'owner');
  console.log(`\nTest database ${name} created and migrated`);
}
