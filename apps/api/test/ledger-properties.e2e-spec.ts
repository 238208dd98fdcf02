import type { Actor } from '@consortium/auth';
import { settlesExactly } from '@consortium/domain';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { LedgerService } from '../src/modules/ledger/ledger.service';
import { SettlementService } from '../src/modules/settlement/settlement.service';
import {
  aBillingPeriod,
  aConsortium,
  aMembership,
  anActorFor,
  anOrganisation,
  aPostedCharge,
  aUser,
  makeConsortiumAdmin,
} from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

/**
 * Random sequences of what moves money (charges, credits, replays, closes and settlement payments) against a
 * model that is just a map of balances. After every step the real ledger must agree with the model and keep its
 * invariants: it sums to zero, each balance is the sum of its postings, every settlement plan settles exactly.
 */
type Operation =
  | { type: 'charge'; provider: number; consumer: number; amountMinor: number }
  | { type: 'credit'; pick: number }
  | { type: 'replay'; pick: number }
  | { type: 'close' }
  | { type: 'pay'; pick: number };

const MEMBERS = 5;

const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record({
        provider: fc.nat(MEMBERS - 1),
        offset: fc.integer({ min: 1, max: MEMBERS - 1 }),
        amountMinor: fc.integer({ min: 1, max: 5_000_000_00 }),
      })
      .map(({ provider, offset, amountMinor }) => ({
        type: 'charge' as const,
        provider,
        consumer: (provider + offset) % MEMBERS,
        amountMinor,
      })),
  },
  { weight: 2, arbitrary: fc.nat().map((pick) => ({ type: 'credit' as const, pick })) },
  { weight: 1, arbitrary: fc.nat().map((pick) => ({ type: 'replay' as const, pick })) },
  { weight: 1, arbitrary: fc.constant({ type: 'close' as const }) },
  { weight: 3, arbitrary: fc.nat().map((pick) => ({ type: 'pay' as const, pick })) },
);

interface PostedCharge {
  entryId: string;
  sourceId: string;
  periodId: string;
  provider: string;
  consumer: string;
  amountMinor: bigint;
  credited: boolean;
}

describe('ledger properties (seeded, against a model)', () => {
  let test: TestApp;
  let ds: DataSource;

  beforeAll(async () => {
    test = await createTestApp();
    ds = test.dataSource;
  });
  afterAll(() => test.close());

  async function run(operations: Operation[]): Promise<void> {
    const consortium = await aConsortium(ds);
    const members: string[] = [];
    for (let i = 0; i < MEMBERS; i++) {
      const organisation = await anOrganisation(ds);
      await aMembership(ds, consortium, organisation);
      members.push(organisation.id);
    }
    const adminUser = await aUser(ds, await anOrganisation(ds), ['viewer']);
    await makeConsortiumAdmin(ds, consortium, adminUser);
    const admin: Actor = await anActorFor(test, adminUser);
    const settlement = test.app.get(SettlementService);
    const ledger = test.app.get(LedgerService);

    let month = 1;
    let period = await aBillingPeriod(test, consortium, '2026-01-15');
    const charges: PostedCharge[] = [];
    /** The model: each member's balance per account kind, per period. */
    const model = new Map<string, bigint>();
    const add = (periodId: string, organisationId: string, kind: string, amount: bigint) => {
      const key = `${periodId}|${organisationId}|${kind}`;
      model.set(key, (model.get(key) ?? 0n) + amount);
    };
    const closedPeriods: string[] = [];

    for (const op of operations) {
      if (op.type === 'charge') {
        const sourceId = `${consortium.id}:${charges.length}`;
        const amount = BigInt(op.amountMinor);
        const entryId = await aPostedCharge(test, {
          consortiumId: consortium.id,
          billingPeriodId: period.id,
          providerId: members[op.provider],
          consumerId: members[op.consumer],
          amountMinor: amount,
          sourceId,
        });
        charges.push({
          entryId,
          sourceId,
          periodId: period.id,
          provider: members[op.provider],
          consumer: members[op.consumer],
          amountMinor: amount,
          credited: false,
        });
        add(period.id, members[op.provider], 'receivable', amount);
        add(period.id, members[op.consumer], 'payable', -amount);
      } else if (op.type === 'credit') {
        const open = charges.filter((c) => c.periodId === period.id && !c.credited);
        if (open.length === 0) continue;
        const charge = open[op.pick % open.length];
        await ds.transaction((manager) =>
          ledger.reverse(manager, charge.entryId, {
            kind: 'credit_note',
            sourceType: 'test_credit',
            sourceId: charge.sourceId,
            description: 'Credit note',
            actorLabel: 'property test',
          }),
        );
        charge.credited = true;
        add(period.id, charge.provider, 'receivable', -charge.amountMinor);
        add(period.id, charge.consumer, 'payable', charge.amountMinor);
      } else if (op.type === 'replay') {
        if (charges.length === 0) continue;
        // Posting a charge's source again, even after its period closed, returns the same entry and changes nothing.
        const charge = charges[op.pick % charges.length];
        const again = await aPostedCharge(test, {
          consortiumId: consortium.id,
          billingPeriodId: charge.periodId,
          providerId: charge.provider,
          consumerId: charge.consumer,
          amountMinor: charge.amountMinor,
          sourceId: charge.sourceId,
        });
        expect(again).toBe(charge.entryId);
      } else if (op.type === 'close') {
        const closed = await settlement.close(admin, period.id);
        for (const position of closed.positions) {
          const expected =
            (model.get(`${period.id}|${position.organisationId}|receivable`) ?? 0n) +
            (model.get(`${period.id}|${position.organisationId}|payable`) ?? 0n);
          expect(BigInt(position.netMinor)).toBe(expected);
        }
        closedPeriods.push(period.id);
        month += 1;
        period = await aBillingPeriod(
          test,
          consortium,
          `${2026 + Math.floor((month - 1) / 12)}-${String(((month - 1) % 12) + 1).padStart(2, '0')}-15`,
        );
      } else {
        const pending: {
          id: string;
          billing_period_id: string;
          payer: string;
          payee: string;
          amount: string;
        }[] = await ds.query(
          `SELECT sp.id, sp.billing_period_id, sp.payer_organisation_id AS payer, sp.payee_organisation_id AS payee,
                    sp.amount_minor::text AS amount
               FROM settlement_payments sp WHERE sp.billing_period_id = ANY($1::uuid[]) AND sp.status = 'pending'
              ORDER BY sp.billing_period_id, sp.position`,
          [closedPeriods],
        );
        if (pending.length === 0) continue;
        const payment = pending[op.pick % pending.length];
        await settlement.recordPayment(admin, payment.id, `BACS-${op.pick}`);
        add(payment.billing_period_id, payment.payer, 'payable', BigInt(payment.amount));
        add(payment.billing_period_id, payment.payee, 'receivable', -BigInt(payment.amount));
      }
      await checkInvariants(consortium.id, model, closedPeriods);
    }
  }

  async function checkInvariants(consortiumId: string, model: Map<string, bigint>, closedPeriods: string[]) {
    // The ledger sums to zero, overall and per entry.
    const [{ total, unbalanced }] = await ds.query(
      `SELECT coalesce(sum(p.amount_minor), 0)::text AS total,
              (SELECT count(*)::int FROM (SELECT p2.journal_entry_id FROM postings p2
                  JOIN journal_entries je ON je.id = p2.journal_entry_id
                 WHERE je.consortium_id = $1 GROUP BY p2.journal_entry_id HAVING sum(p2.amount_minor) <> 0) u) AS unbalanced
         FROM postings p JOIN ledger_accounts a ON a.id = p.account_id WHERE a.consortium_id = $1`,
      [consortiumId],
    );
    expect({ total, unbalanced }).toEqual({ total: '0', unbalanced: 0 });

    // Each kept balance is exactly the sum of its postings, and equals the model.
    const rows: {
      period: string;
      organisation: string;
      kind: string;
      kept: string | null;
      summed: string | null;
    }[] = await ds.query(
      `SELECT coalesce(b.billing_period_id, s.billing_period_id) AS period, a.organisation_id AS organisation,
                a.kind, b.balance_minor::text AS kept, s.total::text AS summed
           FROM ledger_accounts a
           LEFT JOIN account_balances b ON b.account_id = a.id
           FULL JOIN (SELECT account_id, billing_period_id, sum(amount_minor) AS total FROM postings
                       GROUP BY account_id, billing_period_id) s
             ON s.account_id = b.account_id AND s.billing_period_id = b.billing_period_id
          WHERE a.consortium_id = $1 AND (b.account_id IS NOT NULL OR s.account_id IS NOT NULL)`,
      [consortiumId],
    );
    for (const row of rows) {
      expect(row.kept).toBe(row.summed);
      expect(BigInt(row.kept ?? '0')).toBe(model.get(`${row.period}|${row.organisation}|${row.kind}`) ?? 0n);
    }
    const modelled = [...model.values()].filter((v) => v !== 0n).length;
    expect(rows.filter((r) => BigInt(r.kept ?? '0') !== 0n)).toHaveLength(modelled);

    // Every closed period's plan settles its positions exactly; a settled period leaves every member at zero.
    for (const periodId of closedPeriods) {
      const positions: { memberId: string; amount: string }[] = await ds.query(
        `SELECT organisation_id AS "memberId", net_minor::text AS amount FROM member_positions WHERE billing_period_id = $1`,
        [periodId],
      );
      const payments: { from: string; to: string; amount: string; status: string }[] = await ds.query(
        `SELECT payer_organisation_id AS "from", payee_organisation_id AS "to", amount_minor::text AS amount, status
           FROM settlement_payments WHERE billing_period_id = $1`,
        [periodId],
      );
      const netPositions = positions.map((p) => ({ memberId: p.memberId, amountMinor: BigInt(p.amount) }));
      expect(netPositions.reduce((sum, p) => sum + p.amountMinor, 0n)).toBe(0n);
      expect(
        settlesExactly(
          netPositions,
          payments.map((p) => ({ from: p.from, to: p.to, amountMinor: BigInt(p.amount) })),
        ),
      ).toBe(true);
      const [{ status }] = await ds.query('SELECT status FROM billing_periods WHERE id = $1', [periodId]);
      expect(status).toBe(payments.every((p) => p.status === 'recorded') ? 'settled' : 'closed');
      if (status === 'settled') {
        for (const position of positions) {
          expect(
            (model.get(`${periodId}|${position.memberId}|receivable`) ?? 0n) +
              (model.get(`${periodId}|${position.memberId}|payable`) ?? 0n),
          ).toBe(0n);
        }
      }
    }
  }

  it('keeps the ledger, the balances and every settlement plan consistent under random sequences', async () => {
    await fc.assert(fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 30 }), run), {
      seed: 20_261_124,
      numRuns: 30,
      endOnFailure: true,
    });
  }, 300_000);
});
