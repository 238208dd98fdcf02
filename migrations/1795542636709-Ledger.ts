import { MigrationInterface, QueryRunner } from 'typeorm';

export class Ledger1795542636709 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      "CREATE TYPE \"public\".\"billing_period_status\" AS ENUM('open', 'closing', 'closed', 'settled')",
    );
    await queryRunner.query(
      'CREATE TABLE "billing_periods" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "consortium_id" uuid NOT NULL, "key" text NOT NULL, "cycle" "public"."billing_cycle" NOT NULL, "start_date" date NOT NULL, "end_date" date NOT NULL, "status" "public"."billing_period_status" NOT NULL DEFAULT \'open\', "close_override_reason" text, "closed_at" TIMESTAMP WITH TIME ZONE, "settled_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d879023c65fe1ec2e0735f5fa68" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_billing_period_consortium_key" ON "billing_periods" ("consortium_id", "key") ',
    );
    await queryRunner.query(
      "CREATE TYPE \"public\".\"cross_charge_status\" AS ENUM('draft', 'issued', 'disputed', 'approved', 'void')",
    );
    await queryRunner.query(
      'CREATE TABLE "cross_charges" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "consortium_id" uuid NOT NULL, "billing_period_id" uuid NOT NULL, "provider_organisation_id" uuid NOT NULL, "consumer_organisation_id" uuid NOT NULL, "status" "public"."cross_charge_status" NOT NULL DEFAULT \'draft\', "reference" text NOT NULL, "currency" character(3) NOT NULL, "net_minor" bigint NOT NULL, "vat_minor" bigint NOT NULL, "gross_minor" bigint NOT NULL, "charge_run_id" uuid, "issued_at" TIMESTAMP WITH TIME ZONE, "approved_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_fdf6305953f0dd64345836e4f16" UNIQUE ("reference"), CONSTRAINT "PK_1626442af659fc0b8fe8866eab1" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_cross_charge_provider" ON "cross_charges" ("provider_organisation_id", "billing_period_id") ',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_cross_charge_consumer" ON "cross_charges" ("consumer_organisation_id", "billing_period_id") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_cross_charge_period_parties" ON "cross_charges" ("billing_period_id", "provider_organisation_id", "consumer_organisation_id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "charge_comments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "cross_charge_id" uuid NOT NULL, "dispute_id" uuid, "organisation_id" uuid NOT NULL, "author_label" text NOT NULL, "body" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ff55b3b0abad6b8a64945c3c056" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_charge_comment_cross_charge" ON "charge_comments" ("cross_charge_id", "created_at") ',
    );
    await queryRunner.query(
      "CREATE TYPE \"public\".\"charge_run_status\" AS ENUM('queued', 'running', 'completed', 'failed')",
    );
    await queryRunner.query(
      'CREATE TABLE "charge_runs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "consortium_id" uuid NOT NULL, "billing_period_id" uuid NOT NULL, "status" "public"."charge_run_status" NOT NULL DEFAULT \'queued\', "total_subscriptions" integer NOT NULL DEFAULT \'0\', "processed_subscriptions" integer NOT NULL DEFAULT \'0\', "cross_charges" integer NOT NULL DEFAULT \'0\', "charge_lines" integer NOT NULL DEFAULT \'0\', "error" text, "requested_by_label" text NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8229ca20f57ddb387eb7a362710" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_charge_run_in_progress" ON "charge_runs" ("billing_period_id") WHERE status IN (\'queued\', \'running\')',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_charge_run_period" ON "charge_runs" ("billing_period_id", "created_at") ',
    );
    await queryRunner.query(
      "CREATE TYPE \"public\".\"journal_entry_kind\" AS ENUM('charge', 'credit_note', 'settlement', 'reversal')",
    );
    await queryRunner.query(
      'CREATE TABLE "journal_entries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "consortium_id" uuid NOT NULL, "billing_period_id" uuid NOT NULL, "kind" "public"."journal_entry_kind" NOT NULL, "description" text NOT NULL, "source_type" text NOT NULL, "source_id" text NOT NULL, "reverses_entry_id" uuid, "created_by_label" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a70368e64230434457c8d007ab3" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_journal_entry_period" ON "journal_entries" ("billing_period_id") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_journal_entry_source" ON "journal_entries" ("source_type", "source_id", "kind") ',
    );
    await queryRunner.query(
      'CREATE TABLE "credit_notes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "cross_charge_id" uuid NOT NULL, "cross_charge_line_id" uuid, "dispute_id" uuid, "billing_period_id" uuid NOT NULL, "reference" text NOT NULL, "reason" text NOT NULL, "currency" character(3) NOT NULL, "net_minor" bigint NOT NULL, "vat_minor" bigint NOT NULL, "gross_minor" bigint NOT NULL, "journal_entry_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_1a0bccddc5ad8062e31678c88dc" UNIQUE ("dispute_id"), CONSTRAINT "UQ_aa3a85d52d4ee15b3ddbda3c948" UNIQUE ("reference"), CONSTRAINT "ck_credit_note_positive" CHECK (gross_minor > 0), CONSTRAINT "PK_4933888a20b5469e119ad74b9e9" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_credit_note_cross_charge" ON "credit_notes" ("cross_charge_id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "cross_charge_lines" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "cross_charge_id" uuid NOT NULL, "billing_period_id" uuid NOT NULL, "subscription_id" uuid NOT NULL, "service_id" uuid NOT NULL, "price_version_id" uuid NOT NULL, "line_key" text NOT NULL, "kind" text NOT NULL, "description" text NOT NULL, "quantity" text NOT NULL, "unit_rate" text, "net_minor" bigint NOT NULL, "vat_minor" bigint NOT NULL, "vat_treatment" text NOT NULL, "detail" jsonb NOT NULL, CONSTRAINT "PK_dc4d3ff590922852ab3898949cd" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_charge_line_cross_charge" ON "cross_charge_lines" ("cross_charge_id") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_charge_line_period_subscription_key" ON "cross_charge_lines" ("billing_period_id", "subscription_id", "line_key") ',
    );
    await queryRunner.query(
      "CREATE TYPE \"public\".\"dispute_status\" AS ENUM('open', 'accepted', 'rejected', 'escalated', 'upheld', 'dismissed', 'withdrawn')",
    );
    await queryRunner.query(
      'CREATE TABLE "disputes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "cross_charge_id" uuid NOT NULL, "cross_charge_line_id" uuid NOT NULL, "status" "public"."dispute_status" NOT NULL DEFAULT \'open\', "reason" text NOT NULL, "resolution" text, "raised_by_user_id" uuid, "resolved_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_3c97580d01c1a4b0b345c42a107" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_dispute_line_unresolved" ON "disputes" ("cross_charge_line_id") WHERE status IN (\'open\', \'rejected\', \'escalated\')',
    );
    await queryRunner.query('CREATE INDEX "ix_dispute_cross_charge" ON "disputes" ("cross_charge_id") ');
    await queryRunner.query(
      'CREATE TABLE "idempotency_records" ("organisation_id" uuid NOT NULL, "key" text NOT NULL, "route" text NOT NULL, "request_hash" text NOT NULL, "response_status" integer, "response_body" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_821d179e72558a0f14b6f355534" PRIMARY KEY ("organisation_id", "key"))',
    );
    await queryRunner.query(
      'CREATE TABLE "account_balances" ("account_id" uuid NOT NULL, "billing_period_id" uuid NOT NULL, "balance_minor" bigint NOT NULL, "posting_count" integer NOT NULL, CONSTRAINT "PK_beb66a1a93586c1102a18ef1405" PRIMARY KEY ("account_id", "billing_period_id"))',
    );
    await queryRunner.query(
      'CREATE TYPE "public"."ledger_account_kind" AS ENUM(\'receivable\', \'payable\')',
    );
    await queryRunner.query(
      'CREATE TABLE "ledger_accounts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "consortium_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "kind" "public"."ledger_account_kind" NOT NULL, "currency" character(3) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_62b34396dda564757cf123fff0e" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_ledger_account" ON "ledger_accounts" ("consortium_id", "organisation_id", "kind", "currency") ',
    );
    await queryRunner.query(
      'CREATE TABLE "postings" ("id" BIGSERIAL NOT NULL, "journal_entry_id" uuid NOT NULL, "account_id" uuid NOT NULL, "billing_period_id" uuid NOT NULL, "counterparty_organisation_id" uuid, "amount_minor" bigint NOT NULL, "currency" character(3) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_posting_non_zero" CHECK (amount_minor <> 0), CONSTRAINT "PK_6bdb1a5dc47d018aa7877aa9ffb" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_posting_account_period" ON "postings" ("account_id", "billing_period_id") ',
    );
    await queryRunner.query('CREATE INDEX "ix_posting_entry" ON "postings" ("journal_entry_id") ');
    await queryRunner.query(
      'CREATE TABLE "member_positions" ("billing_period_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "net_minor" bigint NOT NULL, "currency" character(3) NOT NULL, CONSTRAINT "PK_3b2dfa44447cb62efc433637730" PRIMARY KEY ("billing_period_id", "organisation_id"))',
    );
    await queryRunner.query(
      'CREATE TYPE "public"."settlement_payment_status" AS ENUM(\'pending\', \'recorded\')',
    );
    await queryRunner.query(
      'CREATE TABLE "settlement_payments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "billing_period_id" uuid NOT NULL, "payer_organisation_id" uuid NOT NULL, "payee_organisation_id" uuid NOT NULL, "amount_minor" bigint NOT NULL, "currency" character(3) NOT NULL, "position" integer NOT NULL, "status" "public"."settlement_payment_status" NOT NULL DEFAULT \'pending\', "payment_reference" text, "journal_entry_id" uuid, "recorded_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_settlement_payment_positive" CHECK (amount_minor > 0), CONSTRAINT "PK_663220dca90feafb6416cb31e3c" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_settlement_payment_parties" ON "settlement_payments" ("billing_period_id", "payer_organisation_id", "payee_organisation_id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "usage_events" ("id" BIGSERIAL NOT NULL, "provider_organisation_id" uuid NOT NULL, "event_id" text NOT NULL, "subscription_id" uuid NOT NULL, "billing_period_id" uuid NOT NULL, "metric" text NOT NULL, "quantity" numeric(24,6) NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "body_hash" text NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_usage_quantity_non_negative" CHECK (quantity >= 0), CONSTRAINT "PK_c9f17d50873fab2c46615f542bc" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_usage_subscription_period_metric" ON "usage_events" ("subscription_id", "billing_period_id", "metric") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_usage_event_provider_event" ON "usage_events" ("provider_organisation_id", "event_id") ',
    );
    await queryRunner.query(
      'ALTER TABLE "billing_periods" ADD CONSTRAINT "FK_506f5fead7ae4d8a73495cab3f6" FOREIGN KEY ("consortium_id") REFERENCES "consortia"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "cross_charges" ADD CONSTRAINT "FK_70bf9ce1e19dd5d4fde8d76ac9b" FOREIGN KEY ("billing_period_id") REFERENCES "billing_periods"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "cross_charges" ADD CONSTRAINT "FK_ec5cb3609a1124a593d4db41590" FOREIGN KEY ("provider_organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "cross_charges" ADD CONSTRAINT "FK_232bbb27d1f724859954623f0d8" FOREIGN KEY ("consumer_organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "charge_comments" ADD CONSTRAINT "FK_d39276abe7bb6b1ba38a27d649e" FOREIGN KEY ("cross_charge_id") REFERENCES "cross_charges"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "charge_runs" ADD CONSTRAINT "FK_f5a6fadf00c74726ca5dbe99b04" FOREIGN KEY ("billing_period_id") REFERENCES "billing_periods"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "journal_entries" ADD CONSTRAINT "FK_eeb685001b17f7e946183d0d7b4" FOREIGN KEY ("consortium_id") REFERENCES "consortia"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "journal_entries" ADD CONSTRAINT "FK_5b4127d7321f95f4aa580dacc18" FOREIGN KEY ("billing_period_id") REFERENCES "billing_periods"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "credit_notes" ADD CONSTRAINT "FK_7bd3e66007aeda83d2d37e0acaf" FOREIGN KEY ("cross_charge_id") REFERENCES "cross_charges"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "credit_notes" ADD CONSTRAINT "FK_71223072d09f99b7778cca6b53c" FOREIGN KEY ("journal_entry_id") REFERENCES "journal_entries"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "cross_charge_lines" ADD CONSTRAINT "FK_14ea15c0cfdc99171ccece71c65" FOREIGN KEY ("cross_charge_id") REFERENCES "cross_charges"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "cross_charge_lines" ADD CONSTRAINT "FK_6a4ceb11c92e085a7fdf605595d" FOREIGN KEY ("subscription_id") REFERENCES "subscriptions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "cross_charge_lines" ADD CONSTRAINT "FK_c93c9562043c4f1da77d08adfd4" FOREIGN KEY ("price_version_id") REFERENCES "price_versions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "disputes" ADD CONSTRAINT "FK_119d7f160bc0777f8e7a43a0e28" FOREIGN KEY ("cross_charge_id") REFERENCES "cross_charges"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "disputes" ADD CONSTRAINT "FK_fc83bf583fffb3d6913823e2663" FOREIGN KEY ("cross_charge_line_id") REFERENCES "cross_charge_lines"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "ledger_accounts" ADD CONSTRAINT "FK_b4f24a52f6c0b06c04fff4f996a" FOREIGN KEY ("consortium_id") REFERENCES "consortia"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "ledger_accounts" ADD CONSTRAINT "FK_813fbb242a5a86ca7a380a97918" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "postings" ADD CONSTRAINT "FK_86d78553e26b6037f4017c9753e" FOREIGN KEY ("journal_entry_id") REFERENCES "journal_entries"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "postings" ADD CONSTRAINT "FK_ac1cc8f2427d2c734232fffc10b" FOREIGN KEY ("account_id") REFERENCES "ledger_accounts"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "postings" ADD CONSTRAINT "FK_c67400fe4097f493573a9250e96" FOREIGN KEY ("billing_period_id") REFERENCES "billing_periods"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "settlement_payments" ADD CONSTRAINT "FK_441c74a756d1ac710fc97e49e74" FOREIGN KEY ("billing_period_id") REFERENCES "billing_periods"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "usage_events" ADD CONSTRAINT "FK_2fe9b093418d80c6e41c0f9721a" FOREIGN KEY ("subscription_id") REFERENCES "subscriptions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "usage_events" ADD CONSTRAINT "FK_bd6d82293e1e0bfb758c9ab4fde" FOREIGN KEY ("billing_period_id") REFERENCES "billing_periods"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );

    // ---- The ledger's invariants, enforced where the data lives ----

    // Every journal entry balances per currency and has at least two postings, checked at commit so an entry's
    // postings can be inserted one statement at a time within its transaction.
    await queryRunner.query(`
      CREATE FUNCTION check_journal_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        entry_id uuid;
        posting_count integer;
        unbalanced text;
      BEGIN
        IF TG_TABLE_NAME = 'journal_entries' THEN
          entry_id := NEW.id;
        ELSE
          entry_id := NEW.journal_entry_id;
        END IF;
        SELECT count(*) INTO posting_count FROM postings WHERE journal_entry_id = entry_id;
        IF posting_count < 2 THEN
          RAISE EXCEPTION 'journal entry % has % posting(s): an entry needs at least two', entry_id, posting_count
            USING ERRCODE = 'check_violation';
        END IF;
        SELECT string_agg(currency || ' ' || total, ', ') INTO unbalanced
          FROM (SELECT currency, sum(amount_minor) AS total FROM postings
                 WHERE journal_entry_id = entry_id GROUP BY currency HAVING sum(amount_minor) <> 0) AS t;
        IF unbalanced IS NOT NULL THEN
          RAISE EXCEPTION 'journal entry % does not balance: %', entry_id, unbalanced USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(
      'CREATE CONSTRAINT TRIGGER journal_entries_balanced AFTER INSERT ON journal_entries DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_journal_entry_balanced()',
    );
    await queryRunner.query(
      'CREATE CONSTRAINT TRIGGER postings_balanced AFTER INSERT ON postings DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_journal_entry_balanced()',
    );

    // Posted entries and postings are never updated or deleted: corrections are new, reversing entries.
    for (const table of ['journal_entries', 'postings', 'charge_comments']) {
      await queryRunner.query(
        `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION reject_append_only_change()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} EXECUTE FUNCTION reject_append_only_change()`,
      );
    }

    // Nothing is posted into a closed period, except the settlement payments that settle it; nothing at all once settled.
    await queryRunner.query(`
      CREATE FUNCTION check_journal_entry_period_open() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        period_status billing_period_status;
        period_consortium uuid;
      BEGIN
        SELECT status, consortium_id INTO period_status, period_consortium FROM billing_periods WHERE id = NEW.billing_period_id;
        IF period_consortium IS DISTINCT FROM NEW.consortium_id THEN
          RAISE EXCEPTION 'billing period % belongs to another consortium', NEW.billing_period_id USING ERRCODE = 'check_violation';
        END IF;
        IF period_status = 'settled' OR (period_status = 'closed' AND NEW.kind <> 'settlement') THEN
          RAISE EXCEPTION 'billing period % is %: nothing more can be posted into it', NEW.billing_period_id, period_status
            USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(
      'CREATE TRIGGER journal_entries_period_open BEFORE INSERT ON journal_entries FOR EACH ROW EXECUTE FUNCTION check_journal_entry_period_open()',
    );

    // A posting belongs to its entry's period, always.
    await queryRunner.query(`
      CREATE FUNCTION set_posting_period() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.billing_period_id := (SELECT billing_period_id FROM journal_entries WHERE id = NEW.journal_entry_id);
        RETURN NEW;
      END $$`);
    await queryRunner.query(
      'CREATE TRIGGER postings_set_period BEFORE INSERT ON postings FOR EACH ROW EXECUTE FUNCTION set_posting_period()',
    );

    // Balances per account and period, maintained in the posting transaction (one upsert per statement).
    await queryRunner.query(`
      CREATE FUNCTION accumulate_account_balances() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO account_balances (account_id, billing_period_id, balance_minor, posting_count)
        SELECT account_id, billing_period_id, sum(amount_minor), count(*) FROM inserted_postings
         GROUP BY account_id, billing_period_id
        ON CONFLICT (account_id, billing_period_id) DO UPDATE
          SET balance_minor = account_balances.balance_minor + EXCLUDED.balance_minor,
              posting_count = account_balances.posting_count + EXCLUDED.posting_count;
        RETURN NULL;
      END $$`);
    await queryRunner.query(
      'CREATE TRIGGER postings_accumulate_balances AFTER INSERT ON postings REFERENCING NEW TABLE AS inserted_postings FOR EACH STATEMENT EXECUTE FUNCTION accumulate_account_balances()',
    );

    // Usage is recorded only into open periods (checked once per statement, so bulk inserts stay fast).
    await queryRunner.query(`
      CREATE FUNCTION check_usage_period_open() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        closed_period uuid;
      BEGIN
        SELECT p.id INTO closed_period FROM (SELECT DISTINCT billing_period_id FROM inserted_usage) AS u
          JOIN billing_periods p ON p.id = u.billing_period_id WHERE p.status <> 'open' LIMIT 1;
        IF closed_period IS NOT NULL THEN
          RAISE EXCEPTION 'billing period % is not open for usage', closed_period USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(
      'CREATE TRIGGER usage_events_period_open AFTER INSERT ON usage_events REFERENCING NEW TABLE AS inserted_usage FOR EACH STATEMENT EXECUTE FUNCTION check_usage_period_open()',
    );
  }

  public async down(): Promise<void> {
    throw new Error('Irreversible: restore from backup');
  }
}
