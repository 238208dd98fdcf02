import type { Me } from './authProvider';

/** How each role reads to a person, in the product's words. */
export const ROLE_LABELS: Record<Me['roles'][number], string> = {
  org_admin: 'Organisation administrator',
  service_manager: 'Service manager (CIO team)',
  finance: 'Finance',
  viewer: 'Viewer',
};

/** Every role the signed-in person holds, organisation and platform roles alike. */
export function roleLabels(me: Me): string[] {
  const labels = me.roles.map((role) => ROLE_LABELS[role] ?? role);
  if (me.consortiumAdminOf.length > 0) labels.push('Consortium administrator');
  if (me.isSuperadmin) labels.push('Platform superadministrator');
  return labels;
}

export type OrganisationRole = Me['roles'][number];

/** What authProvider.getPermissions() answers: the person's organisation roles and platform grants. */
export interface Permissions {
  roles: OrganisationRole[];
  isSuperadmin: boolean;
  consortiumAdminOf: string[];
}

export const NO_PERMISSIONS: Permissions = { roles: [], isSuperadmin: false, consortiumAdminOf: [] };

/** Holds at least one of these organisation roles: list them as the endpoint's @Roles does (org_admin included). */
export function hasRole(permissions: Permissions | undefined, ...roles: OrganisationRole[]): boolean {
  const held = permissions?.roles ?? [];
  return roles.some((role) => held.includes(role));
}

/** Administers at least one consortium (a superadmin may act as any consortium's administrator). */
export function isConsortiumAdmin(permissions: Permissions | undefined): boolean {
  return Boolean(permissions && (permissions.consortiumAdminOf.length > 0 || permissions.isSuperadmin));
}
