import { idempotencyKey } from '@consortium/api-client';

/**
 * Money-moving requests (starting a charge run, closing a period, recording a payment, upholding a dispute) carry
 * an Idempotency-Key, one per thing a person asked for. Sends `request` with a new key; when it may never have arrived (fetch threw: the network failed, not the API
 * answering no) sends it once more with the same key. The API's own answers, refusals included, are final.
 */
export async function sendOnce<T>(request: (idempotencyKey: string) => Promise<T>): Promise<T> {
  const key = idempotencyKey();
  try {
    return await request(key);
  } catch (error) {
    if (error instanceof TypeError) return request(key);
    throw error;
  }
}
