import { API_KEY_SCOPES, type ApiKeyScope } from '@consortium/auth';
import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import {
  aNewServiceBody,
  aBillingPeriod,
  aClientAddress,
  aConsortium,
  aConsortiumWithMembers,
  aDraftCrossCharge,
  aMembership,
  anApiKey,
  anAttestation,
  anOrganisation,
  aPostedCharge,
  aService,
  aSubscriptionTo,
  aUser,
  bearerFor,
  makeConsortiumAdmin,
} from './support/builders';
import { type Route, routesOf } from './support/routes';
import { createTestApp, type TestApp } from './support/test-app';

type Headers = Record<string, string>;

/**
 * What a caller outside the owner's rights gets:
 * - 404: the thing is not visible to them (CONTRIBUTING: do not reveal existence);
 * - 403: they can see it, their role or organisation may not change it;
 * - 'sees': a read they may make (200);
 * - 'hidden': a list they may read (200) that shows none of what they may not see;
 * - 'may': a write they are allowed to make (on their own behalf), not sent here: other specs exercise it.
 */
type Outcome = 404 | 403 | 'sees' | 'hidden' | 'may';

interface Fixtures {
  consortiumId: string;
  home: string;
  partner: string;
  sibling: string;
  outsider: string;
  homeViewerId: string;
  siblingUserId: string;
  consortiumAdminId: string;
  serviceId: string;
  draftServiceId: string;
  attestationId: string;
  subscriptionId: string;
  periodId: string;
  settledPeriodId: string;
  chargeRunId: string;
  draftChargeId: string;
  issuedChargeId: string;
  issuedLineId: string;
  disputeId: string;
  paymentId: string;
  homeApiKeyId: string;
  webhookId: string;
  notificationId: string;
}

interface Case {
  params?: (f: Fixtures) => Record<string, string>;
  query?: (f: Fixtures) => Record<string, string>;
  body?: (f: Fixtures) => object;
  /** The organisation whose viewer and API key are tried: the one whose right it is to make the call. */
  owner?: 'home' | 'partner';
  /** A member of another consortium (an org_admin, service_manager and finance who administers that consortium). */
  outsider: Outcome;
  /** An organisation whose request to join is pending, with every organisation role; the outsider's by default. */
  applicant?: Outcome;
  /** A member whose membership is suspended, with every organisation role; the applicant's by default. */
  suspended?: Outcome;
  /** A member of the same consortium in another organisation, with every organisation role, not its administrator. */
  sibling: Outcome;
  /** A viewer of the owning organisation. */
  viewer: Outcome;
}

const REASON = { reason: 'Checking who may do this.' };

/** Every authenticated route, and what each kind of caller who may not own it gets. */
const MATRIX: Record<string, Case> = {
  'GET /api/v1/auth/me': { outsider: 'sees', sibling: 'sees', viewer: 'sees' },

  'GET /api/v1/users': { outsider: 'hidden', sibling: 'hidden', viewer: 403 },
  'POST /api/v1/users': {
    body: (f) => ({
      email: `new.${randomUUID().slice(0, 8)}@example.gov.uk`,
      name: 'New Person',
      roles: ['viewer'],
      password: 'a long enough password 2026',
      organisationId: f.home,
    }),
    // Another organisation's people are not visible to it, so naming it is not found.
    outsider: 404,
    sibling: 404,
    viewer: 403,
  },
  'GET /api/v1/users/{id}': {
    params: (f) => ({ id: f.homeViewerId }),
    outsider: 404,
    sibling: 404,
    viewer: 403,
  },
  'PATCH /api/v1/users/{id}': {
    params: (f) => ({ id: f.homeViewerId }),
    body: () => ({ name: 'Renamed' }),
    outsider: 404,
    sibling: 404,
    viewer: 403,
  },

  'GET /api/v1/api-keys': { outsider: 'hidden', sibling: 'hidden', viewer: 403 },
  'POST /api/v1/api-keys': {
    body: () => ({ name: 'Finance system', scopes: ['charges:read'] }),
    outsider: 'may',
    sibling: 'may',
    viewer: 403,
  },
  'POST /api/v1/api-keys/{id}/revoke': {
    params: (f) => ({ id: f.homeApiKeyId }),
    outsider: 404,
    sibling: 404,
    viewer: 403,
  },

  'GET /api/v1/organisations': { outsider: 'hidden', sibling: 'sees', viewer: 'sees' },
  'POST /api/v1/organisations': {
    body: () => ({
      name: 'A New Council',
      type: 'district_council',
      region: 'East of England',
      admin: {
        email: `a.${randomUUID().slice(0, 8)}@example.gov.uk`,
        name: 'Admin',
        password: 'long passphrase 2026',
      },
    }),
    outsider: 403,
    sibling: 403,
    viewer: 403,
  },
  'GET /api/v1/organisations/{id}': {
    params: (f) => ({ id: f.home }),
    outsider: 404,
    sibling: 'sees',
    viewer: 'sees',
  },
  'PATCH /api/v1/organisations/{id}': {
    params: (f) => ({ id: f.home }),
    body: () => ({ region: 'South East' }),
    outsider: 404,
    sibling: 403,
    viewer: 403,
  },
  // An organisation's ledger codes are its own books: not visible to the other members.
  'GET /api/v1/organisations/{id}/ledger-codes': {
    params: (f) => ({ id: f.home }),
    outsider: 404,
    sibling: 404,
    viewer: 403,
  },
  'PUT /api/v1/organisations/{id}/ledger-codes': {
    params: (f) => ({ id: f.home }),
    body: () => ({
      mappings: [{ match: 'account_kind', value: 'receivable', costCentre: 'DEBTORS', ledgerCode: '1100' }],
    }),
    outsider: 404,
    sibling: 404,
    viewer: 403,
  },

  'GET /api/v1/consortia': { outsider: 'hidden', sibling: 'sees', viewer: 'sees' },
  'POST /api/v1/consortia': {
    body: () => ({ name: `A consortium ${randomUUID().slice(0, 8)}`, billingCycle: 'monthly' }),
    outsider: 'may',
    sibling: 'may',
    viewer: 403,
  },
  'GET /api/v1/consortia/directory': { outsider: 'hidden', sibling: 'hidden', viewer: 'hidden' },
  'GET /api/v1/consortia/{id}': {
    params: (f) => ({ id: f.consortiumId }),
    outsider: 404,
    sibling: 'sees',
    viewer: 'sees',
  },
  'PATCH /api/v1/consortia/{id}': {
    params: (f) => ({ id: f.consortiumId }),
    body: () => ({ description: 'Changed' }),
    outsider: 404,
    sibling: 403,
    viewer: 403,
  },
  'GET /api/v1/consortia/{id}/admins': {
    params: (f) => ({ id: f.consortiumId }),
    outsider: 404,
    sibling: 403,
    viewer: 403,
  },
  'POST /api/v1/consortia/{id}/admins': {
    params: (f) => ({ id: f.consortiumId }),
    body: (f) => ({ userId: f.siblingUserId }),
    outsider: 404,
    sibling: 403,
    viewer: 403,
  },
  'DELETE /api/v1/consortia/{id}/admins/{userId}': {
    params: (f) => ({ id: f.consortiumId, userId: f.consortiumAdminId }),
    outsider: 404,
    sibling: 403,
    viewer: 403,
  },
  'GET /api/v1/consortia/{id}/members': {
    params: (f) => ({ id: f.consortiumId }),
    outsider: 404,
    sibling: 'sees',
    viewer: 'sees',
  },
  'POST /api/v1/consortia/{id}/join-requests': {
    params: (f) => ({ id: f.consortiumId }),
    body: () => ({ note: 'We would like to join.' }),
    outsider: 'may',
    sibling: 'may',
    viewer: 403,
  },
  'POST /api/v1/consortia/{id}/invitations': {
    params: (f) => ({ id: f.consortiumId }),
    body: (f) => ({ organisationId: f.outsider }),
    outsider: 404,
    sibling: 403,
    viewer: 403,
  },
  ...Object.fromEntries(
    ['approve', 'reject', 'suspend', 'reinstate'].map((step) => [
      `POST /api/v1/consortia/{id}/members/{organisationId}/${step}`,
      {
        params: (f: Fixtures) => ({ id: f.consortiumId, organisationId: f.partner }),
        body: () => REASON,
        outsider: 404,
        sibling: 403,
        viewer: 403,
      } satisfies Case,
    ]),
  ),
  ...Object.fromEntries(
    ['accept', 'decline', 'leave'].map((step) => [
      `POST /api/v1/consortia/{id}/members/{organisationId}/${step}`,
      {
        params: (f: Fixtures) => ({ id: f.consortiumId, organisationId: f.home }),
        body: () => REASON,
        outsider: 404,
        sibling: 403,
        viewer: 403,
      } satisfies Case,
    ]),
  ),

  'GET /api/v1/services': { outsider: 'hidden', sibling: 'hidden', viewer: 'sees' },
  'POST /api/v1/services': {
    body: (f) => aNewServiceBody(f.consortiumId),
    outsider: 404,
    sibling: 'may',
    viewer: 403,
  },
  'GET /api/v1/services/{id}': {
    params: (f) => ({ id: f.serviceId }),
    outsider: 404,
    sibling: 'sees',
    viewer: 'sees',
  },
  'PATCH /api/v1/services/{id}': {
    params: (f) => ({ id: f.serviceId }),
    body: () => ({ summary: 'Changed by someone else' }),
    outsider: 404,
    sibling: 403,
    viewer: 403,
  },
  ...Object.fromEntries(
    ['publish', 'suspend', 'resume', 'retire'].map((step) => [
      `POST /api/v1/services/{id}/${step}`,
      {
        params: (f: Fixtures) => ({ id: step === 'publish' ? f.draftServiceId : f.serviceId }),
        outsider: 404,
        sibling: step === 'publish' ? 404 : 403,
        viewer: 403,
      } satisfies Case,
    ]),
  ),
  'GET /api/v1/services/{id}/price-versions': {
    params: (f) => ({ id: f.draftServiceId }),
    outsider: 404,
    sibling: 404,
    viewer: 'sees',
  },
  'POST /api/v1/services/{id}/price-versions': {
    params: (f) => ({ id: f.serviceId }),
    body: () => ({ pricePlan: { model: 'per_unit', unitPrice: '1.00', unitName: 'server' } }),
    outsider: 404,
    sibling: 403,
    viewer: 403,
  },
  'POST /api/v1/services/{id}/quote': {
    params: (f) => ({ id: f.draftServiceId }),
    body: () => ({ quantity: 3 }),
    outsider: 404,
    sibling: 404,
    viewer: 'sees',
  },
  'POST /api/v1/services/{id}/compliance': {
    params: (f) => ({ id: f.serviceId }),
    body: () => ({
      kind: 'psn_compliance',
      issuedOn: '2026-04-01',
      expiresOn: '2027-03-31',
      certificateReference: 'PSN-OTHER-1',
    }),
    outsider: 404,
    sibling: 403,
    viewer: 403,
  },
  'DELETE /api/v1/services/{id}/compliance/{attestationId}': {
    params: (f) => ({ id: f.serviceId, attestationId: f.attestationId }),
    outsider: 404,
    sibling: 403,
    viewer: 403,
  },
  'GET /api/v1/consortia/{id}/compliance': {
    params: (f) => ({ id: f.consortiumId }),
    outsider: 404,
    sibling: 'sees',
    viewer: 'sees',
  },
  'POST /api/v1/consortia/{id}/compliance/notify-expiring': {
    params: (f) => ({ id: f.consortiumId }),
    outsider: 404,
    sibling: 403,
    viewer: 403,
  },

  'GET /api/v1/notifications': { outsider: 'hidden', sibling: 'hidden', viewer: 'sees' },
  'POST /api/v1/notifications/read-all': { outsider: 'may', sibling: 'may', viewer: 'may' },
  'POST /api/v1/notifications/{id}/read': {
    params: (f) => ({ id: f.notificationId }),
    outsider: 404,
    sibling: 404,
    viewer: 'may',
  },

  'GET /api/v1/subscriptions': { outsider: 'hidden', sibling: 'hidden', viewer: 'sees' },
  'POST /api/v1/subscriptions': {
    body: (f) => ({
      serviceId: f.draftServiceId,
      quantity: 1,
      startDate: '2026-12-01',
      termMonths: 12,
      noticePeriodMonths: 3,
    }),
    outsider: 404,
    sibling: 404,
    viewer: 403,
  },
  'GET /api/v1/subscriptions/{id}': {
    params: (f) => ({ id: f.subscriptionId }),
    outsider: 404,
    sibling: 404,
    viewer: 'sees',
  },
  'GET /api/v1/subscriptions/{id}/history': {
    params: (f) => ({ id: f.subscriptionId }),
    outsider: 404,
    sibling: 404,
    viewer: 'sees',
  },
  ...Object.fromEntries(
    (
      [
        ['approve', 'home', undefined],
        ['reject', 'home', REASON],
        ['cancel', 'partner', REASON],
        ['suspend', 'home', REASON],
        ['resume', 'home', undefined],
        ['give-notice', 'partner', REASON],
        ['end', 'home', undefined],
        ['quantity', 'partner', { quantity: 2, effectiveFrom: '2027-01-01' }],
        ['accept-price', 'partner', undefined],
      ] as const
    ).map(([step, owner, body]) => [
      `POST /api/v1/subscriptions/{id}/${step}`,
      {
        params: (f: Fixtures) => ({ id: f.subscriptionId }),
        body: () => body ?? {},
        owner,
        outsider: 404,
        sibling: 404,
        viewer: 403,
      } satisfies Case,
    ]),
  ),

  'POST /api/v1/usage-events': {
    body: (f) => ({
      events: [
        {
          eventId: `evt-${randomUUID()}`,
          subscriptionId: f.subscriptionId,
          metric: 'storage_gb',
          quantity: '1',
          occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
        },
      ],
    }),
    outsider: 'hidden',
    sibling: 'hidden',
    viewer: 403,
  },

  'POST /api/v1/usage-events/void': {
    body: () => ({ eventIds: [`evt-${randomUUID()}`], reason: 'Checking who may withdraw usage.' }),
    outsider: 'hidden',
    sibling: 'hidden',
    viewer: 403,
  },

  'GET /api/v1/billing-periods/{id}/reconciliation': {
    params: (f) => ({ id: f.periodId }),
    outsider: 404,
    sibling: 'hidden',
    viewer: 403,
  },

  'GET /api/v1/consortia/{id}/billing-periods': {
    params: (f) => ({ id: f.consortiumId }),
    outsider: 404,
    sibling: 'sees',
    viewer: 'sees',
  },
  'POST /api/v1/consortia/{id}/billing-periods': {
    params: (f) => ({ id: f.consortiumId }),
    body: () => ({ date: '2027-02-01' }),
    outsider: 404,
    sibling: 403,
    viewer: 403,
  },
  'GET /api/v1/billing-periods/{id}': {
    params: (f) => ({ id: f.periodId }),
    outsider: 404,
    sibling: 'sees',
    viewer: 'sees',
  },
  'POST /api/v1/billing-periods/{id}/charge-runs': {
    params: (f) => ({ id: f.periodId }),
    outsider: 404,
    sibling: 403,
    viewer: 403,
  },
  'GET /api/v1/billing-periods/{id}/charge-runs': {
    params: (f) => ({ id: f.periodId }),
    outsider: 404,
    sibling: 'sees',
    viewer: 'sees',
  },
  'GET /api/v1/charge-runs/{id}': {
    params: (f) => ({ id: f.chargeRunId }),
    outsider: 404,
    sibling: 'sees',
    viewer: 'sees',
  },
  'POST /api/v1/charge-runs/{id}/resume': {
    params: (f) => ({ id: f.chargeRunId }),
    outsider: 404,
    sibling: 403,
    viewer: 403,
  },
  'POST /api/v1/billing-periods/{id}/close': {
    params: (f) => ({ id: f.periodId }),
    outsider: 404,
    sibling: 403,
    viewer: 403,
  },
  'GET /api/v1/billing-periods/{id}/settlement': {
    params: (f) => ({ id: f.settledPeriodId }),
    outsider: 404,
    sibling: 'sees',
    viewer: 'sees',
  },
  'POST /api/v1/settlement-payments/{id}/record': {
    params: (f) => ({ id: f.paymentId }),
    body: () => ({ paymentReference: 'BACS-NOT-YOURS' }),
    owner: 'partner',
    outsider: 404,
    sibling: 403,
    viewer: 403,
  },
  'POST /api/v1/billing-periods/{id}/issue-charges': {
    params: (f) => ({ id: f.periodId }),
    outsider: 404,
    sibling: 'may',
    viewer: 403,
  },
  'GET /api/v1/billing-periods/{id}/finance-export': {
    params: (f) => ({ id: f.periodId }),
    outsider: 404,
    sibling: 'sees',
    viewer: 403,
  },

  'GET /api/v1/consortia/{consortiumId}/accounts/me': {
    params: (f) => ({ consortiumId: f.consortiumId }),
    outsider: 404,
    sibling: 'sees',
    viewer: 403,
  },
  'GET /api/v1/consortia/{consortiumId}/accounts/me/entries': {
    params: (f) => ({ consortiumId: f.consortiumId }),
    outsider: 404,
    sibling: 'sees',
    viewer: 403,
  },
  'GET /api/v1/consortia/{consortiumId}/accounts/{organisationId}': {
    params: (f) => ({ consortiumId: f.consortiumId, organisationId: f.home }),
    outsider: 404,
    sibling: 404,
    viewer: 403,
  },
  'GET /api/v1/consortia/{consortiumId}/accounts/{organisationId}/entries': {
    params: (f) => ({ consortiumId: f.consortiumId, organisationId: f.home }),
    outsider: 404,
    sibling: 404,
    viewer: 403,
  },

  'GET /api/v1/cross-charges': { outsider: 'hidden', sibling: 'hidden', viewer: 'sees' },
  'GET /api/v1/cross-charges/{id}': {
    params: (f) => ({ id: f.issuedChargeId }),
    outsider: 404,
    sibling: 404,
    viewer: 'sees',
  },
  'POST /api/v1/cross-charges/{id}/issue': {
    params: (f) => ({ id: f.draftChargeId }),
    outsider: 404,
    sibling: 404,
    viewer: 403,
  },
  'POST /api/v1/cross-charges/{id}/approve': {
    params: (f) => ({ id: f.issuedChargeId }),
    owner: 'partner',
    outsider: 404,
    sibling: 404,
    viewer: 403,
  },
  'POST /api/v1/cross-charges/{id}/lines/{lineId}/dispute': {
    params: (f) => ({ id: f.issuedChargeId, lineId: f.issuedLineId }),
    body: () => REASON,
    owner: 'partner',
    outsider: 404,
    sibling: 404,
    viewer: 403,
  },
  'GET /api/v1/cross-charges/{id}/comments': {
    params: (f) => ({ id: f.issuedChargeId }),
    outsider: 404,
    sibling: 404,
    viewer: 'sees',
  },
  'POST /api/v1/cross-charges/{id}/comments': {
    params: (f) => ({ id: f.issuedChargeId }),
    body: () => ({ body: 'A comment from someone who is not a party.' }),
    outsider: 404,
    sibling: 404,
    viewer: 403,
  },
  'GET /api/v1/credit-notes': { outsider: 'hidden', sibling: 'hidden', viewer: 'sees' },
  ...Object.fromEntries(
    (
      [
        ['accept', 'home'],
        ['reject', 'home'],
        ['escalate', 'partner'],
        ['withdraw', 'partner'],
      ] as const
    ).map(([step, owner]) => [
      `POST /api/v1/disputes/{id}/${step}`,
      {
        params: (f: Fixtures) => ({ id: f.disputeId }),
        body: () => REASON,
        owner,
        outsider: 404,
        sibling: 404,
        viewer: 403,
      } satisfies Case,
    ]),
  ),
  ...Object.fromEntries(
    ['uphold', 'dismiss'].map((step) => [
      `POST /api/v1/disputes/{id}/${step}`,
      {
        params: (f: Fixtures) => ({ id: f.disputeId }),
        body: () => REASON,
        outsider: 404,
        sibling: 403,
        viewer: 403,
      } satisfies Case,
    ]),
  ),

  'GET /api/v1/statements': {
    query: (f) => ({ consortiumId: f.consortiumId, billingPeriodId: f.periodId }),
    outsider: 404,
    sibling: 'sees',
    viewer: 'sees',
  },
  'GET /api/v1/savings': {
    query: (f) => ({ consortiumId: f.consortiumId }),
    outsider: 404,
    sibling: 'sees',
    viewer: 'sees',
  },
  'GET /api/v1/consortia/{id}/savings': {
    params: (f) => ({ id: f.consortiumId }),
    outsider: 404,
    sibling: 403,
    viewer: 403,
  },
  'GET /api/v1/audit-events': { outsider: 'hidden', sibling: 'hidden', viewer: 403 },

  'GET /api/v1/webhooks': { outsider: 'hidden', sibling: 'hidden', viewer: 'sees' },
  'POST /api/v1/webhooks': {
    body: () => ({ url: 'https://finance.example.gov.uk/hooks/consortium', eventTypes: ['period.closed'] }),
    outsider: 'may',
    sibling: 'may',
    viewer: 403,
  },
  'GET /api/v1/webhooks/{id}': {
    params: (f) => ({ id: f.webhookId }),
    outsider: 404,
    sibling: 404,
    viewer: 'sees',
  },
  'PATCH /api/v1/webhooks/{id}': {
    params: (f) => ({ id: f.webhookId }),
    body: () => ({ enabled: false }),
    outsider: 404,
    sibling: 404,
    viewer: 403,
  },
  'DELETE /api/v1/webhooks/{id}': {
    params: (f) => ({ id: f.webhookId }),
    outsider: 404,
    sibling: 404,
    viewer: 403,
  },
  'POST /api/v1/webhooks/{id}/rotate-secret': {
    params: (f) => ({ id: f.webhookId }),
    outsider: 404,
    sibling: 404,
    viewer: 403,
  },
  'GET /api/v1/webhooks/{id}/deliveries': {
    params: (f) => ({ id: f.webhookId }),
    outsider: 404,
    sibling: 404,
    viewer: 'sees',
  },
  // No delivery exists: the endpoint is what the caller may or may not see.
  'GET /api/v1/webhooks/{id}/deliveries/{deliveryId}': {
    params: (f) => ({ id: f.webhookId, deliveryId: randomUUID() }),
    outsider: 404,
    sibling: 404,
    viewer: 404,
  },
  'POST /api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver': {
    params: (f) => ({ id: f.webhookId, deliveryId: randomUUID() }),
    outsider: 404,
    sibling: 404,
    viewer: 403,
  },
  'GET /api/v1/events': { outsider: 'hidden', sibling: 'hidden', viewer: 'sees' },
};

/** Routes anyone may call (sign-in, token refresh and sign-out by refresh token, health). */
const PUBLIC_ROUTES = [
  'GET /api/v1/health',
  'GET /api/v1/health/ready',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/refresh',
  'POST /api/v1/auth/logout',
];

describe('Tenant isolation, roles and API-key scopes on every route', () => {
  let test: TestApp;
  let routes: Route[];
  let f: Fixtures;
  let as: {
    outsider: Headers;
    outsiderKey: Headers;
    applicant: Headers;
    suspended: Headers;
    sibling: Headers;
    viewer: { home: Headers; partner: Headers };
  };
  /** Ids of things only the owning organisations may see, and of things only members of the consortium may see. */
  let privateIds: string[];
  let membersOnlyIds: string[];

  beforeAll(async () => {
    test = await createTestApp();
    routes = routesOf(test);
    const ds = test.dataSource;
    const world = await aConsortiumWithMembers(ds);
    const sibling = await anOrganisation(ds);
    await aMembership(ds, world.consortium, sibling);
    const elsewhere = await aConsortium(ds);
    const outsider = await anOrganisation(ds);
    await aMembership(ds, elsewhere, outsider);
    const outsiderUser = await aUser(ds, outsider, ['org_admin', 'service_manager', 'finance']);
    await makeConsortiumAdmin(ds, elsewhere, outsiderUser);
    const siblingUser = await aUser(ds, sibling, ['org_admin', 'service_manager', 'finance']);
    const applicant = await anOrganisation(ds);
    await aMembership(ds, world.consortium, applicant, 'requested');
    const applicantUser = await aUser(ds, applicant, ['org_admin', 'service_manager', 'finance']);
    const suspended = await anOrganisation(ds);
    await aMembership(ds, world.consortium, suspended, 'suspended');
    const suspendedUser = await aUser(ds, suspended, ['org_admin', 'service_manager', 'finance']);

    const service = await aService(ds, world.consortium, world.home);
    const draftService = await aService(ds, world.consortium, world.home, { status: 'draft' });
    const attestation = await anAttestation(ds, service);
    const subscriptionId = await aSubscriptionTo(ds, service, world.other, { status: 'requested' });
    const period = await aBillingPeriod(test, world.consortium, '2026-10-01');
    const [chargeRun] = await ds.query(
      `INSERT INTO charge_runs (consortium_id, billing_period_id, status, requested_by_label)
       VALUES ($1, $2, 'completed', 'test') RETURNING id`,
      [world.consortium.id, period.id],
    );
    const homeFinance = await bearerFor(test, world.homeUsers.finance);
    const partnerFinance = await bearerFor(test, world.otherUsers.finance);
    const later = await aBillingPeriod(test, world.consortium, '2026-11-01');
    const draft = await aDraftCrossCharge(ds, {
      consortium: world.consortium,
      periodId: later.id,
      provider: world.home,
      consumer: world.other,
      lines: [{ netMinor: 10_000 }],
    });
    const issued = await aDraftCrossCharge(ds, {
      consortium: world.consortium,
      periodId: period.id,
      provider: world.home,
      consumer: world.other,
      lines: [{ netMinor: 20_000 }, { netMinor: 5_000 }],
    });
    await test.http().post(`/api/v1/cross-charges/${issued.id}/issue`).set(homeFinance).expect(200);
    const dispute = await test
      .http()
      .post(`/api/v1/cross-charges/${issued.id}/lines/${issued.lineIds[0]}/dispute`)
      .set(partnerFinance)
      .send(REASON)
      .expect(201);

    const settled = await aBillingPeriod(test, world.consortium, '2026-09-01');
    await aPostedCharge(test, {
      consortiumId: world.consortium.id,
      billingPeriodId: settled.id,
      providerId: world.home.id,
      consumerId: world.other.id,
      amountMinor: 30_000,
    });
    const closed = await test
      .http()
      .post(`/api/v1/billing-periods/${settled.id}/close`)
      .set(await bearerFor(test, world.consortiumAdmin))
      .send({})
      .expect(200);
    const homeKey = await anApiKey(ds, world.home, ['charges:read']);
    const webhook = await test
      .http()
      .post('/api/v1/webhooks')
      .set(await bearerFor(test, world.homeUsers.admin))
      .send({ url: 'https://finance.example.gov.uk/hooks/consortium', eventTypes: ['period.closed'] })
      .expect(201);
    const [notification] = await ds.query(
      `INSERT INTO notifications (organisation_id, consortium_id, kind, title, body, entity_type, entity_id)
       VALUES ($1, $2, 'subscription.requested', 'Something for home', 'Only home reads this', 'subscription', $3)
       RETURNING id`,
      [world.home.id, world.consortium.id, subscriptionId],
    );

    f = {
      consortiumId: world.consortium.id,
      home: world.home.id,
      partner: world.other.id,
      sibling: sibling.id,
      outsider: outsider.id,
      homeViewerId: world.homeUsers.viewer.id,
      siblingUserId: siblingUser.id,
      consortiumAdminId: world.consortiumAdmin.id,
      serviceId: service.id,
      draftServiceId: draftService.id,
      attestationId: attestation.id,
      subscriptionId,
      periodId: period.id,
      settledPeriodId: settled.id,
      chargeRunId: chargeRun.id,
      draftChargeId: draft.id,
      issuedChargeId: issued.id,
      issuedLineId: issued.lineIds[0],
      disputeId: dispute.body.id,
      paymentId: closed.body.payments[0].id,
      homeApiKeyId: homeKey.apiKey.id,
      webhookId: webhook.body.id,
      notificationId: notification.id,
    };
    privateIds = [
      f.homeViewerId,
      f.draftServiceId,
      f.subscriptionId,
      f.draftChargeId,
      f.issuedChargeId,
      f.disputeId,
      f.homeApiKeyId,
      f.webhookId,
      f.notificationId,
    ];
    membersOnlyIds = [
      f.home,
      f.partner,
      f.serviceId,
      f.periodId,
      f.settledPeriodId,
      f.chargeRunId,
      f.paymentId,
    ];
    as = {
      outsider: await bearerFor(test, outsiderUser),
      outsiderKey: (await anApiKey(ds, outsider, [...API_KEY_SCOPES])).header,
      applicant: await bearerFor(test, applicantUser),
      suspended: await bearerFor(test, suspendedUser),
      sibling: await bearerFor(test, siblingUser),
      viewer: {
        home: await bearerFor(test, world.homeUsers.viewer),
        partner: await bearerFor(test, world.otherUsers.viewer),
      },
    };
  });
  afterAll(() => test.close());

  /** Everything the world's organisations and consortia hold, as one digest (api-key use and sign-ins aside). */
  async function worldState(): Promise<string> {
    const orgs = [f.home, f.partner, f.sibling, f.outsider];
    const [row] = await test.dataSource.query(
      `SELECT md5(concat_ws('|',
         (SELECT count(*) FROM audit_events WHERE organisation_id = ANY($1) OR consortium_id = $2),
         (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM consortia t WHERE t.id = $2),
         (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM organisations t WHERE t.id = ANY($1)),
         (SELECT string_agg(concat_ws(':', t.id, t.roles, t.status, t.name), ',' ORDER BY t.id)
            FROM users t WHERE t.organisation_id = ANY($1)),
         (SELECT string_agg(concat_ws(':', t.id, t.revoked_at, t.scopes), ',' ORDER BY t.id)
            FROM api_keys t WHERE t.organisation_id = ANY($1)),
         (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM consortium_memberships t WHERE t.consortium_id = $2),
         (SELECT string_agg(t::text, ',' ORDER BY t.user_id) FROM consortium_admins t WHERE t.consortium_id = $2),
         (SELECT string_agg(concat_ws(':', t.id, t.status, t.updated_at, t.current_price_version), ',' ORDER BY t.id)
            FROM services t WHERE t.consortium_id = $2),
         (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM compliance_attestations t
            JOIN services s ON s.id = t.service_id WHERE s.consortium_id = $2),
         (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM subscriptions t WHERE t.consortium_id = $2),
         (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM billing_periods t WHERE t.consortium_id = $2),
         (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM charge_runs t WHERE t.consortium_id = $2),
         (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM cross_charges t WHERE t.consortium_id = $2),
         (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM disputes t
            JOIN cross_charges c ON c.id = t.cross_charge_id WHERE c.consortium_id = $2),
         (SELECT string_agg(t.id::text, ',' ORDER BY t.id) FROM charge_comments t
            JOIN cross_charges c ON c.id = t.cross_charge_id WHERE c.consortium_id = $2),
         (SELECT string_agg(t.id::text, ',' ORDER BY t.id) FROM journal_entries t WHERE t.consortium_id = $2),
         (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM settlement_payments t
            JOIN billing_periods p ON p.id = t.billing_period_id WHERE p.consortium_id = $2),
         (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM notifications t WHERE t.organisation_id = ANY($1)),
         (SELECT string_agg(concat_ws(':', t.id, t.url, t.enabled, t.secret, t.event_types), ',' ORDER BY t.id)
            FROM webhook_endpoints t WHERE t.organisation_id = ANY($1)),
         (SELECT string_agg(t::text, ',' ORDER BY t.match, t.value) FROM ledger_code_mappings t
            WHERE t.organisation_id = ANY($1)),
         (SELECT count(*) FROM usage_events t WHERE t.provider_organisation_id = ANY($1)),
         (SELECT count(*) FROM outbox_events t WHERE t.organisation_id = ANY($1))
       )) AS digest`,
      [orgs, f.consortiumId],
    );
    return row.digest as string;
  }

  const pathOf = (route: Route, entry: Case) => {
    const params = entry.params?.(f) ?? {};
    const path = route.path.replace(/\{(\w+)\}/g, (_all, name: string) => {
      if (!params[name]) throw new Error(`${route.name}: no fixture for {${name}}`);
      return params[name];
    });
    const query = entry.query ? `?${new URLSearchParams(entry.query(f)).toString()}` : '';
    return path + query;
  };

  const call = (route: Route, entry: Case, auth: Headers) => {
    const method = route.method.toLowerCase() as 'get' | 'post' | 'patch' | 'put' | 'delete';
    const request = test.http()[method](pathOf(route, entry)).set(auth);
    return route.method === 'GET' ? request : request.send(entry.body?.(f) ?? {});
  };

  const expectProblem = (response: Response, status: 403 | 404) => {
    expect({ status: response.status, body: response.body }).toMatchObject({
      status,
      body: {
        type: `urn:consortium:problem:${status === 404 ? 'not-found' : 'forbidden'}`,
        title: expect.any(String),
        status,
        detail: expect.any(String),
        requestId: expect.any(String),
      },
    });
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  };

  /** Sends the call as `who` and checks it against `outcome`; a refused write must leave the world as it was. */
  async function check(
    route: Route,
    entry: Case,
    who: string,
    auth: Headers,
    outcome: Outcome,
    hiddenIds: string[],
  ) {
    if (outcome === 'may') return;
    const before = await worldState();
    const response = await call(route, entry, auth);
    const seen = { route: route.name, who, status: response.status };
    if (outcome === 403 || outcome === 404) {
      expect(seen).toEqual({ ...seen, status: outcome });
      expectProblem(response, outcome);
      expect({ ...seen, unchanged: await worldState() }).toEqual({ ...seen, unchanged: before });
      return;
    }
    expect(seen).toEqual({ ...seen, status: 200 });
    if (outcome === 'hidden') {
      const leaked = hiddenIds.filter((id) => response.text.includes(id));
      expect({ ...seen, leaked }).toEqual({ ...seen, leaked: [] });
    }
    if (route.method !== 'GET' && outcome === 'hidden') {
      expect({ ...seen, unchanged: await worldState() }).toEqual({ ...seen, unchanged: before });
    }
  }

  it('has an entry for every route of the router, and no entry for a route that does not exist', () => {
    const authenticated = routes.filter((route) => !route.isPublic).map((route) => route.name);
    expect(
      routes
        .filter((route) => route.isPublic)
        .map((route) => route.name)
        .sort(),
    ).toEqual([...PUBLIC_ROUTES].sort());
    expect(authenticated.filter((name) => !(name in MATRIX))).toEqual([]);
    expect(Object.keys(MATRIX).filter((name) => !authenticated.includes(name))).toEqual([]);
  });

  const namesOf = Object.keys(MATRIX);

  it.each(namesOf)('%s: a member of another consortium', async (name) => {
    const route = routes.find((r) => r.name === name) as Route;
    await check(route, MATRIX[name], 'outsider', as.outsider, MATRIX[name].outsider, [
      ...privateIds,
      ...membersOnlyIds,
    ]);
  });

  it.each(namesOf)('%s: an organisation that has only asked to join the consortium', async (name) => {
    const route = routes.find((r) => r.name === name) as Route;
    const entry = MATRIX[name];
    // Not administering any consortium, it is stopped by the role check before anything is looked up.
    const adminOnly = route.roles?.every((role) => role === 'consortium_admin' || role === 'superadmin');
    const outcome = entry.applicant ?? (adminOnly ? 403 : entry.outsider);
    await check(route, entry, 'applicant', as.applicant, outcome, [...privateIds, ...membersOnlyIds]);
  });

  it.each(namesOf)('%s: a suspended member of the consortium', async (name) => {
    const route = routes.find((r) => r.name === name) as Route;
    const entry = MATRIX[name];
    const adminOnly = route.roles?.every((role) => role === 'consortium_admin' || role === 'superadmin');
    const outcome = entry.suspended ?? entry.applicant ?? (adminOnly ? 403 : entry.outsider);
    // Still a member for what it owes: it is told its own (nil) position when a period closes, so the
    // consortium's periods may appear in its notifications and events; nothing of another member's may.
    await check(route, entry, 'suspended', as.suspended, outcome, privateIds);
  });

  it.each(namesOf)('%s: an API key of another consortium holding every scope', async (name) => {
    const route = routes.find((r) => r.name === name) as Route;
    const entry = MATRIX[name];
    const outcome = route.scopes === undefined ? 403 : entry.outsider;
    await check(route, entry, 'outsider key', as.outsiderKey, outcome, [...privateIds, ...membersOnlyIds]);
  });

  it.each(namesOf)('%s: another organisation of the same consortium', async (name) => {
    const route = routes.find((r) => r.name === name) as Route;
    await check(route, MATRIX[name], 'sibling', as.sibling, MATRIX[name].sibling, privateIds);
  });

  it.each(namesOf)('%s: a viewer of the owning organisation', async (name) => {
    const route = routes.find((r) => r.name === name) as Route;
    const entry = MATRIX[name];
    await check(route, entry, 'viewer', as.viewer[entry.owner ?? 'home'], entry.viewer, []);
  });

  it.each(namesOf)(
    '%s: a revoked or expired API key of the owning organisation, holding every scope',
    async (name) => {
      const route = routes.find((r) => r.name === name) as Route;
      const entry = MATRIX[name];
      const organisation = { id: entry.owner === 'partner' ? f.partner : f.home } as Parameters<
        typeof anApiKey
      >[1];
      const address = aClientAddress();
      for (const overrides of [
        { revokedAt: new Date(Date.now() - 60_000) },
        { expiresAt: new Date(Date.now() - 60_000) },
      ]) {
        const key = await anApiKey(test.dataSource, organisation, [...API_KEY_SCOPES], overrides);
        const before = await worldState();
        // Refused credentials spend the client address's budget: an address of its own spares other specs'.
        const response = await call(route, entry, { ...key.header, 'X-Forwarded-For': address });
        expect({ route: name, overrides, status: response.status }).toEqual({
          route: name,
          overrides,
          status: 401,
        });
        expect(response.body).toMatchObject({ type: 'urn:consortium:problem:unauthenticated', status: 401 });
        expect(await worldState()).toBe(before);
      }
    },
  );

  it.each(namesOf.filter((name) => name !== 'GET /api/v1/auth/me'))(
    '%s: an API key of the owning organisation without the scope it needs',
    async (name) => {
      const route = routes.find((r) => r.name === name) as Route;
      const entry = MATRIX[name];
      const organisation = { id: entry.owner === 'partner' ? f.partner : f.home } as Parameters<
        typeof anApiKey
      >[1];
      const scopes: ApiKeyScope[] = API_KEY_SCOPES.filter((scope) => !(route.scopes ?? []).includes(scope));
      const key = await anApiKey(test.dataSource, organisation, scopes);
      const before = await worldState();
      const response = await call(route, entry, key.header);
      expect({ route: name, status: response.status }).toEqual({ route: name, status: 403 });
      expectProblem(response, 403);
      expect(response.body.detail).toBe(
        route.scopes === undefined
          ? 'This endpoint is not available to API keys'
          : `This API key needs one of the scopes: ${route.scopes.join(', ')}`,
      );
      expect(await worldState()).toBe(before);
    },
  );

  /**
   * Lists asked, through their filters, for what belongs to someone else: they show none of it. Another member's
   * statement, savings or account is not found (its books are its own; see statement-access.ts).
   */
  const FILTERED_READS: [string, (f: Fixtures) => string, Outcome, Outcome][] = [
    [
      'audit events of the consortium',
      (f) => `/api/v1/audit-events?consortiumId=${f.consortiumId}`,
      'hidden',
      'hidden',
    ],
    [
      'audit events of a charge',
      (f) => `/api/v1/audit-events?entityId=${f.issuedChargeId}`,
      'hidden',
      'hidden',
    ],
    ['users of another organisation', (f) => `/api/v1/users?organisationId=${f.home}`, 404, 404],
    [
      'draft services of a provider',
      (f) => `/api/v1/services?providerId=${f.home}&status=draft`,
      'hidden',
      'hidden',
    ],
    [
      'services of the consortium',
      (f) => `/api/v1/services?consortiumId=${f.consortiumId}`,
      'hidden',
      'hidden',
    ],
    [
      'subscriptions to a service',
      (f) => `/api/v1/subscriptions?serviceId=${f.serviceId}`,
      'hidden',
      'hidden',
    ],
    [
      'subscriptions of the consortium',
      (f) => `/api/v1/subscriptions?consortiumId=${f.consortiumId}&role=provider`,
      'hidden',
      'hidden',
    ],
    [
      'cross-charges with a counterparty',
      (f) => `/api/v1/cross-charges?consortiumId=${f.consortiumId}&counterpartyId=${f.home}`,
      'hidden',
      'hidden',
    ],
    [
      'credit notes of the consortium',
      (f) => `/api/v1/credit-notes?consortiumId=${f.consortiumId}`,
      'hidden',
      'hidden',
    ],
    [
      "another organisation's statement",
      (f) =>
        `/api/v1/statements?consortiumId=${f.consortiumId}&billingPeriodId=${f.periodId}&organisationId=${f.home}`,
      404,
      404,
    ],
    [
      "another organisation's statement as CSV",
      (f) =>
        `/api/v1/statements?consortiumId=${f.consortiumId}&billingPeriodId=${f.periodId}&organisationId=${f.home}&format=csv`,
      404,
      404,
    ],
    [
      "another organisation's savings",
      (f) => `/api/v1/savings?consortiumId=${f.consortiumId}&organisationId=${f.home}`,
      404,
      404,
    ],
    [
      "another member's entries with a counterparty",
      (f) => `/api/v1/consortia/${f.consortiumId}/accounts/me/entries?counterpartyId=${f.home}`,
      404,
      'hidden',
    ],
    ['the events feed by type', () => '/api/v1/events?type=cross_charge.disputed', 'hidden', 'hidden'],
  ];

  it.each(FILTERED_READS)(
    '%s: neither another consortium nor another member sees it',
    async (_label, path, outsider, sibling) => {
      for (const [who, auth, outcome, hiddenIds] of [
        ['outsider', as.outsider, outsider, [...privateIds, ...membersOnlyIds]],
        ['sibling', as.sibling, sibling, privateIds],
      ] as const) {
        const response = await test.http().get(path(f)).set(auth);
        const seen = { path: path(f), who, status: response.status };
        if (outcome === 403 || outcome === 404) {
          expect(seen).toEqual({ ...seen, status: outcome });
          expectProblem(response, outcome);
        } else {
          expect(seen).toEqual({ ...seen, status: 200 });
          expect({ ...seen, leaked: hiddenIds.filter((id) => response.text.includes(id)) }).toEqual({
            ...seen,
            leaked: [],
          });
        }
      }
    },
  );

  it('keeps a refused call out of the audit trail and the money: the matrix left every fixture as it was', async () => {
    const [row] = await test.dataSource.query(
      `SELECT (SELECT status FROM cross_charges WHERE id = $1) AS draft,
              (SELECT status FROM cross_charges WHERE id = $2) AS issued,
              (SELECT status FROM disputes WHERE id = $3) AS dispute,
              (SELECT status FROM settlement_payments WHERE id = $4) AS payment,
              (SELECT status FROM subscriptions WHERE id = $5) AS subscription,
              (SELECT revoked_at FROM api_keys WHERE id = $6) AS "keyRevokedAt"`,
      [f.draftChargeId, f.issuedChargeId, f.disputeId, f.paymentId, f.subscriptionId, f.homeApiKeyId],
    );
    expect(row).toEqual({
      draft: 'draft',
      issued: 'disputed',
      dispute: 'open',
      payment: 'pending',
      subscription: 'requested',
      keyRevokedAt: null,
    });
  });
});
