import { type ApiKeyScope, generateApiKey, hashPassword } from '@consortium/auth';
import type { MembershipStatus, OrganisationRole, OrganisationType } from '@consortium/domain';
import { JwtService } from '@nestjs/jwt';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ApiKey } from '../../src/modules/api-keys/api-key.entity';
import { ComplianceAttestation } from '../../src/modules/catalogue/compliance-attestation.entity';
import { PriceVersion } from '../../src/modules/catalogue/price-version.entity';
import { Service } from '../../src/modules/catalogue/service.entity';
import { Consortium } from '../../src/modules/consortia/consortium.entity';
import { ConsortiumAdmin } from '../../src/modules/consortia/consortium-admin.entity';
import { Membership } from '../../src/modules/consortia/membership.entity';
import { Organisation } from '../../src/modules/organisations/organisation.entity';
import { User } from '../../src/modules/users/user.entity';
import type { TestApp } from './test-app';

/** Small builders: each test arranges exactly the data it talks about, with unique names so files run in parallel. */
export const TEST_PASSWORD = 'correct-horse-battery-staple';
let passwordHash: Promise<string> | undefined;

export const unique = (label: string) => `${label} ${randomBytes(4).toString('hex')}`;

export async function anOrganisation(
  ds: DataSource,
  overrides: Partial<Organisation> = {},
): Promise<Organisation> {
  return ds.getRepository(Organisation).save({
    name: unique('Test Borough Council'),
    type: 'district_council' as OrganisationType,
    region: 'East of England',
    contactName: null,
    contactEmail: null,
    contactPhone: null,
    ...overrides,
  });
}

export async function aUser(
  ds: DataSource,
  organisation: Organisation,
  roles: OrganisationRole[],
  overrides: Partial<User> = {},
): Promise<User> {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  const email = `${roles.join('-') || 'nobody'}.${randomBytes(5).toString('hex')}@example.gov.uk`;
  return ds.getRepository(User).save({
    organisationId: organisation.id,
    email,
    name: `Test ${roles.join(' ')}`,
    roles,
    passwordHash: await passwordHash,
    isSuperadmin: false,
    status: 'active' as const,
    ...overrides,
  });
}

export async function aConsortium(ds: DataSource, overrides: Partial<Consortium> = {}): Promise<Consortium> {
  return ds.getRepository(Consortium).save({
    name: unique('Test Consortium'),
    description: null,
    billingCycle: 'monthly' as const,
    currency: 'GBP',
    rules: { acceptsJoinRequests: true, paymentTermsDays: 30 },
    ...overrides,
  });
}

export async function aMembership(
  ds: DataSource,
  consortium: Consortium,
  organisation: Organisation,
  status: MembershipStatus = 'active',
): Promise<Membership> {
  return ds.getRepository(Membership).save({
    consortiumId: consortium.id,
    organisationId: organisation.id,
    status,
    note: null,
    joinedAt: status === 'active' ? new Date() : null,
    leftAt: null,
  });
}

export async function makeConsortiumAdmin(ds: DataSource, consortium: Consortium, user: User): Promise<void> {
  await ds.getRepository(ConsortiumAdmin).insert({ consortiumId: consortium.id, userId: user.id });
}

/** Signs in through the API and returns the bearer header and the token pair. */
export async function signIn(test: TestApp, user: User) {
  const response = await test
    .http()
    .post('/api/v1/auth/login')
    .send({ email: user.email, password: TEST_PASSWORD })
    .expect(200);
  return {
    auth: { Authorization: `Bearer ${response.body.accessToken as string}` },
    accessToken: response.body.accessToken as string,
    refreshToken: response.body.refreshToken as string,
  };
}

/**
 * A consortium with two active member organisations, each with a user in every role, and a consortium admin:
 * the usual cast for tenancy tests.
 */
export async function aConsortiumWithMembers(ds: DataSource) {
  const consortium = await aConsortium(ds);
  const home = await anOrganisation(ds);
  const other = await anOrganisation(ds);
  await aMembership(ds, consortium, home);
  await aMembership(ds, consortium, other);
  const users = async (org: Organisation) => ({
    admin: await aUser(ds, org, ['org_admin']),
    manager: await aUser(ds, org, ['service_manager']),
    finance: await aUser(ds, org, ['finance']),
    viewer: await aUser(ds, org, ['viewer']),
  });
  const consortiumAdmin = await aUser(ds, home, ['viewer']);
  await makeConsortiumAdmin(ds, consortium, consortiumAdmin);
  return {
    consortium,
    home,
    other,
    homeUsers: await users(home),
    otherUsers: await users(other),
    consortiumAdmin,
  };
}

/** An API key of the organisation, stored as the API stores it; `key` is the whole secret to present. */
export async function anApiKey(
  ds: DataSource,
  organisation: Organisation,
  scopes: ApiKeyScope[],
  overrides: Partial<ApiKey> = {},
): Promise<{ apiKey: ApiKey; key: string; header: { 'X-API-Key': string } }> {
  const { key, prefix, secretHash } = generateApiKey();
  const apiKey = await ds.getRepository(ApiKey).save({
    organisationId: organisation.id,
    name: unique('Test integration'),
    prefix,
    secretHash,
    scopes,
    createdByUserId: null,
    expiresAt: null,
    lastUsedAt: null,
    revokedAt: null,
    ...overrides,
  });
  return { apiKey, key, header: { 'X-API-Key': key } };
}

/** A client address of its own (sent as X-Forwarded-For), so one test's failed sign-ins never rate-limit another's. */
export const aClientAddress = () => `10.${[1, 2, 3].map(() => randomBytes(1)[0]).join('.')}`;

export interface AuditRow {
  action: string;
  actorType: string;
  actorId: string | null;
  organisationId: string | null;
  requestId: string | null;
  changes: Record<string, unknown>;
  occurredAt: Date;
}

/** The audit trail of one entity, oldest first. */
export async function auditEventsFor(ds: DataSource, entityId: string): Promise<AuditRow[]> {
  return ds.query(
    `SELECT action, actor_type AS "actorType", actor_id AS "actorId", organisation_id AS "organisationId",
            request_id AS "requestId", changes, occurred_at AS "occurredAt"
       FROM audit_events WHERE entity_id = $1 ORDER BY occurred_at, id`,
    [entityId],
  );
}

export interface RequestAuditRow {
  action: string;
  actorType: string;
  actorId: string | null;
  organisationId: string | null;
  consortiumId: string | null;
  entityType: string;
  entityId: string;
  requestId: string | null;
  changes: Record<string, unknown>;
}

/** The audit events one request wrote (match `requestId` to its x-request-id response header), in order. */
export async function auditEventsOfRequest(ds: DataSource, requestId: string): Promise<RequestAuditRow[]> {
  return ds.query(
    `SELECT action, actor_type AS "actorType", actor_id AS "actorId", organisation_id AS "organisationId",
            consortium_id AS "consortiumId", entity_type AS "entityType", entity_id AS "entityId",
            request_id AS "requestId", changes
       FROM audit_events WHERE request_id = $1 ORDER BY occurred_at, action`,
    [requestId],
  );
}

/** A platform superadmin (in an organisation of their own). */
export async function aSuperadmin(ds: DataSource): Promise<User> {
  return aUser(ds, await anOrganisation(ds, { name: unique('Platform Operator') }), [], {
    isSuperadmin: true,
  });
}

/**
 * A bearer header for the user, in a session of its own, signed as POST /auth/login would sign it but without the
 * deliberately slow password check, so tests that need many signed-in users stay fast. Sign-in itself is tested
 * through signIn().
 */
export async function bearerFor(test: TestApp, user: User): Promise<{ Authorization: string }> {
  const [session] = await test.dataSource.query<{ id: string }[]>(
    'INSERT INTO sessions (user_id) VALUES ($1) RETURNING id',
    [user.id],
  );
  const jwt = test.app.get(JwtService, { strict: false });
  const token = await jwt.signAsync(
    { sub: user.id, org: user.organisationId, typ: 'access', sid: session.id },
    { expiresIn: 900, jwtid: randomBytes(8).toString('hex') },
  );
  return { Authorization: `Bearer ${token}` };
}

/** A per-unit price plan of £12.50 a unit, in the shape the domain validates. */
export const aPerUnitPlan = (overrides: Record<string, unknown> = {}) => ({
  model: 'per_unit',
  currency: 'GBP',
  unitPrice: '12.50',
  unitName: 'device',
  ...overrides,
});

/**
 * A service listing stored as the API stores it, with price version 1 (`plan`, a per-unit plan by default).
 * Published unless `status` says otherwise; the search document is filled in by the database's trigger.
 */
export async function aService(
  ds: DataSource,
  consortium: Consortium,
  provider: Organisation,
  overrides: Partial<Service> & { plan?: Record<string, unknown> } = {},
): Promise<Service> {
  const { plan = aPerUnitPlan(), ...fields } = overrides;
  const status = fields.status ?? 'published';
  const service = await ds.getRepository(Service).save({
    consortiumId: consortium.id,
    providerOrganisationId: provider.id,
    category: 'hosting_and_data_centre' as const,
    title: unique('Test service'),
    summary: 'A service for tests',
    description: 'Provided by one member to the others.',
    serviceLevel: {
      hoursOfCover: 'Mon–Fri 08:00–18:00',
      responseTargetHours: 4,
      resolutionTargetHours: 24,
      availabilityPercent: '99.5',
    },
    capacityLimit: null,
    capacityUnit: 'subscribers' as const,
    vatTreatment: 'outside_scope' as const,
    contacts: [{ name: 'Sam Provider', email: 'sam.provider@example.gov.uk' }],
    currentPriceVersion: 1,
    publishedAt: status === 'draft' ? null : new Date(),
    ...fields,
    status,
  });
  await ds.getRepository(PriceVersion).save({
    serviceId: service.id,
    version: 1,
    plan,
    currency: consortium.currency,
    createdByUserId: null,
  });
  return service;
}

/** Appends the service's next price version and makes it current, as a price change does. */
export async function aPriceVersion(
  ds: DataSource,
  service: Service,
  plan: Record<string, unknown>,
): Promise<PriceVersion> {
  const [{ latest }] = await ds.query(
    'SELECT max(version)::int AS latest FROM price_versions WHERE service_id = $1',
    [service.id],
  );
  const version = await ds
    .getRepository(PriceVersion)
    .save({ serviceId: service.id, version: latest + 1, plan, currency: 'GBP', createdByUserId: null });
  await ds.getRepository(Service).update({ id: service.id }, { currentPriceVersion: version.version });
  return version;
}

/** A certificate on a service: PSN compliance, required, valid for a year from today unless overridden. */
export async function anAttestation(
  ds: DataSource,
  service: Service,
  overrides: Partial<ComplianceAttestation> = {},
): Promise<ComplianceAttestation> {
  const today = new Date();
  const isoDay = (offset: number) =>
    new Date(today.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
  return ds.getRepository(ComplianceAttestation).save({
    serviceId: service.id,
    kind: 'psn_compliance' as const,
    certificateReference: unique('PSN-CERT'),
    issuedOn: isoDay(-30),
    expiresOn: isoDay(365),
    required: true,
    ...overrides,
  });
}

/**
 * A subscription row holding part of a service's capacity, at the service's current price version: just enough
 * for the catalogue's capacity and visibility rules (the subscriptions API has its own workflow tests).
 */
export async function aSubscriptionTo(
  ds: DataSource,
  service: Service,
  consumer: Organisation,
  fields: { status?: string; quantity?: number } = {},
): Promise<string> {
  const [row] = await ds.query(
    `INSERT INTO subscriptions (consortium_id, service_id, consumer_organisation_id, provider_organisation_id,
                                price_version_id, quantity, start_date, term_months, notice_period_months,
                                currency, status)
     SELECT s.consortium_id, s.id, $2, s.provider_organisation_id, pv.id, $3, current_date, 12, 3, pv.currency, $4
       FROM services s JOIN price_versions pv ON pv.service_id = s.id AND pv.version = s.current_price_version
      WHERE s.id = $1
     RETURNING id`,
    [service.id, consumer.id, fields.quantity ?? 1, fields.status ?? 'active'],
  );
  return row.id as string;
}

/**
 * A billing period of the consortium, by key (`2026-11` or `2026-Q4`), open unless `status` says otherwise (then
 * moved there along the period's lifecycle, as the database allows).
 */
export async function aChargePeriod(
  ds: DataSource,
  consortium: Consortium,
  key: string,
  status: 'open' | 'closing' | 'closed' | 'settled' = 'open',
): Promise<{ id: string; key: string; startDate: string; endDate: string }> {
  const quarter = /^(\d{4})-Q([1-4])$/.exec(key);
  const [year, first] = quarter
    ? [Number(quarter[1]), (Number(quarter[2]) - 1) * 3 + 1]
    : key.split('-').map(Number);
  const last = quarter ? first + 2 : first;
  const pad = (n: number) => String(n).padStart(2, '0');
  const endDay = new Date(Date.UTC(year, last, 0)).getUTCDate();
  const [row] = await ds.query(
    `INSERT INTO billing_periods (consortium_id, key, cycle, start_date, end_date)
     VALUES ($1, $2, $3, $4, $5) RETURNING id, key, start_date::text AS "startDate", end_date::text AS "endDate"`,
    [
      consortium.id,
      key,
      quarter ? 'quarterly' : 'monthly',
      `${year}-${pad(first)}-01`,
      `${year}-${pad(last)}-${pad(endDay)}`,
    ],
  );
  await moveBillingPeriodTo(ds, row.id, status);
  return row;
}

export interface DraftLineInput {
  netMinor: number | bigint;
  vatMinor?: number | bigint;
  vatTreatment?: string;
  description?: string;
  /** Charge this subscription (of the provider's service to the consumer); by default one made for the charge. */
  subscriptionId?: string;
}

/**
 * A draft cross-charge as a charge run leaves it: the cross_charges row and its cross_charge_lines, inserted
 * directly, with totals that are the sums of the lines. Lines without a subscription charge one subscription to a
 * new service of the provider.
 */
export async function aDraftCrossCharge(
  ds: DataSource,
  fields: {
    consortium: Consortium;
    periodId: string;
    provider: Organisation;
    consumer: Organisation;
    lines: DraftLineInput[];
  },
): Promise<{ id: string; reference: string; lineIds: string[]; subscriptionIds: string[] }> {
  const { consortium, periodId, provider, consumer, lines } = fields;
  let defaultSubscription: string | undefined;
  const subscriptionFor = async (line: DraftLineInput) => {
    if (line.subscriptionId) return line.subscriptionId;
    defaultSubscription ??= await aSubscriptionTo(ds, await aService(ds, consortium, provider), consumer);
    return defaultSubscription;
  };
  const subscriptionIds: string[] = [];
  for (const line of lines) subscriptionIds.push(await subscriptionFor(line));
  const net = lines.reduce((sum, line) => sum + BigInt(line.netMinor), 0n);
  const vat = lines.reduce((sum, line) => sum + BigInt(line.vatMinor ?? 0), 0n);
  const reference = `TEST-${randomBytes(6).toString('hex').toUpperCase()}`;
  const [charge] = await ds.query(
    `INSERT INTO cross_charges (consortium_id, billing_period_id, provider_organisation_id, consumer_organisation_id,
                                status, reference, currency, net_minor, vat_minor, gross_minor)
     VALUES ($1, $2, $3, $4, 'draft', $5, 'GBP', $6, $7, $8) RETURNING id`,
    [
      consortium.id,
      periodId,
      provider.id,
      consumer.id,
      reference,
      net.toString(),
      vat.toString(),
      (net + vat).toString(),
    ],
  );
  const lineIds: string[] = [];
  for (const [index, line] of lines.entries()) {
    const [row] = await ds.query(
      `INSERT INTO cross_charge_lines (cross_charge_id, billing_period_id, subscription_id, service_id, price_version_id,
                                       line_key, kind, description, quantity, unit_rate, net_minor, vat_minor,
                                       vat_treatment, detail)
       SELECT $1, $2, s.id, s.service_id, s.price_version_id, $4, 'per_unit', $5, '1', '12.50', $6, $7, $8, '{}'::jsonb
         FROM subscriptions s WHERE s.id = $3
       RETURNING id`,
      [
        charge.id,
        periodId,
        subscriptionIds[index],
        `line:${index + 1}`,
        line.description ?? `Test line ${index + 1}`,
        BigInt(line.netMinor).toString(),
        BigInt(line.vatMinor ?? 0).toString(),
        line.vatTreatment ?? (line.vatMinor ? 'standard' : 'outside_scope'),
      ],
    );
    lineIds.push(row.id as string);
  }
  return { id: charge.id as string, reference, lineIds, subscriptionIds };
}

// ---- Ledger, billing periods and settlement ----
import { ACTOR_DIRECTORY, type Actor, type ActorDirectory } from '@consortium/auth';
import { BillingPeriodsService } from '../../src/modules/billing-periods/billing-periods.service';
import { LedgerService } from '../../src/modules/ledger/ledger.service';

/**
 * The consortium's billing period containing `date` (by its billing cycle), as the API opens it; then moved to
 * `status` along the period's lifecycle when given (directly, without the close's positions and payments).
 */
export async function aBillingPeriod(
  test: TestApp,
  consortium: Consortium,
  date: string,
  status?: 'open' | 'closing' | 'closed' | 'settled',
): Promise<{ id: string; key: string; startDate: string; endDate: string }> {
  const period = await test.dataSource.transaction((manager) =>
    test.app.get(BillingPeriodsService).ensurePeriodFor(manager, consortium.id, date),
  );
  if (status) await moveBillingPeriodTo(test.dataSource, period.id, status);
  return { id: period.id, key: period.key, startDate: period.startDate, endDate: period.endDate };
}

/**
 * A cross-charge of `amountMinor` from provider to consumer posted to the ledger as issuing posts it (provider's
 * receivable +amount, consumer's payable −amount), without a cross_charges row. Returns the journal entry id.
 */
export async function aPostedCharge(
  test: TestApp,
  fields: {
    consortiumId: string;
    billingPeriodId: string;
    providerId: string;
    consumerId: string;
    amountMinor: bigint | number;
    sourceId?: string;
  },
): Promise<string> {
  const amount = BigInt(fields.amountMinor);
  return test.dataSource.transaction((manager) =>
    test.app.get(LedgerService).post(manager, {
      consortiumId: fields.consortiumId,
      billingPeriodId: fields.billingPeriodId,
      kind: 'charge',
      description: 'Test cross-charge',
      sourceType: 'test_charge',
      sourceId: fields.sourceId ?? randomBytes(8).toString('hex'),
      actorLabel: 'test',
      postings: [
        {
          organisationId: fields.providerId,
          accountKind: 'receivable',
          counterpartyOrganisationId: fields.consumerId,
          amountMinor: amount,
          currency: 'GBP',
        },
        {
          organisationId: fields.consumerId,
          accountKind: 'payable',
          counterpartyOrganisationId: fields.providerId,
          amountMinor: -amount,
          currency: 'GBP',
        },
      ],
    }),
  );
}

/** The actor the API would build for the user, for calling services directly. */
export async function anActorFor(test: TestApp, user: User): Promise<Actor> {
  const actor = await test.app.get<ActorDirectory>(ACTOR_DIRECTORY, { strict: false }).actorForUser(user.id);
  if (!actor) throw new Error(`No actor for ${user.email}`);
  return { ...actor, requestId: `test-${randomBytes(4).toString('hex')}` };
}

/**
 * A subscription with explicit dates (the charge run's proration and usage windows), at the service's current
 * price version. `quantities` is the quantity schedule (subscription_quantities); by default `quantity` from
 * the start date.
 */
export async function aDatedSubscription(
  ds: DataSource,
  service: Service,
  consumer: Organisation,
  fields: {
    startDate: string;
    endDate?: string | null;
    status?: string;
    quantity?: number;
    quantities?: { from: string; quantity: number }[];
  },
): Promise<string> {
  const quantities = fields.quantities ?? [{ from: fields.startDate, quantity: fields.quantity ?? 1 }];
  const [row] = await ds.query(
    `INSERT INTO subscriptions (consortium_id, service_id, consumer_organisation_id, provider_organisation_id,
                                price_version_id, quantity, start_date, end_date, term_months, notice_period_months,
                                currency, status)
     SELECT s.consortium_id, s.id, $2, s.provider_organisation_id, pv.id, $3, $4, $5, 12, 3, pv.currency, $6
       FROM services s JOIN price_versions pv ON pv.service_id = s.id AND pv.version = s.current_price_version
      WHERE s.id = $1
     RETURNING id`,
    [
      service.id,
      consumer.id,
      quantities[quantities.length - 1].quantity,
      fields.startDate,
      fields.endDate ?? null,
      fields.status ?? 'active',
    ],
  );
  for (const q of quantities) {
    await ds.query(
      'INSERT INTO subscription_quantities (subscription_id, quantity, effective_from) VALUES ($1, $2, $3)',
      [row.id, q.quantity, q.from],
    );
  }
  return row.id as string;
}

/** Usage stored straight into a period (as ingestion stores it), for charge-run tests. */
export async function someUsage(
  ds: DataSource,
  fields: {
    subscriptionId: string;
    billingPeriodId: string;
    metric: string;
    quantities: string[];
    at: string;
  },
): Promise<void> {
  await ds.query(
    `INSERT INTO usage_events (provider_organisation_id, event_id, subscription_id, billing_period_id, metric,
                               quantity, occurred_at, body_hash)
     SELECT s.provider_organisation_id, 'test-' || gen_random_uuid(), s.id, $2, $3, q, $5, 'test'
       FROM subscriptions s, unnest($4::numeric[]) AS q
      WHERE s.id = $1`,
    [fields.subscriptionId, fields.billingPeriodId, fields.metric, fields.quantities, fields.at],
  );
}

/**
 * An issued charge from `home` (provider) to `other` (consumer) in a fresh consortium: a £1,000 line and a
 * £250.50 + £50.10 VAT line, a third member (`bystander`) and bearer headers for each side. Its
 * `auth.consortiumAdmin` administers the consortium from the bystander, so may decide escalated disputes (a
 * party's own administrator, `consortiumAdmin` of the world, may not: a conflict of interest).
 */
export async function anIssuedChargeBetweenMembers(test: TestApp) {
  const ds = test.dataSource;
  const world = await aConsortiumWithMembers(ds);
  const bystander = await anOrganisation(ds);
  await aMembership(ds, world.consortium, bystander);
  const neutralAdmin = await aUser(ds, bystander, ['viewer']);
  await makeConsortiumAdmin(ds, world.consortium, neutralAdmin);
  const period = await aChargePeriod(ds, world.consortium, '2026-10');
  const charge = await aDraftCrossCharge(ds, {
    consortium: world.consortium,
    periodId: period.id,
    provider: world.home,
    consumer: world.other,
    lines: [
      { netMinor: 100_000, description: 'Disaster recovery, 10 sites' },
      { netMinor: 25_050, vatMinor: 5_010, description: 'Backup storage' },
    ],
  });
  const auth = {
    provider: await bearerFor(test, world.homeUsers.finance),
    consumer: await bearerFor(test, world.otherUsers.finance),
    consumerViewer: await bearerFor(test, world.otherUsers.viewer),
    consortiumAdmin: await bearerFor(test, neutralAdmin),
    partyAdmin: await bearerFor(test, world.consortiumAdmin),
    bystander: await bearerFor(test, await aUser(ds, bystander, ['finance'])),
  };
  await test.http().post(`/api/v1/cross-charges/${charge.id}/issue`).set(auth.provider).expect(200);
  return {
    ...world,
    bystander,
    neutralAdmin,
    period,
    charge,
    auth,
    provider: world.home,
    consumer: world.other,
  };
}

/** The body of `POST /services`: a disaster recovery service of the consortium, with `overrides` applied. */
export const aNewServiceBody = (consortiumId: string, overrides: Record<string, unknown> = {}) => ({
  consortiumId,
  category: 'disaster_recovery',
  title: 'Disaster recovery hosting',
  summary: 'Standby servers in our second data centre.',
  description: 'Replicated storage and standby servers, tested twice a year.',
  serviceLevel: {
    hoursOfCover: '24x7',
    responseTargetHours: 0.5,
    resolutionTargetHours: 4,
    availabilityPercent: '99.95',
  },
  capacity: { limit: 20, unit: 'units' },
  pricePlan: { model: 'per_unit', unitPrice: '450.00', unitName: 'server' },
  vatTreatment: 'outside_scope',
  contacts: [{ name: 'Jo Byrne', email: 'Jo.Byrne@norfolk.gov.uk', role: 'Service owner' }],
  ...overrides,
});

// ---- Charge runs and subscription changes the API cannot express ----

/**
 * A charge run of the period, queued as POST /billing-periods/{id}/charge-runs queues it but without its background
 * job: the test runs it with ChargeRunComputation.execute (and may stop it part-way with `stopAfterChunks`), so no
 * worker takes it first.
 */
export async function aQueuedChargeRun(
  ds: DataSource,
  fields: { consortiumId: string; billingPeriodId: string },
): Promise<string> {
  const [row] = await ds.query(
    `INSERT INTO charge_runs (consortium_id, billing_period_id, requested_by_label) VALUES ($1, $2, 'test')
     RETURNING id`,
    [fields.consortiumId, fields.billingPeriodId],
  );
  return row.id as string;
}

/**
 * A quantity change with effect from a day already past, stored as POST /subscriptions/{id}/quantity stores a
 * change (it supersedes changes on or after that day; the subscription's quantity becomes the new one). The API
 * only takes changes from today on, so this is how a test puts a change in the middle of a past billing period,
 * as a correction by the operators would.
 */
export async function aBackdatedQuantityChange(
  ds: DataSource,
  subscriptionId: string,
  change: { effectiveFrom: string; quantity: number },
): Promise<void> {
  await ds.transaction(async (manager) => {
    await manager.query(
      'DELETE FROM subscription_quantities WHERE subscription_id = $1 AND effective_from >= $2',
      [subscriptionId, change.effectiveFrom],
    );
    await manager.query(
      'INSERT INTO subscription_quantities (subscription_id, quantity, effective_from) VALUES ($1, $2, $3)',
      [subscriptionId, change.quantity, change.effectiveFrom],
    );
    await manager.query('UPDATE subscriptions SET quantity = $2, updated_at = now() WHERE id = $1', [
      subscriptionId,
      change.quantity,
    ]);
  });
}

// ---- Statuses moved directly, one lifecycle step at a time (the database refuses any other move) ----

const PERIOD_STEPS = ['open', 'closing', 'closed', 'settled'] as const;

/**
 * Moves an open (or later) billing period on to `status` one step at a time, as the database allows: open →
 * closing → closed → settled. It writes no positions or payments, so a period "closed" this way has none.
 */
export async function moveBillingPeriodTo(
  ds: DataSource,
  periodId: string,
  status: (typeof PERIOD_STEPS)[number],
): Promise<void> {
  const [{ status: current }] = await ds.query('SELECT status FROM billing_periods WHERE id = $1', [
    periodId,
  ]);
  for (const step of PERIOD_STEPS.slice(
    PERIOD_STEPS.indexOf(current) + 1,
    PERIOD_STEPS.indexOf(status) + 1,
  )) {
    await ds.query('UPDATE billing_periods SET status = $2 WHERE id = $1', [periodId, step]);
  }
}
