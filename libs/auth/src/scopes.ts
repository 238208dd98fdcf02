/** What an API key may be allowed to do. A key holds a subset, chosen when it is created. */
export const API_KEY_SCOPES = [
  'organisation:read',
  'members:read',
  'catalogue:read',
  'catalogue:write',
  'subscriptions:read',
  'subscriptions:write',
  'usage:write',
  'charges:read',
  'charges:write',
  'ledger:read',
  'audit:read',
  'exports:read',
  'webhooks:manage',
  'events:read',
] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
