import { lookup as dnsLookup } from 'node:dns';
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { type AttemptOutcome, type ClaimedDelivery } from './webhook-deliveries.service';
import { signatureHeader, toEventBody } from './event-body';
import { ALLOWED_INSTEAD, type WebhookAddressPolicy } from './webhook-address-policy';

class ForbiddenAddressError extends Error {
  readonly code = 'EFORBIDDENADDRESS';
}

/**
 * DNS lookup that refuses addresses webhooks may not reach. The check is on the address the connection then uses,
 * so a name that resolves elsewhere at registration than at delivery (DNS rebinding) cannot reach a metadata
 * service or the platform's own network.
 */
export function guardedLookup(
  policy: WebhookAddressPolicy,
  resolve: typeof dnsLookup = dnsLookup,
): LookupFunction {
  return ((hostname: string, options: object, callback: (...args: unknown[]) => void) =>
    resolve(hostname, options, (error, address, family) => {
      if (error) return callback(error);
      const addresses = Array.isArray(address) ? address.map((a) => a.address) : [address];
      for (const candidate of addresses) {
        const refusal = policy.refusal(candidate);
        if (refusal) {
          return callback(
            new ForbiddenAddressError(`${hostname} resolves to ${refusal}: ${ALLOWED_INSTEAD}`),
          );
        }
      }
      callback(null, address, family);
    })) as unknown as LookupFunction;
}

/** POSTs the body and resolves with the answer's status, or rejects (no connection, refused address, timeout). */
function post(
  url: URL,
  headers: OutgoingHttpHeaders,
  body: string,
  timeoutMs: number,
  policy: WebhookAddressPolicy,
): Promise<number> {
  // An address in the URL is connected to without a lookup: judge it here (endpoints registered before a rule
  // changed, or an allowed network since removed, are refused too).
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const refusal = isIP(host) ? policy.refusal(host) : null;
  if (refusal) return Promise.reject(new ForbiddenAddressError(`${refusal}: ${ALLOWED_INSTEAD}`));
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      lookup: guardedLookup(policy),
    });
    const timer = setTimeout(() => {
      const timeout = new Error(`No answer within ${timeoutMs} ms`);
      timeout.name = 'TimeoutError';
      request.destroy(timeout);
    }, timeoutMs);
    request.on('response', (response) => {
      clearTimeout(timer);
      // Only the status counts: the receiver's body is not read.
      response.destroy();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.end(body);
  });
}

/**
 * POSTs one delivery, signed per the published contract. Redirects are not followed (a signed event goes only
 * where it was registered to go); any answer other than 2xx, or none within the timeout, is a failure.
 */
export async function sendDelivery(
  delivery: ClaimedDelivery,
  timeoutMs: number,
  policy: WebhookAddressPolicy,
  now = () => Date.now(),
): Promise<AttemptOutcome> {
  const event = toEventBody(delivery.event);
  const body = JSON.stringify(event);
  const started = now();
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'consortium-webhooks/1',
    'consortium-signature': signatureHeader(delivery.secrets, Math.floor(started / 1000), body),
    'consortium-event-id': delivery.event.event_id,
    'consortium-event-type': event.type,
    'consortium-delivery-id': delivery.id,
  };
  const outcome = (responseStatus: number | null, error: string | null): AttemptOutcome => ({
    startedAt: new Date(started),
    durationMs: now() - started,
    responseStatus,
    error,
  });
  try {
    const status = await post(new URL(delivery.url), headers, body, timeoutMs, policy);
    return outcome(status, status >= 200 && status < 300 ? null : `The endpoint answered ${status}`);
  } catch (error) {
    if (error instanceof ForbiddenAddressError) return outcome(null, `Not sent: ${error.message}`);
    if ((error as Error).name === 'TimeoutError') return outcome(null, (error as Error).message);
    const code = (error as { code?: string }).code;
    return outcome(null, `Could not connect (${code ?? (error as Error).message})`);
  }
}
