import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every signed-in request reads the caller's administrator grants by user (auth/actor-directory.service.ts); the
 * primary key starts with the consortium, so without this index that look-up reads the whole table.
 */
export class ConsortiumAdminUserIndex1797000000005 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX "ix_consortium_admin_user" ON "consortium_admins" ("user_id") ');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "ix_consortium_admin_user"');
  }
}
