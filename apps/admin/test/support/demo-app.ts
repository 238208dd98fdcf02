import type { AddressInfo } from 'node:net';
import { aDemoDatabase } from '../../../api/test/support/demo-database';
import { createTestApp, type TestApp } from '../../../api/test/support/test-app';
import { ADMIN_BROWSER_BUILD_DIR } from './paths';

/** Every demo user's password (apps/api/src/seed/demo-data.ts, printed by `npm start`). */
export const DEMO_PASSWORD = 'demo-password-2026';

/** The API serving the built admin UI on a port of its own, over a fresh copy of the demo consortium. */
export interface DemoApp {
  test: TestApp;
  baseUrl: string;
  close(): Promise<void>;
}

/** Starts the API with the admin UI over a fresh copy of the demo data; `close()` stops it and drops the copy. */
export async function startDemoApp(overrides: Record<string, string> = {}): Promise<DemoApp> {
  const database = await aDemoDatabase();
  const test = await createTestApp({ ADMIN_UI_DIR: ADMIN_BROWSER_BUILD_DIR, ...overrides }, database.url);
  await test.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = test.app.getHttpServer().address() as AddressInfo;
  return {
    test,
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      await test.close();
      await database.drop();
    },
  };
}
