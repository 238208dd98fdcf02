import { isIP } from 'node:net';
import { invalid } from '../../common/problem';
import { ALLOWED_INSTEAD, type WebhookAddressPolicy } from './webhook-address-policy';

/** Names that mean this machine whatever DNS says (RFC 6761): judged as the loopback address they stand for. */
const LOOPBACK_NAME = /^(.+\.)?localhost\.?$/i;

/**
 * Endpoints must be https, so events and signatures never travel in clear; plain http is allowed for a receiver
 * on the same machine, and anywhere outside production (development and the test suite). An address written in
 * the URL must be one webhooks may reach (see WebhookAddressPolicy); a name is judged by the addresses it
 * resolves to when each delivery connects.
 */
export function assertDeliverableUrl(value: string, nodeEnv: string, policy: WebhookAddressPolicy): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('url is not a URL', [{ field: 'url', message: 'url must be an absolute https:// URL' }]);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid('url must use https', [{ field: 'url', message: 'url must be https://' }]);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const loopback = LOOPBACK_NAME.test(host);
  const address = loopback ? '127.0.0.1' : isIP(host) ? host : null;
  const refusal = address === null ? null : policy.refusal(address);
  if (refusal) {
    const message = `url points at ${loopback ? `${url.hostname}, that is ${refusal}` : refusal}: ${ALLOWED_INSTEAD}`;
    throw invalid(message, [{ field: 'url', message }]);
  }
  const plainHttpAllowed = nodeEnv !== 'production' || (address !== null && policy.isLoopback(address));
  if (url.protocol === 'http:' && !plainHttpAllowed) {
    throw invalid('url must use https', [
      { field: 'url', message: 'url must be https:// (http:// only for localhost)' },
    ]);
  }
  if (url.username || url.password) {
    throw invalid('url must not hold credentials', [
      { field: 'url', message: 'put no user or password in the url: verify the signature instead' },
    ]);
  }
  return url.toString();
}
