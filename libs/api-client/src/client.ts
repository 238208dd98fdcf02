import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

/** How the client authenticates: an API key (integrators), an access token, or a function returning the current one. */
export interface ConsortiumClientOptions {
  /** Where the API is, without `/api/v1`: `https://marketplace.example.gov.uk` (or '' in a browser on that origin). */
  baseUrl: string;
  /** `csk_…`, sent as `X-API-Key`. */
  apiKey?: string;
  /** Sent as `Authorization: Bearer …`. */
  accessToken?: string;
  /** Asked before every request, for a token that is refreshed elsewhere. */
  getAccessToken?: () => string | null | undefined | Promise<string | null | undefined>;
  /** Another fetch (a test double, a proxy agent, a wrapper that refreshes sessions); defaults to globalThis.fetch. */
  fetch?: (request: Request) => Promise<Response>;
  /** Identifies your integration in the API's logs (ignored by browsers, which send their own). */
  userAgent?: string;
  /**
   * Makes the `X-Request-Id` sent with each request that does not set its own, so your logs and the API's share an
   * id (the API echoes it, and problem documents quote it). Defaults to a random UUID; return undefined to let the
   * API make one.
   */
  requestId?: () => string | undefined;
}

/** Every path, parameter, body and response is typed from apps/api/openapi.json. */
export type ConsortiumClient = Client<paths>;

export const REQUEST_ID_HEADER = 'X-Request-Id';
export const API_KEY_HEADER = 'X-API-Key';

/** A client for the marketplace API on openapi-fetch: `client.GET('/api/v1/services', { params: { query } })`. */
export function createConsortiumClient(options: ConsortiumClientOptions): ConsortiumClient {
  if (options.apiKey && (options.accessToken || options.getAccessToken)) {
    throw new TypeError('createConsortiumClient: pass an apiKey or an access token, not both');
  }
  const client = createClient<paths>({ baseUrl: options.baseUrl, fetch: options.fetch });
  client.use(headers(options));
  return client;
}

function headers(options: ConsortiumClientOptions): Middleware {
  const requestId = options.requestId ?? (() => globalThis.crypto.randomUUID());
  return {
    async onRequest({ request }) {
      const token = options.accessToken ?? (await options.getAccessToken?.());
      if (options.apiKey) request.headers.set(API_KEY_HEADER, options.apiKey);
      else if (token) request.headers.set('Authorization', `Bearer ${token}`);
      if (options.userAgent) request.headers.set('User-Agent', options.userAgent);
      if (!request.headers.has(REQUEST_ID_HEADER)) {
        const id = requestId();
        if (id) request.headers.set(REQUEST_ID_HEADER, id);
      }
      return request;
    },
  };
}
