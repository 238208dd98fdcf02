import { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1795539564081 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      "CREATE TYPE \"public\".\"organisation_type\" AS ENUM('county_council', 'district_council', 'unitary_council', 'police', 'fire_and_rescue', 'health_body', 'school_trust', 'ict_company', 'other_public_body', 'voluntary_organisation')",
    );
    await queryRunner.query(
      'CREATE TABLE "organisations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "type" "public"."organisation_type" NOT NULL, "region" text NOT NULL, "contact_name" text, "contact_email" text, "contact_phone" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_4a3dcb66f1630f551b81bca1b34" UNIQUE ("name"), CONSTRAINT "PK_7bf54cba378d5b2f1d4c10ef4df" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      "CREATE TYPE \"public\".\"organisation_role\" AS ENUM('org_admin', 'service_manager', 'finance', 'viewer')",
    );
    await queryRunner.query('CREATE TYPE "public"."user_status" AS ENUM(\'active\', \'disabled\')');
    await queryRunner.query(
      'CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organisation_id" uuid NOT NULL, "email" text NOT NULL, "name" text NOT NULL, "password_hash" text NOT NULL, "roles" "public"."organisation_role" array NOT NULL DEFAULT \'{}\', "is_superadmin" boolean NOT NULL DEFAULT false, "status" "public"."user_status" NOT NULL DEFAULT \'active\', "last_login_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_97672ac88f789774dd47f7c8be3" UNIQUE ("email"), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ix_user_organisation" ON "users" ("organisation_id") ');
    await queryRunner.query(
      'CREATE TABLE "api_keys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organisation_id" uuid NOT NULL, "name" text NOT NULL, "prefix" text NOT NULL, "secret_hash" text NOT NULL, "scopes" text array NOT NULL, "created_by_user_id" uuid, "expires_at" TIMESTAMP WITH TIME ZONE, "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_6f6105c8efe05b310d046cbdb3d" UNIQUE ("prefix"), CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ix_api_key_organisation" ON "api_keys" ("organisation_id") ');
    await queryRunner.query(
      "CREATE TYPE \"public\".\"audit_actor_type\" AS ENUM('user', 'api_key', 'system')",
    );
    await queryRunner.query(
      'CREATE TABLE "audit_events" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "actor_type" "public"."audit_actor_type" NOT NULL, "actor_id" uuid, "actor_label" text NOT NULL, "organisation_id" uuid, "consortium_id" uuid, "action" text NOT NULL, "entity_type" text NOT NULL, "entity_id" text NOT NULL, "changes" jsonb NOT NULL, "request_id" text, CONSTRAINT "PK_910f64d901a5c3e9878f0d4a407" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ix_audit_entity" ON "audit_events" ("entity_type", "entity_id") ');
    await queryRunner.query(
      'CREATE INDEX "ix_audit_consortium_time" ON "audit_events" ("consortium_id", "occurred_at") ',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_audit_organisation_time" ON "audit_events" ("organisation_id", "occurred_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "login_failures" ("id" BIGSERIAL NOT NULL, "email" text NOT NULL, "ip" text, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8211e8ec810fd7f976b98ce97a0" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_login_failure_email_time" ON "login_failures" ("email", "occurred_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "refresh_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "family_id" uuid NOT NULL, "token_hash" text NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "replaced_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_a7838d2ba25be1342091b6695f1" UNIQUE ("token_hash"), CONSTRAINT "PK_7d8bee0204106019488c4c50ffa" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ix_refresh_token_user" ON "refresh_tokens" ("user_id") ');
    await queryRunner.query('CREATE INDEX "ix_refresh_token_family" ON "refresh_tokens" ("family_id") ');
    await queryRunner.query('CREATE TYPE "public"."billing_cycle" AS ENUM(\'monthly\', \'quarterly\')');
    await queryRunner.query(
      'CREATE TABLE "consortia" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "description" text, "billing_cycle" "public"."billing_cycle" NOT NULL, "currency" character(3) NOT NULL DEFAULT \'GBP\', "rules" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_15631476d830a88e8784c3ddaca" UNIQUE ("name"), CONSTRAINT "PK_b460a5fa948485d54780b6a8532" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE TABLE "consortium_admins" ("consortium_id" uuid NOT NULL, "user_id" uuid NOT NULL, "granted_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_52117c7272229eb8eda921a962f" PRIMARY KEY ("consortium_id", "user_id"))',
    );
    await queryRunner.query(
      "CREATE TYPE \"public\".\"membership_status\" AS ENUM('invited', 'requested', 'active', 'suspended', 'left', 'rejected', 'declined')",
    );
    await queryRunner.query(
      'CREATE TABLE "consortium_memberships" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "consortium_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "status" "public"."membership_status" NOT NULL, "note" text, "joined_at" TIMESTAMP WITH TIME ZONE, "left_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_3c3161a32c5d7217f84d90a4ae3" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_membership_organisation" ON "consortium_memberships" ("organisation_id") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_membership_consortium_organisation" ON "consortium_memberships" ("consortium_id", "organisation_id") ',
    );
    await queryRunner.query(
      'ALTER TABLE "users" ADD CONSTRAINT "FK_2fc4294f8ec97da71d587dc5577" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "api_keys" ADD CONSTRAINT "FK_f68f7c5caa6f5f87a855b8cf3c8" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "api_keys" ADD CONSTRAINT "FK_522917da2d9d41d41f7a4e367f0" FOREIGN KEY ("created_by_user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "refresh_tokens" ADD CONSTRAINT "FK_3ddc983c5f7bcf132fd8732c3f4" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "consortium_admins" ADD CONSTRAINT "FK_284c8113a5e79ae471e98bbc1f3" FOREIGN KEY ("consortium_id") REFERENCES "consortia"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "consortium_admins" ADD CONSTRAINT "FK_ff1aa00a9a62b3e1053a650fa39" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "consortium_memberships" ADD CONSTRAINT "FK_f9c3cba9f788c9845bf18840b05" FOREIGN KEY ("consortium_id") REFERENCES "consortia"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "consortium_memberships" ADD CONSTRAINT "FK_bed711746a683e3fd6dbf6b006b" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );

    // Append-only tables (the audit log here, the ledger later) reject UPDATE and DELETE in the database itself.
    await queryRunner.query(`
      CREATE FUNCTION reject_append_only_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% on % is not allowed: the table is append-only', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'restrict_violation';
      END $$`);
    await queryRunner.query(
      'CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION reject_append_only_change()',
    );
    await queryRunner.query(
      'CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events EXECUTE FUNCTION reject_append_only_change()',
    );
  }

  public async down(): Promise<void> {
    throw new Error('Irreversible: restore from backup');
  }
}
