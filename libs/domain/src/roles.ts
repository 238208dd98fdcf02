/** Roles a user holds within their own organisation. */
export const ORGANISATION_ROLES = ['org_admin', 'service_manager', 'finance', 'viewer'] as const;
export type OrganisationRole = (typeof ORGANISATION_ROLES)[number];

/** Held per consortium, on top of the organisation roles. */
export const CONSORTIUM_ADMIN = 'consortium_admin' as const;

export const BILLING_CYCLES = ['monthly', 'quarterly'] as const;
export type BillingCycle = (typeof BILLING_CYCLES)[number];

export const CURRENCIES = ['GBP'] as const;
export type Currency = (typeof CURRENCIES)[number];
