import { Client } from 'pg';
import { runMigrations } from '../src/database/run-migrations';

/** The run's server with another database in the URL. */
function onDatabase(database: string): string {
  const url = new URL(process.env.CONSORTIUM_TEST_SERVER_URL!);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: onDatabase('postgres') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe('migrations started by several instances at once', () => {
  const database = `${process.env.CONSORTIUM_TEST_DATABASE}_migrate_race`;

  beforeAll(() => admin((client) => client.query(`CREATE DATABASE "${database}"`)));
  afterAll(() => admin((client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)));

  it('applies each migration once: the instance that waited for the lock finds nothing left to do', async () => {
    const url = onDatabase(database);
    const [first, second] = await Promise.all([
      runMigrations(url, () => undefined),
      runMigrations(url, () => undefined),
    ]);

    const client = new Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ name: string; times: number }>(
      'SELECT name, count(*)::int AS times FROM schema_migrations GROUP BY name',
    );
    await client.end();
    expect([first.length, second.length].sort((a, b) => a - b)).toEqual([0, rows.length]);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.times === 1)).toBe(true);
  });
});
