import { MigrationInterface, QueryRunner } from 'typeorm';

export class SignInThrottles1796674334657 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    // Failed sign-ins are counted per email and address, per address and per account, with the instant the next
    // attempt may be made, instead of one row per failure (which locked an email from everywhere).
    await queryRunner.query(
      'CREATE TABLE "sign_in_throttles" ("email" text NOT NULL, "address" text NOT NULL, "failures" integer NOT NULL, "not_before" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_a133b96826d2067bc50df314eca" PRIMARY KEY ("email", "address"))',
    );
    // The old record was only a 15-minute window: starting the new counts from nothing loses nothing that matters.
    await queryRunner.query('DROP TABLE "login_failures"');
  }

  public async down(): Promise<void> {
    throw new Error('Irreversible: restore from backup');
  }
}
