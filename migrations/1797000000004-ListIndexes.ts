import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes in the order the hot lists sort by, so a page is read off an index and stops after its last row instead
 * of gathering and sorting every row the caller may see (apps/api/test/list-query-plans.e2e-spec.ts checks the
 * plans on a database of a big consortium's size). Each ends with the id, the lists' tie-breaker.
 */
export class ListIndexes1797000000004 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    // The catalogue's default order (title): a member sees most of its consortium's catalogue, so walking titles
    // finds a page after a few dozen rows.
    await queryRunner.query('CREATE INDEX "ix_service_title" ON "services" ("title", "id") ');
    // The charges list's default order (newest first): without it a consortium administrator's list read every
    // charge of the consortium and sorted them all.
    await queryRunner.query(
      'CREATE INDEX "ix_cross_charge_created" ON "cross_charges" ("created_at", "id") ',
    );
    // The same order within one billing period, so a period's page starts in that period, however old.
    await queryRunner.query(
      'CREATE INDEX "ix_cross_charge_period_created" ON "cross_charges" ("billing_period_id", "created_at", "id") ',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "ix_cross_charge_period_created"');
    await queryRunner.query('DROP INDEX "ix_cross_charge_created"');
    await queryRunner.query('DROP INDEX "ix_service_title"');
  }
}
