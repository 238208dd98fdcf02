import { validatePricePlan } from '@consortium/domain';
import { createSuperadmin } from '../src/cli/commands';
import { ukToday } from '../src/modules/catalogue/compliance-status';
import { seedDemo } from '../src/seed/seed';
import { DEMO_CONSORTIUM, DEMO_PASSWORD, DEMO_SERVICES } from '../src/seed/demo-data';
import { reconcilePeriod } from '../src/modules/reconciliation/reconciliation.query';
import { createTestApp, TestApp } from './support/test-app';

describe('demo data and the command line', () => {
  let test: TestApp;
  beforeAll(async () => (test = await createTestApp()));
  afterAll(() => test.close());

  describe('the demo seed', () => {
    const progress: string[] = [];
    beforeAll(async () => {
      await seedDemo(test.app, (m) => progress.push(m));
    }, 60_000);

    it('builds the eastern counties consortium with the five counties and their partners as members', async () => {
      const rows = await test.dataSource.query(
        `SELECT o.name, m.status FROM consortium_memberships m
           JOIN organisations o ON o.id = m.organisation_id
           JOIN consortia c ON c.id = m.consortium_id
          WHERE c.name = $1 ORDER BY o.name`,
        [DEMO_CONSORTIUM.name],
      );
      const active = rows
        .filter((r: { status: string }) => r.status === 'active')
        .map((r: { name: string }) => r.name);
      expect(active).toEqual(
        expect.arrayContaining([
          'Lincolnshire County Council',
          'Norfolk County Council',
          'Suffolk County Council',
          'Essex County Council',
          'Kent County Council',
          'Great Yarmouth Borough Council',
          'Eastern Inshore Fisheries and Conservation Authority',
          // The ICT company is a member so that it can provide.
          'Delt Shared Services Ltd',
        ]),
      );
      expect(rows).toContainEqual({ name: 'Broadland Schools Academy Trust', status: 'requested' });
    });

    it.each(['admin@norfolk.gov.uk', 'cio@kent.gov.uk', 'finance@essex.gov.uk', 'viewer@suffolk.gov.uk'])(
      'lets the demo user %s sign in with the documented password',
      async (email) => {
        const response = await test
          .http()
          .post('/api/v1/auth/login')
          .send({ email, password: DEMO_PASSWORD })
          .expect(200);
        expect(response.body.accessToken).toEqual(expect.any(String));
      },
    );

    /** Rows of a query, scoped to the demo consortium by `c.name = $1`. */
    const demoQuery = <T>(sql: string, params: unknown[] = []) =>
      test.dataSource.query(sql, [DEMO_CONSORTIUM.name, ...params]) as Promise<T[]>;
    const signInAs = async (email: string) => {
      const login = await test
        .http()
        .post('/api/v1/auth/login')
        .send({ email, password: DEMO_PASSWORD })
        .expect(200);
      return { Authorization: `Bearer ${login.body.accessToken as string}` };
    };

    it('publishes each member’s services to the consortium, with their price versions', async () => {
      const services = await demoQuery<{ provider: string; title: string; status: string; versions: number }>(
        `SELECT o.name AS provider, s.title, s.status,
                (SELECT count(*)::int FROM price_versions pv WHERE pv.service_id = s.id) AS versions
           FROM services s JOIN organisations o ON o.id = s.provider_organisation_id
           JOIN consortia c ON c.id = s.consortium_id
          WHERE c.name = $1 ORDER BY o.name, s.title`,
      );
      expect(services.map((s) => [s.provider, s.title])).toEqual(
        expect.arrayContaining([
          ['Norfolk County Council', 'Disaster recovery hosting'],
          ['Kent County Council', 'PSN compliance health check'],
          ['Kent County Council', 'Wide-area network: PSN-connected sites'],
          ['Essex County Council', 'Procurement frameworks and collaborative buying'],
          ['Suffolk County Council', 'ICT service desk'],
          ['Lincolnshire County Council', 'Tier III data-centre hosting'],
          ['Delt Shared Services Ltd', 'Desktop management per device'],
        ]),
      );
      expect(services).toHaveLength(DEMO_SERVICES.length);
      expect(new Set(services.map((s) => s.status))).toEqual(new Set(['published']));
      expect(services.find((s) => s.title === 'PSN compliance health check')?.versions).toBe(2);
    });

    it('prices the services with every kind of price plan, each valid by the domain’s rules', async () => {
      const plans = await demoQuery<{ plan: { model: string } }>(
        `SELECT pv.plan FROM price_versions pv JOIN services s ON s.id = pv.service_id
           JOIN consortia c ON c.id = s.consortium_id WHERE c.name = $1`,
      );
      expect(new Set(plans.map((p) => p.plan.model))).toEqual(
        new Set(['flat_fee', 'per_unit', 'graduated', 'volume', 'metered']),
      );
      for (const { plan } of plans) expect(validatePricePlan(plan)).toEqual({ valid: true, plan });
    });

    it('has every county take some of the others’ services, and Norfolk serve Great Yarmouth and the Fisheries Authority', async () => {
      const rows = await demoQuery<{
        consumer: string;
        provider: string;
        status: string;
        baseline: string | null;
      }>(
        `SELECT co.name AS consumer, po.name AS provider, sub.status, sub.baseline_annual_cost_minor AS baseline
           FROM subscriptions sub
           JOIN organisations co ON co.id = sub.consumer_organisation_id
           JOIN organisations po ON po.id = sub.provider_organisation_id
           JOIN consortia c ON c.id = sub.consortium_id WHERE c.name = $1`,
      );
      for (const county of ['Lincolnshire', 'Norfolk', 'Suffolk', 'Essex', 'Kent']) {
        const taken = rows.filter((r) => r.consumer === `${county} County Council`);
        expect(taken.length).toBeGreaterThan(0);
        expect(taken.every((r) => r.provider !== r.consumer)).toBe(true);
      }
      for (const partner of [
        'Great Yarmouth Borough Council',
        'Eastern Inshore Fisheries and Conservation Authority',
      ]) {
        expect(rows).toContainEqual(
          expect.objectContaining({
            consumer: partner,
            provider: 'Norfolk County Council',
            status: 'active',
          }),
        );
      }
      expect(new Set(rows.map((r) => r.status))).toEqual(
        new Set(['active', 'requested', 'suspended', 'notice_given']),
      );
      expect(rows.every((r) => r.baseline !== null && BigInt(r.baseline) > 0n)).toBe(true);
    });

    it('keeps every service within its capacity, counting what subscriptions in force hold', async () => {
      const over = await demoQuery(
        `SELECT s.title FROM services s JOIN consortia c ON c.id = s.consortium_id
          WHERE c.name = $1 AND s.capacity_limit IS NOT NULL
            AND s.capacity_limit < (SELECT CASE WHEN s.capacity_unit = 'subscribers' THEN count(*) ELSE coalesce(sum(sub.quantity), 0) END
                                      FROM subscriptions sub WHERE sub.service_id = s.id
                                       AND sub.status IN ('active', 'suspended', 'notice_given'))`,
      );
      expect(over).toEqual([]);
    });

    it('keeps subscribers on the price they agreed when the price was reviewed', async () => {
      const rows = await demoQuery<{ consumer: string; version: number }>(
        `SELECT co.name AS consumer, pv.version FROM subscriptions sub
           JOIN services s ON s.id = sub.service_id JOIN price_versions pv ON pv.id = sub.price_version_id
           JOIN organisations co ON co.id = sub.consumer_organisation_id
           JOIN consortia c ON c.id = sub.consortium_id
          WHERE c.name = $1 AND s.title = 'PSN compliance health check' ORDER BY co.name`,
      );
      expect(rows).toEqual([
        { consumer: 'Eastern Inshore Fisheries and Conservation Authority', version: 2 },
        { consumer: 'Essex County Council', version: 1 },
        { consumer: 'Norfolk County Council', version: 1 },
      ]);
    });

    it('carries PSN, Cyber Essentials Plus and ISO 27001 certificates, one expiring within 30 days and one expired', async () => {
      const certificates = await demoQuery<{ kind: string; days: number }>(
        `SELECT a.kind, (a.expires_on - $2::date) AS days FROM compliance_attestations a
           JOIN services s ON s.id = a.service_id JOIN consortia c ON c.id = s.consortium_id WHERE c.name = $1`,
        [ukToday()],
      );
      expect(certificates.map((c) => c.kind)).toEqual(
        expect.arrayContaining(['psn_compliance', 'cyber_essentials_plus', 'iso_27001']),
      );
      expect(certificates.filter((c) => c.days >= 0 && c.days <= 30)).toHaveLength(1);
      expect(certificates.filter((c) => c.days < 0)).toHaveLength(1);
    });

    it('shows a CIO the consortium’s catalogue and their subscriptions, and Lincolnshire the request it must decide', async () => {
      const kent = await signInAs('cio@kent.gov.uk');
      const catalogue = await test.http().get('/api/v1/services?limit=200').set(kent).expect(200);
      expect(catalogue.body.data.map((s: { title: string }) => s.title)).toEqual(
        expect.arrayContaining(DEMO_SERVICES.map((s) => s.title)),
      );
      const taking = await test.http().get('/api/v1/subscriptions?role=consumer').set(kent).expect(200);
      expect(
        taking.body.data.map((s: { serviceTitle: string; status: string }) => [s.serviceTitle, s.status]),
      ).toEqual(
        expect.arrayContaining([
          ['Disaster recovery hosting', 'active'],
          ['Tier III data-centre hosting', 'requested'],
          ['Desktop management per device', 'notice_given'],
        ]),
      );

      const lincolnshire = await signInAs('cio@lincolnshire.gov.uk');
      const inbox = await test.http().get('/api/v1/notifications?unread=true').set(lincolnshire).expect(200);
      expect(inbox.body.data).toContainEqual(
        expect.objectContaining({
          kind: 'subscription.requested',
          title: 'Kent County Council asks to subscribe to Tier III data-centre hosting',
        }),
      );
      const pending = await test
        .http()
        .get('/api/v1/subscriptions?role=provider&status=requested')
        .set(lincolnshire)
        .expect(200);
      const history = await test
        .http()
        .get(`/api/v1/subscriptions/${pending.body.data[0].id}/history`)
        .set(lincolnshire)
        .expect(200);
      expect(history.body.data).toEqual([
        expect.objectContaining({ event: 'requested', actorLabel: 'cio@kent.gov.uk' }),
      ]);
    });

    it('has told Kent and Suffolk about their certificates, so the administrator’s next check tells nobody twice', async () => {
      const rows = await demoQuery<{ provider: string; kind: string }>(
        `SELECT o.name AS provider, n.kind FROM notifications n JOIN organisations o ON o.id = n.organisation_id
           JOIN consortia c ON c.id = n.consortium_id WHERE c.name = $1 AND n.kind LIKE 'compliance.%' ORDER BY n.kind`,
      );
      expect(rows).toEqual([
        { provider: 'Suffolk County Council', kind: 'compliance.expired' },
        { provider: 'Kent County Council', kind: 'compliance.expiring' },
      ]);
      const [consortium] = await demoQuery<{ id: string }>('SELECT id FROM consortia c WHERE c.name = $1');
      const admin = await signInAs('consortium.admin@norfolk.gov.uk');
      const check = await test
        .http()
        .post(`/api/v1/consortia/${consortium.id}/compliance/notify-expiring`)
        .set(admin)
        .expect(200);
      expect(check.body).toMatchObject({ expiring: 1, expired: 1, notified: 0, alreadyNotified: 2 });
    });

    describe('its cross-charging history', () => {
      const periodsQuery = () =>
        demoQuery<{ id: string; key: string; status: string; startDate: string; endDate: string }>(
          `SELECT bp.id, bp.key, bp.status, bp.start_date::text AS "startDate", bp.end_date::text AS "endDate"
             FROM billing_periods bp JOIN consortia c ON c.id = bp.consortium_id
            WHERE c.name = $1 ORDER BY bp.start_date`,
        );

      it('bills quarterly: two settled quarters before the open one that contains today', async () => {
        const periods = await periodsQuery();
        expect(periods.map((p) => p.status)).toEqual(['settled', 'settled', 'open']);
        expect(periods.every((p) => /^\d{4}-Q[1-4]$/.test(p.key))).toBe(true);
        const today = ukToday();
        expect(periods[2].startDate <= today && today <= periods[2].endDate).toBe(true);
        expect(progress).toEqual(
          expect.arrayContaining([
            expect.stringMatching(new RegExp(`^Seeded quarter ${periods[0].key}: \\d+ cross-charges issued`)),
            expect.stringMatching(new RegExp(`^Seeded quarter ${periods[2].key} \\(open\\)`)),
          ]),
        );
      });

      it('charges through the real charge run, every charge issued and the settled quarters’ all approved', async () => {
        const rows = await demoQuery<{ key: string; status: string; charges: number; runs: number }>(
          `SELECT bp.key, cc.status, count(*)::int AS charges,
                  (SELECT count(*)::int FROM charge_runs r WHERE r.billing_period_id = bp.id AND r.status = 'completed') AS runs
             FROM cross_charges cc JOIN billing_periods bp ON bp.id = cc.billing_period_id
             JOIN consortia c ON c.id = cc.consortium_id
            WHERE c.name = $1 GROUP BY bp.id, bp.key, cc.status ORDER BY bp.key, cc.status`,
        );
        const periods = await periodsQuery();
        for (const settled of periods.slice(0, 2)) {
          const charges = rows.filter((r) => r.key === settled.key);
          expect(charges.map((r) => r.status)).toEqual(['approved']);
          expect(charges[0].charges).toBeGreaterThan(10);
          expect(charges[0].runs).toBe(1);
        }
        const current = rows.filter((r) => r.key === periods[2].key);
        expect(Object.fromEntries(current.map((r) => [r.status, r.charges]))).toMatchObject({
          approved: 1,
          disputed: 1,
          issued: expect.any(Number),
        });
        expect(rows.some((r) => r.status === 'draft')).toBe(false);
      });

      it('charges every day in force and every accepted usage event of each quarter exactly once', async () => {
        for (const period of await periodsQuery()) {
          const differences = await reconcilePeriod(test.dataSource.manager, period.id, {
            differencesOnly: true,
          });
          expect({ period: period.key, differences }).toEqual({ period: period.key, differences: [] });
        }
      });

      it('records every settlement payment of the settled quarters, leaving every member’s position at zero', async () => {
        const periods = await periodsQuery();
        for (const settled of periods.slice(0, 2)) {
          const payments = await test.dataSource.query(
            'SELECT status, journal_entry_id FROM settlement_payments WHERE billing_period_id = $1',
            [settled.id],
          );
          expect(payments.length).toBeGreaterThan(0);
          expect(payments.every((p: { status: string }) => p.status === 'recorded')).toBe(true);
          expect(payments.every((p: { journal_entry_id: string | null }) => p.journal_entry_id)).toBe(true);
          // The positions fixed at close were not all nil: the payments are what brought them to zero.
          const fixed = await test.dataSource.query(
            `SELECT count(*)::int AS owed FROM member_positions WHERE billing_period_id = $1 AND net_minor <> 0`,
            [settled.id],
          );
          expect(fixed[0].owed).toBeGreaterThan(1);
          const after = await test.dataSource.query(
            `SELECT a.organisation_id, sum(p.amount_minor)::text AS net
               FROM postings p JOIN ledger_accounts a ON a.id = p.account_id
               JOIN journal_entries j ON j.id = p.journal_entry_id
              WHERE j.billing_period_id = $1 GROUP BY a.organisation_id`,
            [settled.id],
          );
          expect(after.length).toBeGreaterThan(1);
          expect(after.filter((r: { net: string }) => r.net !== '0')).toEqual([]);
        }
      });

      it('keeps the ledger balanced: every journal entry and the whole consortium sum to zero', async () => {
        const [totals] = await demoQuery<{ entries: number; unbalanced: number; total: string }>(
          `SELECT count(DISTINCT j.id)::int AS entries,
                  (SELECT count(*)::int FROM (SELECT j2.id FROM journal_entries j2 JOIN postings p2 ON p2.journal_entry_id = j2.id
                     WHERE j2.consortium_id = c.id GROUP BY j2.id HAVING sum(p2.amount_minor) <> 0) u) AS unbalanced,
                  coalesce(sum(p.amount_minor), 0)::text AS total
             FROM consortia c JOIN journal_entries j ON j.consortium_id = c.id
             JOIN postings p ON p.journal_entry_id = j.id
            WHERE c.name = $1 GROUP BY c.id`,
        );
        expect(totals.entries).toBeGreaterThan(20);
        expect(totals.unbalanced).toBe(0);
        expect(totals.total).toBe('0');
      });

      it('has one dispute still open in the current quarter, and one settled earlier by a credit note', async () => {
        const rows = await demoQuery<{ key: string; status: string; credit_notes: number }>(
          `SELECT bp.key, d.status,
                  (SELECT count(*)::int FROM credit_notes cn WHERE cn.cross_charge_id = cc.id) AS credit_notes
             FROM disputes d JOIN cross_charges cc ON cc.id = d.cross_charge_id
             JOIN billing_periods bp ON bp.id = cc.billing_period_id
             JOIN consortia c ON c.id = cc.consortium_id WHERE c.name = $1 ORDER BY bp.start_date`,
        );
        const periods = await periodsQuery();
        expect(rows).toEqual([
          { key: periods[0].key, status: 'accepted', credit_notes: 1 },
          { key: periods[2].key, status: 'open', credit_notes: 0 },
        ]);
      });

      it('issues a cross-charge of nothing (usage under its allowance) without a journal entry', async () => {
        const zero = await demoQuery<{ status: string; entries: number }>(
          `SELECT cc.status, (SELECT count(*)::int FROM journal_entries j WHERE j.source_id = cc.id::text) AS entries
             FROM cross_charges cc JOIN consortia c ON c.id = cc.consortium_id
            WHERE c.name = $1 AND cc.gross_minor = 0`,
        );
        expect(zero.length).toBeGreaterThan(0);
        expect(zero.every((z) => z.entries === 0 && z.status !== 'draft')).toBe(true);
      });

      it('shows finance officers their charges, a settled quarter’s settlement and their statement', async () => {
        const kent = await signInAs('finance@kent.gov.uk');
        const charges = await test.http().get('/api/v1/cross-charges?limit=100').set(kent).expect(200);
        expect(charges.body.data.length).toBeGreaterThan(3);
        expect(charges.body.data.some((c: { status: string }) => c.status === 'disputed')).toBe(true);
        const [consortium] = await demoQuery<{ id: string }>('SELECT id FROM consortia c WHERE c.name = $1');
        const periods = await periodsQuery();
        const settlement = await test
          .http()
          .get(`/api/v1/billing-periods/${periods[1].id}/settlement`)
          .set(kent)
          .expect(200);
        expect(settlement.body).toMatchObject({ status: 'settled', consortiumId: consortium.id });

        // Norfolk's statement of the earlier quarter: its charges both ways, the credit note and its payment.
        const norfolk = await signInAs('finance@norfolk.gov.uk');
        const statement = await test
          .http()
          .get('/api/v1/statements')
          .query({ consortiumId: consortium.id, billingPeriodId: periods[0].id })
          .set(norfolk)
          .expect(200);
        const directions = new Set(statement.body.charges.map((c: { direction: string }) => c.direction));
        expect(directions).toEqual(new Set(['to_us', 'from_us']));
        expect(statement.body.creditNotes).toHaveLength(1);
        expect(statement.body.billingPeriod).toMatchObject({ key: periods[0].key, status: 'settled' });
        expect(statement.body.settlement.payments.length).toBeGreaterThan(0);
        expect(
          statement.body.settlement.payments.every((p: { status: string }) => p.status === 'recorded'),
        ).toBe(true);
      });
    });

    it('gives the consortium administrator the consortium_admin role for the demo consortium', async () => {
      const login = await test
        .http()
        .post('/api/v1/auth/login')
        .send({ email: 'consortium.admin@norfolk.gov.uk', password: DEMO_PASSWORD })
        .expect(200);
      const me = await test
        .http()
        .get('/api/v1/auth/me')
        .set('Authorization', `Bearer ${login.body.accessToken}`)
        .expect(200);
      const [consortium] = await test.dataSource.query('SELECT id FROM consortia WHERE name = $1', [
        DEMO_CONSORTIUM.name,
      ]);
      expect(me.body.consortiumAdminOf).toEqual([consortium.id]);
    });
  });

  describe('create-superadmin', () => {
    const password = 'a-long-superadmin-password';
    beforeAll(() => (process.env.SUPERADMIN_PASSWORD = password));
    afterAll(() => delete process.env.SUPERADMIN_PASSWORD);

    it('creates a superadmin who can sign in, and records it in the audit log', async () => {
      await createSuperadmin(process.env.CONSORTIUM_TEST_DATABASE_URL!, [
        '--email',
        'Platform.Admin@Example.gov.uk',
        '--name',
        'Platform Admin',
        '--organisation',
        'Platform Operations Test',
      ]);
      const login = await test
        .http()
        .post('/api/v1/auth/login')
        .send({ email: 'platform.admin@example.gov.uk', password })
        .expect(200);
      const me = await test
        .http()
        .get('/api/v1/auth/me')
        .set('Authorization', `Bearer ${login.body.accessToken}`)
        .expect(200);
      expect(me.body.isSuperadmin).toBe(true);
      const audit = await test.dataSource.query(
        `SELECT actor_type, action FROM audit_events WHERE entity_id = $1 AND action = 'user.superadmin_granted'`,
        [me.body.id],
      );
      expect(audit).toEqual([{ actor_type: 'system', action: 'user.superadmin_granted' }]);
    });

    it('refuses a short password', async () => {
      process.env.SUPERADMIN_PASSWORD = 'short';
      await expect(
        createSuperadmin(process.env.CONSORTIUM_TEST_DATABASE_URL!, [
          '--email',
          'x@example.gov.uk',
          '--name',
          'X',
          '--organisation',
          'Y',
        ]),
      ).rejects.toThrow(/at least 12 characters/);
      process.env.SUPERADMIN_PASSWORD = password;
    });
  });
});
