import { Client } from 'pg';
import { asRole, createOwnedDatabase, migrateAsOwner, onServer, runServer } from './support/databases';

describe('migrations started by several instances at once', () => {
  const { serverUrl, runDatabase } = runServer();
  const database = `${runDatabase}_migrate_race`;

  beforeAll(() => createOwnedDatabase(serverUrl, database));
  afterAll(() => onServer((client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)));

  it('applies each migration once: the instance that waited for the lock finds nothing left to do', async () => {
    const [first, second] = await Promise.all([
      migrateAsOwner(serverUrl, database),
      migrateAsOwner(serverUrl, database),
    ]);

    const client = new Client({ connectionString: asRole(serverUrl, database, 'app') });
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
