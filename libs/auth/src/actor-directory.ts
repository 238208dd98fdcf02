import type { KeyObject } from 'node:crypto';
import type { Actor } from './actor';

/**
 * The app's side of authentication: libs/auth knows how to read credentials from a request,
 * the app knows where users and keys live. Provided by the app under ACTOR_DIRECTORY.
 */
export interface ActorDirectory {
  /**
   * The actor for an email and password, or null when they do not match an active user.
   * Throws (429, saying when to try again) while too many recent attempts failed for that email from that
   * address, or from that address: a wait that grows with each failure, never a lock of the account.
   */
  actorForCredentials(email: string, password: string, ip: string | null): Promise<Actor | null>;
  /** The actor for a user (the CLI, the demo seed), or null when the user is gone or disabled. */
  actorForUser(userId: string): Promise<Actor | null>;
  /**
   * The actor for a valid access token: its user, or null when the user is gone or disabled or the session the
   * token was issued in has ended (signed out, its refresh token reused, the user disabled). Asked on every
   * request, so an ended session stops its access tokens at once, on every instance.
   */
  actorForSession(userId: string, sessionId: string): Promise<Actor | null>;
  /** The actor for a presented API key, or null when it is unknown, revoked or expired. Records its use. */
  actorForApiKey(presentedKey: string): Promise<Actor | null>;
}
export const ACTOR_DIRECTORY = Symbol('ACTOR_DIRECTORY');

export interface AuthOptions {
  /** The HS256 key, built once with accessTokenKey(). */
  jwtKey: KeyObject;
  accessTokenTtlSeconds: number;
}
export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');

/** The claims of an access token. */
export interface AccessTokenClaims {
  sub: string;
  org: string;
  typ: 'access';
  /** The session (one sign-in and the refresh tokens rotated from it) the token was issued in. */
  sid: string;
}
