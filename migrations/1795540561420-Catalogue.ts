import { MigrationInterface, QueryRunner } from 'typeorm';

export class Catalogue1795540561420 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      "CREATE TYPE \"public\".\"service_category\" AS ENUM('disaster_recovery', 'psn_compliance', 'network_and_connectivity', 'hosting_and_data_centre', 'desktop_and_device_management', 'service_desk', 'cyber_security', 'procurement', 'applications', 'data_and_gis', 'telephony', 'training', 'other')",
    );
    await queryRunner.query('CREATE TYPE "public"."capacity_unit" AS ENUM(\'subscribers\', \'units\')');
    await queryRunner.query(
      "CREATE TYPE \"public\".\"vat_treatment\" AS ENUM('outside_scope', 'standard', 'exempt')",
    );
    await queryRunner.query(
      "CREATE TYPE \"public\".\"service_status\" AS ENUM('draft', 'published', 'suspended', 'retired')",
    );
    await queryRunner.query(
      'CREATE TABLE "services" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "consortium_id" uuid NOT NULL, "provider_organisation_id" uuid NOT NULL, "category" "public"."service_category" NOT NULL, "title" text NOT NULL, "summary" text NOT NULL, "description" text NOT NULL, "service_level" jsonb NOT NULL, "capacity_limit" integer, "capacity_unit" "public"."capacity_unit" NOT NULL, "vat_treatment" "public"."vat_treatment" NOT NULL, "contacts" jsonb NOT NULL, "status" "public"."service_status" NOT NULL DEFAULT \'draft\', "current_price_version" integer NOT NULL, "published_at" TIMESTAMP WITH TIME ZONE, "search_document" tsvector, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ba2d347a3168a296416c6c5ccb2" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ix_service_provider" ON "services" ("provider_organisation_id") ');
    await queryRunner.query(
      'CREATE INDEX "ix_service_consortium_status" ON "services" ("consortium_id", "status") ',
    );
    await queryRunner.query(
      "CREATE TYPE \"public\".\"compliance_kind\" AS ENUM('psn_compliance', 'cyber_essentials', 'cyber_essentials_plus', 'iso_27001', 'dspt', 'pci_dss', 'other')",
    );
    await queryRunner.query(
      'CREATE TABLE "compliance_attestations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "service_id" uuid NOT NULL, "kind" "public"."compliance_kind" NOT NULL, "certificate_reference" text NOT NULL, "issued_on" date NOT NULL, "expires_on" date NOT NULL, "required" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_87c803ce35cea681e87115b5581" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_compliance_expiry" ON "compliance_attestations" ("expires_on") ',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_compliance_service" ON "compliance_attestations" ("service_id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "price_versions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "service_id" uuid NOT NULL, "version" integer NOT NULL, "plan" jsonb NOT NULL, "currency" character(3) NOT NULL, "created_by_user_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5ad9b129b967c6c92411ea523b3" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_price_version_service_version" ON "price_versions" ("service_id", "version") ',
    );
    await queryRunner.query(
      'CREATE TABLE "notifications" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organisation_id" uuid NOT NULL, "consortium_id" uuid, "kind" text NOT NULL, "title" text NOT NULL, "body" text NOT NULL, "entity_type" text NOT NULL, "entity_id" text NOT NULL, "read_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6a72c3c0f683f6462415e653c3a" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_notification_organisation" ON "notifications" ("organisation_id", "created_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "outbox_events" ("id" BIGSERIAL NOT NULL, "topic" text NOT NULL, "organisation_id" uuid, "dedupe_key" text, "payload" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "delivered_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_07121831383f239a044f95eab04" UNIQUE ("dedupe_key"), CONSTRAINT "PK_6689a16c00d09b8089f6237f1d2" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_outbox_undelivered" ON "outbox_events" ("delivered_at", "id") ',
    );
    await queryRunner.query(
      "CREATE TYPE \"public\".\"subscription_status\" AS ENUM('requested', 'active', 'rejected', 'cancelled', 'suspended', 'notice_given', 'ended')",
    );
    await queryRunner.query(
      'CREATE TABLE "subscriptions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "consortium_id" uuid NOT NULL, "service_id" uuid NOT NULL, "consumer_organisation_id" uuid NOT NULL, "provider_organisation_id" uuid NOT NULL, "price_version_id" uuid NOT NULL, "quantity" integer NOT NULL, "start_date" date NOT NULL, "term_months" integer NOT NULL, "notice_period_months" integer NOT NULL, "end_date" date, "purchase_order_reference" text, "cost_centre" text, "baseline_annual_cost_minor" bigint, "currency" character(3) NOT NULL, "status" "public"."subscription_status" NOT NULL, "status_reason" text, "requested_by_user_id" uuid, "decided_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a87248d73155605cf782be9ee5e" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_subscription_consortium" ON "subscriptions" ("consortium_id") ',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_subscription_provider" ON "subscriptions" ("provider_organisation_id") ',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_subscription_consumer" ON "subscriptions" ("consumer_organisation_id") ',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_subscription_service_status" ON "subscriptions" ("service_id", "status") ',
    );
    await queryRunner.query(
      'CREATE TABLE "subscription_events" ("id" BIGSERIAL NOT NULL, "subscription_id" uuid NOT NULL, "event" text NOT NULL, "from_status" text, "to_status" text, "details" jsonb NOT NULL, "actor_label" text NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_7eb5647aa3071cffad0124bceee" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_subscription_event_subscription" ON "subscription_events" ("subscription_id", "occurred_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "subscription_quantities" ("id" BIGSERIAL NOT NULL, "subscription_id" uuid NOT NULL, "quantity" integer NOT NULL, "effective_from" date NOT NULL, CONSTRAINT "PK_0615fb0b8c6c7a01cf8ec5284c9" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_subscription_quantity_effective" ON "subscription_quantities" ("subscription_id", "effective_from") ',
    );
    await queryRunner.query(
      'ALTER TABLE "services" ADD CONSTRAINT "FK_93ad6dc34b43c755dc86bf29c51" FOREIGN KEY ("consortium_id") REFERENCES "consortia"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "services" ADD CONSTRAINT "FK_73e2f996be144aca1b5162a1ba7" FOREIGN KEY ("provider_organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "compliance_attestations" ADD CONSTRAINT "FK_9f321835d7c39d4a0aeacf6137c" FOREIGN KEY ("service_id") REFERENCES "services"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "price_versions" ADD CONSTRAINT "FK_814c7a4a89be7d35ed36f672b48" FOREIGN KEY ("service_id") REFERENCES "services"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "subscriptions" ADD CONSTRAINT "FK_fdabe431465d5a5d329bc81bcef" FOREIGN KEY ("service_id") REFERENCES "services"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "subscriptions" ADD CONSTRAINT "FK_1bb5d109d5e963d024df063e9f2" FOREIGN KEY ("consumer_organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "subscriptions" ADD CONSTRAINT "FK_7d99bfd29a2e7cbc9c804dddcae" FOREIGN KEY ("provider_organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "subscriptions" ADD CONSTRAINT "FK_b35cd10efcaa0dd1650e6b97e2e" FOREIGN KEY ("price_version_id") REFERENCES "price_versions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );

    // Business rules the database backs up.
    await queryRunner.query(
      'ALTER TABLE services ADD CONSTRAINT ck_service_capacity_positive CHECK (capacity_limit IS NULL OR capacity_limit > 0)',
    );
    await queryRunner.query(
      'ALTER TABLE price_versions ADD CONSTRAINT ck_price_version_positive CHECK (version >= 1)',
    );
    await queryRunner.query(
      'ALTER TABLE subscriptions ADD CONSTRAINT ck_subscription_quantity_positive CHECK (quantity > 0)',
    );
    await queryRunner.query(
      'ALTER TABLE subscriptions ADD CONSTRAINT ck_subscription_term_positive CHECK (term_months > 0)',
    );
    await queryRunner.query(
      'ALTER TABLE subscriptions ADD CONSTRAINT ck_subscription_notice_non_negative CHECK (notice_period_months >= 0)',
    );
    await queryRunner.query(
      'ALTER TABLE subscriptions ADD CONSTRAINT ck_subscription_baseline_non_negative CHECK (baseline_annual_cost_minor IS NULL OR baseline_annual_cost_minor >= 0)',
    );
    await queryRunner.query(
      'ALTER TABLE subscription_quantities ADD CONSTRAINT ck_subscription_quantities_positive CHECK (quantity > 0)',
    );
    await queryRunner.query(
      'ALTER TABLE compliance_attestations ADD CONSTRAINT ck_compliance_dates CHECK (expires_on >= issued_on)',
    );

    // Price versions and subscription history are never rewritten.
    for (const table of ['price_versions', 'subscription_events']) {
      await queryRunner.query(
        `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION reject_append_only_change()`,
      );
    }

    // Full-text search: title weighs most, then summary and category, then the provider's name, then the description.
    await queryRunner.query(`
      CREATE FUNCTION services_search_document() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.search_document :=
          setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
          setweight(to_tsvector('english', coalesce(NEW.summary, '')), 'B') ||
          setweight(to_tsvector('english', replace(NEW.category::text, '_', ' ')), 'B') ||
          setweight(to_tsvector('english', coalesce(
            (SELECT name FROM organisations WHERE id = NEW.provider_organisation_id), '')), 'C') ||
          setweight(to_tsvector('english', coalesce(NEW.description, '')), 'D');
        RETURN NEW;
      END $$`);
    await queryRunner.query(
      'CREATE TRIGGER services_search_document BEFORE INSERT OR UPDATE ON services FOR EACH ROW EXECUTE FUNCTION services_search_document()',
    );
    // A provider renamed: refresh its services' documents.
    await queryRunner.query(`
      CREATE FUNCTION organisation_renamed_refresh_services() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE services SET title = title WHERE provider_organisation_id = NEW.id;
        RETURN NULL;
      END $$`);
    await queryRunner.query(
      'CREATE TRIGGER organisation_renamed_refresh_services AFTER UPDATE OF name ON organisations FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION organisation_renamed_refresh_services()',
    );
    await queryRunner.query('CREATE INDEX ix_service_search ON services USING GIN (search_document)');
  }

  public async down(): Promise<void> {
    throw new Error('Irreversible: restore from backup');
  }
}
