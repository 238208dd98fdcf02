import { DataSource } from 'typeorm';
import {
  aChargePeriod,
  anApiKey,
  aUser,
  bearerFor,
  makeConsortiumAdmin,
  anIssuedChargeBetweenMembers,
} from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

type Auth = Record<string, string>;

describe('the list of credit notes', () => {
  let test: TestApp;
  let ds: DataSource;
  beforeAll(async () => {
    test = await createTestApp();
    ds = test.dataSource;
  });
  afterAll(() => test.close());

  /** An issued charge from `home` to `other` whose first line (£1,000) the provider credited after a dispute. */
  async function aCreditedCharge() {
    const scene = await anIssuedChargeBetweenMembers(test);
    const { charge, auth } = scene;
    const dispute = await test
      .http()
      .post(`/api/v1/cross-charges/${charge.id}/lines/${charge.lineIds[0]}/dispute`)
      .set(auth.consumer)
      .send({ reason: 'Two of the sites closed in September' })
      .expect(201);
    const accepted = await test
      .http()
      .post(`/api/v1/disputes/${dispute.body.id}/accept`)
      .set(auth.provider)
      .send({ reason: 'Agreed, our mistake' })
      .expect(200);
    return { ...scene, creditNote: accepted.body.creditNote };
  }

  const list = (auth: Auth, query: Record<string, string> = {}) =>
    test.http().get('/api/v1/credit-notes').query(query).set(auth);

  it('shows the provider the credit it gave, with the charge it corrects, who charged whom and the period', async () => {
    const scene = await aCreditedCharge();

    const response = await list(scene.auth.provider, { direction: 'from_us' }).expect(200);

    expect(response.body.data).toEqual([
      expect.objectContaining({
        id: scene.creditNote.id,
        reference: scene.creditNote.reference,
        crossChargeId: scene.charge.id,
        crossChargeReference: expect.any(String),
        gross: { amountMinor: '100000', currency: 'GBP' },
        direction: 'from_us',
        provider: { id: scene.home.id, name: scene.home.name },
        consumer: { id: scene.other.id, name: scene.other.name },
        billingPeriod: expect.objectContaining({ id: scene.period.id, key: '2026-10' }),
      }),
    ]);
  });

  it('shows the consumer the same credit as one it received, and nothing under credits it gave', async () => {
    const scene = await aCreditedCharge();

    const received = await list(scene.auth.consumer, { direction: 'to_us' }).expect(200);
    const given = await list(scene.auth.consumer, { direction: 'from_us' }).expect(200);

    expect(received.body.data.map((note: { id: string }) => note.id)).toEqual([scene.creditNote.id]);
    expect(received.body.data[0].direction).toBe('to_us');
    expect(given.body.data).toEqual([]);
  });

  it('filters by billing period', async () => {
    const scene = await aCreditedCharge();
    const other = await aChargePeriod(ds, scene.consortium, '2026-11');

    const inPeriod = await list(scene.auth.provider, { billingPeriodId: scene.period.id }).expect(200);
    const elsewhere = await list(scene.auth.provider, { billingPeriodId: other.id }).expect(200);

    expect(inPeriod.body.data).toHaveLength(1);
    expect(elsewhere.body.data).toEqual([]);
  });

  it('shows a consortium administrator from a third member the credit notes of its consortium', async () => {
    const scene = await aCreditedCharge();
    const administrator = await aUser(ds, scene.bystander, ['viewer']);
    await makeConsortiumAdmin(ds, scene.consortium, administrator);

    const response = await list(await bearerFor(test, administrator), {
      consortiumId: scene.consortium.id,
    }).expect(200);

    expect(response.body.data.map((note: { id: string }) => note.id)).toEqual([scene.creditNote.id]);
  });

  it('never shows another member the credit notes between two others', async () => {
    const scene = await aCreditedCharge();

    const response = await list(scene.auth.bystander, { consortiumId: scene.consortium.id }).expect(200);

    expect(response.body.data).toEqual([]);
  });

  it('answers an API key with charges:read and refuses one without it', async () => {
    const scene = await aCreditedCharge();
    const reader = await anApiKey(ds, scene.home, ['charges:read']);
    const usageOnly = await anApiKey(ds, scene.home, ['usage:write']);

    const read = await list(reader.header).expect(200);
    const refused = await list(usageOnly.header).expect(403);

    expect(read.body.data.map((note: { id: string }) => note.id)).toEqual([scene.creditNote.id]);
    expect(refused.body).toMatchObject({ type: 'urn:consortium:problem:forbidden', status: 403 });
  });

  it('refuses a direction it does not know with a validation problem', async () => {
    const scene = await aCreditedCharge();

    const response = await list(scene.auth.provider, { direction: 'sideways' }).expect(400);

    expect(response.body).toMatchObject({
      type: 'urn:consortium:problem:validation-error',
      errors: [expect.objectContaining({ field: 'direction' })],
    });
  });
});
