import { Module } from '@nestjs/common';
import { RateLimitGuard } from './rate-limit.guard';
import { RateLimitService } from './rate-limit.service';
import { RateLimitedAuthenticationGuard } from './rate-limited-authentication.guard';

/**
 * Request rate limits per API key, user and anonymous address; AppModule installs RateLimitGuard and
 * RateLimitedAuthenticationGuard (which counts requests refused for bad credentials) globally.
 */
@Module({
  providers: [RateLimitService, RateLimitGuard, RateLimitedAuthenticationGuard],
  exports: [RateLimitService, RateLimitGuard, RateLimitedAuthenticationGuard],
})
export class RateLimitsModule {}
