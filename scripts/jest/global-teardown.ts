import { rmSync } from 'node:fs';
import { dropRunDatabase } from './test-database';

export default async function globalTeardown(): Promise<void> {
  const serverUrl = process.env.CONSORTIUM_TEST_SERVER_URL;
  const name = process.env.CONSORTIUM_TEST_DATABASE;
  if (serverUrl && name) await dropRunDatabase(serverUrl, name);
  const embedded = (globalThis as { __embedded?: { stop(): Promise<void>; dataDir: string } }).__embedded;
  if (embedded) {
    await embedded.stop();
    rmSync(embedded.dataDir, { recursive: true, force: true });
  }
}
