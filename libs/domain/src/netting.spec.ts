import fc from 'fast-check';
import { DomainError } from './domain-error';
import {
  EXACT_SETTLEMENT_MAX_MEMBERS,
  greedySettlement,
  type NetPosition,
  planSettlement,
  positionsAfterPayments,
  type SettlementPayment,
  settlesExactly,
} from './netting';

/** Positions from pounds, for readable examples. */
function positions(pounds: Record<string, number>): NetPosition[] {
  return Object.entries(pounds).map(([memberId, amount]) => ({
    memberId,
    amountMinor: BigInt(amount) * 100n,
  }));
}

/** Random positions for `maxMembers` members that sum to zero, with some members exactly settled already. */
function positionsArb(maxMembers: number, maxAmount = 10n ** 9n): fc.Arbitrary<NetPosition[]> {
  return fc
    .array(fc.oneof(fc.constant(0n), fc.bigInt({ min: -maxAmount, max: maxAmount })), {
      minLength: 1,
      maxLength: maxMembers - 1,
    })
    .map((amounts) => {
      const all = [...amounts, -amounts.reduce((sum, x) => sum + x, 0n)];
      return all.map((amountMinor, i) => ({ memberId: `member-${String(i).padStart(2, '0')}`, amountMinor }));
    });
}

/**
 * Small amounts make zero-sum groups common, which is where the exact plan beats greedy. Positions are shuffled
 * ids so that member order carries no hint.
 */
const groupedPositionsArb = (maxMembers: number) =>
  positionsArb(maxMembers, 12n).chain((list) =>
    fc
      .shuffledSubarray(list, { minLength: list.length, maxLength: list.length })
      .map((shuffled) => shuffled.map((position, i) => ({ ...position, memberId: `m${i}` }))),
  );

const nonZero = (list: NetPosition[]) => list.filter((position) => position.amountMinor !== 0n).length;

/** The most groups that sum to zero, by trying every partition: an independent check for small consortia. */
function mostZeroSumGroups(amounts: bigint[]): number {
  let best = 0;
  const assign = (index: number, groups: bigint[]) => {
    if (index === amounts.length) {
      if (groups.every((sum) => sum === 0n)) best = Math.max(best, groups.length);
      return;
    }
    groups.forEach((_, g) => {
      groups[g] += amounts[index];
      assign(index + 1, groups);
      groups[g] -= amounts[index];
    });
    assign(index + 1, [...groups, amounts[index]]);
  };
  assign(0, []);
  return best;
}

describe('settlement', () => {
  const eastern = positions({
    essex: 4_000,
    kent: 3_000,
    lincolnshire: 9_000,
    norfolk: 10_000,
    suffolk: -10_000,
    'delt-shared-services': -16_000,
  });

  it('settles greedily, largest debtor to largest creditor', () => {
    expect(greedySettlement(eastern)).toEqual<SettlementPayment[]>([
      { from: 'delt-shared-services', to: 'norfolk', amountMinor: 1_000_000n },
      { from: 'suffolk', to: 'lincolnshire', amountMinor: 900_000n },
      { from: 'delt-shared-services', to: 'essex', amountMinor: 400_000n },
      { from: 'delt-shared-services', to: 'kent', amountMinor: 200_000n },
      { from: 'suffolk', to: 'kent', amountMinor: 100_000n },
    ]);
  });

  it('finds fewer payments than greedy by settling zero-sum groups among themselves', () => {
    // Suffolk and Norfolk cancel out; the other four settle among themselves: 6 members, 2 groups, 4 payments.
    const plan = planSettlement(eastern);
    expect(plan.method).toBe('minimum');
    expect(plan.payments).toHaveLength(4);
    expect(plan.payments).toContainEqual({ from: 'suffolk', to: 'norfolk', amountMinor: 1_000_000n });
    expect(settlesExactly(eastern, plan.payments)).toBe(true);
  });

  it('breaks ties by member id, so the same positions always give the same plan', () => {
    const tied = positions({ b: -5, a: -5, d: 5, c: 5 });
    expect(greedySettlement(tied)).toEqual([
      { from: 'a', to: 'c', amountMinor: 500n },
      { from: 'b', to: 'd', amountMinor: 500n },
    ]);
    expect(planSettlement(tied)).toEqual(planSettlement([...tied].reverse()));
  });

  it('needs no payments when everyone is square', () => {
    expect(greedySettlement(positions({ a: 0, b: 0 }))).toEqual([]);
    expect(planSettlement([]).payments).toEqual([]);
  });

  it('uses greedy above the exact-search limit', () => {
    const many = Array.from({ length: EXACT_SETTLEMENT_MAX_MEMBERS + 1 }, (_, i) => ({
      memberId: `m${String(i).padStart(2, '0')}`,
      amountMinor: i % 2 === 0 ? 100n : -100n,
    }));
    expect(planSettlement(many)).toEqual({ method: 'greedy', payments: greedySettlement(many) });
  });

  it.each([
    ['positions that do not net to zero', positions({ a: 5, b: -4 }), 'positions-do-not-net-to-zero'],
    [
      'two positions for one member',
      positions({ a: 5, b: -5 }).concat(positions({ a: 0 })),
      'duplicate-position',
    ],
  ])('refuses %s', (_, list, code) => {
    expect(() => planSettlement(list)).toThrow(DomainError);
    expect(() => greedySettlement(list)).toThrow(expect.objectContaining({ code }));
  });

  it('applies payments to positions', () => {
    expect(
      positionsAfterPayments(positions({ a: -5, b: 5 }), [{ from: 'a', to: 'b', amountMinor: 200n }]),
    ).toEqual(positions({ a: -3, b: 3 }));
  });

  describe('properties', () => {
    const planProperties = (list: NetPosition[]) => {
      const greedy = greedySettlement(list);
      const plan = planSettlement(list);
      const n = nonZero(list);
      for (const payments of [greedy, plan.payments]) {
        expect(settlesExactly(list, payments)).toBe(true);
        expect(payments.length).toBeLessThanOrEqual(Math.max(n - 1, 0));
        for (const payment of payments) {
          expect(payment.amountMinor > 0n).toBe(true);
          const from = list.find((position) => position.memberId === payment.from)!;
          const to = list.find((position) => position.memberId === payment.to)!;
          // Debtors only pay, creditors only receive, square members do neither.
          expect(from.amountMinor < 0n && to.amountMinor > 0n).toBe(true);
        }
      }
      expect(plan.payments.length).toBeLessThanOrEqual(greedy.length);
      return plan;
    };

    it('always settles every position exactly with positive payments, never worse than greedy or n − 1', () => {
      fc.assert(fc.property(positionsArb(EXACT_SETTLEMENT_MAX_MEMBERS), (list) => void planProperties(list)));
      fc.assert(
        fc.property(groupedPositionsArb(EXACT_SETTLEMENT_MAX_MEMBERS), (list) => void planProperties(list)),
      );
    });

    it('keeps those guarantees for consortia too large for the exact search', () => {
      fc.assert(
        fc.property(positionsArb(40), (list) => void planProperties(list)),
        { numRuns: 50 },
      );
    });

    it('finds the true minimum: members minus the most zero-sum groups', () => {
      fc.assert(
        fc.property(groupedPositionsArb(8), (list) => {
          const amounts = list.map((p) => p.amountMinor).filter((amount) => amount !== 0n);
          expect(planSettlement(list).payments).toHaveLength(amounts.length - mostZeroSumGroups(amounts));
        }),
      );
    });
  });
});
