import fc from 'fast-check';
import { allocateByWeights, allocateMoney } from './allocation';
import { DomainError } from './domain-error';
import { money } from './money';

const weightsArb = fc
  .array(fc.bigInt({ min: 0n, max: 10n ** 6n }), { minLength: 1, maxLength: 12 })
  .filter((weights) => weights.some((w) => w > 0n));

describe('largest-remainder allocation', () => {
  it('gives the leftover units to the largest remainders', () => {
    // Exact shares 35.29…, 23.52…, 41.17…: the leftover penny goes to the largest fraction (0.52…).
    expect(allocateByWeights(100n, [6, 4, 7])).toEqual([35n, 24n, 41n]);
  });

  it('breaks ties in favour of the earlier part, every time', () => {
    expect(allocateByWeights(100n, [1, 1, 1])).toEqual([34n, 33n, 33n]);
    expect(allocateByWeights(2n, [1, 1, 1])).toEqual([1n, 1n, 0n]);
  });

  it('gives nothing to a zero weight', () => {
    expect(allocateByWeights(10n, [0, 3, 0, 1])).toEqual([0n, 8n, 0n, 2n]);
  });

  it('splits a negative amount as the mirror image of the positive one', () => {
    expect(allocateByWeights(-100n, [1, 1, 1])).toEqual([-34n, -33n, -33n]);
  });

  it('accepts bigint weights beyond the safe integer range', () => {
    expect(allocateByWeights(3n, [10n ** 30n, 2n * 10n ** 30n])).toEqual([1n, 2n]);
  });

  it('allocates money in its currency', () => {
    expect(allocateMoney(money(1000n, 'GBP'), [1, 2])).toEqual([money(333n, 'GBP'), money(667n, 'GBP')]);
  });

  it.each([
    [[], 'no parts'],
    [[0, 0], 'every weight is zero'],
    [[1, -1], 'must not be negative'],
    [[1.5], 'whole number'],
  ])('refuses weights %j', (weights, message) => {
    expect(() => allocateByWeights(10n, weights)).toThrow(DomainError);
    expect(() => allocateByWeights(10n, weights)).toThrow(message);
  });

  it('splits nothing among zero weights into zeros', () => {
    expect(allocateByWeights(0n, [0, 0])).toEqual([0n, 0n]);
  });

  it('always sums to the whole, each part within one unit of its exact share', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), weightsArb, (total, weights) => {
        const parts = allocateByWeights(total, weights);
        const weightTotal = weights.reduce((sum, w) => sum + w, 0n);
        expect(parts.reduce((sum, part) => sum + part, 0n)).toBe(total);
        parts.forEach((part, i) => {
          // |part − total × w / W| < 1, in whole numbers.
          const error = part * weightTotal - total * weights[i];
          expect((error < 0n ? -error : error) < weightTotal).toBe(true);
          if (weights[i] === 0n) expect(part).toBe(0n);
        });
      }),
    );
  });

  it('gives equal weights parts that differ by at most one, larger first', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 9n }), fc.integer({ min: 1, max: 20 }), (total, n) => {
        const parts = allocateByWeights(total, Array(n).fill(1));
        expect([...parts].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0))).toEqual(parts);
        expect(parts[0] - parts[n - 1] <= 1n).toBe(true);
      }),
    );
  });
});
