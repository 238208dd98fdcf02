import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Makes "the database itself enforces the ledger" true for any login, whatever the application does:
 *
 * - A journal entry has one currency and remembers the transaction that created it (txid_current(), stamped by a
 *   trigger); a posting joins only an entry of its own transaction that is not yet chained, in the entry's
 *   currency, on an account of the entry's consortium in that currency.
 * - At commit each entry is chained to the previous entry of its consortium: journal_entry_hashes holds sha256 over
 *   the position, the previous hash and the entry's canonical text (see ledger-chain.ts, which `verify-ledger` uses
 *   to recompute it independently). The link is computed by a BEFORE INSERT trigger from the database's own state,
 *   under a per-consortium advisory lock, so concurrent entries chain in one order and nobody can write a link of
 *   their choosing. Existing entries are chained here, per consortium in (created_at, id) order.
 * - account_balances change only inside the postings trigger that keeps them (see the note on
 *   accumulate_account_balances below); member positions, credit notes and the verification log are append-only;
 *   settlement payments are fixed but for the one step pending → recorded with their own ledger entry; the lines
 *   and amounts of a cross-charge that has left draft are fixed and no cross-charge is ever deleted.
 * - Statuses move only along the state machines of libs/domain: status_transitions() lists every allowed step
 *   (and the status a row must start in), and apps/api/test/ledger-tampering.e2e-spec.ts fails when the domain's
 *   machines and this list differ, so a change to a machine needs a migration that replaces the function.
 */
export class LedgerGuards1796675160757 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "journal_entry_hashes" ("journal_entry_id" uuid NOT NULL, "consortium_id" uuid NOT NULL, "position" bigint NOT NULL, "previous_hash" text NOT NULL, "hash" text NOT NULL, "linked_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6682f30a8bfe7ac4af208378798" PRIMARY KEY ("journal_entry_id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_journal_entry_hash_position" ON "journal_entry_hashes" ("consortium_id", "position") ',
    );
    await queryRunner.query(
      'CREATE TABLE "ledger_verifications" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "finished_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ok" boolean NOT NULL, "differences" integer NOT NULL, "journal_entries" integer NOT NULL, "postings" integer NOT NULL, "account_balances" integer NOT NULL, "detail" jsonb NOT NULL, "heads" jsonb NOT NULL, CONSTRAINT "PK_df6a1ef07b6fc73c55f7c5b8a67" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_ledger_verification_finished" ON "ledger_verifications" ("finished_at") ',
    );
    await queryRunner.query('ALTER TABLE "journal_entries" ADD "currency" character(3)');
    await queryRunner.query('ALTER TABLE "journal_entries" ADD "created_txid" bigint');
    await queryRunner.query(
      'ALTER TABLE "journal_entry_hashes" ADD CONSTRAINT "FK_6682f30a8bfe7ac4af208378798" FOREIGN KEY ("journal_entry_id") REFERENCES "journal_entries"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "journal_entry_hashes" ADD CONSTRAINT "FK_eeeaf109ab690708fed82bd4ac6" FOREIGN KEY ("consortium_id") REFERENCES "consortia"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );

    // ---- Existing entries: their currency from their postings; 0 as the creating transaction (none is 0) ----
    await queryRunner.query(`
      DO $$
      DECLARE
        mixed text;
      BEGIN
        SELECT string_agg(journal_entry_id::text, ', ') INTO mixed
          FROM (SELECT journal_entry_id FROM postings GROUP BY journal_entry_id
                HAVING count(DISTINCT currency) > 1 LIMIT 20) AS m;
        IF mixed IS NOT NULL THEN
          RAISE EXCEPTION 'journal entries with postings in more than one currency: %. Each entry must have one '
            'currency: post the other currency''s postings as their own entry before migrating', mixed;
        END IF;
      END $$`);
    await queryRunner.query('ALTER TABLE journal_entries DISABLE TRIGGER journal_entries_append_only');
    await queryRunner.query(`
      UPDATE journal_entries e
         SET created_txid = 0,
             currency = coalesce((SELECT min(p.currency) FROM postings p WHERE p.journal_entry_id = e.id),
                                 (SELECT c.currency FROM consortia c WHERE c.id = e.consortium_id))`);
    await queryRunner.query('ALTER TABLE journal_entries ENABLE TRIGGER journal_entries_append_only');
    await queryRunner.query('ALTER TABLE "journal_entries" ALTER COLUMN "currency" SET NOT NULL');
    await queryRunner.query('ALTER TABLE "journal_entries" ALTER COLUMN "created_txid" SET NOT NULL');

    // A TRUNCATE guard that does not call every table append-only.
    await queryRunner.query(`
      CREATE FUNCTION reject_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'TRUNCATE on % is not allowed: the ledger and its records are kept for good', TG_TABLE_NAME
          USING ERRCODE = 'restrict_violation';
      END $$`);

    // ---- Postings join only their own transaction's entry, in its currency ----
    await queryRunner.query(`
      CREATE FUNCTION stamp_journal_entry_transaction() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.created_txid := txid_current();
        RETURN NEW;
      END $$`);
    await queryRunner.query(
      'CREATE TRIGGER journal_entries_stamp_transaction BEFORE INSERT ON journal_entries FOR EACH ROW EXECUTE FUNCTION stamp_journal_entry_transaction()',
    );
    await queryRunner.query(`
      CREATE FUNCTION check_posting_joins_its_entry() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        entry_txid bigint;
        entry_currency text;
        entry_consortium uuid;
        account_consortium uuid;
        account_currency text;
      BEGIN
        SELECT created_txid, rtrim(currency), consortium_id INTO entry_txid, entry_currency, entry_consortium
          FROM journal_entries WHERE id = NEW.journal_entry_id;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'journal entry % is not one this transaction can see: a posting joins an entry of its own transaction',
            NEW.journal_entry_id USING ERRCODE = 'foreign_key_violation';
        END IF;
        IF entry_txid <> txid_current() THEN
          RAISE EXCEPTION 'journal entry % was posted by another transaction: a posting joins only an entry created in the same transaction',
            NEW.journal_entry_id USING ERRCODE = 'restrict_violation';
        END IF;
        IF EXISTS (SELECT 1 FROM journal_entry_hashes WHERE journal_entry_id = NEW.journal_entry_id) THEN
          RAISE EXCEPTION 'journal entry % is already chained: nothing more can join it', NEW.journal_entry_id
            USING ERRCODE = 'restrict_violation';
        END IF;
        IF rtrim(NEW.currency) IS DISTINCT FROM entry_currency THEN
          RAISE EXCEPTION 'a posting in % cannot join journal entry %, which is in %', NEW.currency, NEW.journal_entry_id,
            entry_currency USING ERRCODE = 'check_violation';
        END IF;
        SELECT consortium_id, rtrim(currency) INTO account_consortium, account_currency
          FROM ledger_accounts WHERE id = NEW.account_id;
        IF FOUND AND (account_consortium <> entry_consortium OR account_currency <> entry_currency) THEN
          RAISE EXCEPTION 'account % is not a % account of the consortium of journal entry %', NEW.account_id,
            entry_currency, NEW.journal_entry_id USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(
      'CREATE TRIGGER postings_join_own_entry BEFORE INSERT ON postings FOR EACH ROW EXECUTE FUNCTION check_posting_joins_its_entry()',
    );

    // ---- The hash chain ----
    // The entry's canonical text; ledger-chain.ts builds the same text in TypeScript. Free text is hex-encoded so no
    // separator inside it can make two entries read alike; postings are sorted bytewise.
    await queryRunner.query(`
      CREATE FUNCTION journal_entry_canonical_text(entry_id uuid) RETURNS text LANGUAGE sql STABLE AS $$
        SELECT 'entry|' || e.id || '|' || e.consortium_id || '|' || e.billing_period_id || '|' || e.kind || '|'
               || rtrim(e.currency) || '|' || to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
               || '|' || encode(convert_to(e.source_type, 'UTF8'), 'hex')
               || '|' || encode(convert_to(e.source_id, 'UTF8'), 'hex')
               || '|' || coalesce(e.reverses_entry_id::text, '-')
               || '|' || encode(convert_to(e.description, 'UTF8'), 'hex')
               || coalesce((SELECT string_agg(E'\\n' || l.line, '' ORDER BY l.line COLLATE "C")
                              FROM (SELECT 'posting|' || p.account_id || '|' || p.amount_minor || '|' || rtrim(p.currency)
                                           || '|' || coalesce(p.counterparty_organisation_id::text, '-') AS line
                                      FROM postings p WHERE p.journal_entry_id = e.id) AS l), '')
          FROM journal_entries e WHERE e.id = entry_id
      $$`);
    // Whoever inserts a link (the commit trigger below, or anyone else), the database computes it: the next position
    // of the consortium, the previous link's hash and sha256 over both and the entry's text. The advisory lock (two
    // keys: a space of their own) makes committing transactions of one consortium extend the chain one at a time; in
    // READ COMMITTED each statement after the lock sees the link the previous holder committed.
    await queryRunner.query(`
      CREATE FUNCTION link_journal_entry() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        entry_consortium uuid;
        last_position bigint;
        last_hash text;
      BEGIN
        SELECT consortium_id INTO entry_consortium FROM journal_entries WHERE id = NEW.journal_entry_id;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'no journal entry % to chain', NEW.journal_entry_id USING ERRCODE = 'foreign_key_violation';
        END IF;
        PERFORM pg_advisory_xact_lock(1735288391, hashtext(entry_consortium::text));
        SELECT position, hash INTO last_position, last_hash FROM journal_entry_hashes
         WHERE consortium_id = entry_consortium ORDER BY position DESC LIMIT 1;
        NEW.consortium_id := entry_consortium;
        NEW.position := coalesce(last_position, 0) + 1;
        NEW.previous_hash := coalesce(last_hash, repeat('0', 64));
        NEW.hash := encode(sha256(convert_to('v1|' || NEW.position || '|' || NEW.previous_hash || E'\\n'
                                             || journal_entry_canonical_text(NEW.journal_entry_id), 'UTF8')), 'hex');
        NEW.linked_at := clock_timestamp();
        RETURN NEW;
      END $$`);
    await queryRunner.query(
      'CREATE TRIGGER journal_entry_hashes_link BEFORE INSERT ON journal_entry_hashes FOR EACH ROW EXECUTE FUNCTION link_journal_entry()',
    );
    await queryRunner.query(
      'CREATE TRIGGER journal_entry_hashes_append_only BEFORE UPDATE OR DELETE ON journal_entry_hashes FOR EACH ROW EXECUTE FUNCTION reject_append_only_change()',
    );
    await queryRunner.query(
      'CREATE TRIGGER journal_entry_hashes_no_truncate BEFORE TRUNCATE ON journal_entry_hashes EXECUTE FUNCTION reject_truncate()',
    );
    // Chained at commit, after journal_entries_balanced (same event, triggers fire in name order) has checked it.
    await queryRunner.query(`
      CREATE FUNCTION chain_journal_entry() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO journal_entry_hashes (journal_entry_id) VALUES (NEW.id);
        RETURN NULL;
      END $$`);
    await queryRunner.query(
      'CREATE CONSTRAINT TRIGGER journal_entries_chained AFTER INSERT ON journal_entries DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION chain_journal_entry()',
    );
    await queryRunner.query(`
      DO $$
      DECLARE
        entry record;
      BEGIN
        FOR entry IN SELECT id FROM journal_entries ORDER BY consortium_id, created_at, id LOOP
          INSERT INTO journal_entry_hashes (journal_entry_id) VALUES (entry.id);
        END LOOP;
      END $$`);

    // ---- Balances: only the postings trigger writes them ----
    // The guard lets a change through only from inside another trigger (pg_trigger_depth() > 1) run by a role that
    // holds the table owner's privileges. accumulate_account_balances runs as its owner (SECURITY DEFINER), refuses
    // to run for any table but postings, and PUBLIC may not attach it to a table of its own (EXECUTE revoked; firing
    // an existing trigger needs no EXECUTE). So a plain INSERT, UPDATE, DELETE or TRUNCATE is refused for every role,
    // and once the API logs in as a role that is not the owner (the role split), not even a trigger it makes on a
    // temporary table can write balances. A transaction-local flag (set_config('ledger.posting', 'on', true)) was not
    // used: any login can set a custom setting. The owner and superusers can still drop triggers: they are trusted.
    // Whoever changes the owner of account_balances must give this function the same owner.
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION accumulate_account_balances() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = public, pg_temp AS $$
      BEGIN
        IF TG_RELID <> 'public.postings'::regclass OR TG_OP <> 'INSERT' OR TG_LEVEL <> 'STATEMENT' THEN
          RAISE EXCEPTION 'account balances are kept from the postings table only' USING ERRCODE = 'insufficient_privilege';
        END IF;
        INSERT INTO account_balances (account_id, billing_period_id, balance_minor, posting_count)
        SELECT account_id, billing_period_id, sum(amount_minor), count(*) FROM inserted_postings
         GROUP BY account_id, billing_period_id
        ON CONFLICT (account_id, billing_period_id) DO UPDATE
          SET balance_minor = account_balances.balance_minor + EXCLUDED.balance_minor,
              posting_count = account_balances.posting_count + EXCLUDED.posting_count;
        RETURN NULL;
      END $$`);
    await queryRunner.query('REVOKE EXECUTE ON FUNCTION accumulate_account_balances() FROM PUBLIC');
    await queryRunner.query(`
      CREATE FUNCTION check_account_balance_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'DELETE' AND pg_trigger_depth() > 1
           AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION '% on account_balances is not allowed: balances change only as postings are inserted', TG_OP
          USING ERRCODE = 'restrict_violation';
      END $$`);
    await queryRunner.query(
      'CREATE TRIGGER account_balances_kept_by_postings BEFORE INSERT OR UPDATE OR DELETE ON account_balances FOR EACH ROW EXECUTE FUNCTION check_account_balance_change()',
    );
    await queryRunner.query(
      'CREATE TRIGGER account_balances_no_truncate BEFORE TRUNCATE ON account_balances EXECUTE FUNCTION reject_truncate()',
    );

    // ---- Statuses along the domain's state machines ----
    // from_status NULL: the status a row must be inserted with (no such row: any). Self-transitions (a disputed
    // charge disputed again) change nothing and need no row.
    await queryRunner.query(`
      CREATE FUNCTION status_transitions() RETURNS TABLE (machine text, from_status text, to_status text)
        LANGUAGE sql IMMUTABLE AS $$
        VALUES ('cross_charge', NULL, 'draft'),
               ('cross_charge', 'draft', 'issued'),
               ('cross_charge', 'draft', 'void'),
               ('cross_charge', 'issued', 'approved'),
               ('cross_charge', 'issued', 'disputed'),
               ('cross_charge', 'disputed', 'issued'),
               ('billing_period', NULL, 'open'),
               ('billing_period', 'open', 'closing'),
               ('billing_period', 'closing', 'open'),
               ('billing_period', 'closing', 'closed'),
               ('billing_period', 'closed', 'settled'),
               ('dispute', NULL, 'open'),
               ('dispute', 'open', 'accepted'),
               ('dispute', 'open', 'rejected'),
               ('dispute', 'open', 'escalated'),
               ('dispute', 'open', 'withdrawn'),
               ('dispute', 'rejected', 'escalated'),
               ('dispute', 'rejected', 'withdrawn'),
               ('dispute', 'escalated', 'upheld'),
               ('dispute', 'escalated', 'dismissed'),
               ('subscription', 'requested', 'active'),
               ('subscription', 'requested', 'rejected'),
               ('subscription', 'requested', 'cancelled'),
               ('subscription', 'active', 'suspended'),
               ('subscription', 'active', 'notice_given'),
               ('subscription', 'suspended', 'active'),
               ('subscription', 'suspended', 'notice_given'),
               ('subscription', 'notice_given', 'ended')
      $$`);
    await queryRunner.query(`
      CREATE FUNCTION check_status_transition() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        machine_name text := TG_ARGV[0];
      BEGIN
        IF TG_OP = 'INSERT' THEN
          IF EXISTS (SELECT 1 FROM status_transitions() t WHERE t.machine = machine_name AND t.from_status IS NULL)
             AND NOT EXISTS (SELECT 1 FROM status_transitions() t
                              WHERE t.machine = machine_name AND t.from_status IS NULL AND t.to_status = NEW.status::text) THEN
            RAISE EXCEPTION 'a % cannot start %: it starts %', replace(machine_name, '_', ' '), NEW.status,
              (SELECT string_agg(t.to_status, ' or ') FROM status_transitions() t
                WHERE t.machine = machine_name AND t.from_status IS NULL)
              USING ERRCODE = 'restrict_violation';
          END IF;
        ELSIF OLD.status IS DISTINCT FROM NEW.status
              AND NOT EXISTS (SELECT 1 FROM status_transitions() t WHERE t.machine = machine_name
                                 AND t.from_status = OLD.status::text AND t.to_status = NEW.status::text) THEN
          RAISE EXCEPTION 'a % cannot go from % to %', replace(machine_name, '_', ' '), OLD.status, NEW.status
            USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
      END $$`);
    for (const [table, machine] of [
      ['cross_charges', 'cross_charge'],
      ['billing_periods', 'billing_period'],
      ['disputes', 'dispute'],
      ['subscriptions', 'subscription'],
    ]) {
      await queryRunner.query(
        `CREATE TRIGGER ${table}_status_transitions BEFORE INSERT OR UPDATE OF status ON ${table} FOR EACH ROW EXECUTE FUNCTION check_status_transition('${machine}')`,
      );
    }
    // A period is settled once every payment of its plan is recorded.
    await queryRunner.query(`
      CREATE FUNCTION check_billing_period_settled() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM settlement_payments WHERE billing_period_id = NEW.id AND status = 'pending') THEN
          RAISE EXCEPTION 'billing period % has settlement payments still to record: it cannot be settled', NEW.id
            USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(
      "CREATE TRIGGER billing_periods_settled_when_paid BEFORE UPDATE OF status ON billing_periods FOR EACH ROW WHEN (NEW.status = 'settled' AND OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION check_billing_period_settled()",
    );
    await queryRunner.query(
      'CREATE TRIGGER billing_periods_no_truncate BEFORE TRUNCATE ON billing_periods EXECUTE FUNCTION reject_truncate()',
    );

    // ---- Cross-charges: fixed once issued, never deleted ----
    await queryRunner.query(`
      CREATE FUNCTION check_cross_charge_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'cross-charges are never deleted: a draft no longer wanted is voided'
            USING ERRCODE = 'restrict_violation';
        END IF;
        IF (NEW.id, NEW.consortium_id, NEW.billing_period_id, NEW.provider_organisation_id, NEW.consumer_organisation_id,
            NEW.reference, NEW.currency, NEW.net_minor, NEW.vat_minor, NEW.gross_minor, NEW.supplement_of_id,
            NEW.charge_run_id, NEW.issued_at, NEW.created_at)
           IS DISTINCT FROM
           (OLD.id, OLD.consortium_id, OLD.billing_period_id, OLD.provider_organisation_id, OLD.consumer_organisation_id,
            OLD.reference, OLD.currency, OLD.net_minor, OLD.vat_minor, OLD.gross_minor, OLD.supplement_of_id,
            OLD.charge_run_id, OLD.issued_at, OLD.created_at) THEN
          RAISE EXCEPTION 'a % cross-charge is fixed: only its status moves on (corrections are credit notes and supplementary charges)',
            OLD.status USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(
      "CREATE TRIGGER cross_charges_fixed_once_issued BEFORE UPDATE ON cross_charges FOR EACH ROW WHEN (OLD.status <> 'draft') EXECUTE FUNCTION check_cross_charge_change()",
    );
    await queryRunner.query(
      'CREATE TRIGGER cross_charges_never_deleted BEFORE DELETE ON cross_charges FOR EACH ROW EXECUTE FUNCTION check_cross_charge_change()',
    );
    for (const table of ['cross_charges', 'cross_charge_lines', 'disputes']) {
      await queryRunner.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} EXECUTE FUNCTION reject_truncate()`,
      );
    }

    // ---- Credit notes: append-only, each with its own credit-note entry for its gross amount ----
    await queryRunner.query(`
      CREATE FUNCTION check_credit_note_posted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (
          SELECT 1 FROM journal_entries e
           WHERE e.id = NEW.journal_entry_id AND e.kind = 'credit_note' AND e.source_type = 'credit_note'
             AND e.source_id = NEW.id::text
             AND (SELECT sum(p.amount_minor) FROM postings p WHERE p.journal_entry_id = e.id AND p.amount_minor > 0)
                 = NEW.gross_minor) THEN
          RAISE EXCEPTION 'credit note % needs its own credit-note journal entry for its gross amount', NEW.id
            USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(
      'CREATE TRIGGER credit_notes_posted BEFORE INSERT ON credit_notes FOR EACH ROW EXECUTE FUNCTION check_credit_note_posted()',
    );

    // ---- Member positions and settlement payments: written while the period closes, then fixed ----
    await queryRunner.query(`
      CREATE FUNCTION check_member_position_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        period_status billing_period_status;
      BEGIN
        SELECT status INTO period_status FROM billing_periods WHERE id = NEW.billing_period_id FOR SHARE;
        IF period_status IS DISTINCT FROM 'closing' THEN
          RAISE EXCEPTION 'billing period % is %: member positions are fixed as it closes', NEW.billing_period_id,
            period_status USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(
      'CREATE TRIGGER member_positions_fixed_at_close BEFORE INSERT ON member_positions FOR EACH ROW EXECUTE FUNCTION check_member_position_insert()',
    );
    await queryRunner.query(`
      CREATE FUNCTION check_settlement_payment_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        period_status billing_period_status;
      BEGIN
        SELECT status INTO period_status FROM billing_periods WHERE id = NEW.billing_period_id FOR SHARE;
        IF period_status IS DISTINCT FROM 'closing' THEN
          RAISE EXCEPTION 'billing period % is %: its settlement payments are planned as it closes',
            NEW.billing_period_id, period_status USING ERRCODE = 'restrict_violation';
        END IF;
        IF NEW.status <> 'pending' OR NEW.payment_reference IS NOT NULL OR NEW.journal_entry_id IS NOT NULL
           OR NEW.recorded_at IS NOT NULL THEN
          RAISE EXCEPTION 'a settlement payment starts pending: recording it posts it to the ledger'
            USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(
      'CREATE TRIGGER settlement_payments_planned_at_close BEFORE INSERT ON settlement_payments FOR EACH ROW EXECUTE FUNCTION check_settlement_payment_insert()',
    );
    // The one change: pending → recorded, with a reference, a time and the payment's own settlement entry (source
    // settlement_payment/<id>: the payer's payable +amount, the payee's receivable −amount). Nothing else changes.
    await queryRunner.query(`
      CREATE FUNCTION check_settlement_payment_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'settlement payments are never deleted' USING ERRCODE = 'restrict_violation';
        END IF;
        IF OLD.status <> 'pending' OR NEW.status <> 'recorded'
           OR (NEW.id, NEW.billing_period_id, NEW.payer_organisation_id, NEW.payee_organisation_id, NEW.amount_minor,
               NEW.currency, NEW.position, NEW.created_at)
              IS DISTINCT FROM
              (OLD.id, OLD.billing_period_id, OLD.payer_organisation_id, OLD.payee_organisation_id, OLD.amount_minor,
               OLD.currency, OLD.position, OLD.created_at)
           OR coalesce(btrim(NEW.payment_reference), '') = '' OR NEW.journal_entry_id IS NULL OR NEW.recorded_at IS NULL THEN
          RAISE EXCEPTION 'a settlement payment changes once, from pending to recorded with its reference and ledger entry'
            USING ERRCODE = 'restrict_violation';
        END IF;
        IF NOT EXISTS (
          SELECT 1 FROM journal_entries e
           WHERE e.id = NEW.journal_entry_id AND e.kind = 'settlement' AND e.source_type = 'settlement_payment'
             AND e.source_id = NEW.id::text
             AND EXISTS (SELECT 1 FROM postings p JOIN ledger_accounts a ON a.id = p.account_id
                          WHERE p.journal_entry_id = e.id AND a.organisation_id = NEW.payer_organisation_id
                            AND a.kind = 'payable' AND p.amount_minor = NEW.amount_minor)
             AND EXISTS (SELECT 1 FROM postings p JOIN ledger_accounts a ON a.id = p.account_id
                          WHERE p.journal_entry_id = e.id AND a.organisation_id = NEW.payee_organisation_id
                            AND a.kind = 'receivable' AND p.amount_minor = -NEW.amount_minor)) THEN
          RAISE EXCEPTION 'settlement payment % is recorded only with its own settlement entry for its amount', NEW.id
            USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(
      'CREATE TRIGGER settlement_payments_recorded_once BEFORE UPDATE OR DELETE ON settlement_payments FOR EACH ROW EXECUTE FUNCTION check_settlement_payment_change()',
    );

    for (const table of ['member_positions', 'credit_notes', 'ledger_verifications']) {
      await queryRunner.query(
        `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION reject_append_only_change()`,
      );
    }
    for (const table of ['member_positions', 'settlement_payments', 'credit_notes', 'ledger_verifications']) {
      await queryRunner.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} EXECUTE FUNCTION reject_truncate()`,
      );
    }
  }

  public async down(): Promise<void> {
    throw new Error('Irreversible: restore from backup');
  }
}
