import { MigrationInterface, QueryRunner } from 'typeorm';

export class RateLimitsAndLedgerCodes1796110036823 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    // UNLOGGED: request counters are written on every call and are worth losing in a crash, not a WAL record each.
    await queryRunner.query(
      `CREATE UNLOGGED TABLE "rate_limit_counters" (
         "bucket" text NOT NULL,
         "window_start" TIMESTAMP WITH TIME ZONE NOT NULL,
         "hits" integer NOT NULL,
         CONSTRAINT "PK_e771f54d11bd0a1e1fa80d1eb9b" PRIMARY KEY ("bucket"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "ledger_code_mappings" (
         "organisation_id" uuid NOT NULL,
         "match" text NOT NULL,
         "value" text NOT NULL,
         "cost_centre" text NOT NULL,
         "ledger_code" text NOT NULL,
         "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         CONSTRAINT "ck_ledger_code_mapping_default_value" CHECK (("match" = 'default') = ("value" = '')),
         CONSTRAINT "ck_ledger_code_mapping_match"
           CHECK ("match" IN ('account_kind', 'service_category', 'counterparty', 'default')),
         CONSTRAINT "PK_3310258e72cbf6f8b7eab797a66" PRIMARY KEY ("organisation_id", "match", "value"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "ledger_code_mappings" ADD CONSTRAINT "FK_848e2ce08e05706b398fbccbab4"
         FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(): Promise<void> {
    throw new Error('Irreversible: restore from backup');
  }
}
