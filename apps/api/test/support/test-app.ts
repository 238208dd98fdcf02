import { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { loadEnvironment } from '../../src/config/environment';
import { createApp } from '../../src/create-app';

export const TEST_JWT_SECRET = 'test-signing-key-that-is-long-enough-for-hs256';
export const TEST_SECRETS_KEY = 'test-secrets-key-that-is-long-enough-for-aes';

export interface TestApp {
  app: NestFastifyApplication;
  http: () => ReturnType<typeof request>;
  dataSource: DataSource;
  close(): Promise<void>;
}

/**
 * Boots the real AppModule against this run's migrated database (see scripts/jest/global-setup.ts), or against
 * another migrated database of the run's server when `databaseUrl` is given.
 */
export async function createTestApp(
  overrides: Record<string, string> = {},
  databaseUrl = process.env.CONSORTIUM_TEST_DATABASE_URL,
): Promise<TestApp> {
  if (!databaseUrl) throw new Error('No test database: run the tests through jest (npm test)');
  const env = loadEnvironment({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ADMIN_UI_DIR: '', ...overrides });
  const app = await createApp({ env, databaseUrl, jwtSecret: TEST_JWT_SECRET, secretsKey: TEST_SECRETS_KEY });
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    http: () => request(app.getHttpServer()),
    dataSource: app.get(DataSource),
    close: () => app.close(),
  };
}
