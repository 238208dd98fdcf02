import { DomainError } from './domain-error';
import type { Money } from './money';

function toWeight(weight: bigint | number, index: number): bigint {
  if (typeof weight === 'number' && !Number.isSafeInteger(weight)) {
    throw new DomainError('invalid', 'invalid-weight', `Weight ${index + 1} must be a whole number`, {
      weight,
    });
  }
  const value = BigInt(weight);
  if (value < 0n) {
    throw new DomainError('invalid', 'invalid-weight', `Weight ${index + 1} must not be negative`, {
      weight,
    });
  }
  return value;
}

/**
 * Splits `total` into parts proportional to `weights` by the largest-remainder method: each part is its exact
 * share rounded down or up (so within one minor unit of it), and the parts always sum to `total`. The units
 * left after rounding down go to the largest remainders, ties to the earlier part, so the split is reproducible.
 * A negative total is split as the mirror image of the positive one, so a credit note undoes its charge exactly.
 */
export function allocateByWeights(total: bigint, weights: readonly (bigint | number)[]): bigint[] {
  if (weights.length === 0) {
    throw new DomainError('invalid', 'no-weights', 'Cannot allocate an amount to no parts');
  }
  const w = weights.map(toWeight);
  const weightTotal = w.reduce((sum, x) => sum + x, 0n);
  if (weightTotal === 0n) {
    if (total === 0n) return w.map(() => 0n);
    throw new DomainError('invalid', 'no-weights', 'Cannot allocate an amount when every weight is zero');
  }
  if (total < 0n) return allocateByWeights(-total, w).map((part) => -part);

  const parts = w.map((x) => (total * x) / weightTotal);
  const remainders = w.map((x) => (total * x) % weightTotal);
  let left = total - parts.reduce((sum, x) => sum + x, 0n);
  const byRemainder = w
    .map((_, index) => index)
    .sort((a, b) => (remainders[a] === remainders[b] ? a - b : remainders[a] > remainders[b] ? -1 : 1));
  for (const index of byRemainder) {
    if (left === 0n) break;
    parts[index] += 1n;
    left -= 1n;
  }
  return parts;
}

/** allocateByWeights for money: the parts keep the currency and sum to `amount`. */
export function allocateMoney(amount: Money, weights: readonly (bigint | number)[]): Money[] {
  return allocateByWeights(amount.amountMinor, weights).map((amountMinor) => ({
    amountMinor,
    currency: amount.currency,
  }));
}
