import 'reflect-metadata';
import { ConfigurationError, loadEnvironment } from './config/environment';
import { resolveJwtSecret, resolveSecretsKey } from './config/secrets';
import { adminUiDirectory, createApp } from './create-app';
import { prepareDatabase } from './database/prepare-database';
import { printWelcome, seedIfEmpty } from './seed/seed';

const log = (message: string) => console.log(`[start] ${message}`);

async function main(): Promise<void> {
  const env = loadEnvironment();
  // The embedded server, migrations as the owner role, and the API's role checked (database/prepare-database.ts).
  const { databaseUrl, stop } = await prepareDatabase(env, log);
  let stopped = false;
  const stopDatabase = async () => {
    if (stopped) return;
    stopped = true;
    await stop();
  };

  try {
    const app = await createApp({
      env,
      databaseUrl,
      jwtSecret: resolveJwtSecret(env),
      secretsKey: resolveSecretsKey(env),
    });
    // Demo users share a published password: never load them into a production database unless asked to.
    const seedDemo = env.SEED_DEMO_DATA ?? env.NODE_ENV !== 'production';
    const seeded = seedDemo ? await seedIfEmpty(app, log) : false;

    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log(`${signal} received: finishing in-flight requests`);
      await app.close();
      await stopDatabase();
      process.exit(0);
    };
    // Nest's own shutdown hooks close the app; these also stop the embedded database after it.
    process.removeAllListeners('SIGINT');
    process.removeAllListeners('SIGTERM');
    process.once('SIGINT', () => void shutdown('SIGINT'));
    process.once('SIGTERM', () => void shutdown('SIGTERM'));

    await app.listen({ port: env.PORT, host: '0.0.0.0' });
    printWelcome(env.PORT, seeded, seedDemo, adminUiDirectory(env) !== null);
  } catch (error) {
    await stopDatabase();
    throw error;
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigurationError) {
    console.error(error.message);
  } else {
    console.error('The API failed to start:', error);
  }
  process.exit(1);
});
