/**
 * The bare baselines of the HTTP bench: what a request costs with nothing but Fastify, jsonwebtoken and pg.
 *
 * The SQL is never copied by hand (the API's statements change as it is made faster): captureStatements()
 * (apps/api/test/support/statement-capture.ts) sends one request through the API while recording every statement
 * the pg driver runs for that request, in order, with its values; the bare server then replays exactly those
 * statements, on a pool of its own as large as the API's, verifies the same bearer JWT first, and answers with the
 * rows serialised by JSON.stringify.
 */
import type { FastifyInstance } from 'fastify';
import { verify } from 'jsonwebtoken';
import { createSecretKey } from 'node:crypto';
import { dirname } from 'node:path';
import { Pool, type PoolClient, type QueryConfig } from 'pg';
import { type CapturedStatement, captureStatements } from '../../apps/api/test/support/statement-capture';

export { type CapturedStatement, captureStatements };

/** The very Fastify the API's adapter runs on (whatever version @nestjs/platform-fastify pins), not another copy. */
const fastify = require(
  require.resolve('fastify', { paths: [dirname(require.resolve('@nestjs/platform-fastify'))] }),
) as (options: { logger: boolean }) => FastifyInstance;

const BEGINS = /^\s*(BEGIN|START\s+TRANSACTION)\b/i;
const ENDS = /^\s*(COMMIT|ROLLBACK|END)\b/i;

/**
 * Runs the captured statements in their order with their values: a transaction on one connection held from its
 * BEGIN to its end, anything else straight on the pool, statements the API ran concurrently concurrently.
 */
async function replay(pool: Pool, statements: CapturedStatement[]): Promise<unknown[]> {
  const held = new Map<number, PoolClient>();
  const rows: unknown[] = [];
  const run = async (statement: CapturedStatement, index: number) => {
    let client = held.get(statement.connection);
    if (!client && BEGINS.test(statement.text)) {
      client = await pool.connect();
      held.set(statement.connection, client);
    }
    const query = {
      text: statement.text,
      values: statement.values,
      name: statement.name,
      ...(statement.rowMode ? { rowMode: statement.rowMode } : {}),
    } as QueryConfig;
    const result = await (client ?? pool).query(query);
    rows[index] = result.rows;
    if (client && ENDS.test(statement.text)) {
      held.delete(statement.connection);
      client.release();
    }
  };
  try {
    for (let i = 0; i < statements.length;) {
      let end = i + 1;
      while (end < statements.length && statements[end].concurrent) end++;
      await Promise.all(statements.slice(i, end).map((statement, k) => run(statement, i + k)));
      i = end;
    }
  } finally {
    for (const client of held.values()) client.release(true);
  }
  return rows;
}

export interface BareRoute {
  path: string;
  statements: CapturedStatement[];
}

export interface BareServer {
  url: string;
  close(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A Fastify server answering each route with its captured statements' rows, behind the same access-token check
 * as the API's (HS256 with a key object built once, expiry, an access token naming a user and a session).
 */
export async function startBareServer(options: {
  databaseUrl: string;
  poolSize: number;
  jwtSecret: string;
  routes: BareRoute[];
}): Promise<BareServer> {
  const pool = new Pool({ connectionString: options.databaseUrl, max: options.poolSize });
  const key = createSecretKey(Buffer.from(options.jwtSecret, 'utf8'));
  const server = fastify({ logger: false });
  for (const route of options.routes) {
    server.get(route.path, async (request, reply) => {
      const header = request.headers.authorization;
      let claims: { typ?: unknown; sub?: unknown; sid?: unknown };
      try {
        if (!header?.startsWith('Bearer ')) throw new Error('no bearer token');
        claims = verify(header.slice(7), key, { algorithms: ['HS256'] }) as typeof claims;
      } catch {
        return reply.code(401).send();
      }
      if (claims.typ !== 'access' || !UUID.test(String(claims.sub)) || !UUID.test(String(claims.sid))) {
        return reply.code(401).send();
      }
      const rows = await replay(pool, route.statements);
      return reply.header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(rows));
    });
  }
  await server.listen({ port: 0, host: '127.0.0.1' });
  const address = server.server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      await server.close();
      await pool.end();
    },
  };
}
