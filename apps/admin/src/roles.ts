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
