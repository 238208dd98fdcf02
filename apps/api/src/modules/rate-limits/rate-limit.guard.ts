import type { Actor } from '@consortium/auth';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { refusedBody } from '../../common/json-body';
import { rateLimited } from '../../common/problem';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../config/runtime-config';
import { NO_RATE_LIMIT } from './no-rate-limit.decorator';
import { RateLimitService, takeCounted } from './rate-limit.service';

/**
 * Global guard, after authentication (so it knows who is calling) and before authorisation (so refused calls
 * count and carry the headers too): limits each API key, each user and each anonymous client address to so many
 * requests per window, and states the limit on every response with the RateLimit headers.
 *
 * It also answers the refusal of a body over the shape limits (common/json-body.ts), once the request is counted:
 * such a request counts even on an exempt route (sign-in), so an anonymous client cannot send them unlimited.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly rateLimits: RateLimitService,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: Actor }>();
    const refusal = context.getType() === 'http' ? refusedBody(request) : undefined;
    await this.spend(context, request.user, { evenIfExempt: refusal !== undefined });
    if (refusal) throw refusal;
    return true;
  }

  /**
   * Counts the request against its caller's budget (the client address's when there is no actor) and states the
   * limit in the response headers; throws the 429 problem once the budget is spent. `evenIfExempt` counts it on
   * a @NoRateLimit() route too.
   */
  async spend(
    context: ExecutionContext,
    actor: Actor | undefined,
    options: { evenIfExempt?: boolean } = {},
  ): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (
      !options.evenIfExempt &&
      this.reflector.getAllAndOverride<boolean>(NO_RATE_LIMIT, [context.getHandler(), context.getClass()])
    ) {
      return true;
    }
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const { bucket, limit, who } = this.budgetFor(actor, request.ip);
    if (limit === 0) return true;

    const window = this.config.env.RATE_LIMIT_WINDOW_SECONDS;
    // A user's or API key's request was counted when its credentials were looked up (ActorDirectoryService).
    const state = (actor && takeCounted(actor)) ?? (await this.rateLimits.hit(bucket, limit, window));
    const reply = http.getResponse<FastifyReply>();
    void reply
      .header('ratelimit-limit', state.limit)
      .header('ratelimit-remaining', state.remaining)
      .header('ratelimit-reset', state.resetSeconds)
      .header('ratelimit-policy', `${state.limit};w=${window}`);
    if (state.exceeded) {
      throw rateLimited(
        `At most ${state.limit} requests in ${window} s are allowed for each ${who}: try again in ${state.resetSeconds} s`,
        state.resetSeconds,
      );
    }
    return true;
  }

  /** Whose budget a request spends: its API key's, its user's, or (anonymous) its client address's. */
  private budgetFor(
    actor: Actor | undefined,
    address: string,
  ): { bucket: string; limit: number; who: string } {
    const env = this.config.env;
    if (actor?.kind === 'api_key') {
      return { bucket: `api-key:${actor.id}`, limit: env.RATE_LIMIT_API_KEY_REQUESTS, who: 'API key' };
    }
    if (actor) return { bucket: `user:${actor.id}`, limit: env.RATE_LIMIT_USER_REQUESTS, who: 'user' };
    return { bucket: `address:${address}`, limit: env.RATE_LIMIT_ANONYMOUS_REQUESTS, who: 'client address' };
  }
}
