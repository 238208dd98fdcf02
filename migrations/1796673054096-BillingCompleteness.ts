import { MigrationInterface, QueryRunner } from 'typeorm';

export class BillingCompleteness1796673054096 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."uq_cross_charge_period_parties"');
    await queryRunner.query('DROP INDEX "public"."ix_charge_line_cross_charge"');
    await queryRunner.query('DROP INDEX "public"."uq_charge_line_period_subscription_key"');
    await queryRunner.query('ALTER TABLE "cross_charges" ADD "supplement_of_id" uuid');
    await queryRunner.query('ALTER TABLE "cross_charge_lines" ADD "service_days" integer');
    await queryRunner.query('ALTER TABLE "cross_charge_lines" ADD "unit_days" numeric');
    await queryRunner.query('ALTER TABLE "cross_charge_lines" ADD "usage_metric" text');
    await queryRunner.query('ALTER TABLE "cross_charge_lines" ADD "usage_quantity" numeric');
    await queryRunner.query('ALTER TABLE "cross_charge_lines" ADD "usage_events" integer');
    await queryRunner.query('ALTER TABLE "cross_charge_lines" ADD "usage_through_event_id" bigint');
    await queryRunner.query('ALTER TABLE "cross_charge_lines" ADD "charge_run_id" uuid');
    await queryRunner.query('ALTER TABLE "usage_events" ADD "voided_at" TIMESTAMP WITH TIME ZONE');
    await queryRunner.query('ALTER TABLE "usage_events" ADD "void_reason" text');
    await queryRunner.query('ALTER TABLE "usage_events" ADD "voided_by_label" text');
    await queryRunner.query(
      'CREATE INDEX "ix_cross_charge_period_parties" ON "cross_charges" ("billing_period_id", "provider_organisation_id", "consumer_organisation_id") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_cross_charge_pair_draft" ON "cross_charges" ("billing_period_id", "provider_organisation_id", "consumer_organisation_id") WHERE status = \'draft\'',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_charge_line_period_subscription" ON "cross_charge_lines" ("billing_period_id", "subscription_id") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_charge_line_charge_subscription_key" ON "cross_charge_lines" ("cross_charge_id", "subscription_id", "line_key") ',
    );
    await queryRunner.query(
      'ALTER TABLE "cross_charges" ADD CONSTRAINT "FK_22f24641f5f8ce98e1e24c8020f" FOREIGN KEY ("supplement_of_id") REFERENCES "cross_charges"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );

    // Lines written before this migration: what they cover, read back from how they were priced (their detail),
    // so the reconciliation counts them. Recurring lines were one per subscription (the first tier for
    // graduated plans) and charged the quantity in effect for every day served.
    await queryRunner.query(`
      UPDATE cross_charge_lines l
         SET service_days = d.days, unit_days = d.days * (l.detail->>'quantityInEffect')::numeric
        FROM (SELECT l2.id, coalesce((l2.detail->'proration'->>'serviceDays')::int,
                                     p.end_date - p.start_date + 1) AS days
                FROM cross_charge_lines l2 JOIN billing_periods p ON p.id = l2.billing_period_id) d
       WHERE d.id = l.id AND l.kind IN ('flat_fee', 'per_unit', 'volume', 'graduated_tier')
         AND (l.kind <> 'graduated_tier' OR l.line_key = 'tier:1') AND l.detail ? 'quantityInEffect'`);
    await queryRunner.query(`
      UPDATE cross_charge_lines l
         SET usage_metric = l.detail->'usage'->>'metric', usage_quantity = (l.detail->'usage'->>'used')::numeric,
             usage_events = coalesce((l.detail->>'usageEvents')::int, 0),
             usage_through_event_id = (SELECT max(e.id) FROM usage_events e
                                        WHERE e.billing_period_id = l.billing_period_id
                                          AND e.subscription_id = l.subscription_id
                                          AND e.metric = l.detail->'usage'->>'metric')
       WHERE l.kind = 'usage' AND l.detail ? 'usage'`);

    // The lines of a charge that has left draft are fixed: corrections go on a supplementary charge or a credit
    // note. A draft's lines are replaced by each charge run; no line is ever updated in place.
    await queryRunner.query(`
      CREATE FUNCTION check_charge_line_change() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        charge_status cross_charge_status;
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          RAISE EXCEPTION 'charge lines are never updated: a run replaces a draft''s lines'
            USING ERRCODE = 'restrict_violation';
        END IF;
        SELECT status INTO charge_status FROM cross_charges
         WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.cross_charge_id ELSE NEW.cross_charge_id END;
        IF charge_status IS DISTINCT FROM 'draft' THEN
          RAISE EXCEPTION 'the lines of a % cross-charge are fixed', charge_status
            USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
      END $$`);
    await queryRunner.query(
      'CREATE TRIGGER cross_charge_lines_fixed_once_issued BEFORE INSERT OR UPDATE OR DELETE ON cross_charge_lines FOR EACH ROW EXECUTE FUNCTION check_charge_line_change()',
    );

    // Usage events are kept for good: the only change is a provider withdrawing one, once.
    await queryRunner.query(`
      CREATE FUNCTION check_usage_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'usage events are never deleted: withdraw one instead' USING ERRCODE = 'restrict_violation';
        END IF;
        IF OLD.voided_at IS NOT NULL OR NEW.voided_at IS NULL
           OR (NEW.id, NEW.provider_organisation_id, NEW.event_id, NEW.subscription_id, NEW.billing_period_id,
               NEW.metric, NEW.quantity, NEW.occurred_at, NEW.body_hash, NEW.received_at)
              IS DISTINCT FROM
              (OLD.id, OLD.provider_organisation_id, OLD.event_id, OLD.subscription_id, OLD.billing_period_id,
               OLD.metric, OLD.quantity, OLD.occurred_at, OLD.body_hash, OLD.received_at) THEN
          RAISE EXCEPTION 'a usage event can only be withdrawn, once' USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(
      'CREATE TRIGGER usage_events_withdraw_only BEFORE UPDATE OR DELETE ON usage_events FOR EACH ROW EXECUTE FUNCTION check_usage_event_change()',
    );
    await queryRunner.query(
      'CREATE TRIGGER usage_events_no_truncate BEFORE TRUNCATE ON usage_events EXECUTE FUNCTION reject_append_only_change()',
    );
  }

  public async down(): Promise<void> {
    throw new Error('Irreversible: restore from backup');
  }
}
