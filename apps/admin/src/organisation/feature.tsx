import type { Feature } from '../features/feature';

/** Everyone and organisation administrators: notifications, users and roles, API keys, the audit log. */
export const organisationFeature: Feature = {
  menu: () => [],
};
