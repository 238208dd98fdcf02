import { createHash } from 'node:crypto';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import {
  type DataSource,
  type EntityManager,
  type ObjectLiteral,
  QueryFailedError,
  type SelectQueryBuilder,
} from 'typeorm';

/**
 * Runs a statement the API sends on (nearly) every request as a named prepared statement: each pooled connection
 * parses and plans it once and afterwards only binds and executes it, which spares PostgreSQL the parse (and, once
 * it settles on a generic plan, the planning) and the wire the text. Only for statements of fixed text: pg keeps
 * every name it prepared, per connection, so a name must never stand for text built from input.
 * Outside any transaction, like TypeORM's own DataSource.query(), and failing as it does (QueryFailedError).
 */
export async function preparedQuery<R extends QueryResultRow>(
  dataSource: DataSource,
  name: string,
  text: string,
  values: unknown[],
): Promise<R[]> {
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  try {
    return (await pool.query<R>({ name, text, values })).rows;
  } catch (error) {
    throw new QueryFailedError(text, values, error as Error);
  }
}

/**
 * A query builder's rows through preparedQuery, the statement named after its text. For hot reads built from a few
 * fixed shapes (a filter present or not, a sort): every value must be a parameter, never part of the text.
 */
export async function preparedRawMany<R extends QueryResultRow>(
  dataSource: DataSource,
  query: SelectQueryBuilder<ObjectLiteral>,
): Promise<R[]> {
  const [text, values] = query.getQueryAndParameters();
  const name = `q_${createHash('sha256').update(text).digest('base64url').slice(0, 32)}`;
  return preparedQuery<R>(dataSource, name, text, values);
}

/**
 * preparedQuery inside the transaction of `manager` (its connection), for statements a hot path sends on every
 * request in a transaction. The same rule on names holds; errors are TypeORM's QueryFailedError, as from
 * manager.query(), so the problem filter maps them alike.
 */
export async function preparedQueryIn<R extends QueryResultRow>(
  manager: EntityManager,
  name: string,
  text: string,
  values: unknown[],
): Promise<R[]> {
  const client = (manager.queryRunner as unknown as { databaseConnection?: PoolClient } | undefined)
    ?.databaseConnection;
  if (!client) throw new Error('preparedQueryIn needs the EntityManager of a transaction');
  try {
    return (await client.query<R>({ name, text, values })).rows;
  } catch (error) {
    throw new QueryFailedError(text, values, error as Error);
  }
}
