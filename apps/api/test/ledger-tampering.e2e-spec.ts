import {
  BILLING_PERIOD_STATUSES,
  billingPeriodLifecycle,
  CROSS_CHARGE_STATUSES,
  crossChargeLifecycle,
  DISPUTE_STATUSES,
  disputeLifecycle,
  type StateMachine,
  SUBSCRIPTION_STATUSES,
  subscriptionLifecycle,
} from '@consortium/domain';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import {
  aChargePeriod,
  anIssuedChargeBetweenMembers,
  aService,
  aSubscriptionTo,
  bearerFor,
  moveBillingPeriodTo,
} from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

/** The role that owns the tables (and migrated them): it holds every privilege on them. */
const ownerUrl = () =>
  process.env.CONSORTIUM_TEST_OWNER_DATABASE_URL ?? (process.env.CONSORTIUM_TEST_DATABASE_URL as string);

/**
 * Attacks on the ledger with plain SQL. They are made as the role that owns the tables, which holds every
 * privilege on them, so what refuses each is the database's triggers, not a missing grant: they hold for the API's
 * login whatever it is granted. The normal flows (dispute, credit note, approval, close, payment, settlement) still
 * work.
 */
describe('the database guards the ledger against SQL that bypasses the API', () => {
  let test: TestApp;
  let ds: DataSource;
  let owner: Client;
  beforeAll(async () => {
    test = await createTestApp();
    ds = test.dataSource;
    owner = new Client({ connectionString: ownerUrl() });
    await owner.connect();
  });
  afterAll(async () => {
    await owner.end();
    await test.close();
  });

  /** Statements in one transaction as the owner, rolled back if one fails. */
  async function inOwnerTransaction(work: (sql: Client['query']) => Promise<unknown>): Promise<void> {
    await owner.query('BEGIN');
    try {
      await work(owner.query.bind(owner) as Client['query']);
      await owner.query('COMMIT');
    } catch (error) {
      await owner.query('ROLLBACK');
      throw error;
    }
  }

  /**
   * Through the API: a charge issued, one line disputed and credited, the charge approved, the period closed with
   * its plan of one payment (the consumer owes the £300.60 left), which is recorded unless `settle` is false.
   */
  async function aClosedPeriod({ settle }: { settle: boolean }) {
    const scene = await anIssuedChargeBetweenMembers(test);
    const { charge, auth } = scene;
    const dispute = await test
      .http()
      .post(`/api/v1/cross-charges/${charge.id}/lines/${charge.lineIds[0]}/dispute`)
      .set(auth.consumer)
      .send({ reason: 'Two of the sites closed in September' })
      .expect(201);
    const accepted = await test
      .http()
      .post(`/api/v1/disputes/${dispute.body.id}/accept`)
      .set(auth.provider)
      .send({ reason: 'Agreed' })
      .expect(200);
    await test.http().post(`/api/v1/cross-charges/${charge.id}/approve`).set(auth.consumer).expect(200);
    const admin = await bearerFor(test, scene.consortiumAdmin);
    const closed = await test
      .http()
      .post(`/api/v1/billing-periods/${scene.period.id}/close`)
      .set(admin)
      .send({ overrideReason: 'The test lines are not from a charge run' })
      .expect(200);
    const [payment] = closed.body.payments as { id: string; amountMinor: string }[];
    if (settle) {
      await test
        .http()
        .post(`/api/v1/settlement-payments/${payment.id}/record`)
        .set(auth.consumer)
        .send({ paymentReference: 'BACS-0042' })
        .expect(200);
    }
    const [entry] = await ds.query(
      `SELECT id FROM journal_entries WHERE source_type = 'cross_charge' AND source_id = $1 AND kind = 'charge'`,
      [charge.id],
    );
    return {
      ...scene,
      admin,
      payment,
      creditNote: accepted.body.creditNote,
      chargeEntryId: entry.id as string,
    };
  }

  /** Every stored balance of the consortium against the sum of its postings: equal when nothing was tampered with. */
  async function balancesDisagreeingWithPostings(consortiumId: string): Promise<unknown[]> {
    return ds.query(
      `WITH recomputed AS (
         SELECT p.account_id, p.billing_period_id, sum(p.amount_minor) AS balance FROM postings p
           JOIN ledger_accounts a ON a.id = p.account_id WHERE a.consortium_id = $1
          GROUP BY p.account_id, p.billing_period_id)
       SELECT * FROM recomputed r
         FULL JOIN (SELECT b.* FROM account_balances b JOIN ledger_accounts a ON a.id = b.account_id
                     WHERE a.consortium_id = $1) s
           ON s.account_id = r.account_id AND s.billing_period_id = r.billing_period_id
        WHERE r.balance IS DISTINCT FROM s.balance_minor`,
      [consortiumId],
    );
  }

  const accountOf = async (organisationId: string, consortiumId: string, kind: string) =>
    (
      await ds.query(
        'SELECT id FROM ledger_accounts WHERE organisation_id = $1 AND consortium_id = $2 AND kind = $3',
        [organisationId, consortiumId, kind],
      )
    )[0].id as string;

  describe('postings', () => {
    it('refuses balanced postings appended to an entry posted earlier, even in a settled period and another currency', async () => {
      const s = await aClosedPeriod({ settle: true });
      const receivable = await accountOf(s.provider.id, s.consortium.id, 'receivable');
      const payable = await accountOf(s.consumer.id, s.consortium.id, 'payable');
      for (const currency of ['GBP', 'EUR']) {
        await expect(
          inOwnerTransaction((sql) =>
            sql(
              `INSERT INTO postings (journal_entry_id, account_id, billing_period_id, amount_minor, currency)
               VALUES ($1, $2, $4, 50000, $5), ($1, $3, $4, -50000, $5)`,
              [s.chargeEntryId, receivable, payable, s.period.id, currency],
            ),
          ),
        ).rejects.toThrow(
          /was posted by another transaction: a posting joins only an entry created in the same/,
        );
      }
      expect(
        (
          await ds.query('SELECT count(*)::int AS n FROM postings WHERE journal_entry_id = $1', [
            s.chargeEntryId,
          ])
        )[0].n,
      ).toBe(2);
      expect(await balancesDisagreeingWithPostings(s.consortium.id)).toEqual([]);
    });

    it('refuses a posting in another currency than its entry’s, or on an account of another consortium', async () => {
      const s = await anIssuedChargeBetweenMembers(test);
      const elsewhere = await anIssuedChargeBetweenMembers(test);
      const receivable = await accountOf(s.provider.id, s.consortium.id, 'receivable');
      const payable = await accountOf(s.consumer.id, s.consortium.id, 'payable');
      const foreign = await accountOf(elsewhere.provider.id, elsewhere.consortium.id, 'receivable');
      const post = (rows: [string, number, string][]) =>
        inOwnerTransaction(async (sql) => {
          const {
            rows: [{ id }],
          } = await sql(
            `INSERT INTO journal_entries (consortium_id, billing_period_id, kind, description, source_type, source_id,
                                          created_by_label, currency)
             VALUES ($1, $2, 'charge', 'attack', 'attack', $3, 'attacker', 'GBP') RETURNING id`,
            [s.consortium.id, s.period.id, randomUUID()],
          );
          for (const [account, amount, currency] of rows) {
            await sql(
              'INSERT INTO postings (journal_entry_id, account_id, amount_minor, currency) VALUES ($1, $2, $3, $4)',
              [id, account, amount, currency],
            );
          }
        });
      await expect(
        post([
          [receivable, 700, 'EUR'],
          [payable, -700, 'EUR'],
        ]),
      ).rejects.toThrow(/a posting in EUR cannot join journal entry .*, which is in GBP/);
      await expect(
        post([
          [foreign, 700, 'GBP'],
          [payable, -700, 'GBP'],
        ]),
      ).rejects.toThrow(/is not a GBP account of the consortium of journal entry/);
      await expect(
        post([
          [receivable, 700, 'GBP'],
          [payable, -700, 'GBP'],
        ]),
      ).resolves.toBeUndefined();
    });
  });

  describe('account balances', () => {
    it('refuses any change but through the postings trigger: UPDATE, INSERT, DELETE and TRUNCATE', async () => {
      const s = await aClosedPeriod({ settle: false });
      const receivable = await accountOf(s.provider.id, s.consortium.id, 'receivable');
      await expect(
        owner.query('UPDATE account_balances SET balance_minor = balance_minor + 1 WHERE account_id = $1', [
          receivable,
        ]),
      ).rejects.toThrow(
        /UPDATE on account_balances is not allowed: balances change only as postings are inserted/,
      );
      await expect(
        owner.query('DELETE FROM account_balances WHERE account_id = $1', [receivable]),
      ).rejects.toThrow(/DELETE on account_balances is not allowed/);
      const [other] = await ds.query(
        `INSERT INTO billing_periods (consortium_id, key, cycle, start_date, end_date)
         VALUES ($1, '2026-12', 'monthly', '2026-12-01', '2026-12-31') RETURNING id`,
        [s.consortium.id],
      );
      await expect(
        owner.query(
          'INSERT INTO account_balances (account_id, billing_period_id, balance_minor, posting_count) VALUES ($1, $2, 1, 1)',
          [receivable, other.id],
        ),
      ).rejects.toThrow(/INSERT on account_balances is not allowed/);
      // A transaction-local flag would not help an attacker either: nothing reads one.
      await expect(
        inOwnerTransaction(async (sql) => {
          await sql(`SELECT set_config('ledger.posting', 'on', true)`);
          await sql('UPDATE account_balances SET balance_minor = 0 WHERE account_id = $1', [receivable]);
        }),
      ).rejects.toThrow(/UPDATE on account_balances is not allowed/);
      await expect(owner.query('TRUNCATE account_balances')).rejects.toThrow(
        /TRUNCATE on account_balances is not allowed/,
      );
      expect(await balancesDisagreeingWithPostings(s.consortium.id)).toEqual([]);
    });
  });

  describe('member positions, settlement payments and credit notes', () => {
    it('keeps member positions as the close fixed them: no UPDATE, DELETE, TRUNCATE or later INSERT', async () => {
      const s = await aClosedPeriod({ settle: false });
      await expect(
        owner.query('UPDATE member_positions SET net_minor = 0 WHERE billing_period_id = $1', [s.period.id]),
      ).rejects.toThrow(/UPDATE on member_positions is not allowed: the table is append-only/);
      await expect(
        owner.query('DELETE FROM member_positions WHERE billing_period_id = $1', [s.period.id]),
      ).rejects.toThrow(/DELETE on member_positions is not allowed/);
      await expect(owner.query('TRUNCATE member_positions')).rejects.toThrow(/TRUNCATE on member_positions/);
      await expect(
        owner.query(
          `INSERT INTO member_positions (billing_period_id, organisation_id, net_minor, currency) VALUES ($1, $2, 5, 'GBP')`,
          [s.period.id, s.bystander.id],
        ),
      ).rejects.toThrow(/is closed: member positions are fixed as it closes/);
    });

    it('lets a settlement payment change only from pending to recorded with its own ledger entry, and never be deleted', async () => {
      const s = await aClosedPeriod({ settle: false });
      const payment = s.payment.id;
      await expect(
        owner.query('UPDATE settlement_payments SET amount_minor = 1 WHERE id = $1', [payment]),
      ).rejects.toThrow(/changes once, from pending to recorded/);
      await expect(
        owner.query(
          `UPDATE settlement_payments SET status = 'recorded', payment_reference = 'FAKE', recorded_at = now(),
                  journal_entry_id = $2 WHERE id = $1`,
          [payment, s.chargeEntryId],
        ),
      ).rejects.toThrow(/is recorded only with its own settlement entry for its amount/);
      await expect(owner.query('DELETE FROM settlement_payments WHERE id = $1', [payment])).rejects.toThrow(
        /settlement payments are never deleted/,
      );
      await expect(owner.query('TRUNCATE settlement_payments')).rejects.toThrow(
        /TRUNCATE on settlement_payments/,
      );
      await expect(
        owner.query(
          `INSERT INTO settlement_payments (billing_period_id, payer_organisation_id, payee_organisation_id, amount_minor,
                                            currency, position) VALUES ($1, $2, $3, 100, 'GBP', 2)`,
          [s.period.id, s.provider.id, s.bystander.id],
        ),
      ).rejects.toThrow(/is closed: its settlement payments are planned as it closes/);

      // Recorded through the API, it is fixed for good.
      await test
        .http()
        .post(`/api/v1/settlement-payments/${payment}/record`)
        .set(s.auth.consumer)
        .send({ paymentReference: 'BACS-0042' })
        .expect(200);
      const [recorded] = await ds.query(
        'SELECT status, payment_reference FROM settlement_payments WHERE id = $1',
        [payment],
      );
      expect(recorded).toEqual({ status: 'recorded', payment_reference: 'BACS-0042' });
      await expect(
        owner.query(`UPDATE settlement_payments SET status = 'pending' WHERE id = $1`, [payment]),
      ).rejects.toThrow(/changes once, from pending to recorded/);
      await expect(
        owner.query(`UPDATE settlement_payments SET payment_reference = 'OTHER' WHERE id = $1`, [payment]),
      ).rejects.toThrow(/changes once, from pending to recorded/);
    });

    it('keeps credit notes for good, and refuses one without its own credit-note entry', async () => {
      const s = await aClosedPeriod({ settle: false });
      await expect(owner.query('DELETE FROM credit_notes WHERE id = $1', [s.creditNote.id])).rejects.toThrow(
        /DELETE on credit_notes is not allowed: the table is append-only/,
      );
      await expect(
        owner.query('UPDATE credit_notes SET gross_minor = 1 WHERE id = $1', [s.creditNote.id]),
      ).rejects.toThrow(/UPDATE on credit_notes is not allowed/);
      await expect(owner.query('TRUNCATE credit_notes')).rejects.toThrow(/TRUNCATE on credit_notes/);
      await expect(
        owner.query(
          `INSERT INTO credit_notes (cross_charge_id, billing_period_id, reference, reason, currency, net_minor, vat_minor,
                                     gross_minor, journal_entry_id)
           VALUES ($1, $2, 'FORGED-CN99', 'forged', 'GBP', 30060, 0, 30060, $3)`,
          [s.charge.id, s.period.id, s.chargeEntryId],
        ),
      ).rejects.toThrow(/needs its own credit-note journal entry for its gross amount/);
    });
  });

  describe('cross-charges', () => {
    it('fixes the lines of an issued charge: no UPDATE, DELETE, INSERT or TRUNCATE', async () => {
      const s = await anIssuedChargeBetweenMembers(test);
      await expect(
        owner.query('UPDATE cross_charge_lines SET net_minor = 1 WHERE id = $1', [s.charge.lineIds[0]]),
      ).rejects.toThrow(/charge lines are never updated/);
      await expect(
        owner.query('DELETE FROM cross_charge_lines WHERE id = $1', [s.charge.lineIds[1]]),
      ).rejects.toThrow(/the lines of a issued cross-charge are fixed/);
      await expect(
        owner.query(
          `INSERT INTO cross_charge_lines (cross_charge_id, billing_period_id, subscription_id, service_id,
                                           price_version_id, line_key, kind, description, quantity, net_minor, vat_minor,
                                           vat_treatment, detail)
           SELECT cross_charge_id, billing_period_id, subscription_id, service_id, price_version_id, 'extra', kind,
                  'Extra', quantity, 99900, 0, vat_treatment, detail
             FROM cross_charge_lines WHERE id = $1`,
          [s.charge.lineIds[0]],
        ),
      ).rejects.toThrow(/the lines of a issued cross-charge are fixed/);
      await expect(owner.query('TRUNCATE cross_charge_lines CASCADE')).rejects.toThrow(/TRUNCATE on/);
      const lines = await ds.query('SELECT net_minor FROM cross_charge_lines WHERE cross_charge_id = $1', [
        s.charge.id,
      ]);
      expect(lines.map((l: { net_minor: string }) => l.net_minor).sort()).toEqual(['100000', '25050']);
    });

    it('moves a charge’s status only along its lifecycle: a disputed charge is not approved by SQL', async () => {
      const s = await anIssuedChargeBetweenMembers(test);
      await test
        .http()
        .post(`/api/v1/cross-charges/${s.charge.id}/lines/${s.charge.lineIds[0]}/dispute`)
        .set(s.auth.consumer)
        .send({ reason: 'Not delivered' })
        .expect(201);
      const setStatus = (status: string) =>
        ds.query('UPDATE cross_charges SET status = $2 WHERE id = $1', [s.charge.id, status]);
      await expect(setStatus('approved')).rejects.toThrow(
        /a cross charge cannot go from disputed to approved/,
      );
      await expect(setStatus('draft')).rejects.toThrow(/a cross charge cannot go from disputed to draft/);
      await expect(setStatus('void')).rejects.toThrow(/cannot go from disputed to void/);
      expect(
        (await ds.query('SELECT status FROM cross_charges WHERE id = $1', [s.charge.id]))[0].status,
      ).toBe('disputed');
    });

    it('fixes the amounts and parties of a charge that has left draft, never deletes one and creates each as a draft', async () => {
      const s = await anIssuedChargeBetweenMembers(test);
      await expect(
        owner.query('UPDATE cross_charges SET gross_minor = 1, net_minor = 1, vat_minor = 0 WHERE id = $1', [
          s.charge.id,
        ]),
      ).rejects.toThrow(/a issued cross-charge is fixed: only its status moves on/);
      await expect(
        owner.query('UPDATE cross_charges SET consumer_organisation_id = $2 WHERE id = $1', [
          s.charge.id,
          s.bystander.id,
        ]),
      ).rejects.toThrow(/a issued cross-charge is fixed/);
      await expect(owner.query('DELETE FROM cross_charges WHERE id = $1', [s.charge.id])).rejects.toThrow(
        /cross-charges are never deleted/,
      );
      await expect(owner.query('TRUNCATE cross_charges CASCADE')).rejects.toThrow(/TRUNCATE on/);
      await expect(
        owner.query(
          `INSERT INTO cross_charges (consortium_id, billing_period_id, provider_organisation_id, consumer_organisation_id,
                                      status, reference, currency, net_minor, vat_minor, gross_minor)
           VALUES ($1, $2, $3, $4, 'approved', $5, 'GBP', 100, 0, 100)`,
          [s.consortium.id, s.period.id, s.provider.id, s.consumer.id, `FORGED-${randomUUID()}`],
        ),
      ).rejects.toThrow(/a cross charge cannot start approved: it starts draft/);
    });
  });

  describe('billing periods, disputes and subscriptions', () => {
    it('never reopens a settled period, so nothing can be posted into it afterwards', async () => {
      const s = await aClosedPeriod({ settle: true });
      for (const status of ['open', 'closing', 'closed']) {
        await expect(
          owner.query('UPDATE billing_periods SET status = $2 WHERE id = $1', [s.period.id, status]),
        ).rejects.toThrow(new RegExp(`a billing period cannot go from settled to ${status}`));
      }
      await expect(
        inOwnerTransaction((sql) =>
          sql(
            `INSERT INTO journal_entries (consortium_id, billing_period_id, kind, description, source_type, source_id,
                                          created_by_label, currency)
             VALUES ($1, $2, 'charge', 'late', 'attack', $3, 'attacker', 'GBP')`,
            [s.consortium.id, s.period.id, randomUUID()],
          ),
        ),
      ).rejects.toThrow(/is settled: nothing more can be posted into it/);
    });

    it('settles a period only once every payment of its plan is recorded', async () => {
      const s = await aClosedPeriod({ settle: false });
      await expect(
        owner.query(`UPDATE billing_periods SET status = 'settled' WHERE id = $1`, [s.period.id]),
      ).rejects.toThrow(/has settlement payments still to record: it cannot be settled/);
      await expect(
        owner.query(`UPDATE billing_periods SET status = 'open' WHERE id = $1`, [s.period.id]),
      ).rejects.toThrow(/cannot go from closed to open/);
    });

    it('moves disputes and subscriptions only along their lifecycles', async () => {
      const s = await anIssuedChargeBetweenMembers(test);
      const raised = await test
        .http()
        .post(`/api/v1/cross-charges/${s.charge.id}/lines/${s.charge.lineIds[0]}/dispute`)
        .set(s.auth.consumer)
        .send({ reason: 'Not delivered' })
        .expect(201);
      await expect(
        owner.query(`UPDATE disputes SET status = 'upheld' WHERE id = $1`, [raised.body.id]),
      ).rejects.toThrow(/a dispute cannot go from open to upheld/);
      await expect(
        owner.query(
          `INSERT INTO disputes (cross_charge_id, cross_charge_line_id, status, reason) VALUES ($1, $2, 'upheld', 'x')`,
          [s.charge.id, s.charge.lineIds[1]],
        ),
      ).rejects.toThrow(/a dispute cannot start upheld: it starts open/);
      const subscription = await aSubscriptionTo(
        ds,
        await aService(ds, s.consortium, s.provider),
        s.bystander,
      );
      await ds.query(`UPDATE subscriptions SET status = 'notice_given' WHERE id = $1`, [subscription]);
      await ds.query(`UPDATE subscriptions SET status = 'ended' WHERE id = $1`, [subscription]);
      await expect(
        owner.query(`UPDATE subscriptions SET status = 'active' WHERE id = $1`, [subscription]),
      ).rejects.toThrow(/a subscription cannot go from ended to active/);
    });

    it('allows exactly the transitions of the domain’s state machines, for every status the database knows', async () => {
      const machine = (lifecycle: unknown) => lifecycle as StateMachine<string, string>;
      const machines: Record<string, [StateMachine<string, string>, readonly string[], string]> = {
        cross_charge: [machine(crossChargeLifecycle), CROSS_CHARGE_STATUSES, 'cross_charge_status'],
        billing_period: [machine(billingPeriodLifecycle), BILLING_PERIOD_STATUSES, 'billing_period_status'],
        dispute: [machine(disputeLifecycle), DISPUTE_STATUSES, 'dispute_status'],
        subscription: [machine(subscriptionLifecycle), SUBSCRIPTION_STATUSES, 'subscription_status'],
      };
      const rows: { machine: string; from_status: string | null; to_status: string }[] = await ds.query(
        'SELECT machine, from_status, to_status FROM status_transitions()',
      );
      expect([...new Set(rows.map((r) => r.machine))].sort()).toEqual(Object.keys(machines).sort());
      for (const [name, [lifecycle, statuses, enumType]] of Object.entries(machines)) {
        const domain = statuses
          .flatMap((from) =>
            lifecycle.actionsFrom(from).map((action) => [from, lifecycle.next(from, action)]),
          )
          .filter(([from, to]) => from !== to)
          .map(([from, to]) => `${name}: ${from} → ${to}`);
        const database = rows
          .filter((r) => r.machine === name && r.from_status !== null)
          .map((r) => `${name}: ${r.from_status} → ${r.to_status}`);
        expect([...new Set(database)].sort()).toEqual([...new Set(domain)].sort());
        const [{ labels }] = await ds.query(`SELECT enum_range(NULL::${enumType})::text[] AS labels`);
        expect([...labels].sort()).toEqual([...statuses].sort());
        for (const start of rows.filter((r) => r.machine === name && r.from_status === null)) {
          expect(statuses).toContain(start.to_status);
        }
      }
    });
  });

  describe('the hash chain', () => {
    it('keeps links for good and computes any link itself, whatever the INSERT says', async () => {
      const s = await anIssuedChargeBetweenMembers(test);
      const [link] = await ds.query(
        'SELECT journal_entry_id, position::int AS position FROM journal_entry_hashes WHERE consortium_id = $1',
        [s.consortium.id],
      );
      expect(link.position).toBe(1);
      await expect(
        owner.query(`UPDATE journal_entry_hashes SET hash = repeat('a', 64) WHERE journal_entry_id = $1`, [
          link.journal_entry_id,
        ]),
      ).rejects.toThrow(/append-only/);
      await expect(
        owner.query('DELETE FROM journal_entry_hashes WHERE journal_entry_id = $1', [link.journal_entry_id]),
      ).rejects.toThrow(/append-only/);
      await expect(owner.query('TRUNCATE journal_entry_hashes')).rejects.toThrow(
        /TRUNCATE on journal_entry_hashes/,
      );
      // A forged link of an entry is the database's own link of it, so a second one is refused.
      await expect(
        owner.query(
          `INSERT INTO journal_entry_hashes (journal_entry_id, consortium_id, position, previous_hash, hash)
           VALUES ($1, $2, 1, repeat('0', 64), repeat('f', 64))`,
          [link.journal_entry_id, s.bystander.id],
        ),
      ).rejects.toThrow(/duplicate key value violates unique constraint/);
    });
  });

  /**
   * Once the API logs in as a role that owns nothing (the role split), even a login with every privilege on every
   * table cannot write balances: not directly, not through a trigger it makes on a temporary table, not by
   * attaching the balance-keeping function to one. It still posts entries, and their balances follow.
   */
  describe('for a login that does not own the tables, even with every privilege on them', () => {
    const role = `ledger_probe_${randomBytes(4).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    let admin: Client;
    let probe: Client;

    const onTestDatabase = (user?: string) => {
      const url = new URL(process.env.CONSORTIUM_TEST_SERVER_URL as string);
      url.pathname = `/${process.env.CONSORTIUM_TEST_DATABASE}`;
      if (user) {
        url.username = user;
        url.password = password;
      }
      return url.toString();
    };

    beforeAll(async () => {
      admin = new Client({ connectionString: onTestDatabase() });
      await admin.connect();
      await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
      await admin.query(`GRANT TEMPORARY ON DATABASE "${process.env.CONSORTIUM_TEST_DATABASE}" TO ${role}`);
      await admin.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
      await admin.query(`GRANT ALL ON ALL TABLES IN SCHEMA public TO ${role}`);
      await admin.query(`GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
      probe = new Client({ connectionString: onTestDatabase(role) });
      await probe.connect();
    });
    afterAll(async () => {
      await probe?.end();
      await admin.query(`DROP OWNED BY ${role}`);
      await admin.query(`DROP ROLE ${role}`);
      await admin.end();
    });

    it('posts a balanced entry, and its balances follow', async () => {
      const s = await anIssuedChargeBetweenMembers(test);
      const receivable = await accountOf(s.provider.id, s.consortium.id, 'receivable');
      const payable = await accountOf(s.consumer.id, s.consortium.id, 'payable');
      await probe.query('BEGIN');
      const {
        rows: [entry],
      } = await probe.query(
        `INSERT INTO journal_entries (consortium_id, billing_period_id, kind, description, source_type, source_id,
                                      created_by_label, currency)
         VALUES ($1, $2, 'charge', 'posted by the probe', 'probe', $3, 'probe', 'GBP') RETURNING id`,
        [s.consortium.id, s.period.id, randomUUID()],
      );
      await probe.query(
        `INSERT INTO postings (journal_entry_id, account_id, amount_minor, currency)
         VALUES ($1, $2, 1234, 'GBP'), ($1, $3, -1234, 'GBP')`,
        [entry.id, receivable, payable],
      );
      await probe.query('COMMIT');
      expect(await balancesDisagreeingWithPostings(s.consortium.id)).toEqual([]);
      const [{ balance }] = await ds.query(
        'SELECT sum(balance_minor)::text AS balance FROM account_balances WHERE account_id = $1',
        [receivable],
      );
      expect(balance).toBe(String(130_060 + 1_234));
    });

    it('cannot write a balance through a trigger of its own or by borrowing the balance-keeping function', async () => {
      const s = await anIssuedChargeBetweenMembers(test);
      const receivable = await accountOf(s.provider.id, s.consortium.id, 'receivable');
      await expect(
        probe.query('UPDATE account_balances SET balance_minor = 0 WHERE account_id = $1', [receivable]),
      ).rejects.toThrow(/UPDATE on account_balances is not allowed/);
      await probe.query(
        'CREATE TEMP TABLE sneak (account_id uuid, billing_period_id uuid, amount_minor bigint)',
      );
      await probe.query(
        `CREATE FUNCTION pg_temp.sneak() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN UPDATE public.account_balances SET balance_minor = 0 WHERE account_id = NEW.account_id; RETURN NULL; END $$`,
      );
      await probe.query(
        'CREATE TRIGGER sneak AFTER INSERT ON sneak FOR EACH ROW EXECUTE FUNCTION pg_temp.sneak()',
      );
      await expect(
        probe.query('INSERT INTO sneak VALUES ($1, $2, 1)', [receivable, s.period.id]),
      ).rejects.toThrow(/UPDATE on account_balances is not allowed/);
      await expect(
        probe.query(
          `CREATE TRIGGER borrow AFTER INSERT ON sneak REFERENCING NEW TABLE AS inserted_postings
           FOR EACH STATEMENT EXECUTE FUNCTION public.accumulate_account_balances()`,
        ),
      ).rejects.toThrow(/permission denied for function (public\.)?accumulate_account_balances/);
      expect(await balancesDisagreeingWithPostings(s.consortium.id)).toEqual([]);
    });
  });

  it('still runs the whole story through the API: dispute, credit, approval, close, payment and settlement', async () => {
    const s = await aClosedPeriod({ settle: true });
    const [period] = await ds.query('SELECT status FROM billing_periods WHERE id = $1', [s.period.id]);
    expect(period.status).toBe('settled');
    expect(await balancesDisagreeingWithPostings(s.consortium.id)).toEqual([]);
    const positions = await ds.query(
      `SELECT a.organisation_id, sum(b.balance_minor)::text AS net FROM account_balances b
         JOIN ledger_accounts a ON a.id = b.account_id WHERE b.billing_period_id = $1 GROUP BY a.organisation_id`,
      [s.period.id],
    );
    expect(positions.map((p: { net: string }) => p.net)).toEqual(['0', '0']);
    const settlement = await test
      .http()
      .get(`/api/v1/billing-periods/${s.period.id}/settlement`)
      .set(s.admin)
      .expect(200);
    expect(settlement.body).toMatchObject({ status: 'settled', payments: [{ amountMinor: '30060' }] });
  });

  it('moves a period on only one lifecycle step at a time', async () => {
    const s = await anIssuedChargeBetweenMembers(test);
    const period = await aChargePeriod(ds, s.consortium, '2026-11');
    await expect(
      owner.query(`UPDATE billing_periods SET status = 'closed' WHERE id = $1`, [period.id]),
    ).rejects.toThrow(/a billing period cannot go from open to closed/);
    await moveBillingPeriodTo(ds, period.id, 'closed');
    expect((await ds.query('SELECT status FROM billing_periods WHERE id = $1', [period.id]))[0].status).toBe(
      'closed',
    );
  });
});
