import { DomainError } from './domain-error';

/**
 * A member's net position for a period in minor units: positive when the consortium owes it money (a creditor),
 * negative when it owes (a debtor). A consortium's positions always sum to zero.
 */
export interface NetPosition {
  readonly memberId: string;
  readonly amountMinor: bigint;
}

/** One payment of a settlement plan: `from` (a debtor) pays `to` (a creditor) a positive amount. */
export interface SettlementPayment {
  readonly from: string;
  readonly to: string;
  readonly amountMinor: bigint;
}

export interface SettlementPlan {
  /** 'minimum' when the plan is proven to use the fewest payments; 'greedy' for larger consortia. */
  readonly method: 'minimum' | 'greedy';
  readonly payments: readonly SettlementPayment[];
}

/**
 * Up to this many members with a non-zero position, the exact search (2ⁿ subsets) is fast: 15 is 32,768 subsets,
 * a few milliseconds. Beyond it the search doubles per member, so the greedy plan is used instead.
 */
export const EXACT_SETTLEMENT_MAX_MEMBERS = 15;

interface Balance {
  readonly memberId: string;
  amountMinor: bigint;
}

/** Non-zero positions ordered by member id, after checking they are distinct and sum to zero. */
function checkedBalances(positions: readonly NetPosition[]): Balance[] {
  const seen = new Set<string>();
  let total = 0n;
  for (const position of positions) {
    if (typeof position.amountMinor !== 'bigint') {
      throw new DomainError(
        'invalid',
        'invalid-position',
        `The position of ${position.memberId} must be a bigint`,
      );
    }
    if (seen.has(position.memberId)) {
      throw new DomainError(
        'invalid',
        'duplicate-position',
        `${position.memberId} has more than one position`,
        {
          memberId: position.memberId,
        },
      );
    }
    seen.add(position.memberId);
    total += position.amountMinor;
  }
  if (total !== 0n) {
    throw new DomainError(
      'invalid',
      'positions-do-not-net-to-zero',
      `The positions sum to ${total}, not zero`,
      {
        total: total.toString(),
      },
    );
  }
  return positions
    .filter((position) => position.amountMinor !== 0n)
    .map((position) => ({ memberId: position.memberId, amountMinor: position.amountMinor }))
    .sort((a, b) => compareIds(a.memberId, b.memberId));
}

// Code-unit order, not locale order, so the same positions give the same plan on every machine.
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Settles balances (ordered by member id) greedily, mutating them to zero. */
function settleGreedily(balances: Balance[]): SettlementPayment[] {
  const payments: SettlementPayment[] = [];
  for (;;) {
    // Strict comparisons keep the first, i.e. lowest member id, among equals.
    let debtor: Balance | undefined;
    let creditor: Balance | undefined;
    for (const balance of balances) {
      if (balance.amountMinor < 0n && (!debtor || balance.amountMinor < debtor.amountMinor)) debtor = balance;
      if (balance.amountMinor > 0n && (!creditor || balance.amountMinor > creditor.amountMinor))
        creditor = balance;
    }
    if (!debtor || !creditor) return payments;
    const amountMinor =
      -debtor.amountMinor < creditor.amountMinor ? -debtor.amountMinor : creditor.amountMinor;
    payments.push({ from: debtor.memberId, to: creditor.memberId, amountMinor });
    debtor.amountMinor += amountMinor;
    creditor.amountMinor -= amountMinor;
  }
}

/**
 * The largest debtor pays the largest creditor as much as it can, repeatedly, ties going to the lower member id.
 * Each payment clears at least one member and the last clears two, so n members need at most n − 1 payments.
 */
export function greedySettlement(positions: readonly NetPosition[]): SettlementPayment[] {
  return settleGreedily(checkedBalances(positions));
}

/**
 * The fewest payments that settle every position. A group of k members whose positions sum to zero can settle
 * among themselves in k − 1 payments, and no plan does better than splitting the members into as many such
 * groups as possible: n members in g groups need exactly n − g payments. The most groups is found by dynamic
 * programming over subsets (best[S] = max over members i of best[S − i], plus one when S sums to zero), and
 * each group is then settled greedily.
 */
function minimumPaymentSettlement(balances: Balance[]): SettlementPayment[] {
  const n = balances.length;
  const subsets = 1 << n;
  const sums: bigint[] = new Array<bigint>(subsets);
  sums[0] = 0n;
  for (let mask = 1; mask < subsets; mask++) {
    const lowest = mask & -mask;
    sums[mask] = sums[mask ^ lowest] + balances[31 - Math.clz32(lowest)].amountMinor;
  }
  const best = new Uint8Array(subsets);
  for (let mask = 1; mask < subsets; mask++) {
    let most = 0;
    for (let i = 0; i < n; i++) {
      if (mask & (1 << i) && best[mask ^ (1 << i)] > most) most = best[mask ^ (1 << i)];
    }
    best[mask] = most + (sums[mask] === 0n ? 1 : 0);
  }

  // Walk back from all members, each time removing the lowest-numbered member that keeps the best count; the
  // removal order reversed lists the members so that every zero-sum prefix closes a group.
  const order: number[] = [];
  for (let mask = subsets - 1; mask !== 0;) {
    const bonus = sums[mask] === 0n ? 1 : 0;
    for (let i = 0; i < n; i++) {
      if (mask & (1 << i) && best[mask ^ (1 << i)] + bonus === best[mask]) {
        order.push(i);
        mask ^= 1 << i;
        break;
      }
    }
  }
  order.reverse();

  const payments: SettlementPayment[] = [];
  let group: Balance[] = [];
  let running = 0n;
  for (const i of order) {
    group.push(balances[i]);
    running += balances[i].amountMinor;
    if (running === 0n) {
      payments.push(...settleGreedily(group.sort((a, b) => compareIds(a.memberId, b.memberId))));
      group = [];
    }
  }
  return payments;
}

/**
 * The payments that settle every position exactly: the proven minimum number for up to
 * EXACT_SETTLEMENT_MAX_MEMBERS members with a non-zero position, the greedy plan above that.
 * Members with a zero position take part in no payment.
 */
export function planSettlement(positions: readonly NetPosition[]): SettlementPlan {
  const balances = checkedBalances(positions);
  if (balances.length > EXACT_SETTLEMENT_MAX_MEMBERS) {
    return { method: 'greedy', payments: settleGreedily(balances) };
  }
  return { method: 'minimum', payments: minimumPaymentSettlement(balances) };
}

/** Each member's position after the payments are made: all zero when the payments settle the positions. */
export function positionsAfterPayments(
  positions: readonly NetPosition[],
  payments: readonly SettlementPayment[],
): NetPosition[] {
  const after = new Map(positions.map((position) => [position.memberId, position.amountMinor]));
  for (const payment of payments) {
    // Paying reduces what the payer owes and what the payee is owed.
    after.set(payment.from, (after.get(payment.from) ?? 0n) + payment.amountMinor);
    after.set(payment.to, (after.get(payment.to) ?? 0n) - payment.amountMinor);
  }
  return [...after].map(([memberId, amountMinor]) => ({ memberId, amountMinor }));
}

/** Whether the payments settle every position exactly, each paying a positive amount. */
export function settlesExactly(
  positions: readonly NetPosition[],
  payments: readonly SettlementPayment[],
): boolean {
  return (
    payments.every((payment) => payment.amountMinor > 0n && payment.from !== payment.to) &&
    positionsAfterPayments(positions, payments).every((position) => position.amountMinor === 0n)
  );
}
