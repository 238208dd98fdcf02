import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The period check on journal entries reads the period FOR SHARE, so an entry cannot slip into a period whose close
 * is committing: the close holds the period FOR UPDATE, the entry waits for it, then sees the period closed.
 */
export class LedgerPeriodLock1795542989192 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION check_journal_entry_period_open() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        period_status billing_period_status;
        period_consortium uuid;
      BEGIN
        SELECT status, consortium_id INTO period_status, period_consortium FROM billing_periods
         WHERE id = NEW.billing_period_id FOR SHARE;
        IF period_consortium IS DISTINCT FROM NEW.consortium_id THEN
          RAISE EXCEPTION 'billing period % belongs to another consortium', NEW.billing_period_id USING ERRCODE = 'check_violation';
        END IF;
        IF period_status = 'settled' OR (period_status = 'closed' AND NEW.kind <> 'settlement') THEN
          RAISE EXCEPTION 'billing period % is %: nothing more can be posted into it', NEW.billing_period_id, period_status
            USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
  }

  public async down(): Promise<void> {
    throw new Error('Irreversible: restore from backup');
  }
}
