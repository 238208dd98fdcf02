import { SetMetadata } from '@nestjs/common';

export const NO_RATE_LIMIT = 'rate-limits:exempt';

/**
 * Exempts an endpoint from the request rate limits: health checks (probes must never be refused) and sign-in,
 * which has its own limit on failed attempts per email and address.
 */
export const NoRateLimit = () => SetMetadata(NO_RATE_LIMIT, true);
