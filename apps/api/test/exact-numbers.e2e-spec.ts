import { aConsortiumWithMembers, aService, aSubscriptionTo, bearerFor } from './support/builders';
import { createTestApp, type TestApp } from './support/test-app';

const isoDay = (offsetDays: number) =>
  new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

/**
 * JSON.parse rounds numbers it cannot represent (9007199254740993 becomes 9007199254740992, 25.0000000000000001
 * becomes 25): a request is refused with a field error instead of acting on a value nobody sent.
 */
describe('Numbers sent as JSON that cannot be read exactly', () => {
  let test: TestApp;
  let world: Awaited<ReturnType<typeof aConsortiumWithMembers>>;

  beforeAll(async () => {
    test = await createTestApp();
    world = await aConsortiumWithMembers(test.dataSource);
  });
  afterAll(() => test.close());

  const postText = (path: string, body: string, auth: Record<string, string>) =>
    test.http().post(path).set(auth).set('content-type', 'application/json').send(body);

  it.each([
    ['a fraction a double rounds to a whole number', '25.0000000000000001', '25'],
    ['an integer beyond 2^53', '9007199254740993', '9007199254740992'],
  ])(
    'refuses a subscription quantity change to %s with a field error, and changes nothing',
    async (_case, text, readAs) => {
      const service = await aService(test.dataSource, world.consortium, world.home);
      const subscription = await aSubscriptionTo(test.dataSource, service, world.other, { quantity: 3 });
      const auth = await bearerFor(test, world.otherUsers.manager);
      const response = await postText(
        `/api/v1/subscriptions/${subscription}/quantity`,
        `{"quantity":${text},"effectiveFrom":"${isoDay(1)}"}`,
        auth,
      ).expect(400);
      expect(response.body).toMatchObject({
        type: 'urn:consortium:problem:validation-error',
        errors: [
          {
            field: 'quantity',
            message:
              `quantity ${text} cannot be represented exactly as a JSON number (it would be read as ${readAs}): ` +
              'send exact values as decimal strings',
          },
        ],
      });
      const changes = await test.dataSource.query(
        'SELECT quantity FROM subscription_quantities WHERE subscription_id = $1',
        [subscription],
      );
      expect(changes).toEqual([]);
    },
  );

  it('still takes the same change written exactly', async () => {
    const service = await aService(test.dataSource, world.consortium, world.home);
    const subscription = await aSubscriptionTo(test.dataSource, service, world.other, { quantity: 3 });
    const auth = await bearerFor(test, world.otherUsers.manager);
    await postText(
      `/api/v1/subscriptions/${subscription}/quantity`,
      `{"quantity":25.000,"effectiveFrom":"${isoDay(1)}"}`,
      auth,
    ).expect(200);
  });

  it('refuses a price plan whose tier bound JSON.parse would round, naming the tier, and adds no version', async () => {
    const service = await aService(test.dataSource, world.consortium, world.home);
    const auth = await bearerFor(test, world.homeUsers.manager);
    const response = await postText(
      `/api/v1/services/${service.id}/price-versions`,
      '{"pricePlan":{"model":"graduated","currency":"GBP","tiers":[' +
        '{"upTo":100.00000000000000001,"unitPrice":"5"},{"upTo":null,"unitPrice":"4"}]}}',
      auth,
    ).expect(400);
    expect(response.body.errors).toEqual([
      {
        field: 'pricePlan.tiers.0.upTo',
        message: expect.stringContaining('send exact values as decimal strings'),
      },
    ]);
    const [{ versions }] = await test.dataSource.query(
      'SELECT count(*)::int AS versions FROM price_versions WHERE service_id = $1',
      [service.id],
    );
    expect(versions).toBe(1);
  });
});
