import { addDays } from '@consortium/domain';
import { DataSource } from 'typeorm';
import { ukToday } from '../src/modules/catalogue/compliance-status';
import {
  type NotificationInput,
  NotificationsService,
} from '../src/modules/notifications/notifications.service';
import { Organisation } from '../src/modules/organisations/organisation.entity';
import { CertificateExpirySchedule } from '../src/modules/webhooks/certificate-expiry.schedule';
import {
  aChargePeriod,
  aConsortiumWithMembers,
  aDraftCrossCharge,
  anApiKey,
  anAttestation,
  anOrganisation,
  aService,
  aUser,
  bearerFor,
  unique,
} from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

type Auth = Record<string, string>;
interface FeedEvent {
  id: string;
  type: string;
  organisationId: string;
  data: Record<string, unknown>;
}
interface Feed {
  data: FeedEvent[];
  page: { nextCursor: string; limit: number; hasMore: boolean };
}

describe('events feed', () => {
  let test: TestApp;
  let ds: DataSource;
  let notifications: NotificationsService;
  beforeAll(async () => {
    test = await createTestApp();
    ds = test.dataSource;
    notifications = test.app.get(NotificationsService);
  });
  afterAll(() => test.close());

  const anEvent = (organisation: Organisation, overrides: Partial<NotificationInput> = {}) =>
    ds.transaction((manager) =>
      notifications.notify(manager, {
        organisationId: organisation.id,
        kind: 'subscription.requested',
        title: unique('A request'),
        body: 'Approve or reject it.',
        entityType: 'subscription',
        entityId: unique('subscription').replace(' ', '-'),
        ...overrides,
      }),
    );

  const read = (auth: Auth, query = '') => test.http().get(`/api/v1/events${query}`).set(auth);

  const readFeed = async (auth: Auth, query = '') => (await read(auth, query).expect(200)).body as Feed;

  async function aReader() {
    const organisation = await anOrganisation(ds);
    return { organisation, auth: await bearerFor(test, await aUser(ds, organisation, ['viewer'])) };
  }

  it('lists the organisation’s events oldest first, page by page, and resumes from the last cursor', async () => {
    const { organisation, auth } = await aReader();
    const first = [await anEvent(organisation), await anEvent(organisation), await anEvent(organisation)];

    const pageOne = await readFeed(auth, '?limit=2');
    const pageTwo = await readFeed(auth, `?limit=2&after=${pageOne.page.nextCursor}`);
    const caughtUp = await read(auth, `?after=${pageTwo.page.nextCursor}`).expect(200);
    const later = await anEvent(organisation);
    const resumed = await readFeed(auth, `?after=${pageTwo.page.nextCursor}`);

    const titles = (feed: Feed) => feed.data.map((event) => event.data.title);
    expect(titles(pageOne)).toEqual([first[0]!.title, first[1]!.title]);
    expect(pageOne.page.hasMore).toBe(true);
    expect(titles(pageTwo)).toEqual([first[2]!.title]);
    expect(pageTwo.page.hasMore).toBe(false);
    expect(caughtUp.body.data).toEqual([]);
    expect(caughtUp.body.page.nextCursor).toBe(pageTwo.page.nextCursor);
    expect(titles(resumed)).toEqual([later!.title]);
  });

  it('lists events in commit order, so one that commits late comes after the cursor already read', async () => {
    const { organisation, auth } = await aReader();
    const slow = ds.createQueryRunner();
    await slow.connect();
    await slow.startTransaction();
    try {
      await notifications.notify(slow.manager, {
        organisationId: organisation.id,
        kind: 'cross_charge.issued',
        title: 'written first, committed last',
        body: '-',
        entityType: 'cross_charge',
        entityId: unique('charge'),
      });
      await anEvent(organisation, { title: 'written second, committed first' });

      const whileSlowRuns = await readFeed(auth);
      await slow.commitTransaction();
      const afterwards = await readFeed(auth, `?after=${whileSlowRuns.page.nextCursor}`);

      expect(whileSlowRuns.data.map((event) => event.data.title)).toEqual([
        'written second, committed first',
      ]);
      expect(afterwards.data.map((event) => event.data.title)).toEqual(['written first, committed last']);
    } finally {
      if (slow.isTransactionActive) await slow.rollbackTransaction();
      await slow.release();
    }
  });

  it('filters by contract event type and leaves in-app-only news out', async () => {
    const { organisation, auth } = await aReader();
    await anEvent(organisation, { kind: 'billing_period.closed', entityType: 'billing_period' });
    await anEvent(organisation, { kind: 'cross_charge.commented', entityType: 'cross_charge' });
    await anEvent(organisation, { kind: 'settlement_payment.recorded', entityType: 'settlement_payment' });

    const everything = await readFeed(auth);
    const closes = await readFeed(auth, '?type=period.closed');

    expect(everything.data.map((event) => event.type)).toEqual(['period.closed', 'settlement.recorded']);
    expect(closes.data.map((event) => event.type)).toEqual(['period.closed']);
  });

  it('shows nothing of another organisation’s events', async () => {
    const { auth } = await aReader();
    const other = await aReader();
    await anEvent(other.organisation);

    const theirs = await readFeed(other.auth);
    const mine = await readFeed(auth);

    expect(theirs.data).toHaveLength(1);
    expect(mine.data).toEqual([]);
  });

  it('serves an API key with events:read and refuses one without it (403)', async () => {
    const { organisation } = await aReader();
    await anEvent(organisation);
    const poller = await anApiKey(ds, organisation, ['events:read']);
    const other = await anApiKey(ds, organisation, ['usage:write']);

    const feed = await readFeed(poller.header);
    await read(other.header).expect(403);

    expect(feed.data).toHaveLength(1);
  });

  describe('cursors', () => {
    it('say nothing of how many events the whole platform has: opaque, not the feed position', async () => {
      const { organisation, auth } = await aReader();
      const event = await anEvent(organisation);

      const feed = await readFeed(auth);

      const [{ position }] = await ds.query(
        'SELECT feed_seq::text AS position FROM outbox_events WHERE event_id = $1',
        [feed.data[0].id],
      );
      expect(feed.data.map((e) => e.data.title)).toEqual([event!.title]);
      expect(feed.page.nextCursor).not.toBe(Buffer.from(`s:${position}`).toString('base64url'));
      expect(Buffer.from(feed.page.nextCursor, 'base64url').toString('latin1')).not.toContain(position);
      // The platform's count moves on between two reads that find nothing new; the cursor handed back does not.
      await anEvent((await aReader()).organisation);
      const again = await readFeed(auth, `?after=${feed.page.nextCursor}`);
      expect(again.page.nextCursor).toBe(feed.page.nextCursor);
    });

    it('refuses a cursor issued to another organisation (400) and shows nothing of its events', async () => {
      const { auth } = await aReader();
      const other = await aReader();
      await anEvent(other.organisation);
      const theirs = await readFeed(other.auth, '?limit=1');

      const response = await read(auth, `?after=${theirs.page.nextCursor}`).expect(400);

      expect(response.body).toMatchObject({ type: 'urn:consortium:problem:validation-error', status: 400 });
      expect(response.body.errors).toEqual([
        {
          field: 'after',
          message: 'after must be the page.nextCursor of an earlier read by your organisation',
        },
      ]);
      expect(response.text).not.toContain(other.organisation.id);
    });

    it('refuses a cursor that was altered, or forged in the old readable form, with a validation problem', async () => {
      const { organisation, auth } = await aReader();
      await anEvent(organisation);
      await anEvent(organisation);
      const first = await readFeed(auth, '?limit=1');
      const bytes = Buffer.from(first.page.nextCursor, 'base64url');
      bytes[bytes.length - 20] ^= 0x01;
      const [{ position }] = await ds.query(
        'SELECT max(feed_seq)::text AS position FROM outbox_events WHERE organisation_id = $1',
        [organisation.id],
      );

      for (const forged of [
        bytes.toString('base64url'),
        Buffer.from('s:0').toString('base64url'),
        Buffer.from(`s:${BigInt(position) - 1n}`).toString('base64url'),
      ]) {
        const response = await read(auth, `?after=${forged}`).expect(400);
        expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual(['after']);
      }
    });
  });

  it.each([
    ['an unknown type', '?type=ledger.exploded', 'type'],
    ['a cursor it did not issue', `?after=${Buffer.from('nonsense').toString('base64url')}`, 'after'],
    ['a limit over 200', '?limit=201', 'limit'],
  ])('refuses %s with a validation problem', async (_label, query, field) => {
    const { auth } = await aReader();

    const response = await read(auth, query).expect(400);

    expect(response.body.type).toBe('urn:consortium:problem:validation-error');
    expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  describe('emitting the contract’s events', () => {
    it('runs the certificate expiry check once a day by itself, emitting certificate.expiring', async () => {
      const world = await aConsortiumWithMembers(ds);
      const service = await aService(ds, world.consortium, world.home);
      const attestation = await anAttestation(ds, service, { expiresOn: addDays(ukToday(), 10) });
      const schedule = test.app.get(CertificateExpirySchedule);

      const firstRun = await schedule.runDueChecks(ukToday(), [world.consortium.id]);
      const secondRun = await schedule.runDueChecks(ukToday(), [world.consortium.id]);

      expect(firstRun).toEqual([world.consortium.id]);
      expect(secondRun).toEqual([]);
      const auth = await bearerFor(test, world.homeUsers.viewer);
      const feed = await readFeed(auth, '?type=certificate.expiring');
      expect(feed.data).toHaveLength(1);
      expect(feed.data[0].data).toMatchObject({
        entityType: 'compliance_attestation',
        entityId: attestation.id,
        standing: 'expiring',
        expiresOn: attestation.expiresOn,
      });
    });

    it('emits cross_charge.credited to both parties when a dispute is settled with a credit note', async () => {
      const world = await aConsortiumWithMembers(ds);
      const period = await aChargePeriod(ds, world.consortium, '2026-10');
      const charge = await aDraftCrossCharge(ds, {
        consortium: world.consortium,
        periodId: period.id,
        provider: world.home,
        consumer: world.other,
        lines: [{ netMinor: 100_000 }],
      });
      const provider = await bearerFor(test, world.homeUsers.finance);
      const consumer = await bearerFor(test, world.otherUsers.finance);
      await test.http().post(`/api/v1/cross-charges/${charge.id}/issue`).set(provider).expect(200);
      const dispute = await test
        .http()
        .post(`/api/v1/cross-charges/${charge.id}/lines/${charge.lineIds[0]}/dispute`)
        .set(consumer)
        .send({ reason: 'Two of the sites closed' })
        .expect(201);
      await test
        .http()
        .post(`/api/v1/disputes/${dispute.body.id}/accept`)
        .set(provider)
        .send({ reason: 'Agreed' })
        .expect(200);

      for (const auth of [provider, consumer]) {
        const feed = await readFeed(auth, '?type=cross_charge.credited');
        expect(feed.data).toHaveLength(1);
        expect(feed.data[0].data).toMatchObject({
          crossChargeId: charge.id,
          disputeId: dispute.body.id,
          grossMinor: '100000',
          currency: 'GBP',
        });
      }
      const consumerFeed = await readFeed(consumer);
      const providerFeed = await readFeed(provider);
      expect(consumerFeed.data.map((event) => event.type)).toEqual([
        'cross_charge.issued',
        'cross_charge.credited',
      ]);
      expect(providerFeed.data.map((event) => event.type)).toEqual([
        'cross_charge.disputed',
        'cross_charge.credited',
      ]);
    });
  });
});
