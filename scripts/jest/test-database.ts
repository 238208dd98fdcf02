import { randomBytes } from 'node:crypto';
import { Socket } from 'node:net';
import { Client } from 'pg';
import { createOwnedDatabase, withDatabase } from '../../apps/api/test/support/databases';

/** How the test run reaches PostgreSQL, in order: TEST_DATABASE_URL, DATABASE_URL, 127.0.0.1:5432, embedded. */
export async function findServerUrl(): Promise<string | null> {
  const given = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (given) return given;
  const local = 'postgres://postgres@127.0.0.1:5432/postgres';
  return (await answers('127.0.0.1', 5432)) ? local : null;
}

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(1000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.connect(port, host);
  });
}

/** A fresh, uniquely named database for this run, owned by the test owner role. */
export async function createRunDatabase(serverUrl: string): Promise<string> {
  const name = `consortium_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await createOwnedDatabase(serverUrl, name);
  return name;
}

/** Drops the run's database and the ones made from it (specs' own databases, the demo template and its copies). */
export async function dropRunDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname = $1 OR starts_with(datname, $1 || '_')",
      [name],
    );
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
