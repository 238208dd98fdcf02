import { Consortium } from '../src/modules/consortia/consortium.entity';
import { Service } from '../src/modules/catalogue/service.entity';
import { Organisation } from '../src/modules/organisations/organisation.entity';
import { User } from '../src/modules/users/user.entity';
import {
  aConsortiumWithMembers,
  anIssuedChargeBetweenMembers,
  aService,
  bearerFor,
  makeConsortiumAdmin,
} from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

/**
 * `null` for a field that may be left out but must have a value is a field error, never a 500 from a NOT NULL
 * column nor a setting silently wiped. (Fields that may be cleared say `| null` in the OpenAPI document.)
 */
describe('null for a field that must have a value', () => {
  let test: TestApp;
  beforeAll(async () => (test = await createTestApp()));
  afterAll(() => test.close());

  const expectFieldError = (body: { type: string; errors: { field: string }[] }, field: string) => {
    expect(body.type).toBe('urn:consortium:problem:validation-error');
    expect(body.errors.map((error) => error.field)).toContain(field);
  };

  it.each([
    'title',
    'summary',
    'description',
    'category',
    'vatTreatment',
    'serviceLevel',
    'capacity',
    'contacts',
  ])('refuses a service change setting %s to null and leaves the service as it was', async (field) => {
    const world = await aConsortiumWithMembers(test.dataSource);
    const service = await aService(test.dataSource, world.consortium, world.home);
    const response = await test
      .http()
      .patch(`/api/v1/services/${service.id}`)
      .set(await bearerFor(test, world.homeUsers.manager))
      .send({ [field]: null })
      .expect(400);
    expectFieldError(response.body, field);
    const stored = await test.dataSource.getRepository(Service).findOneByOrFail({ id: service.id });
    expect(stored).toMatchObject({
      title: service.title,
      category: service.category,
      serviceLevel: service.serviceLevel,
      contacts: service.contacts,
    });
  });

  it.each(['name', 'region'])('refuses an organisation change setting %s to null', async (field) => {
    const world = await aConsortiumWithMembers(test.dataSource);
    const response = await test
      .http()
      .patch(`/api/v1/organisations/${world.home.id}`)
      .set(await bearerFor(test, world.homeUsers.admin))
      .send({ [field]: null })
      .expect(400);
    expectFieldError(response.body, field);
    const stored = await test.dataSource.getRepository(Organisation).findOneByOrFail({ id: world.home.id });
    expect(stored[field as 'name' | 'region']).toBe(world.home[field as 'name' | 'region']);
  });

  it('still lets an organisation clear a contact field with null', async () => {
    const world = await aConsortiumWithMembers(test.dataSource);
    await test.dataSource.getRepository(Organisation).update(world.home.id, { contactName: 'Jo Contact' });
    const response = await test
      .http()
      .patch(`/api/v1/organisations/${world.home.id}`)
      .set(await bearerFor(test, world.homeUsers.admin))
      .send({ contactName: null })
      .expect(200);
    expect(response.body.contactName).toBeNull();
  });

  it.each(['name', 'roles', 'status'])('refuses a user change setting %s to null', async (field) => {
    const world = await aConsortiumWithMembers(test.dataSource);
    const response = await test
      .http()
      .patch(`/api/v1/users/${world.homeUsers.viewer.id}`)
      .set(await bearerFor(test, world.homeUsers.admin))
      .send({ [field]: null })
      .expect(400);
    expectFieldError(response.body, field);
    const stored = await test.dataSource
      .getRepository(User)
      .findOneByOrFail({ id: world.homeUsers.viewer.id });
    expect(stored).toMatchObject({ name: world.homeUsers.viewer.name, roles: ['viewer'], status: 'active' });
  });

  it.each(['paymentTermsDays', 'acceptsJoinRequests'])(
    "refuses a consortium change setting the rule %s to null and keeps the consortium's rules",
    async (rule) => {
      const world = await aConsortiumWithMembers(test.dataSource);
      await makeConsortiumAdmin(test.dataSource, world.consortium, world.homeUsers.admin);
      const response = await test
        .http()
        .patch(`/api/v1/consortia/${world.consortium.id}`)
        .set(await bearerFor(test, world.homeUsers.admin))
        .send({ rules: { [rule]: null } })
        .expect(400);
      expectFieldError(response.body, `rules.${rule}`);
      const stored = await test.dataSource
        .getRepository(Consortium)
        .findOneByOrFail({ id: world.consortium.id });
      expect(stored.rules).toEqual(world.consortium.rules);
    },
  );

  it.each(['name', 'billingCycle', 'currency', 'rules'])(
    'refuses a consortium change setting %s to null',
    async (field) => {
      const world = await aConsortiumWithMembers(test.dataSource);
      await makeConsortiumAdmin(test.dataSource, world.consortium, world.homeUsers.admin);
      const response = await test
        .http()
        .patch(`/api/v1/consortia/${world.consortium.id}`)
        .set(await bearerFor(test, world.homeUsers.admin))
        .send({ [field]: null })
        .expect(400);
      expectFieldError(response.body, field);
    },
  );

  it('refuses to accept a dispute with a null corrected amount, and the dispute stays open', async () => {
    const scene = await anIssuedChargeBetweenMembers(test);
    const dispute = await test
      .http()
      .post(`/api/v1/cross-charges/${scene.charge.id}/lines/${scene.charge.lineIds[0]}/dispute`)
      .set(scene.auth.consumer)
      .send({ reason: 'Two of the sites closed in September' })
      .expect(201);
    const response = await test
      .http()
      .post(`/api/v1/disputes/${dispute.body.id}/accept`)
      .set(scene.auth.provider)
      .send({ reason: 'Agreed, our mistake', correctedNetMinor: null })
      .expect(400);
    expectFieldError(response.body, 'correctedNetMinor');
    const [{ status }] = await test.dataSource.query('SELECT status FROM disputes WHERE id = $1', [
      dispute.body.id,
    ]);
    expect(status).toBe('open');
  });
});
