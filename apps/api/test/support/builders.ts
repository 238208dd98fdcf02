import { hashPassword } from '@consortium/auth';
import type { MembershipStatus, OrganisationRole, OrganisationType } from '@consortium/domain';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
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
