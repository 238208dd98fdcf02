import { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '@consortium/migrations';
import { ENTITIES } from './entities';

/** The one set of DataSource options, used by the app, the CLI and the tests. Schema changes come only from migrations. */
export function dataSourceOptions(databaseUrl: string): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    uuidExtension: 'pgcrypto',
    // bigint money columns come back as strings; the domain turns them into BigInt, never into floats.
    parseInt8: false,
    extra: { max: 10, application_name: 'consortium-api' },
  };
}
