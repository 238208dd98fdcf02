/**
 * The typed TypeScript client for the marketplace API, generated from apps/api/openapi.json
 * (`npm run client:generate` rewrites schema.d.ts; a test fails when it is stale). Used by apps/admin and by
 * integrators' scripts (docs/integrators.md).
 */
export type * from './schema';
export { API_KEY_HEADER, createConsortiumClient, REQUEST_ID_HEADER } from './client';
export type { ConsortiumClient, ConsortiumClientOptions } from './client';
export { ConsortiumApiError, isProblem, unwrap } from './problem';
export type { ApiResult, Problem } from './problem';
export { paginate } from './paginate';
export type { ListPage } from './paginate';
export { IDEMPOTENCY_KEY_HEADER, idempotencyKey } from './idempotency';
export {
  DEFAULT_TOLERANCE_SECONDS,
  DELIVERY_ID_HEADER,
  EVENT_ID_HEADER,
  EVENT_TYPE_HEADER,
  SIGNATURE_HEADER,
  signWebhookPayload,
  verifyWebhookSignature,
  WEBHOOK_EVENT_TYPES,
} from './webhooks';
export type { VerifyOptions, WebhookEvent, WebhookEventType } from './webhooks';
