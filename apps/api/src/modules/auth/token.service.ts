import { AccessTokenClaims, Actor, randomToken, sha256 } from '@consortium/auth';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHmac, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { unauthenticated } from '../../common/problem';
import { RUNTIME_CONFIG, RuntimeConfig } from '../../config/runtime-config';
import { AuditService } from '../audit/audit.service';
import { TokenPairDto } from './dto/auth.dto';
import { RefreshToken } from './refresh-token.entity';
import type { SessionEndReason } from './session.entity';

/** A presented refresh token with its session and user, as refresh() decides on it. */
interface PresentedToken {
  id: string;
  session_id: string;
  user_id: string;
  organisation_id: string;
  user_active: boolean;
  /** Not revoked, not expired, and its session has not ended. */
  usable: boolean;
  replaced: boolean;
  within_grace: boolean;
}

/**
 * Sessions and their tokens. A sign-in opens a session; its access tokens name it (`sid`) and its refresh tokens
 * rotate within it. Ending a session (sign-out, a refresh token reused, the user disabled) stops both kinds at once.
 */
@Injectable()
export class TokenService {
  /** Keys the derivation of successors (see successorOf); the same on every instance, as SECRETS_KEY is. */
  private readonly successorKey: Buffer;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    private readonly jwt: JwtService,
    private readonly audit: AuditService,
  ) {
    this.successorKey = createHmac('sha256', config.secretsKey).update('refresh-token-successor').digest();
  }

  async issueForLogin(actor: Actor): Promise<TokenPairDto> {
    return this.dataSource.transaction(async (manager) => {
      const [session] = await manager.query<{ id: string }[]>(
        'INSERT INTO sessions (user_id) VALUES ($1) RETURNING id',
        [actor.id],
      );
      const refreshToken = randomToken(32);
      const expiresAt = await this.insertRefreshToken(manager, actor.id, session.id, refreshToken, null);
      await this.audit.record(manager, actor, {
        action: 'auth.login',
        entityType: 'user',
        entityId: actor.id,
      });
      return this.pair(actor.id, actor.organisationId, session.id, refreshToken, expiresAt);
    });
  }

  /**
   * Rotates a refresh token to its one successor. A token already rotated is a reuse and ends its session, except
   * within the reuse grace period after its rotation: a client that retries a refresh whose answer it lost, or two
   * tabs sharing one session, get the same successor again, however many ask at once and on whichever instance.
   * The session's row lock serialises every change to a session (refreshes, sign-out, reuse, disabling the user),
   * across instances too: a later refresh sees what an earlier one committed.
   */
  async refresh(presented: string): Promise<TokenPairDto> {
    const hash = sha256(presented);
    const graceSeconds = this.config.env.REFRESH_TOKEN_REUSE_GRACE_SECONDS;
    const outcome = await this.dataSource.transaction(async (manager) => {
      const [session] = await manager.query<{ id: string }[]>(
        `SELECT s.id FROM sessions s JOIN refresh_tokens t ON t.family_id = s.id WHERE t.token_hash = $1
            FOR NO KEY UPDATE OF s`,
        [hash],
      );
      if (!session) return null;
      // A refresh that waited for the lock may have started before the rotation it waited for (now() is the
      // transaction's start), so replaced_at can be later than now(): that is within the window too.
      const [token] = await manager.query<PresentedToken[]>(
        `SELECT t.id, s.id AS session_id, t.user_id, u.organisation_id, u.status = 'active' AS user_active,
                (t.revoked_at IS NULL AND s.revoked_at IS NULL AND t.expires_at > now()) AS usable,
                t.replaced_at IS NOT NULL AS replaced,
                coalesce(t.replaced_at > now() - make_interval(secs => $2), false) AS within_grace
           FROM refresh_tokens t JOIN sessions s ON s.id = t.family_id JOIN users u ON u.id = t.user_id
          WHERE t.token_hash = $1
            FOR UPDATE OF t`,
        [hash, graceSeconds],
      );
      // Revoked (signed out, session ended, user disabled) is final, whatever the grace period.
      if (!token?.usable) return null;
      if (token.replaced && (graceSeconds === 0 || !token.within_grace)) {
        // A token used twice was copied: end the session it belongs to, and say so in the audit trail.
        await this.endSession(manager, token.session_id, 'refresh_token_reused');
        await this.audit.record(manager, 'system', {
          action: 'auth.session_ended',
          entityType: 'user',
          entityId: token.user_id,
          organisationId: token.organisation_id,
          changes: { reason: 'refresh token reused' },
        });
        return null;
      }
      if (!token.user_active) return null;
      const successor = this.successorOf(token.id, presented);
      if (!token.replaced) {
        // The database's clock, so every instance measures the grace period from the same instant.
        await manager.query('UPDATE refresh_tokens SET replaced_at = now() WHERE id = $1', [token.id]);
        const expiresAt = await this.insertRefreshToken(
          manager,
          token.user_id,
          token.session_id,
          successor,
          token.id,
        );
        return this.pair(token.user_id, token.organisation_id, token.session_id, successor, expiresAt);
      }
      // Within the grace period: the successor issued at the rotation, as long as it is still good.
      const [issued] = await manager.query<{ expires_at: Date; usable: boolean }[]>(
        `SELECT expires_at, (revoked_at IS NULL AND expires_at > now()) AS usable
           FROM refresh_tokens WHERE token_hash = $1 AND rotated_from_id = $2`,
        [sha256(successor), token.id],
      );
      // None when the token was rotated before successors were derived, or under another SECRETS_KEY.
      if (!issued?.usable) return null;
      return this.pair(token.user_id, token.organisation_id, token.session_id, successor, issued.expires_at);
    });
    if (!outcome) throw unauthenticated('The refresh token is not valid: sign in again');
    return outcome;
  }

  /** Signs out: ends the session the refresh token belongs to. Unknown tokens are ignored so logout never fails. */
  async revoke(presented: string, requestId?: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const [token] = await manager.query<
        { user_id: string; session_id: string; email: string; organisation_id: string }[]
      >(
        `SELECT t.user_id, t.family_id AS session_id, u.email, u.organisation_id
           FROM refresh_tokens t JOIN users u ON u.id = t.user_id
          WHERE t.token_hash = $1 AND t.revoked_at IS NULL`,
        [sha256(presented)],
      );
      if (!token || !(await this.endSession(manager, token.session_id, 'signed_out'))) return;
      // The refresh token is the user's credential here, so the user is the actor (only named, for the audit).
      const actor: Actor = {
        kind: 'user',
        id: token.user_id,
        label: token.email,
        organisationId: token.organisation_id,
        roles: [],
        scopes: [],
        isSuperadmin: false,
        consortiumAdminOf: [],
        activeConsortia: [],
        requestId,
      };
      await this.audit.record(manager, actor, {
        action: 'auth.logout',
        entityType: 'user',
        entityId: token.user_id,
      });
    });
  }

  /** Ends every session of a user (when the user is disabled), inside the caller's transaction. */
  async revokeAllForUser(manager: EntityManager, userId: string): Promise<void> {
    await manager.query(
      `UPDATE sessions SET revoked_at = now(), revoked_reason = 'user_disabled'
        WHERE user_id = $1 AND revoked_at IS NULL`,
      [userId],
    );
    await manager.query(
      'UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL',
      [userId],
    );
  }

  /**
   * Ends a session and revokes its refresh tokens; false when it had already ended. The session's row is locked
   * first, as refresh() locks it, so a refresh in flight finishes before this and the successor it issued is seen
   * (and revoked) by the second statement; its access tokens stop anyway, as the session has ended.
   */
  private async endSession(
    manager: EntityManager,
    sessionId: string,
    reason: SessionEndReason,
  ): Promise<boolean> {
    const [, ended] = await manager.query<[unknown[], number]>(
      'UPDATE sessions SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL',
      [sessionId, reason],
    );
    await manager.query(
      'UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL',
      [sessionId],
    );
    return ended > 0;
  }

  /**
   * The one successor of a refresh token: derived from the token (which only its holder has: just its hash is
   * stored) and its id under a server key, rather than drawn at random, so every refresh of the token within the
   * grace period arrives at the same successor, on any instance, and no successor is ever stored in a form that
   * can be read back.
   */
  private successorOf(tokenId: string, presented: string): string {
    return createHmac('sha256', this.successorKey).update(`${tokenId}.${presented}`).digest('base64url');
  }

  private async insertRefreshToken(
    manager: EntityManager,
    userId: string,
    sessionId: string,
    refreshToken: string,
    rotatedFromId: string | null,
  ): Promise<Date> {
    const expiresAt = new Date(Date.now() + this.config.env.REFRESH_TOKEN_TTL_DAYS * 86_400_000);
    await manager.insert(RefreshToken, {
      userId,
      familyId: sessionId,
      rotatedFromId,
      tokenHash: sha256(refreshToken),
      expiresAt,
    });
    return expiresAt;
  }

  private async pair(
    userId: string,
    organisationId: string,
    sessionId: string,
    refreshToken: string,
    refreshTokenExpiresAt: Date,
  ): Promise<TokenPairDto> {
    const claims: AccessTokenClaims = { sub: userId, org: organisationId, typ: 'access', sid: sessionId };
    const expiresIn = this.config.env.ACCESS_TOKEN_TTL_SECONDS;
    const accessToken = await this.jwt.signAsync(claims, { expiresIn, jwtid: randomUUID() });
    return { accessToken, tokenType: 'Bearer', expiresIn, refreshToken, refreshTokenExpiresAt };
  }
}
