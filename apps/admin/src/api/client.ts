import { createConsortiumClient } from '@consortium/api-client';
import { expiresSoon, getSession, refreshSession } from './session';

/**
 * Sends a request with the session's access token. A token about to expire is refreshed first; a 401 is answered
 * by one refresh and one retry, so an access token that lapsed (a laptop asleep, a slow tab) never signs anyone out.
 */
async function authorisedFetch(request: Request): Promise<Response> {
  const retry = request.clone();
  let session = getSession();
  if (session && expiresSoon(session, 5_000)) {
    session = (await refreshSession().catch(() => session)) ?? null;
  }
  if (session) request.headers.set('Authorization', `Bearer ${session.accessToken}`);
  const response = await fetch(request);
  if (response.status !== 401 || !session) return response;

  // Another request may already have refreshed while this one was in flight: only refresh if nobody has.
  const latest = getSession();
  const renewed = latest && latest.accessToken !== session.accessToken ? latest : await refreshSession();
  if (!renewed) return response;
  retry.headers.set('Authorization', `Bearer ${renewed.accessToken}`);
  return fetch(retry);
}

/**
 * The typed API client (libs/api-client: every path, parameter and body comes from apps/api/openapi.json), on this
 * origin, with the session's tokens; each request carries an X-Request-Id that problem documents quote back.
 */
export const api = createConsortiumClient({ baseUrl: '', fetch: authorisedFetch });
