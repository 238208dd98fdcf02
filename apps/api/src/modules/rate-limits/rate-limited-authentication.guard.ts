import { AuthenticationGuard } from '@consortium/auth';
import { ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RateLimitGuard } from './rate-limit.guard';

/**
 * Authentication as libs/auth does it, with one addition: a request refused for bad or missing credentials spends
 * its client address's budget, so guessing tokens or keys is limited like any anonymous traffic (a request that
 * authenticates is counted once, by RateLimitGuard, against its key or user).
 */
@Injectable()
export class RateLimitedAuthenticationGuard extends AuthenticationGuard {
  constructor(
    reflector: Reflector,
    private readonly rateLimits: RateLimitGuard,
  ) {
    super(reflector);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    try {
      return (await super.canActivate(context)) as boolean;
    } catch (error) {
      if (error instanceof UnauthorizedException) await this.rateLimits.spend(context, undefined);
      throw error;
    }
  }
}
