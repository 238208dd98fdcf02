import { MigrationInterface, QueryRunner } from 'typeorm';

export class RefreshTokenSuccession1796123345034 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    // Each refresh token names the token it was rotated from: within the reuse grace period one token may have
    // several successors. Tokens issued before this migration keep NULL (which token they replaced was not kept).
    await queryRunner.query('ALTER TABLE "refresh_tokens" ADD "rotated_from_id" uuid');
    await queryRunner.query(
      'CREATE INDEX "ix_refresh_token_rotated_from" ON "refresh_tokens" ("rotated_from_id") ',
    );
    await queryRunner.query(
      'ALTER TABLE "refresh_tokens" ADD CONSTRAINT "FK_3e355fd75c7f00e6b21cc0a51e7" FOREIGN KEY ("rotated_from_id") REFERENCES "refresh_tokens"("id") ON DELETE SET NULL ON UPDATE NO ACTION',
    );
  }

  public async down(): Promise<void> {
    throw new Error('Irreversible: restore from backup');
  }
}
