import { MigrationInterface, QueryRunner } from 'typeorm';

export class LedgerCodesByEntryKind1796112518874 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    // Settlement payments are cash: an organisation codes them to its bank account by the entry's kind.
    await queryRunner.query(
      'ALTER TABLE "ledger_code_mappings" DROP CONSTRAINT "ck_ledger_code_mapping_match"',
    );
    await queryRunner.query(
      `ALTER TABLE "ledger_code_mappings" ADD CONSTRAINT "ck_ledger_code_mapping_match"
         CHECK ("match" IN ('account_kind', 'entry_kind', 'service_category', 'counterparty', 'default'))`,
    );
  }

  public async down(): Promise<void> {
    throw new Error('Irreversible: restore from backup');
  }
}
