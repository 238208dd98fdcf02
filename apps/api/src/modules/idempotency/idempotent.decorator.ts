import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { IdempotencyInterceptor } from './idempotency.interceptor';

/** Marks the endpoints that honour Idempotency-Key (read by the specs that check every money-moving write has it). */
export const IDEMPOTENT = 'idempotency:enabled';

/**
 * Makes an endpoint honour an `Idempotency-Key` header (1–200 printable characters, chosen by the client, unique per
 * caller: user or API key): the first request's status and body are kept and replayed for a retry with the same key, route
 * and body (with `Idempotent-Replayed: true`); the key reused for another route or body is a 422
 * (idempotency-key-reused); a duplicate arriving while the first is still running is a 409
 * (idempotency-key-in-progress); a request that fails releases its key. See IdempotencyInterceptor, which only
 * these endpoints run: a global interceptor would put every other request through Nest's interceptor chain for
 * nothing (a measurable share of a cheap read's time).
 */
export const Idempotent = () =>
  applyDecorators(
    SetMetadata(IDEMPOTENT, true),
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      schema: { type: 'string', minLength: 1, maxLength: 200 },
      description:
        'Optional, 1–200 printable characters, unique per caller (user or API key): a retry with the same key and body ' +
        'returns the first response (with Idempotent-Replayed: true) instead of acting twice.',
    }),
  );
