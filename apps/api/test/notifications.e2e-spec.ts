import { addDays } from '@consortium/domain';
import { DataSource } from 'typeorm';
import { ukToday } from '../src/modules/catalogue/compliance-status';
import {
  type NotificationInput,
  NotificationsService,
} from '../src/modules/notifications/notifications.service';
import { Organisation } from '../src/modules/organisations/organisation.entity';
import {
  aConsortium,
  aConsortiumWithMembers,
  anApiKey,
  anAttestation,
  anOrganisation,
  aService,
  auditEventsFor,
  aUser,
  bearerFor,
  makeConsortiumAdmin,
  unique,
} from './support/builders';
import { asOwner } from './support/databases';
import { createTestApp, TestApp } from './support/test-app';

type Auth = Record<string, string>;

describe('notifications', () => {
  let test: TestApp;
  let ds: DataSource;
  let notifications: NotificationsService;
  beforeAll(async () => {
    test = await createTestApp();
    ds = test.dataSource;
    notifications = test.app.get(NotificationsService);
  });
  afterAll(() => test.close());

  const aNotice = (
    organisation: Organisation,
    overrides: Partial<NotificationInput> = {},
  ): NotificationInput => ({
    organisationId: organisation.id,
    kind: 'subscription.requested',
    title: 'Norfolk asks to subscribe to Disaster recovery hosting',
    body: 'Approve or reject the request.',
    entityType: 'subscription',
    entityId: unique('subscription').replace(' ', '-'),
    ...overrides,
  });
  const notify = (input: NotificationInput) =>
    ds.transaction((manager) => notifications.notify(manager, input));
  const outboxFor = (entityId: string) =>
    ds.query(
      `SELECT topic, organisation_id AS "organisationId", dedupe_key AS "dedupeKey", payload, delivered_at AS "deliveredAt"
         FROM outbox_events WHERE payload->>'entityId' = $1 ORDER BY id`,
      [entityId],
    );
  const list = (auth: Auth, query = '') => test.http().get(`/api/v1/notifications${query}`).set(auth);

  describe('NotificationsService.notify', () => {
    it('writes an in-app notification and an outbox event for webhooks, in the caller’s transaction', async () => {
      const organisation = await anOrganisation(ds);
      const consortium = await aConsortium(ds);
      const input = aNotice(organisation, { consortiumId: consortium.id, data: { quantity: 25 } });

      const notification = await notify(input);

      expect(notification).toMatchObject({
        organisationId: organisation.id,
        consortiumId: consortium.id,
        kind: 'subscription.requested',
        readAt: null,
      });
      expect(await outboxFor(input.entityId)).toEqual([
        {
          topic: 'subscription.requested',
          organisationId: organisation.id,
          dedupeKey: null,
          deliveredAt: null,
          payload: {
            notificationId: notification!.id,
            kind: 'subscription.requested',
            organisationId: organisation.id,
            consortiumId: consortium.id,
            entityType: 'subscription',
            entityId: input.entityId,
            title: input.title,
            body: input.body,
            data: { quantity: 25 },
          },
        },
      ]);
    });

    it('writes nothing when the caller’s transaction rolls back', async () => {
      const organisation = await anOrganisation(ds);
      const input = aNotice(organisation);

      await expect(
        ds.transaction(async (manager) => {
          await notifications.notify(manager, input);
          throw new Error('the change failed');
        }),
      ).rejects.toThrow('the change failed');

      expect(await outboxFor(input.entityId)).toEqual([]);
      expect(await ds.query('SELECT id FROM notifications WHERE entity_id = $1', [input.entityId])).toEqual(
        [],
      );
    });

    it('notifies once per dedupe key, however often it is asked, even at the same time', async () => {
      const organisation = await anOrganisation(ds);
      const input = aNotice(organisation, { dedupeKey: unique('compliance.expiring:cert') });

      const results = await Promise.all([notify(input), notify(input), notify(input)]);
      const later = await notify(input);

      expect(results.filter((r) => r !== null)).toHaveLength(1);
      expect(later).toBeNull();
      expect(await outboxFor(input.entityId)).toHaveLength(1);
      const [{ count }] = await ds.query(
        'SELECT count(*)::int AS count FROM notifications WHERE entity_id = $1',
        [input.entityId],
      );
      expect(count).toBe(1);
    });
  });

  describe('the notifications API', () => {
    /** An organisation with three notifications (one read), a user, and another organisation with one of its own. */
    async function anInbox() {
      const organisation = await anOrganisation(ds);
      const other = await anOrganisation(ds);
      const first = await notify(aNotice(organisation, { kind: 'subscription.requested', title: 'First' }));
      const second = await notify(aNotice(organisation, { kind: 'compliance.expiring', title: 'Second' }));
      const third = await notify(aNotice(organisation, { kind: 'subscription.requested', title: 'Third' }));
      const foreign = await notify(aNotice(other, { title: 'Not yours' }));
      await ds.query('UPDATE notifications SET read_at = now() WHERE id = $1', [first!.id]);
      return {
        organisation,
        ids: { first: first!.id, second: second!.id, third: third!.id, foreign: foreign!.id },
        auth: await bearerFor(test, await aUser(ds, organisation, ['viewer'])),
        otherAuth: await bearerFor(test, await aUser(ds, other, ['org_admin'])),
      };
    }
    const titlesOf = (body: { data: { title: string }[] }) => body.data.map((n) => n.title);

    it('lists the caller’s organisation’s notifications, newest first, and nobody else’s', async () => {
      const inbox = await anInbox();

      const response = await list(inbox.auth).expect(200);

      expect(titlesOf(response.body)).toEqual(['Third', 'Second', 'First']);
      expect(response.body.page).toEqual({ nextCursor: null, limit: 50 });
      expect(response.body.data[2]).toEqual({
        id: inbox.ids.first,
        organisationId: inbox.organisation.id,
        consortiumId: null,
        kind: 'subscription.requested',
        title: 'First',
        body: 'Approve or reject the request.',
        entityType: 'subscription',
        entityId: expect.any(String),
        readAt: expect.any(String),
        createdAt: expect.any(String),
      });
    });

    it('filters by unread and by kind, and pages with a cursor', async () => {
      const inbox = await anInbox();

      const unread = await list(inbox.auth, '?unread=true').expect(200);
      const read = await list(inbox.auth, '?unread=false').expect(200);
      const ofKind = await list(inbox.auth, '?kind=compliance.expiring').expect(200);
      const page1 = await list(inbox.auth, '?sort=createdAt&limit=2').expect(200);
      const page2 = await list(
        inbox.auth,
        `?sort=createdAt&limit=2&cursor=${page1.body.page.nextCursor}`,
      ).expect(200);

      expect(titlesOf(unread.body)).toEqual(['Third', 'Second']);
      expect(titlesOf(read.body)).toEqual(['First']);
      expect(titlesOf(ofKind.body)).toEqual(['Second']);
      expect([...titlesOf(page1.body), ...titlesOf(page2.body)]).toEqual(['First', 'Second', 'Third']);
    });

    it('refuses a malformed filter (400)', async () => {
      const inbox = await anInbox();
      await list(inbox.auth, '?unread=yes').expect(400);
      await list(inbox.auth, '?kind=DROP%20TABLE').expect(400);
    });

    it('marks one notification read, audited, and leaves a read one as it was', async () => {
      const inbox = await anInbox();

      const response = await test
        .http()
        .post(`/api/v1/notifications/${inbox.ids.second}/read`)
        .set(inbox.auth)
        .expect(200);
      const again = await test
        .http()
        .post(`/api/v1/notifications/${inbox.ids.second}/read`)
        .set(inbox.auth)
        .expect(200);

      expect(response.body).toMatchObject({ id: inbox.ids.second, readAt: expect.any(String) });
      expect(again.body.readAt).toBe(response.body.readAt);
      expect((await auditEventsFor(ds, inbox.ids.second)).map((e) => e.action)).toEqual([
        'notification.read',
      ]);
    });

    it('does not reveal another organisation’s notification (404)', async () => {
      const inbox = await anInbox();
      await test.http().post(`/api/v1/notifications/${inbox.ids.foreign}/read`).set(inbox.auth).expect(404);
      const [{ read_at }] = await ds.query('SELECT read_at FROM notifications WHERE id = $1', [
        inbox.ids.foreign,
      ]);
      expect(read_at).toBeNull();
    });

    it('marks every unread notification of the organisation read, and only those', async () => {
      const inbox = await anInbox();

      const response = await test.http().post('/api/v1/notifications/read-all').set(inbox.auth).expect(200);

      expect(response.body).toEqual({ marked: 2 });
      expect((await list(inbox.auth, '?unread=true').expect(200)).body.data).toEqual([]);
      expect((await list(inbox.otherAuth, '?unread=true').expect(200)).body.data).toHaveLength(1);
      expect((await auditEventsFor(ds, inbox.organisation.id)).map((e) => e.action)).toEqual([
        'notification.read_all',
      ]);
    });

    it('is closed to API keys, which receive events through webhooks (403)', async () => {
      const organisation = await anOrganisation(ds);
      const key = await anApiKey(ds, organisation, ['subscriptions:read', 'catalogue:read']);
      await list(key.header).expect(403);
      await test.http().post('/api/v1/notifications/read-all').set(key.header).expect(403);
    });
  });

  describe('POST /consortia/:id/compliance/notify-expiring', () => {
    const today = ukToday();

    /** Two providers' services with certificates valid, expiring, expired, and on a retired service. */
    async function aRegister() {
      const world = await aConsortiumWithMembers(ds);
      const hosting = await aService(ds, world.consortium, world.home, { title: unique('DR hosting') });
      const network = await aService(ds, world.consortium, world.other, {
        title: unique('Wide-area network'),
      });
      const retired = await aService(ds, world.consortium, world.other, { status: 'retired' });
      const expiring = await anAttestation(ds, hosting, {
        kind: 'psn_compliance',
        certificateReference: 'PSN-2025-0117',
        expiresOn: addDays(today, 12),
      });
      const expired = await anAttestation(ds, network, {
        kind: 'cyber_essentials_plus',
        certificateReference: 'CEP-88213',
        issuedOn: addDays(today, -400),
        expiresOn: addDays(today, -3),
      });
      await anAttestation(ds, hosting, { kind: 'iso_27001', expiresOn: addDays(today, 200) });
      await anAttestation(ds, retired, { issuedOn: addDays(today, -400), expiresOn: addDays(today, -10) });
      return {
        ...world,
        hosting,
        network,
        expiring,
        expired,
        auth: await bearerFor(test, world.consortiumAdmin),
      };
    }
    const run = (auth: Auth, consortiumId: string) =>
      test.http().post(`/api/v1/consortia/${consortiumId}/compliance/notify-expiring`).set(auth);
    const noticesOf = (organisationId: string) =>
      ds.query(
        `SELECT kind, title, entity_id AS "entityId" FROM notifications
          WHERE organisation_id = $1 AND kind LIKE 'compliance.%' ORDER BY kind`,
        [organisationId],
      );

    it('tells each provider about its certificates expiring within 30 days or expired, once', async () => {
      const r = await aRegister();

      const first = await run(r.auth, r.consortium.id).expect(200);
      const second = await run(r.auth, r.consortium.id).expect(200);

      expect(first.body).toEqual({
        checkedOn: today,
        expiring: 1,
        expired: 1,
        notified: 2,
        alreadyNotified: 0,
      });
      expect(second.body).toEqual({
        checkedOn: today,
        expiring: 1,
        expired: 1,
        notified: 0,
        alreadyNotified: 2,
      });
      expect(await noticesOf(r.home.id)).toEqual([
        {
          kind: 'compliance.expiring',
          title: expect.stringMatching(
            new RegExp(`^PSN compliance certificate for ${r.hosting.title} expires on`),
          ),
          entityId: r.expiring.id,
        },
      ]);
      expect(await noticesOf(r.other.id)).toEqual([
        {
          kind: 'compliance.expired',
          title: expect.stringMatching(
            new RegExp(`^Cyber Essentials Plus certificate for ${r.network.title} expired on`),
          ),
          entityId: r.expired.id,
        },
      ]);
      expect(await outboxFor(r.expiring.id)).toEqual([
        expect.objectContaining({
          topic: 'compliance.expiring',
          organisationId: r.home.id,
          dedupeKey: `compliance.expiring:${r.expiring.id}:${r.expiring.expiresOn}`,
          payload: expect.objectContaining({
            data: expect.objectContaining({ certificateReference: 'PSN-2025-0117', serviceId: r.hosting.id }),
          }),
        }),
      ]);
      const audit = await auditEventsFor(ds, r.consortium.id);
      expect(audit.filter((e) => e.action === 'compliance.expiry_check_run')).toHaveLength(2);
    });

    it('notifies again when a renewed certificate’s new expiry date comes close', async () => {
      const r = await aRegister();
      await run(r.auth, r.consortium.id).expect(200);
      // Renewed in place, which the API never does (the API's role may not UPDATE attestations): as the owner.
      await asOwner((owner) =>
        owner.query('UPDATE compliance_attestations SET expires_on = $2 WHERE id = $1', [
          r.expiring.id,
          addDays(today, 20),
        ]),
      );

      const response = await run(r.auth, r.consortium.id).expect(200);

      expect(response.body).toMatchObject({ notified: 1, alreadyNotified: 1 });
      expect(await noticesOf(r.home.id)).toHaveLength(2);
    });

    it('is for the consortium’s administrators: 403 for a member, 404 for another consortium’s administrator', async () => {
      const r = await aRegister();
      const member = await bearerFor(test, r.homeUsers.admin);
      const elsewhere = await aConsortium(ds);
      const otherAdmin = await aUser(ds, await anOrganisation(ds), ['viewer']);
      await makeConsortiumAdmin(ds, elsewhere, otherAdmin);

      const refused = await run(member, r.consortium.id).expect(403);
      expect(refused.body.type).toBe('urn:consortium:problem:forbidden');
      await run(await bearerFor(test, otherAdmin), r.consortium.id).expect(404);
      expect(await noticesOf(r.home.id)).toEqual([]);
    });
  });
});
