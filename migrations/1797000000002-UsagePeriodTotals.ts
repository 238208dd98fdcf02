import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Running totals of usage per (subscription, billing period, metric), voided events left out, so the limit on a
 * subscription's usage of a metric in a period (libs/domain usage-limits.ts) reads one row per total instead of
 * summing every event stored so far, which grew with the events.
 *
 * - Kept by statement-level triggers on usage_events with transition tables, in the inserting (or withdrawing)
 *   transaction: an INSERT adds its rows' quantities, an UPDATE subtracts what the rows counted before and adds
 *   what they count after (in practice a withdrawal, the one change usage_events_withdraw_only allows, subtracts
 *   the event). DELETE and TRUNCATE of usage_events are already refused, so no trigger is needed for them.
 * - Totals are upserted in key order, so concurrent statements touching several totals never deadlock on them.
 * - Only the trigger writes them, as account_balances: the function runs as its owner (SECURITY DEFINER), refuses
 *   to run for any table but usage_events, and PUBLIC may not attach it elsewhere (EXECUTE revoked; firing an
 *   existing trigger needs no EXECUTE). A guard refuses any other INSERT, UPDATE, DELETE or TRUNCATE, even by the
 *   owner, so the API's role needs (and gets) SELECT only. Whoever changes the owner of usage_period_totals must
 *   give add_usage_to_period_totals the same owner.
 * - Existing events are summed here, with usage_events locked against writes from before the trigger exists until
 *   this migration commits, so no event is counted twice or missed.
 */
export class UsagePeriodTotals1797000000002 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('LOCK TABLE usage_events IN SHARE ROW EXCLUSIVE MODE');
    await queryRunner.query(
      'CREATE TABLE "usage_period_totals" ("subscription_id" uuid NOT NULL, "billing_period_id" uuid NOT NULL, "metric" text NOT NULL, "quantity" numeric NOT NULL, CONSTRAINT "PK_7cda8ab9c2a9d1f078dcf63a645" PRIMARY KEY ("subscription_id", "billing_period_id", "metric"))',
    );
    await queryRunner.query(`
      INSERT INTO usage_period_totals (subscription_id, billing_period_id, metric, quantity)
      SELECT subscription_id, billing_period_id, metric, sum(quantity) FROM usage_events
       WHERE voided_at IS NULL
       GROUP BY subscription_id, billing_period_id, metric`);

    await queryRunner.query(`
      CREATE FUNCTION add_usage_to_period_totals() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = public, pg_temp AS $$
      BEGIN
        IF TG_RELID <> 'public.usage_events'::regclass OR TG_LEVEL <> 'STATEMENT' OR TG_OP NOT IN ('INSERT', 'UPDATE') THEN
          RAISE EXCEPTION 'usage period totals are kept from the usage_events table only' USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF TG_OP = 'INSERT' THEN
          INSERT INTO usage_period_totals (subscription_id, billing_period_id, metric, quantity)
          SELECT subscription_id, billing_period_id, metric, sum(quantity) FROM inserted_usage
           WHERE voided_at IS NULL
           GROUP BY subscription_id, billing_period_id, metric
           ORDER BY subscription_id, billing_period_id, metric
          ON CONFLICT (subscription_id, billing_period_id, metric) DO UPDATE
            SET quantity = usage_period_totals.quantity + EXCLUDED.quantity;
        ELSE
          INSERT INTO usage_period_totals (subscription_id, billing_period_id, metric, quantity)
          SELECT subscription_id, billing_period_id, metric, sum(quantity)
            FROM (SELECT subscription_id, billing_period_id, metric, quantity FROM usage_after_update
                   WHERE voided_at IS NULL
                  UNION ALL
                  SELECT subscription_id, billing_period_id, metric, -quantity FROM usage_before_update
                   WHERE voided_at IS NULL) AS changes
           GROUP BY subscription_id, billing_period_id, metric
          HAVING sum(quantity) <> 0
           ORDER BY subscription_id, billing_period_id, metric
          ON CONFLICT (subscription_id, billing_period_id, metric) DO UPDATE
            SET quantity = usage_period_totals.quantity + EXCLUDED.quantity;
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query('REVOKE EXECUTE ON FUNCTION add_usage_to_period_totals() FROM PUBLIC');
    await queryRunner.query(
      'CREATE TRIGGER usage_events_add_to_period_totals AFTER INSERT ON usage_events REFERENCING NEW TABLE AS inserted_usage FOR EACH STATEMENT EXECUTE FUNCTION add_usage_to_period_totals()',
    );
    await queryRunner.query(
      'CREATE TRIGGER usage_events_update_period_totals AFTER UPDATE ON usage_events REFERENCING OLD TABLE AS usage_before_update NEW TABLE AS usage_after_update FOR EACH STATEMENT EXECUTE FUNCTION add_usage_to_period_totals()',
    );

    // The guard of account_balances, once per statement rather than per row (a batch's upsert touches every total
    // it reports): a change only from inside another trigger, by a role with the owner's privileges
    // (add_usage_to_period_totals, running as the owner). Every row change belongs to a statement that fired it.
    await queryRunner.query(`
      CREATE FUNCTION check_usage_period_total_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'DELETE' AND pg_trigger_depth() > 1
           AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
          RETURN NULL;
        END IF;
        RAISE EXCEPTION '% on usage_period_totals is not allowed: totals change only as usage events are stored or withdrawn', TG_OP
          USING ERRCODE = 'restrict_violation';
      END $$`);
    await queryRunner.query(
      'CREATE TRIGGER usage_period_totals_kept_by_usage BEFORE INSERT OR UPDATE OR DELETE ON usage_period_totals FOR EACH STATEMENT EXECUTE FUNCTION check_usage_period_total_change()',
    );
    await queryRunner.query(
      'CREATE TRIGGER usage_period_totals_no_truncate BEFORE TRUNCATE ON usage_period_totals EXECUTE FUNCTION reject_truncate()',
    );
  }

  public async down(): Promise<void> {
    throw new Error('Irreversible: restore from backup');
  }
}
