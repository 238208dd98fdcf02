import type { components } from '../api/schema';

/**
 * The catalogue's codes in the product's words. The admin UI reaches only the generated API types (not
 * libs/domain at run time), so the labels are typed against the API's enums: a new code fails the typecheck here.
 */
type Schemas = components['schemas'];
export type ServiceCategory = Schemas['ServiceDto']['category'];
export type ServiceStatus = Schemas['ServiceDto']['status'];
export type ComplianceKind = Schemas['AttestationDto']['kind'];
export type ComplianceStanding = Schemas['AttestationDto']['standing'];
export type ComplianceStatus = Schemas['ServiceComplianceDto']['status'];
export type PriceModel = Schemas['CurrentPriceDto']['model'];
export type VatTreatment = Schemas['ServiceDto']['vatTreatment'];
export type SubscriptionStatus = Schemas['SubscriptionDto']['status'];
export type OrganisationType = Schemas['ServiceProviderDto']['type'];

export const CATEGORY_LABELS: Record<ServiceCategory, string> = {
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

export const SERVICE_STATUS_LABELS: Record<ServiceStatus, string> = {
  draft: 'Draft',
  published: 'Published',
  suspended: 'Suspended',
  retired: 'Retired',
};

export const COMPLIANCE_KIND_LABELS: Record<ComplianceKind, string> = {
  psn_compliance: 'PSN compliance',
  cyber_essentials: 'Cyber Essentials',
  cyber_essentials_plus: 'Cyber Essentials Plus',
  iso_27001: 'ISO/IEC 27001',
  dspt: 'Data Security and Protection Toolkit',
  pci_dss: 'PCI DSS',
  other: 'Other certificate',
};

export const STANDING_LABELS: Record<ComplianceStanding, string> = {
  valid: 'Valid',
  expiring: 'Expires within 30 days',
  expired: 'Expired',
};

export const COMPLIANCE_STATUS_LABELS: Record<ComplianceStatus, string> = {
  compliant: 'Compliant',
  expiring: 'A required certificate expires soon',
  non_compliant: 'Not compliant: a required certificate has expired',
};

/** The same, short enough for a list column. */
export const COMPLIANCE_STATUS_SHORT_LABELS: Record<ComplianceStatus, string> = {
  compliant: 'Compliant',
  expiring: 'Certificate expiring',
  non_compliant: 'Not compliant',
};

export const PRICE_MODEL_LABELS: Record<PriceModel, string> = {
  flat_fee: 'Flat fee per period',
  per_unit: 'Per unit',
  graduated: 'Graduated tiers',
  volume: 'Volume tiers',
  metered: 'Metered usage',
};

export const VAT_LABELS: Record<VatTreatment, string> = {
  outside_scope: 'Outside the scope of VAT',
  standard: 'Standard-rated VAT (20%)',
  exempt: 'Exempt from VAT',
};

export const SUBSCRIPTION_STATUS_LABELS: Record<SubscriptionStatus, string> = {
  requested: 'Awaiting the provider’s approval',
  active: 'Active',
  rejected: 'Rejected',
  cancelled: 'Withdrawn',
  suspended: 'Suspended',
  notice_given: 'Notice given',
  ended: 'Ended',
};

export const ORGANISATION_TYPE_LABELS: Record<OrganisationType, string> = {
  county_council: 'County council',
  district_council: 'District or borough council',
  unitary_council: 'Unitary or city council',
  police: 'Police',
  fire_and_rescue: 'Fire and rescue',
  health_body: 'Health body',
  school_trust: 'School trust',
  voluntary_organisation: 'Voluntary organisation',
  ict_company: 'ICT company',
  other_public_body: 'Other public body',
};

/** react-admin `choices` from a label map, in the map's order. */
export function choicesOf<K extends string>(labels: Record<K, string>): { id: K; name: string }[] {
  return (Object.entries(labels) as [K, string][]).map(([id, name]) => ({ id, name }));
}
