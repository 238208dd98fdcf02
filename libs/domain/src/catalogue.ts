/** What kinds of shared service a consortium trades. */
export const SERVICE_CATEGORIES = [
  'disaster_recovery',
  'psn_compliance',
  'network_and_connectivity',
  'hosting_and_data_centre',
  'desktop_and_device_management',
  'service_desk',
  'cyber_security',
  'procurement',
  'applications',
  'data_and_gis',
  'telephony',
  'training',
  'other',
] as const;
export type ServiceCategory = (typeof SERVICE_CATEGORIES)[number];

export const SERVICE_CATEGORY_LABELS: Record<ServiceCategory, string> = {
  disaster_recovery: 'Disaster recovery',
  psn_compliance: 'PSN compliance',
  network_and_connectivity: 'Network and connectivity',
  hosting_and_data_centre: 'Hosting and data centre',
  desktop_and_device_management: 'Desktop and device management',
  service_desk: 'Service desk',
  cyber_security: 'Cyber security',
  procurement: 'Procurement',
  applications: 'Applications',
  data_and_gis: 'Data and GIS',
  telephony: 'Telephony',
  training: 'Training',
  other: 'Other',
};

/** Certificates a service can carry. PSN compliance must be kept current for a body to connect. */
export const COMPLIANCE_KINDS = [
  'psn_compliance',
  'cyber_essentials',
  'cyber_essentials_plus',
  'iso_27001',
  'dspt',
  'pci_dss',
  'other',
] as const;
export type ComplianceKind = (typeof COMPLIANCE_KINDS)[number];

/** How close a certificate is to lapsing. */
export type ComplianceStanding = 'valid' | 'expiring' | 'expired';
export const EXPIRY_WARNING_DAYS = 30;

/** `today` and `expiresOn` are ISO dates (YYYY-MM-DD); a certificate is valid through its expiry date. */
export function complianceStanding(expiresOn: string, today: string): ComplianceStanding {
  if (expiresOn < today) return 'expired';
  const days = (Date.parse(`${expiresOn}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000;
  return days <= EXPIRY_WARNING_DAYS ? 'expiring' : 'valid';
}

/** What a service's capacity counts: subscribing organisations, or units (seats, sites, devices). */
export const CAPACITY_UNITS = ['subscribers', 'units'] as const;
export type CapacityUnit = (typeof CAPACITY_UNITS)[number];

/**
 * Whether approving a request of `requested` more would exceed capacity. `limit` null means unlimited.
 * `inUse` counts what active and suspended subscriptions already hold.
 */
export function exceedsCapacity(limit: number | null, inUse: number, requested: number): boolean {
  return limit !== null && inUse + requested > limit;
}
