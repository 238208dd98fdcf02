/**
 * Writes a migration holding the SQL that brings a freshly migrated database in line with the entities.
 * Usage: npm run migration:generate -- <Name>   (needs a PostgreSQL: DATABASE_URL or 127.0.0.1:5432)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { pendingSchemaChanges, runMigrations } from '../apps/api/src/database/run-migrations';

async function main() {
  const name = process.argv[2];
  if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) throw new Error('Give the migration a PascalCase name');
  const admin = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const scratch = `migration_gen_${Date.now()}`;
  const client = new Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${scratch}`);
  try {
    const url = new URL(admin);
    url.pathname = `/${scratch}`;
    await runMigrations(url.toString(), console.log);
    const queries = await pendingSchemaChanges(url.toString());
    if (queries.length === 0) return console.log('Entities and migrations agree: nothing to generate');
    const timestamp = Date.now();
    const body = queries.map((q) => `    await queryRunner.query(${JSON.stringify(q)});`).join('\n');
    const file = join(__dirname, '..', 'migrations', `${timestamp}-${name}.ts`);
    writeFileSync(
      file,
      `import { MigrationInterface, QueryRunner } from 'typeorm';\n\nexport class ${name}${timestamp} implements MigrationInterface {\n  public async up(queryRunner: QueryRunner): Promise<void> {\n${body}\n  }\n\n  public async down(): Promise<void> {\n    throw new Error('Irreversible: restore from backup');\n  }\n}\n`,
    );
    console.log(`Wrote ${file}: add it to migrations/index.ts`);
  } finally {
    await client.query(`DROP DATABASE ${scratch} WITH (FORCE)`);
    await client.end();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
