import {
  APP_TABLE_PRIVILEGES,
  JOB_QUEUE_SCHEMA,
  JOB_QUEUE_TABLE_PRIVILEGES,
  type TablePrivilege,
} from './app-role-privileges';

/** Runs one statement and returns its rows. */
export type Sql = <T = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>;

/** Table privileges PostgreSQL knows; any the list does not give is revoked. */
const TABLE_PRIVILEGES = [
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'TRUNCATE',
  'REFERENCES',
  'TRIGGER',
  'MAINTAIN',
];
const SEQUENCE_PRIVILEGES = ['USAGE', 'SELECT'];

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The role a postgres:// URL connects as. */
export function roleOf(databaseUrl: string): string {
  const role = decodeURIComponent(new URL(databaseUrl).username) || process.env.PGUSER;
  if (!role)
    throw new Error('The database URL names no user: write it as postgres://<role>:<password>@host/db');
  return role;
}

interface Relation {
  schema: string;
  name: string;
  kind: string;
  granted: string[];
  public_granted: string[];
}

/**
 * Gives the API's role exactly the privileges of app-role-privileges.ts, run by the owner after migrating (and
 * inside the migration lock, so instances never grant at once). Only what differs is changed, so a start with
 * nothing new writes nothing. Refuses a table with no decision, and a database where the role could create
 * objects; returns warnings about what it could not tighten.
 */
export async function grantAppRole(sql: Sql, appRole: string): Promise<string[]> {
  const warnings: string[] = [];
  const [role] = await sql<{ oid: number; is_owner: boolean }>(
    'SELECT oid, rolname = current_user AS is_owner FROM pg_roles WHERE rolname = $1',
    [appRole],
  );
  if (!role) {
    throw new Error(
      `The API's database role "${appRole}" (the user in DATABASE_URL) does not exist: create it as docs/operations.md ("Database roles") describes`,
    );
  }
  if (role.is_owner) {
    return [
      `DATABASE_URL connects as the owner role "${appRole}" that runs the migrations: fine for development, refused in production (docs/operations.md, "Database roles")`,
    ];
  }
  const app = quoteIdentifier(appRole);

  const relations = await sql<Relation>(
    `SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind,
            array(SELECT upper(a.privilege_type) FROM aclexplode(c.relacl) a WHERE a.grantee = $1) AS granted,
            array(SELECT upper(a.privilege_type) FROM aclexplode(c.relacl) a WHERE a.grantee = 0) AS public_granted
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname IN ('public', $2) AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
      ORDER BY 1, 2`,
    [role.oid, JOB_QUEUE_SCHEMA],
  );
  const undecided = relations
    .filter((r) => r.schema === 'public' && r.kind !== 'S' && !(r.name in APP_TABLE_PRIVILEGES))
    .map((r) => r.name);
  if (undecided.length > 0) {
    throw new Error(
      `No privileges decided for the API's role on ${undecided.join(', ')}: add each to APP_TABLE_PRIVILEGES in apps/api/src/database/app-role-privileges.ts`,
    );
  }

  for (const relation of relations) {
    const target = `${quoteIdentifier(relation.schema)}.${quoteIdentifier(relation.name)}`;
    const isSequence = relation.kind === 'S';
    const wanted: readonly string[] = isSequence
      ? SEQUENCE_PRIVILEGES
      : relation.schema === JOB_QUEUE_SCHEMA
        ? JOB_QUEUE_TABLE_PRIVILEGES
        : (APP_TABLE_PRIVILEGES[relation.name] as readonly TablePrivilege[]);
    const known = isSequence ? [...SEQUENCE_PRIVILEGES, 'UPDATE'] : TABLE_PRIVILEGES;
    const missing = wanted.filter((p) => !relation.granted.includes(p));
    const extra = relation.granted.filter((p) => known.includes(p) && !wanted.includes(p));
    const object = isSequence ? 'SEQUENCE ' : '';
    if (missing.length > 0) await sql(`GRANT ${missing.join(', ')} ON ${object}${target} TO ${app}`);
    if (extra.length > 0) await sql(`REVOKE ${extra.join(', ')} ON ${object}${target} FROM ${app}`);
    // Nothing of ours is anyone else's: a privilege given to PUBLIC would reach the API's role too.
    if (relation.public_granted.length > 0) await sql(`REVOKE ALL ON ${object}${target} FROM PUBLIC`);
  }

  await grantSchemas(sql, appRole, app, warnings);
  await grantJobQueue(sql, appRole, app);
  return warnings;
}

async function grantSchemas(sql: Sql, appRole: string, app: string, warnings: string[]): Promise<void> {
  const [state] = await sql<{
    owns_database: boolean;
    owns_public: boolean;
    public_can_create: boolean;
    public_can_temp: boolean;
    app_can_connect: boolean;
    app_uses_public: boolean;
  }>(
    `SELECT pg_has_role(current_user, d.datdba, 'MEMBER') AS owns_database,
            pg_has_role(current_user, n.nspowner, 'MEMBER') AS owns_public,
            EXISTS (SELECT 1 FROM aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a
                     WHERE a.grantee = 0 AND a.privilege_type = 'CREATE') AS public_can_create,
            EXISTS (SELECT 1 FROM aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
                     WHERE a.grantee = 0 AND a.privilege_type = 'TEMPORARY') AS public_can_temp,
            has_database_privilege($1, d.oid, 'CONNECT') AS app_can_connect,
            has_schema_privilege($1, n.oid, 'USAGE') AS app_uses_public
       FROM pg_database d, pg_namespace n
      WHERE d.datname = current_database() AND n.nspname = 'public'`,
    [appRole],
  );
  const database = quoteIdentifier((await sql<{ db: string }>('SELECT current_database() AS db'))[0].db);
  if (!state.app_can_connect) await sql(`GRANT CONNECT ON DATABASE ${database} TO ${app}`);
  if (!state.app_uses_public) await sql(`GRANT USAGE ON SCHEMA public TO ${app}`);
  // PostgreSQL before 15 lets everyone create objects in public; from 15 on this is already so.
  if (state.public_can_create && state.owns_public) await sql('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
  if (state.public_can_temp && state.owns_database) {
    await sql(`REVOKE TEMPORARY ON DATABASE ${database} FROM PUBLIC`);
  } else if (state.public_can_temp) {
    warnings.push(
      `Everyone may create temporary tables in ${database}: its owner should REVOKE TEMPORARY ON DATABASE ${database} FROM PUBLIC`,
    );
  }
  const [after] = await sql<{ create_in_database: boolean; create_in_public: boolean }>(
    `SELECT has_database_privilege($1, current_database(), 'CREATE') AS create_in_database,
            has_schema_privilege($1, 'public', 'CREATE') AS create_in_public`,
    [appRole],
  );
  if (after.create_in_database || after.create_in_public) {
    throw new Error(
      `The API's role "${appRole}" may create objects in ${after.create_in_database ? `the database ${database}` : 'the schema public'}: revoke CREATE from it and from PUBLIC (docs/operations.md, "Database roles")`,
    );
  }
}

/** Jobs and queues: DML on pg-boss's tables, and queue creation through its function, run as the owner. */
async function grantJobQueue(sql: Sql, appRole: string, app: string): Promise<void> {
  const schema = quoteIdentifier(JOB_QUEUE_SCHEMA);
  const [state] = await sql<{ uses: boolean; defaults: boolean; definer: boolean }>(
    `SELECT has_schema_privilege($1, n.oid, 'USAGE') AS uses,
            EXISTS (SELECT 1 FROM pg_default_acl d, aclexplode(d.defaclacl) a
                     WHERE d.defaclnamespace = n.oid AND d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = current_user)
                       AND d.defaclobjtype = 'r' AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1)) AS defaults,
            coalesce((SELECT p.prosecdef FROM pg_proc p WHERE p.pronamespace = n.oid AND p.proname = 'create_queue'), true) AS definer
       FROM pg_namespace n WHERE n.nspname = $2`,
    [appRole, JOB_QUEUE_SCHEMA],
  );
  if (!state) return;
  if (!state.uses) await sql(`GRANT USAGE ON SCHEMA ${schema} TO ${app}`);
  // A queue's table is created by create_queue as the owner; these defaults let the app work it too.
  if (!state.defaults) {
    await sql(
      `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT ${JOB_QUEUE_TABLE_PRIVILEGES.join(', ')} ON TABLES TO ${app}`,
    );
  }
  // pg-boss replaces the function when it upgrades its schema, so this is checked on every migration.
  if (!state.definer) {
    await sql(
      `ALTER FUNCTION ${schema}.create_queue(text, json) SECURITY DEFINER SET search_path = pg_catalog, pg_temp`,
    );
  }
}
