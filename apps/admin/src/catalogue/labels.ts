import type { components } from '../api/schema';

/**
 * The catalogue's codes in the product's words. Labels the domain does not define are typed against the API's
 * enums, so a new code fails the typecheck here.
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

/** Names the domain already gives (libs/domain): one list each for the API and the UI. */
export {
  SERVICE_CATEGORY_LABELS as CATEGORY_LABELS,
  ORGANISATION_TYPE_LABELS,
  PRICE_MODEL_LABELS,
  VAT_TREATMENT_LABELS as VAT_LABELS,
} from '@consortium/domain';

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

export const SUBSCRIPTION_STATUS_LABELS: Record<SubscriptionStatus, string> = {
  requested: 'Awaiting the provider’s approval',
  active: 'Active',
  rejected: 'Rejected',
  cancelled: 'Withdrawn',
  suspended: 'Suspended',
  notice_given: 'Notice given',
  ended: 'Ended',
};

/** react-admin `choices` from a label map, in the map's order. */
export function choicesOf<K extends string>(labels: Record<K, string>): { id: K; name: string }[] {
  return (Object.entries(labels) as [K, string][]).map(([id, name]) => ({ id, name }));
}
