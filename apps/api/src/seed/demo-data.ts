import type { BillingCycle, MembershipStatus, OrganisationRole, OrganisationType } from '@consortium/domain';

/** The eastern counties consortium of ../shared/DOMAIN.md, as demo data. Later issues add services and charges. */
export const DEMO_PASSWORD = 'demo-password-2026';

export interface DemoOrganisation {
  key: string;
  name: string;
  type: OrganisationType;
  region: string;
  domain: string;
  contactName: string;
  membership: MembershipStatus;
}

export const DEMO_CONSORTIUM: { name: string; description: string; billingCycle: BillingCycle } = {
  name: 'Eastern Counties ICT Consortium',
  description:
    'County councils on the east coast of England sharing network infrastructure, disaster recovery, PSN compliance ' +
    'and procurement to cut costs without cutting services.',
  billingCycle: 'monthly',
};

export const DEMO_ORGANISATIONS: DemoOrganisation[] = [
  {
    key: 'lincolnshire',
    name: 'Lincolnshire County Council',
    type: 'county_council',
    region: 'East Midlands',
    domain: 'lincolnshire.gov.uk',
    contactName: 'Head of ICT',
    membership: 'active',
  },
  {
    key: 'norfolk',
    name: 'Norfolk County Council',
    type: 'county_council',
    region: 'East of England',
    domain: 'norfolk.gov.uk',
    contactName: 'Head of ICT',
    membership: 'active',
  },
  {
    key: 'suffolk',
    name: 'Suffolk County Council',
    type: 'county_council',
    region: 'East of England',
    domain: 'suffolk.gov.uk',
    contactName: 'Chief Information Officer',
    membership: 'active',
  },
  {
    key: 'essex',
    name: 'Essex County Council',
    type: 'county_council',
    region: 'East of England',
    domain: 'essex.gov.uk',
    contactName: 'Chief Information Officer',
    membership: 'active',
  },
  {
    key: 'kent',
    name: 'Kent County Council',
    type: 'county_council',
    region: 'South East',
    domain: 'kent.gov.uk',
    contactName: 'Director of ICT',
    membership: 'active',
  },
  {
    key: 'great-yarmouth',
    name: 'Great Yarmouth Borough Council',
    type: 'district_council',
    region: 'East of England',
    domain: 'great-yarmouth.gov.uk',
    contactName: 'ICT Manager',
    membership: 'active',
  },
  {
    key: 'eastern-ifca',
    name: 'Eastern Inshore Fisheries and Conservation Authority',
    type: 'other_public_body',
    region: 'East of England',
    domain: 'eastern-ifca.gov.uk',
    contactName: 'Head of Corporate Services',
    membership: 'active',
  },
  {
    key: 'delt',
    name: 'Delt Shared Services Ltd',
    type: 'ict_company',
    region: 'South West',
    domain: 'delt.co.uk',
    contactName: 'Commercial Director',
    membership: 'invited',
  },
  {
    key: 'broadland-trust',
    name: 'Broadland Schools Academy Trust',
    type: 'school_trust',
    region: 'East of England',
    domain: 'broadland-trust.org.uk',
    contactName: 'Trust IT Lead',
    membership: 'requested',
  },
];

/** Each organisation gets one user per role: `<role>@<domain>`, e.g. finance@norfolk.gov.uk. */
export const DEMO_ROLE_USERS: { localPart: string; name: string; roles: OrganisationRole[] }[] = [
  { localPart: 'admin', name: 'Organisation Administrator', roles: ['org_admin'] },
  { localPart: 'cio', name: 'CIO', roles: ['service_manager'] },
  { localPart: 'finance', name: 'Finance Officer', roles: ['finance'] },
  { localPart: 'viewer', name: 'Viewer', roles: ['viewer'] },
];

/** The consortium administrator sits in Norfolk, which convenes the group. */
export const DEMO_CONSORTIUM_ADMIN = {
  email: 'consortium.admin@norfolk.gov.uk',
  name: 'Consortium Administrator',
  organisation: 'norfolk',
};
