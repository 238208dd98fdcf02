import { invalid } from '../../common/problem';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Endpoints must be https, so events and signatures never travel in clear; plain http is allowed for a receiver
 * on the same machine, and anywhere outside production (development and the test suite).
 */
export function assertDeliverableUrl(value: string, nodeEnv: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('url is not a URL', [{ field: 'url', message: 'url must be an absolute https:// URL' }]);
  }
  const plainHttpAllowed = nodeEnv !== 'production' || LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && plainHttpAllowed)) {
    throw invalid('url must use https', [
      { field: 'url', message: 'url must be https:// (http:// only for localhost)' },
    ]);
  }
  // Link-local addresses hold cloud metadata services: a webhook must never be a way to reach them (SSRF).
  if (/^(169\.254\.|\[fe[89ab][0-9a-f]:)/i.test(url.hostname)) {
    throw invalid('url must not be a link-local address', [
      { field: 'url', message: 'url must not point at a link-local (169.254.x.x or fe80::) address' },
    ]);
  }
  if (url.username || url.password) {
    throw invalid('url must not hold credentials', [
      { field: 'url', message: 'put no user or password in the url: verify the signature instead' },
    ]);
  }
  return url.toString();
}
