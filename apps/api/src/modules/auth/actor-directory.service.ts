import {
  Actor,
  ActorDirectory,
  ApiKeyScope,
  burnPasswordCheck,
  parseApiKey,
  sha256,
  verifyPassword,
} from '@consortium/auth';
import type { OrganisationRole } from '@consortium/domain';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../config/runtime-config';
import { preparedQuery } from '../../database/prepared-query';
import {
  countedColumnsSql,
  type CountedRequest,
  countRequestSql,
  rateLimitState,
  rememberCounted,
} from '../rate-limits/rate-limit.service';
import { User } from '../users/user.entity';
import { SignInThrottleService } from './sign-in-throttle.service';

interface ActorRow {
  id: string;
  email: string;
  organisation_id: string;
  roles: string[];
  is_superadmin: boolean;
  administered: string[];
  active_consortia: string[];
}

interface PresentedKeyRow {
  id: string;
  prefix: string;
  organisation_id: string;
  scopes: string[];
  active_consortia: string[];
}

/** A usable API key by its prefix ($1) and the SHA-256 digest of its secret ($2). */
const API_KEY_SQL = `SELECT k.id, k.prefix, k.organisation_id, k.scopes::text[] AS scopes,
         ARRAY(SELECT m.consortium_id::text FROM consortium_memberships m
                WHERE m.organisation_id = k.organisation_id AND m.status = 'active') AS active_consortia
    FROM api_keys k
   WHERE k.prefix = $1 AND k.secret_hash = $2
     AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())`;

/** Records the key's use (a CTE after API_KEY_SQL's `key`), at most once a minute. */
const RECORD_API_KEY_USE_SQL = `recorded AS (
  UPDATE api_keys SET last_used_at = now()
   WHERE id IN (SELECT id FROM key) AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute'))`;

/** An active user as an actor ($1), provided the session ($2) is live when one is named. */
const ACTOR_SQL = `SELECT u.id, u.email, u.organisation_id, u.roles::text[] AS roles, u.is_superadmin,
         ARRAY(SELECT a.consortium_id::text FROM consortium_admins a WHERE a.user_id = u.id) AS administered,
         ARRAY(SELECT m.consortium_id::text FROM consortium_memberships m
                WHERE m.organisation_id = u.organisation_id AND m.status = 'active') AS active_consortia
    FROM users u
   WHERE u.id = $1 AND u.status = 'active'
     AND ($2::uuid IS NULL
          OR EXISTS (SELECT 1 FROM sessions s WHERE s.id = $2 AND s.user_id = u.id AND s.revoked_at IS NULL))`;

/** Where authentication meets the database: users, sessions, API keys and the sign-in throttle. */
@Injectable()
export class ActorDirectoryService implements ActorDirectory {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly throttle: SignInThrottleService,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  async actorForCredentials(email: string, password: string, ip: string | null): Promise<Actor | null> {
    const normalised = email.trim().toLowerCase();
    const attempt = await this.throttle.admit(normalised, ip);
    const user = await this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email: normalised })
      .getOne();
    const valid = user
      ? await verifyPassword(user.passwordHash, password)
      : (await burnPasswordCheck(password), false);
    if (!user || !valid || user.status !== 'active') {
      const account = user ? { id: user.id, email: user.email, organisationId: user.organisationId } : null;
      await this.throttle.failed(attempt, account);
      return null;
    }
    await this.dataSource.transaction(async (manager) => {
      await this.throttle.succeeded(manager, attempt);
      await manager.update(User, { id: user.id }, { lastLoginAt: new Date() });
    });
    return this.actorForUser(user.id);
  }

  async actorForUser(userId: string): Promise<Actor | null> {
    return this.actorOf(userId, null);
  }

  async actorForSession(userId: string, sessionId: string): Promise<Actor | null> {
    return this.actorOf(userId, sessionId);
  }

  async actorForApiKey(presentedKey: string): Promise<Actor | null> {
    const parsed = parseApiKey(presentedKey);
    if (!parsed) return null;
    const counting = this.config.env.RATE_LIMIT_API_KEY_REQUESTS > 0;
    const values = [parsed.prefix, sha256(parsed.secret), this.config.env.RATE_LIMIT_WINDOW_SECONDS];
    // One round trip on the hot path of every integration call: the key (its secret matched by its SHA-256 digest,
    // so a timing difference could only tell an attacker about a hash of their own guess), its consortia, its use
    // recorded (at most once a minute, so busy integrations do not write on every call) and the call counted
    // against its rate limit. An unknown, revoked or expired key finds nothing and is counted against its address.
    const [key] = counting
      ? await preparedQuery<PresentedKeyRow & CountedRequest>(
          this.dataSource,
          'actor-for-api-key-counted',
          `WITH key AS (${API_KEY_SQL}), ${RECORD_API_KEY_USE_SQL},
                counted AS (${countRequestSql({ bucket: `'api-key:' || key.id`, windowSeconds: '$3', from: 'key' })}
                            RETURNING ${countedColumnsSql('$3')})
           SELECT key.*, counted.hits, counted.reset_seconds FROM key, counted`,
          values,
        )
      : await preparedQuery<PresentedKeyRow>(
          this.dataSource,
          'actor-for-api-key',
          `WITH key AS (${API_KEY_SQL}), ${RECORD_API_KEY_USE_SQL} SELECT key.* FROM key`,
          values.slice(0, 2),
        );
    if (!key) return null;
    const actor: Actor = {
      kind: 'api_key',
      id: key.id,
      label: `api-key:${key.prefix}`,
      organisationId: key.organisation_id,
      roles: [],
      scopes: key.scopes as ApiKeyScope[],
      isSuperadmin: false,
      consortiumAdminOf: [],
      activeConsortia: key.active_consortia,
    };
    if (counting) {
      const counted = key as PresentedKeyRow & CountedRequest;
      rememberCounted(actor, rateLimitState(this.config.env.RATE_LIMIT_API_KEY_REQUESTS, counted));
    }
    return actor;
  }

  /**
   * The user as an actor, in one round trip on the hot path of every signed-in request: the user, their
   * administrator grants, their organisation's active consortia and, for an access token, whether its session is
   * still live, and then the request counted against the user's rate limit (RateLimitGuard states and enforces it).
   * Nothing is cached, so an ended session, a disabled user or a removed role or grant counts from the next
   * request on, on every instance.
   */
  private async actorOf(userId: string, sessionId: string | null): Promise<Actor | null> {
    const counting = sessionId !== null && this.config.env.RATE_LIMIT_USER_REQUESTS > 0;
    const [user] = counting
      ? await preparedQuery<ActorRow & CountedRequest>(
          this.dataSource,
          'actor-for-session-counted',
          `WITH actor AS (${ACTOR_SQL}),
                counted AS (${countRequestSql({ bucket: `'user:' || actor.id`, windowSeconds: '$3', from: 'actor' })}
                            RETURNING ${countedColumnsSql('$3')})
           SELECT actor.*, counted.hits, counted.reset_seconds FROM actor, counted`,
          [userId, sessionId, this.config.env.RATE_LIMIT_WINDOW_SECONDS],
        )
      : await preparedQuery<ActorRow>(this.dataSource, 'actor-for-user', ACTOR_SQL, [userId, sessionId]);
    if (!user) return null;
    const actor: Actor = {
      kind: 'user',
      id: user.id,
      label: user.email,
      organisationId: user.organisation_id,
      roles: user.roles as OrganisationRole[],
      scopes: [],
      isSuperadmin: user.is_superadmin,
      consortiumAdminOf: user.administered,
      activeConsortia: user.active_consortia,
    };
    if (counting) {
      const counted = user as ActorRow & CountedRequest;
      rememberCounted(actor, rateLimitState(this.config.env.RATE_LIMIT_USER_REQUESTS, counted));
    }
    return actor;
  }
}
