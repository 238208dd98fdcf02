import type { components } from '../api/schema';

export type ApiKeyScope = components['schemas']['CreateApiKeyDto']['scopes'][number];

/**
 * The API's key scopes (libs/auth API_KEY_SCOPES, the enum of CreateApiKeyDto.scopes) with what each allows, in
 * words. The record type makes the compiler reject a scope the API does not know; a unit spec checks none is missing.
 */
export const API_KEY_SCOPE_LABELS: Record<ApiKeyScope, string> = {
  'organisation:read': 'Read your organisation and its API keys',
  'members:read': 'Read consortia and their members',
  'catalogue:read': 'Read the service catalogue',
  'catalogue:write': 'Publish and change your services',
  'subscriptions:read': 'Read subscriptions',
  'subscriptions:write': 'Request and manage subscriptions',
  'usage:write': 'Report metered usage',
  'charges:read': 'Read cross-charges, statements and savings',
  'charges:write': 'Issue, approve and dispute cross-charges',
  'ledger:read': 'Read ledger accounts and settlement',
  'audit:read': 'Read the audit log',
  'exports:read': 'Download exports',
  'webhooks:manage': 'Manage webhook subscriptions',
  'events:read': 'Read the event feed',
};

export const API_KEY_SCOPES = Object.keys(API_KEY_SCOPE_LABELS) as ApiKeyScope[];

/** How a key stands now, from its dates. */
export function apiKeyStanding(
  key: { revokedAt: string | null; expiresAt: string | null },
  now: Date = new Date(),
): 'Active' | 'Revoked' | 'Expired' {
  if (key.revokedAt) return 'Revoked';
  if (key.expiresAt && new Date(key.expiresAt) <= now) return 'Expired';
  return 'Active';
}
