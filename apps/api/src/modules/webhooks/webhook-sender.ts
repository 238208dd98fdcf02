import { type AttemptOutcome, type ClaimedDelivery } from './webhook-deliveries.service';
import { signatureHeader, toEventBody } from './event-body';

/**
 * POSTs one delivery, signed per the published contract. Redirects are not followed (a signed event goes only
 * where it was registered to go); any answer other than 2xx, or none within the timeout, is a failure.
 */
export async function sendDelivery(
  delivery: ClaimedDelivery,
  timeoutMs: number,
  now = () => Date.now(),
): Promise<AttemptOutcome> {
  const body = JSON.stringify(toEventBody(delivery.event));
  const started = now();
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'consortium-webhooks/1',
    'consortium-signature': signatureHeader(delivery.secrets, Math.floor(started / 1000), body),
    'consortium-event-id': delivery.event.event_id,
    'consortium-event-type': toEventBody(delivery.event).type,
    'consortium-delivery-id': delivery.id,
  };
  try {
    const response = await fetch(delivery.url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    return {
      startedAt: new Date(started),
      durationMs: now() - started,
      responseStatus: response.status,
      error: response.ok ? null : `The endpoint answered ${response.status}`,
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const timedOut = (error as Error).name === 'TimeoutError';
    return {
      startedAt: new Date(started),
      durationMs: now() - started,
      responseStatus: null,
      error: timedOut
        ? `No answer within ${timeoutMs} ms`
        : `Could not connect (${cause ?? (error as Error).message})`,
    };
  }
}
