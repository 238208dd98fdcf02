import { Client } from 'pg';
import { JOB_QUEUE_SCHEMA } from './app-role-privileges';
import { quoteIdentifier } from './app-role-grants';

/** A login role to create: its name, and its password where the server checks passwords. */
export interface RoleLogin {
  name: string;
  password?: string;
}

/** The two roles of one deployment: the owner runs the migrations, the API connects as the app role. */
export interface DatabaseRoles {
  owner: RoleLogin;
  app: RoleLogin;
}

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Connects, runs `work`, disconnects. */
export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates the roles if they are missing and (re)sets what they may do and their passwords, as a role that may
 * create roles (the embedded server's and the test server's superuser). Roles are the server's, shared by every
 * database on it, so concurrent callers take turns under an advisory lock. Neither role is a superuser, creates
 * roles or databases, replicates or bypasses row-level security.
 */
export async function ensureDatabaseRoles(admin: Client, roles: DatabaseRoles): Promise<void> {
  await admin.query('BEGIN');
  try {
    await admin.query("SELECT pg_advisory_xact_lock(hashtext('consortium-database-roles'))");
    for (const role of [roles.owner, roles.app]) {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role.name]);
      const password = role.password === undefined ? '' : ` PASSWORD ${quoteLiteral(role.password)}`;
      await admin.query(
        `${rowCount ? 'ALTER' : 'CREATE'} ROLE ${quoteIdentifier(role.name)} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS${password}`,
      );
    }
    await admin.query('COMMIT');
  } catch (error) {
    await admin.query('ROLLBACK');
    throw error;
  }
}

/**
 * Makes `owner` the owner of the connected database and of everything in it that the migrations and pg-boss
 * made (a database first created by the superuser, as the embedded server's were before the roles were split).
 * Extensions' own objects stay where they are. Run as a superuser, connected to that database.
 */
export async function adoptDatabase(admin: Client, owner: string): Promise<void> {
  const { rows } = await admin.query<{ statement: string }>(
    `WITH target AS (SELECT oid FROM pg_roles WHERE rolname = $1),
          ours AS (SELECT oid FROM pg_namespace WHERE nspname IN ('public', $2)),
          in_extension AS (SELECT objid FROM pg_depend WHERE deptype = 'e')
     SELECT format('ALTER DATABASE %I OWNER TO %I', current_database(), $1) AS statement
       FROM pg_database WHERE datname = current_database() AND datdba <> (SELECT oid FROM target)
     UNION ALL
     SELECT format('ALTER SCHEMA %I OWNER TO %I', nspname, $1) FROM pg_namespace
      WHERE nspname = $2 AND nspowner <> (SELECT oid FROM target)
     UNION ALL
     SELECT format('ALTER %s %s OWNER TO %I',
                   CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                  WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, c.oid::regclass, $1)
       FROM pg_class c
      WHERE c.relnamespace IN (SELECT oid FROM ours) AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
        AND c.relowner <> (SELECT oid FROM target) AND c.oid NOT IN (SELECT objid FROM in_extension)
        -- a serial column's sequence follows its table
        AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
     UNION ALL
     SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, $1) FROM pg_proc p
      WHERE p.pronamespace IN (SELECT oid FROM ours) AND p.prokind IN ('f', 'p')
        AND p.proowner <> (SELECT oid FROM target) AND p.oid NOT IN (SELECT objid FROM in_extension)
     UNION ALL
     SELECT format('ALTER %s %s OWNER TO %I', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END,
                   t.oid::regtype, $1)
       FROM pg_type t
      WHERE t.typnamespace IN (SELECT oid FROM ours) AND t.typtype IN ('e', 'd', 'r')
        AND t.typowner <> (SELECT oid FROM target) AND t.oid NOT IN (SELECT objid FROM in_extension)`,
    [owner, JOB_QUEUE_SCHEMA],
  );
  for (const { statement } of rows) await admin.query(statement);
}

/** What makes a role unfit to be the API's: empty when it is a plain login role that owns nothing. */
export async function apiRoleProblems(databaseUrl: string): Promise<string[]> {
  return withClient(databaseUrl, async (client) => {
    const {
      rows: [role],
    } = await client.query<{
      name: string;
      superuser: boolean;
      bypass_rls: boolean;
      owned: number;
      creates: boolean;
    }>(
      `SELECT r.rolname AS name, r.rolsuper AS superuser, r.rolbypassrls AS bypass_rls,
              (SELECT count(*)::int FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
                  AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
                  AND pg_has_role(current_user, c.relowner, 'MEMBER')) AS owned,
              has_database_privilege(current_database(), 'CREATE')
                OR has_schema_privilege('public', 'CREATE') AS creates
         FROM pg_roles r WHERE r.rolname = current_user`,
    );
    const problems: string[] = [];
    if (role.superuser) problems.push('is a superuser');
    if (role.bypass_rls) problems.push('bypasses row-level security');
    if (role.owned > 0)
      problems.push(`owns ${role.owned} table(s) or sequence(s), or may act as their owner`);
    if (role.creates) problems.push('may create objects in the database');
    return problems.length
      ? [
          `DATABASE_URL connects as "${role.name}", which ${problems.join(', ')}: the API must connect as a login role that owns nothing and has only the grants migrating gives it, with MIGRATION_DATABASE_URL naming the owner (docs/operations.md, "Database roles")`,
        ]
      : [];
  });
}
