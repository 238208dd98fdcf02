import { MigrationInterface, QueryRunner } from 'typeorm';

export class IdempotentReplayVerbatim1795545788016 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    // Stored replies keep their exact text (jsonb reorders keys), so a replay is the first response verbatim.
    await queryRunner.query(
      'ALTER TABLE idempotency_records ALTER COLUMN response_body TYPE json USING response_body::json',
    );
  }

  public async down(): Promise<void> {
    throw new Error('Irreversible: restore from backup');
  }
}
