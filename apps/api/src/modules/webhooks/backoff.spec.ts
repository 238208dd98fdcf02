import { retryDelayMs } from './backoff';

describe('retryDelayMs', () => {
  const policy = { baseMs: 1000, maxMs: 60_000 };

  it('doubles the ceiling with each failed attempt', () => {
    const ceiling = (attempt: number) => retryDelayMs(attempt, policy, () => 0.999999);
    expect([1, 2, 3, 4].map(ceiling)).toEqual([999, 1999, 3999, 7999]);
  });

  it('never waits longer than the maximum', () => {
    expect(retryDelayMs(30, policy, () => 0.999999)).toBe(59_999);
  });

  it('draws the whole range from zero (full jitter)', () => {
    expect(retryDelayMs(3, policy, () => 0)).toBe(0);
    expect(retryDelayMs(3, policy, () => 0.5)).toBe(2000);
  });
});
