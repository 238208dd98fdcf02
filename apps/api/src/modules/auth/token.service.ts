import { AccessTokenClaims, Actor, randomToken, sha256 } from '@consortium/auth';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { unauthenticated } from '../../common/problem';
import { RUNTIME_CONFIG, RuntimeConfig } from '../../config/runtime-config';
import { AuditService } from '../audit/audit.service';
import { TokenPairDto } from './dto/auth.dto';
import { RefreshToken } from './refresh-token.entity';

/**
 * Issues access tokens and rotates refresh tokens; a reused refresh token revokes its whole family, unless it is
 * reused within the short grace period after its rotation.
 */
@Injectable()
export class TokenService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    private readonly jwt: JwtService,
    private readonly audit: AuditService,
  ) {}

  async issueForLogin(actor: Actor): Promise<TokenPairDto> {
    return this.dataSource.transaction(async (manager) => {
      const pair = await this.issue(manager, actor.id, actor.organisationId, randomUUID());
      await this.audit.record(manager, actor, {
        action: 'auth.login',
        entityType: 'user',
        entityId: actor.id,
      });
      return pair;
    });
  }

  /**
   * Rotates a refresh token. A token already rotated is a reuse and revokes its family, except within the reuse
   * grace period after its first rotation: a client that retries a refresh whose answer it lost, or two tabs
   * sharing one session, get another pair in the same family. The row lock serialises concurrent refreshes of one
   * token, across instances too: the later one sees the rotation the earlier one committed and takes the grace.
   */
  async refresh(presented: string): Promise<TokenPairDto> {
    const outcome = await this.dataSource.transaction(async (manager) => {
      const token = await manager
        .getRepository(RefreshToken)
        .createQueryBuilder('t')
        .setLock('pessimistic_write')
        .where('t.tokenHash = :hash', { hash: sha256(presented) })
        .getOne();
      // Revoked (signed out, family revoked, user disabled) is final, whatever the grace period.
      if (!token || token.revokedAt || token.expiresAt <= new Date()) return null;
      if (token.replacedAt && !(await this.withinReuseGrace(manager, token.id))) {
        // A token used twice was copied: end every session descended from the same login.
        await this.revokeFamily(manager, token.familyId);
        return null;
      }
      const user = await manager.query<{ organisation_id: string }[]>(
        `SELECT organisation_id FROM users WHERE id = $1 AND status = 'active'`,
        [token.userId],
      );
      if (user.length === 0) return null;
      if (!token.replacedAt) {
        // The database's clock, so every instance measures the grace period from the same instant.
        await manager.query('UPDATE refresh_tokens SET replaced_at = now() WHERE id = $1', [token.id]);
      }
      return this.issue(manager, token.userId, user[0].organisation_id, token.familyId, token.id);
    });
    if (!outcome) throw unauthenticated('The refresh token is not valid: sign in again');
    return outcome;
  }

  /** Revokes the session the refresh token belongs to. Unknown tokens are ignored so logout never fails. */
  async revoke(presented: string, requestId?: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const token = await manager.findOne(RefreshToken, { where: { tokenHash: sha256(presented) } });
      if (!token || token.revokedAt) return;
      await this.revokeFamily(manager, token.familyId);
      const [owner] = await manager.query<{ email: string; organisation_id: string }[]>(
        'SELECT email, organisation_id FROM users WHERE id = $1',
        [token.userId],
      );
      // The refresh token is the user's credential here, so the user is the actor (only named, for the audit).
      const actor: Actor = {
        kind: 'user',
        id: token.userId,
        label: owner.email,
        organisationId: owner.organisation_id,
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
        entityId: token.userId,
      });
    });
  }

  /** Ends every session of a user (when the user is disabled), inside the caller's transaction. */
  async revokeAllForUser(manager: EntityManager, userId: string): Promise<void> {
    await this.revokeLive(manager, 'user_id', userId);
  }

  /** Whether a rotated token was rotated less than REFRESH_TOKEN_REUSE_GRACE_SECONDS ago (never when it is 0). */
  private async withinReuseGrace(manager: EntityManager, tokenId: string): Promise<boolean> {
    const graceSeconds = this.config.env.REFRESH_TOKEN_REUSE_GRACE_SECONDS;
    if (graceSeconds === 0) return false;
    // A refresh that waited for the lock may have started before the rotation it waited for (now() is the
    // transaction's start), so replaced_at can be later than now(): that is within the window too.
    const [{ within }] = await manager.query<{ within: boolean }[]>(
      'SELECT replaced_at > now() - make_interval(secs => $2) AS within FROM refresh_tokens WHERE id = $1',
      [tokenId, graceSeconds],
    );
    return within;
  }

  private async revokeFamily(manager: EntityManager, familyId: string): Promise<void> {
    await this.revokeLive(manager, 'family_id', familyId);
  }

  /**
   * Revokes every live token of a family or user. A refresh in flight holds the lock of a live token, so an UPDATE
   * waits for it, but cannot see the successor it committed meanwhile (the statement's snapshot is older): update
   * again until nothing is left, or that successor would outlive a sign-out or a revoked family.
   */
  private async revokeLive(
    manager: EntityManager,
    column: 'family_id' | 'user_id',
    id: string,
  ): Promise<void> {
    for (;;) {
      const [, revoked] = await manager.query<[unknown[], number]>(
        `UPDATE refresh_tokens SET revoked_at = now() WHERE ${column} = $1 AND revoked_at IS NULL`,
        [id],
      );
      if (revoked === 0) return;
    }
  }

  private async issue(
    manager: EntityManager,
    userId: string,
    organisationId: string,
    familyId: string,
    rotatedFromId: string | null = null,
  ): Promise<TokenPairDto> {
    const refreshToken = randomToken(32);
    const refreshTokenExpiresAt = new Date(Date.now() + this.config.env.REFRESH_TOKEN_TTL_DAYS * 86_400_000);
    await manager.insert(RefreshToken, {
      userId,
      familyId,
      rotatedFromId,
      tokenHash: sha256(refreshToken),
      expiresAt: refreshTokenExpiresAt,
    });
    const claims: AccessTokenClaims = { sub: userId, org: organisationId, typ: 'access' };
    const expiresIn = this.config.env.ACCESS_TOKEN_TTL_SECONDS;
    const accessToken = await this.jwt.signAsync(claims, { expiresIn, jwtid: randomUUID() });
    return { accessToken, tokenType: 'Bearer', expiresIn, refreshToken, refreshTokenExpiresAt };
  }
}
