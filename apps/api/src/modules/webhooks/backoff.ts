export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/**
 * Exponential backoff with full jitter: after the n-th failed attempt wait a uniformly random time in
 * [0, min(max, base × 2^(n-1))], so receivers coming back up are not hit by every sender at the same moment.
 */
export function retryDelayMs(failedAttempts: number, policy: BackoffPolicy, random = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.floor(random() * ceiling);
}
