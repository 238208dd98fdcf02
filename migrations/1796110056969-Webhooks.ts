import { MigrationInterface, QueryRunner } from 'typeorm';

export class Webhooks1796110056969 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "webhook_endpoints" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organisation_id" uuid NOT NULL, "url" text NOT NULL, "description" text, "event_types" text array NOT NULL, "secret" text NOT NULL, "enabled" boolean NOT NULL DEFAULT true, "disabled_reason" text, "consecutive_failures" integer NOT NULL DEFAULT \'0\', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_054c4cfb95223732f5939d2d546" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_webhook_endpoint_organisation" ON "webhook_endpoints" ("organisation_id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "webhook_deliveries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "endpoint_id" uuid NOT NULL, "outbox_event_id" bigint NOT NULL, "event_type" text NOT NULL, "status" text NOT NULL, "attempts" integer NOT NULL DEFAULT \'0\', "next_attempt_at" TIMESTAMP WITH TIME ZONE, "locked_until" TIMESTAMP WITH TIME ZONE, "last_attempt_at" TIMESTAMP WITH TIME ZONE, "last_response_status" integer, "last_error" text, "delivered_at" TIMESTAMP WITH TIME ZONE, "redelivery_of" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_535dd409947fb6d8fc6dfc0112a" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_webhook_delivery_due" ON "webhook_deliveries" ("status", "next_attempt_at") ',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_webhook_delivery_endpoint" ON "webhook_deliveries" ("endpoint_id", "created_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "webhook_delivery_attempts" ("id" BIGSERIAL NOT NULL, "delivery_id" uuid NOT NULL, "attempt" integer NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "duration_ms" integer NOT NULL, "response_status" integer, "error" text, CONSTRAINT "PK_59ef9124585b56c18b98548a0c6" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_webhook_attempt_delivery" ON "webhook_delivery_attempts" ("delivery_id", "attempt") ',
    );

    // Every outbox event gets a public id and the id of the transaction that wrote it, from a trigger, so no
    // writer can forget them. Events written before this migration count as one old transaction (0).
    await queryRunner.query('ALTER TABLE "outbox_events" ADD "event_id" uuid');
    await queryRunner.query('ALTER TABLE "outbox_events" ADD "xact_id" bigint');
    await queryRunner.query('UPDATE "outbox_events" SET "event_id" = gen_random_uuid(), "xact_id" = 0');
    await queryRunner.query('ALTER TABLE "outbox_events" ALTER COLUMN "event_id" SET NOT NULL');
    await queryRunner.query('ALTER TABLE "outbox_events" ALTER COLUMN "xact_id" SET NOT NULL');
    await queryRunner.query(`
      CREATE FUNCTION set_outbox_event_identity() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.event_id := coalesce(NEW.event_id, gen_random_uuid());
        NEW.xact_id := pg_current_xact_id()::text::bigint;
        RETURN NEW;
      END $$`);
    await queryRunner.query(
      'CREATE TRIGGER outbox_events_identity BEFORE INSERT ON outbox_events FOR EACH ROW EXECUTE FUNCTION set_outbox_event_identity()',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_outbox_feed" ON "outbox_events" ("organisation_id", "xact_id", "id") ',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "ux_outbox_event_id" ON "outbox_events" ("event_id") ');

    await queryRunner.query(
      'ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "FK_7d7382d4de6412d2e90e9141185" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "FK_0b882c26a9b91c26e6e86b4867c" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "FK_d1c8ab93e088e32ebb0869118cb" FOREIGN KEY ("outbox_event_id") REFERENCES "outbox_events"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "webhook_delivery_attempts" ADD CONSTRAINT "FK_647916c401c0c275df5f00c148f" FOREIGN KEY ("delivery_id") REFERENCES "webhook_deliveries"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  public async down(): Promise<void> {
    throw new Error('Irreversible: restore from backup');
  }
}
