import type {
  BillingCycle,
  CapacityUnit,
  ComplianceKind,
  MembershipStatus,
  OrganisationRole,
  OrganisationType,
  PricePlan,
  ServiceCategory,
  SubscriptionStatus,
  VatTreatment,
} from '@consortium/domain';
import type { ServiceLevel } from '../modules/catalogue/service.entity';

/** The eastern counties consortium of ../shared/DOMAIN.md, as demo data: members, users, services, subscriptions. */
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
  // Members settle up once a quarter: fewer, larger payments, in step with councils' quarterly budget monitoring.
  billingCycle: 'quarterly',
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
    // An arms-length ICT company (Plymouth's and Devon CCG's) that joined to sell desktop management.
    membership: 'active',
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

/** A certificate on a demo service; dates are relative to the day the demo is loaded, so it always looks current. */
export interface DemoCertificate {
  kind: ComplianceKind;
  reference: string;
  /** Days from the seed date to expiry: negative has expired. */
  expiresInDays: number;
}

export interface DemoService {
  key: string;
  /** The providing organisation's key. */
  provider: string;
  category: ServiceCategory;
  title: string;
  summary: string;
  description: string;
  serviceLevel: ServiceLevel;
  /** Null is unlimited. */
  capacityLimit: number | null;
  capacityUnit: CapacityUnit;
  vatTreatment: VatTreatment;
  contact: { name: string; role: string; localPart: string };
  /** Every price version, oldest first; the last is current. Checked by the domain's validator when seeded. */
  prices: PricePlan[];
  certificates: DemoCertificate[];
}

export interface DemoSubscription {
  service: string;
  /** The consuming organisation's key. */
  consumer: string;
  status: Extract<SubscriptionStatus, 'requested' | 'active' | 'suspended' | 'notice_given'>;
  quantity: number;
  /** The first day of service is the first of the month this many months before the seed date (negative: ahead). */
  startMonthsAgo: number;
  termMonths: number;
  noticePeriodMonths: number;
  /** The price version agreed; the service's current one when left out. */
  priceVersion?: number;
  /** What running it in-house would cost the consumer a year, in pence. */
  baselineAnnualCostPence: string;
  purchaseOrderReference?: string;
  costCentre?: string;
  /** Why it was suspended or notice given. */
  reason?: string;
  /** Earlier quantity, replaced by `quantity` this many months after the start. */
  initialQuantity?: { quantity: number; changedAfterMonths: number };
}

const COUNCIL_HOURS = 'Mon–Fri 08:30–17:00';

/**
 * What each member provides. Magnitudes follow ../shared/DOMAIN.md: councils' disaster recovery costs tens to a
 * few hundred thousand pounds a year; Kent's managed network contract was £32m over four years for over a
 * thousand sites (about £660 a site a month), which the shared wide-area network undercuts.
 */
export const DEMO_SERVICES: DemoService[] = [
  {
    key: 'norfolk-dr',
    provider: 'norfolk',
    category: 'disaster_recovery',
    title: 'Disaster recovery hosting',
    summary:
      "Warm-standby recovery of your critical servers in Norfolk's secondary data centre, with a tested failover every year.",
    description:
      'Replicated virtual servers and storage in a Tier III secondary site 40 miles from County Hall, PSN-connected. ' +
      'Recovery time objective four hours, recovery point objective fifteen minutes. Includes an annual invoked ' +
      'failover test with your team, a recovery runbook, and 24x7 invocation by phone. Priced per protected server ' +
      'per quarter, with lower rates as your estate grows.',
    serviceLevel: {
      hoursOfCover: '24x7',
      responseTargetHours: 0.5,
      resolutionTargetHours: 4,
      availabilityPercent: '99.95',
    },
    capacityLimit: 400,
    capacityUnit: 'units',
    vatTreatment: 'outside_scope',
    contact: { name: 'Gemma Thurlow', role: 'DR Service Manager', localPart: 'dr-service' },
    prices: [
      {
        model: 'graduated',
        currency: 'GBP',
        unitName: 'server',
        setupFee: '2500.00',
        tiers: [
          { upTo: 25, unitPrice: '540.00' },
          { upTo: 100, unitPrice: '450.00' },
          { upTo: null, unitPrice: '360.00' },
        ],
      },
    ],
    certificates: [
      { kind: 'psn_compliance', reference: 'PSN-CoCo-NCC-2026-0412', expiresInDays: 240 },
      { kind: 'iso_27001', reference: 'ISO27001-BSI-IS-715502', expiresInDays: 410 },
    ],
  },
  {
    key: 'norfolk-apps',
    provider: 'norfolk',
    category: 'applications',
    title: 'Hosted applications for district councils and partners',
    summary:
      "Revenues and benefits, planning and email on Norfolk's platform, run for smaller public bodies by Norfolk's ICT team.",
    description:
      'The line-of-business applications Norfolk already runs for Great Yarmouth Borough Council and the Eastern ' +
      'Inshore Fisheries and Conservation Authority: hosted email and collaboration, revenues and benefits, planning ' +
      'and building control, with patching, backup and licensing included. Priced per named user each quarter.',
    serviceLevel: {
      hoursOfCover: COUNCIL_HOURS,
      responseTargetHours: 2,
      resolutionTargetHours: 16,
      availabilityPercent: '99.5',
    },
    capacityLimit: null,
    capacityUnit: 'units',
    vatTreatment: 'outside_scope',
    contact: { name: 'Paul Aldous', role: 'Partnerships Manager', localPart: 'ict-partnerships' },
    prices: [{ model: 'per_unit', currency: 'GBP', unitName: 'user', unitPrice: '114.00' }],
    certificates: [
      { kind: 'psn_compliance', reference: 'PSN-CoCo-NCC-2026-0412', expiresInDays: 240 },
      { kind: 'cyber_essentials_plus', reference: 'CEP-IASME-0093821', expiresInDays: 150 },
    ],
  },
  {
    key: 'kent-psn',
    provider: 'kent',
    category: 'psn_compliance',
    title: 'PSN compliance health check',
    summary:
      'An annual IT health check by CHECK-accredited testers, remediation planning and help with your PSN Code of Connection submission.',
    description:
      "Kent's security team runs the external and internal IT health check the Public Services Network requires, " +
      'triages the findings with you, plans remediation and prepares the evidence for your Code of Connection. ' +
      'A flat quarterly fee spreads the cost of the annual cycle; a one-off set-up fee covers scoping.',
    serviceLevel: {
      hoursOfCover: COUNCIL_HOURS,
      responseTargetHours: 8,
      resolutionTargetHours: 40,
      availabilityPercent: '99.0',
    },
    capacityLimit: 12,
    capacityUnit: 'subscribers',
    vatTreatment: 'outside_scope',
    contact: { name: 'Ravi Chandran', role: 'Information Security Lead', localPart: 'security' },
    prices: [
      { model: 'flat_fee', currency: 'GBP', feePerPeriod: '4350.00', setupFee: '2500.00' },
      // The April price review: existing subscribers keep £4,350 a quarter until they accept.
      { model: 'flat_fee', currency: 'GBP', feePerPeriod: '4560.00', setupFee: '2500.00' },
    ],
    certificates: [
      { kind: 'cyber_essentials_plus', reference: 'CEP-IASME-0077410', expiresInDays: 300 },
      { kind: 'iso_27001', reference: 'ISO27001-LRQA-10448213', expiresInDays: 520 },
    ],
  },
  {
    key: 'kent-wan',
    provider: 'kent',
    category: 'network_and_connectivity',
    title: 'Wide-area network: PSN-connected sites',
    summary:
      "Managed, PSN-compliant connectivity for offices, schools and depots on Kent's public-sector network, priced per site.",
    description:
      'Sites join the wide-area network Kent built for over a thousand of its own schools and offices: a managed ' +
      'router, 100 Mbit/s to 1 Gbit/s fibre, PSN and internet breakout, and monitoring around the clock. Volume ' +
      'pricing, per site per quarter: every site is charged at the rate of the band your total reaches.',
    serviceLevel: {
      hoursOfCover: '24x7',
      responseTargetHours: 2,
      resolutionTargetHours: 8,
      availabilityPercent: '99.9',
    },
    capacityLimit: 1500,
    capacityUnit: 'units',
    vatTreatment: 'outside_scope',
    contact: { name: 'Donna Pettit', role: 'Network Services Manager', localPart: 'network-services' },
    prices: [
      {
        model: 'volume',
        currency: 'GBP',
        unitName: 'site',
        tiers: [
          { upTo: 50, unitPrice: '1260.00' },
          { upTo: 250, unitPrice: '1080.00' },
          { upTo: null, unitPrice: '930.00' },
        ],
      },
    ],
    certificates: [
      // Renewal under way: it lapses within the month unless the new certificate arrives.
      { kind: 'psn_compliance', reference: 'PSN-CoCo-KCC-2025-1187', expiresInDays: 18 },
      { kind: 'iso_27001', reference: 'ISO27001-LRQA-10448213', expiresInDays: 520 },
    ],
  },
  {
    key: 'essex-procurement',
    provider: 'essex',
    category: 'procurement',
    title: 'Procurement frameworks and collaborative buying',
    summary:
      "Call off Essex's ICT frameworks and join its e-auctions for laptops, desktops and networks, for a 0.5% levy on spend.",
    description:
      'Compliant frameworks for hardware, software licensing, telephony and professional services, mini-competitions ' +
      'run for you, and places in collaborative e-auctions (reverse auctions that have saved about a third on ' +
      'devices). Charged on usage: half a penny per pound spent through the frameworks, the first £60,000 of ' +
      'spend each quarter free.',
    serviceLevel: {
      hoursOfCover: COUNCIL_HOURS,
      responseTargetHours: 24,
      resolutionTargetHours: 120,
      availabilityPercent: '99.0',
    },
    capacityLimit: null,
    capacityUnit: 'subscribers',
    vatTreatment: 'outside_scope',
    contact: { name: 'Helen Moss', role: 'Category Manager, ICT', localPart: 'procurement' },
    prices: [
      {
        model: 'metered',
        currency: 'GBP',
        metric: 'framework_spend_gbp',
        unitName: 'pound of spend',
        unitPrice: '0.005',
        includedPerPeriod: '60000',
      },
    ],
    certificates: [{ kind: 'cyber_essentials', reference: 'CE-IASME-0102244', expiresInDays: 200 }],
  },
  {
    key: 'suffolk-desk',
    provider: 'suffolk',
    category: 'service_desk',
    title: 'ICT service desk',
    summary:
      'First- and second-line support by phone, portal and chat, six days a week, priced per supported user per quarter.',
    description:
      "Suffolk's service desk takes your users' calls under your name, resolves what it can at first contact and " +
      'passes the rest to your teams through the shared ITSM tool. Graduated pricing per user per quarter: each ' +
      'band of users at its own rate, so growing never costs more per user.',
    serviceLevel: {
      hoursOfCover: 'Mon–Sat 07:00–19:00',
      responseTargetHours: 0.25,
      resolutionTargetHours: 8,
      availabilityPercent: '99.5',
    },
    capacityLimit: 12000,
    capacityUnit: 'units',
    vatTreatment: 'outside_scope',
    contact: { name: 'Mark Fenwick', role: 'Service Desk Manager', localPart: 'servicedesk' },
    prices: [
      {
        model: 'graduated',
        currency: 'GBP',
        unitName: 'user',
        tiers: [
          { upTo: 500, unitPrice: '12.60' },
          { upTo: 2000, unitPrice: '10.80' },
          { upTo: null, unitPrice: '9.30' },
        ],
      },
    ],
    certificates: [
      // Lapsed last week: the service shows as non-compliant until Suffolk uploads the new certificate.
      { kind: 'cyber_essentials_plus', reference: 'CEP-IASME-0061187', expiresInDays: -9 },
      { kind: 'iso_27001', reference: 'ISO27001-BSI-IS-690233', expiresInDays: 180 },
    ],
  },
  {
    key: 'lincs-dc',
    provider: 'lincolnshire',
    category: 'hosting_and_data_centre',
    title: 'Tier III data-centre hosting',
    summary: "Secure racks with power, cooling and PSN connectivity in Lincolnshire's Tier III data centre.",
    description:
      '42U racks with dual 16A feeds, N+1 cooling, 24x7 security and remote hands, connected to the PSN and to the ' +
      "consortium's wide-area network. Per rack per quarter, with a one-off installation fee.",
    serviceLevel: {
      hoursOfCover: '24x7',
      responseTargetHours: 1,
      resolutionTargetHours: 4,
      availabilityPercent: '99.98',
    },
    capacityLimit: 60,
    capacityUnit: 'units',
    vatTreatment: 'outside_scope',
    contact: { name: 'Steve Barker', role: 'Data Centre Manager', localPart: 'datacentre' },
    prices: [
      { model: 'per_unit', currency: 'GBP', unitName: 'rack', unitPrice: '3450.00', setupFee: '1800.00' },
    ],
    certificates: [
      { kind: 'iso_27001', reference: 'ISO27001-BSI-IS-702118', expiresInDays: 420 },
      { kind: 'psn_compliance', reference: 'PSN-CoCo-LCC-2026-0233', expiresInDays: 200 },
    ],
  },
  {
    key: 'lincs-backup',
    provider: 'lincolnshire',
    category: 'hosting_and_data_centre',
    title: 'Offsite backup storage',
    summary:
      'Immutable offsite copies of your backups, charged per gigabyte stored beyond a quarterly allowance.',
    description:
      'Object storage with 30-day immutability for your backup software to write to over the wide-area network. ' +
      'Reported monthly in GB stored; the first 6,000 GB each quarter are included, beyond that £0.0125 per GB.',
    serviceLevel: {
      hoursOfCover: '24x7',
      responseTargetHours: 4,
      resolutionTargetHours: 24,
      availabilityPercent: '99.9',
    },
    capacityLimit: null,
    capacityUnit: 'subscribers',
    vatTreatment: 'outside_scope',
    contact: { name: 'Steve Barker', role: 'Data Centre Manager', localPart: 'datacentre' },
    prices: [
      {
        model: 'metered',
        currency: 'GBP',
        metric: 'storage_gb',
        unitName: 'GB',
        unitPrice: '0.0125',
        includedPerPeriod: '6000',
      },
    ],
    certificates: [{ kind: 'iso_27001', reference: 'ISO27001-BSI-IS-702118', expiresInDays: 420 }],
  },
  {
    key: 'delt-desktop',
    provider: 'delt',
    category: 'desktop_and_device_management',
    title: 'Desktop management per device',
    summary:
      'Build, patch, monitor and support laptops and desktops, with hardware swap-out, per device per quarter.',
    description:
      'Delt manages Windows and ChromeOS devices end to end: Autopilot builds, monthly patching, endpoint protection, ' +
      'asset tracking and next-day swap-out of failed hardware. The same service Delt runs for Plymouth City Council ' +
      'and the Devon Clinical Commissioning Group.',
    serviceLevel: {
      hoursOfCover: 'Mon–Fri 08:00–18:00',
      responseTargetHours: 4,
      resolutionTargetHours: 16,
      availabilityPercent: '99.5',
    },
    capacityLimit: 20000,
    capacityUnit: 'units',
    vatTreatment: 'standard',
    contact: { name: 'Claire Hosking', role: 'Account Director', localPart: 'sales' },
    prices: [{ model: 'per_unit', currency: 'GBP', unitName: 'device', unitPrice: '20.25' }],
    certificates: [
      { kind: 'cyber_essentials_plus', reference: 'CEP-IASME-0088102', expiresInDays: 260 },
      { kind: 'iso_27001', reference: 'ISO27001-NQA-231877', expiresInDays: 330 },
    ],
  },
];

/**
 * Who takes what. Every county consumes some of the others' services; Great Yarmouth and the Fisheries Authority
 * take Norfolk's. Baselines are what each would pay a year to do the same in-house (the savings report's input).
 */
export const DEMO_SUBSCRIPTIONS: DemoSubscription[] = [
  // Norfolk's disaster recovery: 25 servers at £540, the rest at £450 a quarter (£180 and £150 a month).
  {
    service: 'norfolk-dr',
    consumer: 'kent',
    status: 'active',
    quantity: 80,
    startMonthsAgo: 14,
    termMonths: 36,
    noticePeriodMonths: 6,
    baselineAnnualCostPence: '24000000',
    purchaseOrderReference: 'KCC-PO-4410087',
    costCentre: 'ICT-INFRA-DR',
  },
  {
    service: 'norfolk-dr',
    consumer: 'essex',
    status: 'active',
    quantity: 60,
    startMonthsAgo: 10,
    termMonths: 36,
    noticePeriodMonths: 6,
    baselineAnnualCostPence: '19500000',
    purchaseOrderReference: 'ECC-PO-220931',
  },
  {
    service: 'norfolk-dr',
    consumer: 'great-yarmouth',
    status: 'active',
    quantity: 12,
    startMonthsAgo: 20,
    termMonths: 24,
    noticePeriodMonths: 3,
    baselineAnnualCostPence: '4500000',
    costCentre: 'GY-ICT-01',
  },
  {
    service: 'norfolk-dr',
    consumer: 'eastern-ifca',
    status: 'active',
    quantity: 4,
    startMonthsAgo: 8,
    termMonths: 24,
    noticePeriodMonths: 3,
    baselineAnnualCostPence: '1800000',
  },
  {
    service: 'norfolk-apps',
    consumer: 'great-yarmouth',
    status: 'active',
    quantity: 220,
    startMonthsAgo: 20,
    termMonths: 36,
    noticePeriodMonths: 6,
    baselineAnnualCostPence: '13500000',
    costCentre: 'GY-ICT-01',
  },
  {
    service: 'norfolk-apps',
    consumer: 'eastern-ifca',
    status: 'active',
    quantity: 45,
    startMonthsAgo: 8,
    termMonths: 36,
    noticePeriodMonths: 3,
    baselineAnnualCostPence: '3000000',
  },
  // Kent's health check: £4,350 a quarter before the price review, £4,560 after it.
  {
    service: 'kent-psn',
    consumer: 'norfolk',
    status: 'active',
    quantity: 1,
    startMonthsAgo: 11,
    termMonths: 12,
    noticePeriodMonths: 1,
    priceVersion: 1,
    baselineAnnualCostPence: '2400000',
    purchaseOrderReference: 'NCC-PO-7781203',
  },
  {
    service: 'kent-psn',
    consumer: 'essex',
    status: 'suspended',
    quantity: 1,
    startMonthsAgo: 9,
    termMonths: 12,
    noticePeriodMonths: 1,
    priceVersion: 1,
    baselineAnnualCostPence: '2200000',
    reason: "Testing paused until Essex's firewall replacement is complete",
  },
  {
    service: 'kent-psn',
    consumer: 'eastern-ifca',
    status: 'active',
    quantity: 1,
    startMonthsAgo: 1,
    termMonths: 12,
    noticePeriodMonths: 1,
    baselineAnnualCostPence: '1500000',
  },
  // Kent's network: 51–250 sites are all at £1,080 a site a quarter (£360 a month).
  {
    service: 'kent-wan',
    consumer: 'suffolk',
    status: 'active',
    quantity: 180,
    startMonthsAgo: 12,
    termMonths: 48,
    noticePeriodMonths: 12,
    baselineAnnualCostPence: '110000000',
    purchaseOrderReference: 'SCC-PO-0098812',
    costCentre: 'IT-NET-001',
  },
  {
    service: 'kent-wan',
    consumer: 'lincolnshire',
    status: 'active',
    quantity: 120,
    startMonthsAgo: 6,
    termMonths: 48,
    noticePeriodMonths: 12,
    baselineAnnualCostPence: '72000000',
  },
  {
    service: 'essex-procurement',
    consumer: 'norfolk',
    status: 'active',
    quantity: 1,
    startMonthsAgo: 10,
    termMonths: 24,
    noticePeriodMonths: 3,
    baselineAnnualCostPence: '8500000',
  },
  {
    service: 'essex-procurement',
    consumer: 'suffolk',
    status: 'active',
    quantity: 1,
    startMonthsAgo: 9,
    termMonths: 24,
    noticePeriodMonths: 3,
    baselineAnnualCostPence: '7000000',
  },
  // Suffolk's service desk: graduated, so Essex's 2,500 users cost 500 × £12.60 + 1,500 × £10.80 + 500 × £9.30 a quarter.
  {
    service: 'suffolk-desk',
    consumer: 'essex',
    status: 'active',
    quantity: 2500,
    startMonthsAgo: 9,
    termMonths: 36,
    noticePeriodMonths: 6,
    baselineAnnualCostPence: '19000000',
    costCentre: 'ICT-SD-02',
  },
  {
    service: 'suffolk-desk',
    consumer: 'great-yarmouth',
    status: 'active',
    quantity: 450,
    startMonthsAgo: 11,
    termMonths: 24,
    noticePeriodMonths: 3,
    baselineAnnualCostPence: '3200000',
    initialQuantity: { quantity: 400, changedAfterMonths: 6 },
  },
  {
    service: 'lincs-dc',
    consumer: 'norfolk',
    status: 'active',
    quantity: 6,
    startMonthsAgo: 13,
    termMonths: 60,
    noticePeriodMonths: 12,
    baselineAnnualCostPence: '12000000',
    purchaseOrderReference: 'NCC-PO-7750911',
  },
  // Waiting for Lincolnshire's decision: the request to approve is in its notifications.
  {
    service: 'lincs-dc',
    consumer: 'kent',
    status: 'requested',
    quantity: 10,
    startMonthsAgo: -1,
    termMonths: 60,
    noticePeriodMonths: 12,
    baselineAnnualCostPence: '17500000',
    purchaseOrderReference: 'KCC-PO-4418230',
  },
  {
    service: 'lincs-backup',
    consumer: 'suffolk',
    status: 'active',
    quantity: 1,
    startMonthsAgo: 9,
    termMonths: 12,
    noticePeriodMonths: 1,
    baselineAnnualCostPence: '2600000',
  },
  {
    service: 'delt-desktop',
    consumer: 'lincolnshire',
    status: 'active',
    quantity: 2800,
    startMonthsAgo: 7,
    termMonths: 36,
    noticePeriodMonths: 6,
    baselineAnnualCostPence: '31000000',
    purchaseOrderReference: 'LCC-PO-5520014',
  },
  // Dearer than Kent's own desktop team once VAT is counted, so Kent is leaving at the end of its term.
  {
    service: 'delt-desktop',
    consumer: 'kent',
    status: 'notice_given',
    quantity: 3500,
    startMonthsAgo: 16,
    termMonths: 24,
    noticePeriodMonths: 3,
    baselineAnnualCostPence: '26000000',
    reason: "Desktop support moves into Kent's managed-services contract",
  },
];

/** Metered usage the providers report, per month, for the two settled quarters and the current one (oldest first). */
export interface DemoUsage {
  serviceTitle: string;
  consumer: string;
  metric: string;
  /** [quarter][month of the quarter]: decimal quantities; months still ahead are not reported. */
  perQuarter: [string[], string[], string[]];
}

export const DEMO_USAGE: DemoUsage[] = [
  // Norfolk buys through Essex's frameworks every month: above the £60,000 a quarter that is free.
  {
    serviceTitle: 'Procurement frameworks and collaborative buying',
    consumer: 'norfolk',
    metric: 'framework_spend_gbp',
    perQuarter: [
      ['64000', '81500', '38500'],
      ['92000', '71250', '55800'],
      ['48000', '66400', '52100'],
    ],
  },
  // Suffolk's spend stayed under the allowance last quarter: a 0p line and a cross-charge of nothing to pay.
  {
    serviceTitle: 'Procurement frameworks and collaborative buying',
    consumer: 'suffolk',
    metric: 'framework_spend_gbp',
    perQuarter: [
      ['31000', '27500', '18000'],
      ['12500', '21000', '15000'],
      ['26000', '30500', '22000'],
    ],
  },
  {
    serviceTitle: 'Offsite backup storage',
    consumer: 'suffolk',
    metric: 'storage_gb',
    perQuarter: [
      ['2450', '2510', '2580'],
      ['2640', '2700', '2790'],
      ['2860', '2910', '2990'],
    ],
  },
];

/** A line disputed in the earlier settled quarter, accepted by the provider with a credit note for the difference. */
export const DEMO_SETTLED_DISPUTE = {
  provider: 'lincolnshire',
  consumer: 'norfolk',
  serviceTitle: 'Tier III data-centre hosting',
  reason: 'Our sixth rack was not powered until the quarter’s second month: please charge it from then.',
  acceptance: 'Agreed: the sixth rack’s power feed was commissioned late; corrected to two months',
  /** The corrected net amount, as a percentage of the line's. */
  correctedPercent: 94,
};

/** The dispute still open in the current quarter: Kent, leaving Delt, has begun returning devices. */
export const DEMO_CURRENT_DISPUTE = {
  provider: 'delt',
  consumer: 'kent',
  serviceTitle: 'Desktop management per device',
  reason:
    'We returned 320 devices in the first wave of the move to our managed-services contract; this line still ' +
    'charges all 3,500.',
};
