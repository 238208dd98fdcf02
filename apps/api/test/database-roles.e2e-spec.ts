import { Client } from 'pg';
import { loadEnvironment } from '../src/config/environment';
import { grantAppRole, type Sql } from '../src/database/app-role-grants';
import { APP_TABLE_PRIVILEGES } from '../src/database/app-role-privileges';
import { apiRoleProblems } from '../src/database/database-roles';
import { prepareDatabase } from '../src/database/prepare-database';
import { runCli } from '../src/cli/run-cli';
import { asOwner, runServer, TEST_ROLES } from './support/databases';

const appUrl = () => process.env.CONSORTIUM_TEST_DATABASE_URL as string;
const ownerUrl = () => process.env.CONSORTIUM_TEST_OWNER_DATABASE_URL as string;

/** The run's database as the server's superuser. */
function superuserUrl(): string {
  const { serverUrl, runDatabase } = runServer();
  const url = new URL(serverUrl);
  url.pathname = `/${runDatabase}`;
  return url.toString();
}

const PRODUCTION = {
  NODE_ENV: 'production',
  JWT_SECRET: 'j'.repeat(48),
  SECRETS_KEY: 's'.repeat(48),
  METRICS_TOKEN: 'm'.repeat(32),
};

/** What the owner's grant step would do inside `owner`'s open transaction. */
const grantsIn = (owner: Client) =>
  grantAppRole(
    (async (text: string, params?: unknown[]) => (await owner.query(text, params)).rows) as Sql,
    TEST_ROLES.app.name,
  );

/** The tables the API's role sees in public, with a column of each to name in an UPDATE. */
async function publicTables(client: Client): Promise<{ name: string; column: string }[]> {
  const { rows } = await client.query<{ name: string; column: string }>(
    `SELECT c.relname AS name, a.attname AS column
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = 1
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1`,
  );
  return rows;
}

describe("the API's database role (DATABASE_URL), tried as an attacker with its connection would", () => {
  let app: Client;
  /** Runs `sql` as the API's role and returns the error PostgreSQL refused it with. */
  const refusal = async (sql: string): Promise<string> => {
    try {
      await app.query(sql);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error(`the API's role was allowed: ${sql}`);
  };

  beforeAll(async () => {
    app = new Client({ connectionString: appUrl() });
    await app.connect();
  });
  afterAll(() => app.end());

  it('is a plain login role: no superuser, no row-level security bypass, no roles or databases, owns nothing, is no member of the owner', async () => {
    const {
      rows: [role],
    } = await app.query(
      `SELECT rolname, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, rolreplication,
              (SELECT count(*)::int FROM pg_auth_members m WHERE m.member = r.oid) AS memberships,
              (SELECT count(*)::int FROM pg_class c WHERE c.relowner = r.oid) AS owned_relations,
              (SELECT count(*)::int FROM pg_proc p WHERE p.proowner = r.oid) AS owned_functions,
              (SELECT count(*)::int FROM pg_namespace s WHERE s.nspowner = r.oid) AS owned_schemas,
              (SELECT count(*)::int FROM pg_database d WHERE d.datdba = r.oid) AS owned_databases,
              pg_has_role(current_user, $1, 'MEMBER') AS acts_as_owner
         FROM pg_roles r WHERE r.rolname = current_user`,
      [TEST_ROLES.owner.name],
    );
    expect(role).toEqual({
      rolname: TEST_ROLES.app.name,
      rolsuper: false,
      rolbypassrls: false,
      rolcreaterole: false,
      rolcreatedb: false,
      rolreplication: false,
      memberships: 0,
      owned_relations: 0,
      owned_functions: 0,
      owned_schemas: 0,
      owned_databases: 0,
      acts_as_owner: false,
    });
    expect(await apiRoleProblems(appUrl())).toEqual([]);
  });

  it('cannot switch the ledger triggers off: DISABLE TRIGGER, session_replication_role and DROP TRIGGER are refused', async () => {
    for (const table of [
      'postings',
      'journal_entries',
      'audit_events',
      'usage_events',
      'cross_charge_lines',
    ]) {
      expect(await refusal(`ALTER TABLE ${table} DISABLE TRIGGER USER`)).toMatch(/must be owner of table/);
      expect(await refusal(`ALTER TABLE ${table} DISABLE TRIGGER ALL`)).toMatch(/must be owner of table/);
    }
    expect(await refusal('DROP TRIGGER postings_append_only ON postings')).toMatch(/must be owner/);
    expect(await refusal('DROP TRIGGER audit_events_append_only ON audit_events')).toMatch(/must be owner/);
    expect(await refusal('SET session_replication_role = replica')).toMatch(
      /permission denied to set parameter/,
    );
    expect(await refusal("SELECT set_config('session_replication_role', 'replica', false)")).toMatch(
      /permission denied to set parameter/,
    );
    expect(await refusal('ALTER ROLE CURRENT_USER SET session_replication_role = replica')).toMatch(
      /permission denied to set parameter/,
    );
    expect(
      await refusal(
        'CREATE OR REPLACE FUNCTION reject_append_only_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$',
      ),
    ).toMatch(/permission denied|must be owner/);
    expect(await refusal('ALTER FUNCTION reject_append_only_change() RENAME TO unused')).toMatch(
      /must be owner/,
    );
    // Still on, as the owner sees them.
    const { rows } = await app.query(
      `SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'postings'::regclass AND tgname = 'postings_append_only'`,
    );
    expect(rows).toEqual([{ tgname: 'postings_append_only', tgenabled: 'O' }]);
  });

  it('may not UPDATE or DELETE the append-only tables: the audit log, journal entries, postings and the other records', async () => {
    const appendOnly = Object.entries(APP_TABLE_PRIVILEGES)
      .filter(([, privileges]) => !privileges.includes('UPDATE') && !privileges.includes('DELETE'))
      .map(([table]) => table);
    expect(appendOnly).toEqual(
      expect.arrayContaining([
        'audit_events',
        'journal_entries',
        'postings',
        'credit_notes',
        'member_positions',
        'price_versions',
        'subscription_events',
        'charge_comments',
      ]),
    );
    const present = await publicTables(app);
    for (const { name, column } of present.filter((t) => appendOnly.includes(t.name))) {
      expect([name, await refusal(`UPDATE ${name} SET ${column} = ${column} WHERE false`)]).toEqual([
        name,
        `permission denied for table ${name}`,
      ]);
      expect([name, await refusal(`DELETE FROM ${name} WHERE false`)]).toEqual([
        name,
        `permission denied for table ${name}`,
      ]);
      // Locking a row for update, or the whole table, would need UPDATE or DELETE too.
      expect(await refusal(`SELECT 1 FROM ${name} FOR UPDATE`)).toBe(`permission denied for table ${name}`);
      await app.query('BEGIN');
      expect(await refusal(`LOCK TABLE ${name} IN ACCESS EXCLUSIVE MODE`)).toBe(
        `permission denied for table ${name}`,
      );
      await app.query('ROLLBACK');
    }
  });

  it('holds on every table exactly the privileges app-role-privileges.ts decides, and TRUNCATE on none', async () => {
    const present = await publicTables(app);
    expect(present.length).toBeGreaterThan(30);
    for (const { name, column } of present) {
      const decided = APP_TABLE_PRIVILEGES[name];
      expect([name, decided]).toEqual([name, expect.any(Array)]);
      const { rows } = await app.query(
        `SELECT p AS privilege FROM unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE','TRUNCATE','REFERENCES','TRIGGER']) p
          WHERE has_table_privilege(current_user, $1::regclass, p)`,
        [`public.${name}`],
      );
      expect([name, rows.map((row) => row.privilege).sort()]).toEqual([name, [...decided].sort()]);
      expect(await refusal(`TRUNCATE ${name}`)).toBe(`permission denied for table ${name}`);
      if (!decided.includes('UPDATE')) {
        expect(await refusal(`UPDATE ${name} SET ${column} = ${column} WHERE false`)).toBe(
          `permission denied for table ${name}`,
        );
      }
      if (!decided.includes('DELETE')) {
        expect(await refusal(`DELETE FROM ${name} WHERE false`)).toBe(`permission denied for table ${name}`);
      }
    }
    expect(await refusal("SELECT setval('postings_id_seq', 1)")).toMatch(/permission denied for sequence/);
  });

  it('can change no definition and create nothing: every kind of DDL is refused', async () => {
    const mustOwn = [
      'ALTER TABLE postings ADD COLUMN tampered integer',
      'ALTER TABLE postings DROP CONSTRAINT ck_posting_non_zero',
      'ALTER TABLE audit_events DISABLE ROW LEVEL SECURITY',
      'ALTER TABLE journal_entries OWNER TO CURRENT_USER',
      'CREATE INDEX tampered ON postings (amount_minor)',
      'DROP TABLE audit_events',
      "COMMENT ON TABLE postings IS 'tampered'",
      'ALTER TABLE pgboss.job DISABLE TRIGGER ALL',
      'DROP TABLE pgboss.job',
    ];
    for (const sql of mustOwn)
      expect([sql, await refusal(sql)]).toEqual([sql, expect.stringMatching(/must be owner/)]);
    const denied: [string, RegExp][] = [
      ['CREATE TABLE tampered (id integer)', /permission denied for schema public/],
      ['CREATE TABLE public.tampered (id integer)', /permission denied for schema public/],
      ['CREATE VIEW tampered AS SELECT 1', /permission denied for schema public/],
      [
        'CREATE FUNCTION tampered() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$',
        /permission denied for schema public/,
      ],
      ['CREATE TABLE pgboss.tampered (id integer)', /permission denied for schema pgboss/],
      ['CREATE SCHEMA tampered', /permission denied for database/],
      ['CREATE TEMPORARY TABLE tampered (id integer)', /permission denied to create temporary tables/],
      [
        'CREATE TRIGGER tampered BEFORE INSERT ON postings FOR EACH ROW EXECUTE FUNCTION reject_append_only_change()',
        /permission denied for table postings/,
      ],
      ['ALTER ROLE CURRENT_USER SUPERUSER', /must be superuser|permission denied/],
      ['ALTER ROLE CURRENT_USER BYPASSRLS', /must be superuser|permission denied/],
      [`SET ROLE ${TEST_ROLES.owner.name}`, /permission denied to set role/],
      [`GRANT ${TEST_ROLES.owner.name} TO CURRENT_USER`, /must have admin option|permission denied/],
    ];
    for (const [sql, pattern] of denied)
      expect([sql, await refusal(sql)]).toEqual([sql, expect.stringMatching(pattern)]);
    // A GRANT to itself is only a warning in PostgreSQL: it must change nothing.
    await app.query('GRANT UPDATE, DELETE, TRUNCATE ON postings TO CURRENT_USER');
    const { rows } = await app.query(
      "SELECT has_table_privilege('postings', 'UPDATE') OR has_table_privilege('postings', 'TRUNCATE') AS can",
    );
    expect(rows).toEqual([{ can: false }]);
  });

  it('works the job queue with plain reads and writes only', async () => {
    const { rows } = await app.query(
      `SELECT has_table_privilege('pgboss.job', 'SELECT, INSERT, UPDATE, DELETE') AS works,
              has_table_privilege('pgboss.job', 'TRUNCATE') AS truncates`,
    );
    expect(rows).toEqual([{ works: true, truncates: false }]);
    expect(await refusal('TRUNCATE pgboss.job')).toBe('permission denied for table job');
  });
});

describe('granting the API role, as the owner does after every migration', () => {
  it('refuses a table nobody has decided the privileges of, naming it and where to decide', async () => {
    await asOwner(async (owner) => {
      await owner.query('BEGIN');
      try {
        await owner.query('CREATE TABLE undecided_table (id integer)');
        await expect(grantsIn(owner)).rejects.toThrow(
          /No privileges decided for the API's role on undecided_table: add each to APP_TABLE_PRIVILEGES in apps\/api\/src\/database\/app-role-privileges.ts/,
        );
      } finally {
        await owner.query('ROLLBACK');
      }
    });
  });

  it('takes back a privilege the list does not give, and one given to everyone', async () => {
    await asOwner(async (owner) => {
      await owner.query('BEGIN');
      try {
        await owner.query(`GRANT TRUNCATE, UPDATE ON postings TO ${TEST_ROLES.app.name}`);
        await owner.query('GRANT DELETE ON audit_events TO PUBLIC');
        const can = async () =>
          (
            await owner.query(
              `SELECT has_table_privilege($1, 'postings', 'TRUNCATE') OR has_table_privilege($1, 'postings', 'UPDATE')
                      OR has_table_privilege($1, 'audit_events', 'DELETE') AS can`,
              [TEST_ROLES.app.name],
            )
          ).rows[0].can;
        expect(await can()).toBe(true);
        await grantsIn(owner);
        expect(await can()).toBe(false);
      } finally {
        await owner.query('ROLLBACK');
      }
    });
  });
});

describe('starting in production', () => {
  const log = () => undefined;

  it('refuses a DATABASE_URL role that owns the tables or is a superuser, and says why', async () => {
    const asTheOwner = loadEnvironment({
      ...PRODUCTION,
      DATABASE_URL: ownerUrl(),
      MIGRATION_DATABASE_URL: ownerUrl(),
    });
    await expect(prepareDatabase(asTheOwner, log)).rejects.toThrow(
      new RegExp(`connects as "${TEST_ROLES.owner.name}", which owns \\d+ table\\(s\\)`),
    );
    const asSuperuser = loadEnvironment({ ...PRODUCTION, DATABASE_URL: superuserUrl() });
    await expect(prepareDatabase(asSuperuser, log)).rejects.toThrow(/which is a superuser/);
  });

  it('starts as the API role without the owner URL when the schema is current, migrating nothing', async () => {
    const env = loadEnvironment({ ...PRODUCTION, DATABASE_URL: appUrl() });
    const lines: string[] = [];
    const prepared = await prepareDatabase(env, (line) => lines.push(line));
    expect(prepared.databaseUrl).toBe(appUrl());
    expect(lines).toEqual(['Database schema is up to date']);
  });

  it('migrates only as the owner: `migrate` needs MIGRATION_DATABASE_URL in production', async () => {
    await expect(
      runCli(['migrate'], { line: log }, { ...PRODUCTION, DATABASE_URL: appUrl() }),
    ).rejects.toThrow(
      'MIGRATION_DATABASE_URL (the owner role) must be set for migrate when NODE_ENV=production',
    );
    const lines: string[] = [];
    await runCli(
      ['migrate'],
      { line: (line) => lines.push(line) },
      { ...PRODUCTION, DATABASE_URL: appUrl(), MIGRATION_DATABASE_URL: ownerUrl() },
    );
    expect(lines).toEqual(['Database schema is up to date']);
  });
});
