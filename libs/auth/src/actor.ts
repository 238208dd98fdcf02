import type { OrganisationRole } from '@consortium/domain';
import type { ApiKeyScope } from './scopes';

/** Who is acting: a signed-in user or an integrator's API key, always on behalf of one organisation. */
export interface Actor {
  kind: 'user' | 'api_key';
  id: string;
  /** Readable name for logs and the audit trail: the user's email or the key's prefix. */
  label: string;
  organisationId: string;
  /** Organisation roles; empty for API keys. */
  roles: OrganisationRole[];
  /** API key scopes; empty for users, whose rights come from their roles. */
  scopes: ApiKeyScope[];
  isSuperadmin: boolean;
  /** Consortia this user administers. */
  consortiumAdminOf: string[];
  /** Consortia the actor's organisation is an active member of. */
  activeConsortia: string[];
  /** The request this actor is acting in, for the audit trail. */
  requestId?: string;
}

/** What a controller may require of a user, beyond being signed in. */
export type RequiredRole = OrganisationRole | 'consortium_admin' | 'superadmin';

export function holdsRole(actor: Actor, role: RequiredRole): boolean {
  if (actor.kind !== 'user') return false;
  if (role === 'superadmin') return actor.isSuperadmin;
  if (role === 'consortium_admin') return actor.consortiumAdminOf.length > 0;
  return actor.roles.includes(role);
}

export function isConsortiumAdmin(actor: Actor, consortiumId: string): boolean {
  return actor.kind === 'user' && actor.consortiumAdminOf.includes(consortiumId);
}

export function isActiveMember(actor: Actor, consortiumId: string): boolean {
  return actor.activeConsortia.includes(consortiumId);
}
