import { MigrationInterface, QueryRunner } from 'typeorm';

export class Sessions1796673132303 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    // A session is one sign-in; access tokens name it, and every request checks that it has not ended.
    await queryRunner.query(
      `CREATE TYPE "public"."session_end_reason" AS ENUM('signed_out', 'refresh_token_reused', 'user_disabled')`,
    );
    await queryRunner.query(
      'CREATE TABLE "sessions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "revoked_at" TIMESTAMP WITH TIME ZONE, "revoked_reason" "public"."session_end_reason", CONSTRAINT "PK_3238ef96f18b355b671619111bc" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ix_session_user" ON "sessions" ("user_id") ');
    await queryRunner.query(
      'ALTER TABLE "sessions" ADD CONSTRAINT "FK_085d540d9f418cfbdc7bd55bb19" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    // Each existing refresh-token family becomes a session; one whose every token is revoked has ended (why was
    // not kept). Access tokens issued before this carry no session and are refused: clients refresh them.
    await queryRunner.query(
      `INSERT INTO "sessions" ("id", "user_id", "created_at", "revoked_at")
       SELECT "family_id", "user_id", min("created_at"),
              CASE WHEN bool_and("revoked_at" IS NOT NULL) THEN max("revoked_at") END
         FROM "refresh_tokens"
        GROUP BY "family_id", "user_id"`,
    );
    await queryRunner.query(
      'ALTER TABLE "refresh_tokens" ADD CONSTRAINT "FK_d5e27da0cd39bc3bb2811fc8bac" FOREIGN KEY ("family_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  public async down(): Promise<void> {
    throw new Error('Irreversible: restore from backup');
  }
}
