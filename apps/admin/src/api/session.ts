import { createConsortiumClient } from '@consortium/api-client';
import { ApiProblem } from './problem';
import type { components } from './schema';

export type TokenPair = components['schemas']['TokenPairDto'];

/** What this browser tab remembers about the signed-in user. */
export interface Session {
  accessToken: string;
  /** Epoch milliseconds when the access token stops working. */
  accessTokenExpiresAt: number;
  refreshToken: string;
}

/**
 * sessionStorage: the session survives a reload of this tab and ends when the tab is closed, and tokens are not
 * shared with tabs signed in apart. Each refresh token is single-use and has one successor: a duplicated tab
 * (which copies sessionStorage) holds the same tokens as its original, so whichever tab refreshes hands the new
 * pair to the others (below); presenting a used token later would end the session of both. Two tabs refreshing
 * at once both get the one successor: the API accepts a just-rotated token again for a short grace period
 * (REFRESH_TOKEN_REUSE_GRACE_SECONDS), which also covers a refresh retried after its answer was lost.
 */
const STORAGE_KEY = 'consortium.session';
/** Where tabs of this origin announce a rotation: the refresh token it replaced and the pair that replaced it. */
const ROTATIONS_CHANNEL = 'consortium.session.rotations';
/** Refresh this long before the access token expires, so a request never goes out with a token about to lapse. */
const REFRESH_MARGIN_MS = 60_000;
/** After a failed refresh that was not a refusal (the network, a 5xx), try again this much later. */
const RETRY_AFTER_MS = 15_000;

/** The sign-in endpoints need no token: a client without the session's fetch wrapper. */
export const publicClient = createConsortiumClient({ baseUrl: '' });

let current: Session | null = read();
let timer: ReturnType<typeof setTimeout> | undefined;
let refreshing: Promise<Session | null> | undefined;
const endListeners = new Set<() => void>();

interface Rotation {
  replaced: string;
  pair: TokenPair;
}
/** Only in a browser (a Node test importing this module must not be kept alive by an open channel). */
const rotations =
  typeof window !== 'undefined' && typeof BroadcastChannel !== 'undefined'
    ? new BroadcastChannel(ROTATIONS_CHANNEL)
    : null;
// Another tab rotated the refresh token this tab holds (a duplicated tab): take its pair, as if refreshed here.
rotations?.addEventListener('message', (event: MessageEvent<Rotation>) => {
  if (current && event.data?.replaced === current.refreshToken) startSession(event.data.pair);
});

function read(): Session | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<Session>;
    if (
      typeof parsed.accessToken !== 'string' ||
      typeof parsed.refreshToken !== 'string' ||
      typeof parsed.accessTokenExpiresAt !== 'number'
    ) {
      return null;
    }
    return parsed as Session;
  } catch {
    return null;
  }
}

export function getSession(): Session | null {
  return current;
}

/** Keeps a token pair from sign-in or refresh and schedules the next refresh. */
export function startSession(pair: TokenPair): Session {
  current = {
    accessToken: pair.accessToken,
    accessTokenExpiresAt: Date.now() + pair.expiresIn * 1000,
    refreshToken: pair.refreshToken,
  };
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(current));
  schedule();
  return current;
}

/** Forgets the session in this tab (the caller revokes it on the server when signing out). */
export function endSession(): void {
  const hadSession = current !== null;
  current = null;
  sessionStorage.removeItem(STORAGE_KEY);
  if (timer) clearTimeout(timer);
  timer = undefined;
  if (hadSession) endListeners.forEach((listener) => listener());
}

/** Called when the session ends without the user signing out (the refresh token was refused). */
export function onSessionEnded(listener: () => void): () => void {
  endListeners.add(listener);
  return () => endListeners.delete(listener);
}

export function expiresSoon(session: Session, marginMs = REFRESH_MARGIN_MS): boolean {
  return session.accessTokenExpiresAt - Date.now() <= marginMs;
}

/**
 * Exchanges the refresh token for a new pair. Concurrent callers share one request: a refresh token works once,
 * and presenting it twice would make the API end the session. Resolves to null when the API refuses the token
 * (the session is over); rejects when the API could not be asked (the session is kept and retried later).
 */
export function refreshSession(): Promise<Session | null> {
  if (refreshing) return refreshing;
  const session = current;
  if (!session) return Promise.resolve(null);
  refreshing = (async () => {
    const { data, error, response } = await publicClient.POST('/api/v1/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    // Signed out or in again meanwhile, or another tab's rotation of this token was taken instead.
    if (current?.refreshToken !== session.refreshToken) return current;
    if (data) {
      rotations?.postMessage({ replaced: session.refreshToken, pair: data } satisfies Rotation);
      return startSession(data);
    }
    if (response.status === 400 || response.status === 401) {
      endSession();
      return null;
    }
    throw new ApiProblem(response.status, error);
  })().finally(() => {
    refreshing = undefined;
  });
  return refreshing;
}

/** Refreshes ahead of expiry; browsers throttle timers in background tabs, so waking up also checks. */
function schedule(): void {
  if (timer) clearTimeout(timer);
  timer = undefined;
  if (!current) return;
  const delay = Math.max(current.accessTokenExpiresAt - Date.now() - REFRESH_MARGIN_MS, 0);
  timer = setTimeout(() => {
    refreshSession().catch(() => {
      timer = setTimeout(schedule, RETRY_AFTER_MS);
    });
  }, delay);
}

if (typeof document !== 'undefined') {
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && current && expiresSoon(current)) {
      refreshSession().catch(() => schedule());
    }
  });
}
schedule();
