import { DataSource } from 'typeorm';
import { BillingPeriodsService } from '../src/modules/billing-periods/billing-periods.service';
import {
  aBillingPeriod,
  aConsortium,
  aConsortiumWithMembers,
  anApiKey,
  anOrganisation,
  auditEventsFor,
  aUser,
  bearerFor,
} from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

/** A consortium's billing periods: months or quarters by its billing cycle, opened on demand. */
describe('billing periods', () => {
  let test: TestApp;
  let ds: DataSource;

  beforeAll(async () => {
    test = await createTestApp();
    ds = test.dataSource;
  });
  afterAll(() => test.close());

  const open = (consortiumId: string, auth: Record<string, string>, date: string) =>
    test.http().post(`/api/v1/consortia/${consortiumId}/billing-periods`).set(auth).send({ date });

  it('opens the month containing a date for a monthly consortium, and returns it again the second time', async () => {
    const cast = await aConsortiumWithMembers(ds);
    const admin = await bearerFor(test, cast.consortiumAdmin);
    const created = await open(cast.consortium.id, admin, '2026-11-24').expect(201);
    expect(created.body).toMatchObject({
      consortiumId: cast.consortium.id,
      key: '2026-11',
      label: 'November 2026',
      cycle: 'monthly',
      startDate: '2026-11-01',
      endDate: '2026-11-30',
      status: 'open',
      closedAt: null,
    });
    const again = await open(cast.consortium.id, admin, '2026-11-02').expect(200);
    expect(again.body.id).toBe(created.body.id);
    expect((await auditEventsFor(ds, created.body.id)).map((e) => e.action)).toEqual([
      'billing_period.opened',
    ]);
  });

  it('opens quarters for a quarterly consortium', async () => {
    const cast = await aConsortiumWithMembers(ds);
    await ds.query(`UPDATE consortia SET billing_cycle = 'quarterly' WHERE id = $1`, [cast.consortium.id]);
    const response = await open(
      cast.consortium.id,
      await bearerFor(test, cast.consortiumAdmin),
      '2026-05-31',
    );
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ key: '2026-Q2', startDate: '2026-04-01', endDate: '2026-06-30' });
  });

  it('creates one period when many ask for it at once', async () => {
    const consortium = await aConsortium(ds);
    const service = test.app.get(BillingPeriodsService);
    const periods = await Promise.all(
      ['2027-01-03', '2027-01-15', '2027-01-31', '2027-01-20'].map((date) =>
        ds.transaction((manager) => service.ensurePeriodFor(manager, consortium.id, date)),
      ),
    );
    expect(new Set(periods.map((p) => p.id)).size).toBe(1);
    const [{ count }] = await ds.query(
      'SELECT count(*)::int AS count FROM billing_periods WHERE consortium_id = $1',
      [consortium.id],
    );
    expect(count).toBe(1);
  });

  it('refuses a date that is not a calendar date', async () => {
    const cast = await aConsortiumWithMembers(ds);
    const response = await open(
      cast.consortium.id,
      await bearerFor(test, cast.consortiumAdmin),
      '2026-02-30',
    );
    expect(response.status).toBe(400);
  });

  it('lets only the consortium administrators open a period, and hides the consortium from others', async () => {
    const cast = await aConsortiumWithMembers(ds);
    await open(cast.consortium.id, await bearerFor(test, cast.homeUsers.admin), '2026-11-24').expect(403);
    await open(cast.consortium.id, await bearerFor(test, cast.homeUsers.finance), '2026-11-24').expect(403);
    const otherConsortium = await aConsortiumWithMembers(ds);
    await open(
      cast.consortium.id,
      await bearerFor(test, otherConsortium.consortiumAdmin),
      '2026-11-24',
    ).expect(404);
  });

  it('lists the periods newest first to members, filtered by status and paginated', async () => {
    const cast = await aConsortiumWithMembers(ds);
    await aBillingPeriod(test, cast.consortium, '2026-08-10', 'settled');
    await aBillingPeriod(test, cast.consortium, '2026-09-10', 'closed');
    await aBillingPeriod(test, cast.consortium, '2026-10-10');
    const viewer = await bearerFor(test, cast.otherUsers.viewer);
    const url = `/api/v1/consortia/${cast.consortium.id}/billing-periods`;

    const first = await test.http().get(url).query({ limit: 2 }).set(viewer).expect(200);
    expect(first.body.data.map((p: { key: string }) => p.key)).toEqual(['2026-10', '2026-09']);
    const second = await test
      .http()
      .get(url)
      .query({ limit: 2, cursor: first.body.page.nextCursor })
      .set(viewer)
      .expect(200);
    expect(second.body.data.map((p: { key: string }) => p.key)).toEqual(['2026-08']);
    expect(second.body.page.nextCursor).toBeNull();

    const closed = await test.http().get(url).query({ status: 'closed' }).set(viewer).expect(200);
    expect(closed.body.data.map((p: { key: string }) => p.key)).toEqual(['2026-09']);
    await test.http().get(url).query({ status: 'shut' }).set(viewer).expect(400);
  });

  it('shows one period to members and API keys with ledger:read, and not to outsiders', async () => {
    const cast = await aConsortiumWithMembers(ds);
    const period = await aBillingPeriod(test, cast.consortium, '2026-10-10');
    const url = `/api/v1/billing-periods/${period.id}`;
    const got = await test
      .http()
      .get(url)
      .set(await bearerFor(test, cast.homeUsers.viewer))
      .expect(200);
    expect(got.body).toMatchObject({ id: period.id, key: '2026-10', status: 'open' });
    await test
      .http()
      .get(url)
      .set((await anApiKey(ds, cast.other, ['ledger:read'])).header)
      .expect(200);
    await test
      .http()
      .get(url)
      .set((await anApiKey(ds, cast.other, ['catalogue:read'])).header)
      .expect(403);
    const outsider = await aUser(ds, await anOrganisation(ds), ['finance']);
    await test
      .http()
      .get(url)
      .set(await bearerFor(test, outsider))
      .expect(404);
  });
});
