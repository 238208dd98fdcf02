import type { AuthProvider } from 'react-admin';
import { api } from './api/client';
import { ApiProblem, unwrap } from './api/problem';
import type { components } from './api/schema';
import {
  endSession,
  getSession,
  publicClient,
  refreshSession,
  type Session,
  startSession,
} from './api/session';

export type Me = components['schemas']['MeDto'];

export interface Credentials {
  email: string;
  password: string;
}

/** How long an answer from GET /auth/me is reused: react-admin asks for identity and permissions on every screen. */
const ME_TTL_MS = 30_000;
let cached: { session: Session | null; at: number; answer: Promise<Me> } | undefined;

/** Who is signed in, from GET /auth/me; concurrent and repeated asks within a few seconds share one request. */
export function fetchMe(): Promise<Me> {
  const session = getSession();
  if (!cached || cached.session !== session || Date.now() - cached.at > ME_TTL_MS) {
    const answer = api.GET('/api/v1/auth/me').then(unwrap);
    cached = { session, at: Date.now(), answer };
    // A failure is not remembered: the next ask tries again.
    answer.catch(() => {
      if (cached?.answer === answer) cached = undefined;
    });
  }
  return cached.answer;
}

/** Sign-in, sign-out and the session checks react-admin makes on every screen, against /api/v1/auth. */
export const authProvider: AuthProvider = {
  async login({ email, password }: Credentials) {
    const pair = unwrap(
      await publicClient.POST('/api/v1/auth/login', { body: { email: email.trim(), password } }),
    );
    startSession(pair);
  },

  async logout() {
    const session = getSession();
    endSession();
    if (session) {
      // Revoke the refresh token on the server; signing out in this tab must not wait on, or fail with, the network.
      await publicClient
        .POST('/api/v1/auth/logout', { body: { refreshToken: session.refreshToken } })
        .catch(() => undefined);
    }
  },

  async checkAuth() {
    const session = getSession();
    // Nobody signed in in this tab: the sign-in page says what to do, so no error message on top of it.
    if (!session) return Promise.reject({ message: false });
    if (session.accessTokenExpiresAt <= Date.now()) {
      // Back after the access token lapsed (a reload, a laptop waking up): the refresh token may still be good.
      const renewed = await refreshSession().catch(() => session);
      if (!renewed) throw new Error('Your session has ended. Please sign in again.');
    }
  },

  async checkError(error: unknown) {
    // The client has already tried a refresh before a 401 reaches here: the session is over.
    if (error instanceof ApiProblem && error.status === 401) {
      endSession();
      throw new Error('Your session has ended. Please sign in again.');
    }
    // A 403 means "not allowed", not "signed out": the screen shows the message instead.
  },

  async getIdentity() {
    if (!getSession()) throw new Error('Please sign in to continue.');
    const me = await fetchMe();
    return { id: me.id, fullName: me.label };
  },

  async getPermissions() {
    // Asked before sign-in too (the sign-in page is public): nobody signed in holds no role.
    if (!getSession()) return { roles: [], isSuperadmin: false, consortiumAdminOf: [] };
    const me = await fetchMe();
    return {
      roles: me.roles,
      isSuperadmin: me.isSuperadmin,
      consortiumAdminOf: me.consortiumAdminOf,
    };
  },
};
