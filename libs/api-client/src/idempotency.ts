/** The header money-moving writes accept (1–200 characters, unique per organisation). */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/**
 * A fresh key for one money-moving write. Make it once per operation and send the same key on every retry of
 * that operation: the API answers a retry with the first response (`Idempotent-Replayed: true`) instead of
 * doing the work twice.
 */
export function idempotencyKey(): string {
  return globalThis.crypto.randomUUID();
}
