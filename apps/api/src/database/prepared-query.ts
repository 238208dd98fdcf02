import type { Pool, QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * Runs a statement the API sends on (nearly) every request as a named prepared statement: each pooled connection
 * parses and plans it once and afterwards only binds and executes it, which spares PostgreSQL the parse and the
 * wire the text. Only for fixed statements (the same text under the same name, always): pg keeps every name it
 * prepared per connection, so a name must never stand for text built from input.
 * Outside any transaction, like TypeORM's own DataSource.query().
 */
export async function preparedQuery<R extends QueryResultRow>(
  dataSource: DataSource,
  name: string,
  text: string,
  values: unknown[],
): Promise<R[]> {
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  return (await pool.query<R>({ name, text, values })).rows;
}
