import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import {
  type NotificationInput,
  NotificationsService,
} from '../src/modules/notifications/notifications.service';
import { Organisation } from '../src/modules/organisations/organisation.entity';
import { WebhookDeliveriesService } from '../src/modules/webhooks/webhook-deliveries.service';
import { WebhookWorker } from '../src/modules/webhooks/webhook.worker';
import {
  aConsortiumWithMembers,
  anApiKey,
  anOrganisation,
  aUser,
  auditEventsFor,
  bearerFor,
  unique,
} from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

type Auth = Record<string, string>;

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on a local port that answers with the statuses it is given, then 200. */
async function aReceiver() {
  const received: Received[] = [];
  const statuses: number[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    /** Answer the next requests with these statuses. */
    answer: (...next: number[]) => statuses.push(...next),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The documented check: HMAC-SHA256 over "<t>.<raw body>" with the endpoint's secret, hex, in any v1. */
function verifiesWith(secret: string, { headers, body }: Received): boolean {
  const parts = String(headers['consortium-signature'])
    .split(',')
    .map((part) => part.split('=') as [string, string]);
  const t = parts.find(([name]) => name === 't')?.[1];
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return (
    Math.abs(Date.now() / 1000 - Number(t)) <= 300 &&
    parts.some(([name, value]) => name === 'v1' && value === expected)
  );
}

describe('webhooks', () => {
  let test: TestApp;
  let ds: DataSource;
  let worker: WebhookWorker;
  let notifications: NotificationsService;
  let receiver: Awaited<ReturnType<typeof aReceiver>>;

  beforeAll(async () => {
    test = await createTestApp({
      WEBHOOK_RETRY_BASE_MS: '1000',
      WEBHOOK_RETRY_MAX_MS: '60000',
      WEBHOOK_MAX_ATTEMPTS: '5',
      WEBHOOK_DISABLE_AFTER_FAILURES: '3',
      WEBHOOK_TIMEOUT_MS: '2000',
    });
    ds = test.dataSource;
    worker = test.app.get(WebhookWorker);
    notifications = test.app.get(NotificationsService);
    receiver = await aReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await test.close();
  });

  const api = {
    create: (auth: Auth, body: Record<string, unknown>) =>
      test.http().post('/api/v1/webhooks').set(auth).send(body),
    get: (auth: Auth, id: string) => test.http().get(`/api/v1/webhooks/${id}`).set(auth),
    update: (auth: Auth, id: string, body: Record<string, unknown>) =>
      test.http().patch(`/api/v1/webhooks/${id}`).set(auth).send(body),
    deliveries: (auth: Auth, id: string, query = '') =>
      test.http().get(`/api/v1/webhooks/${id}/deliveries${query}`).set(auth),
    delivery: (auth: Auth, id: string, deliveryId: string) =>
      test.http().get(`/api/v1/webhooks/${id}/deliveries/${deliveryId}`).set(auth),
    redeliver: (auth: Auth, id: string, deliveryId: string) =>
      test.http().post(`/api/v1/webhooks/${id}/deliveries/${deliveryId}/redeliver`).set(auth),
  };

  /** An organisation with an administrator and a viewer. */
  async function aMember() {
    const organisation = await anOrganisation(ds);
    return {
      organisation,
      admin: await bearerFor(test, await aUser(ds, organisation, ['org_admin'])),
      viewer: await bearerFor(test, await aUser(ds, organisation, ['viewer'])),
    };
  }

  async function anEndpoint(auth: Auth, eventTypes = ['subscription.requested'], url = receiver.url) {
    const response = await api.create(auth, { url, eventTypes, description: 'Unit4 import' }).expect(201);
    return response.body as { id: string; secret: string };
  }

  const anEvent = (organisation: Organisation, overrides: Partial<NotificationInput> = {}) =>
    ds.transaction((manager) =>
      notifications.notify(manager, {
        organisationId: organisation.id,
        kind: 'subscription.requested',
        title: 'Norfolk asks to subscribe to Disaster recovery hosting',
        body: 'Approve or reject the request.',
        entityType: 'subscription',
        entityId: unique('subscription').replace(' ', '-'),
        data: { quantity: 3 },
        ...overrides,
      }),
    );

  const requestsFor = (endpointId: string) => receiver.received.filter((r) => deliveryOf(r, endpointId));
  const deliveryIds = new Map<string, string>();
  const deliveryOf = (r: Received, endpointId: string) =>
    deliveryIds.get(String(r.headers['consortium-delivery-id'])) === endpointId;

  /** Runs the worker, then notes which endpoint each received delivery was for. */
  async function deliver() {
    await worker.runOnce();
    const rows = (await ds.query('SELECT id, endpoint_id FROM webhook_deliveries')) as {
      id: string;
      endpoint_id: string;
    }[];
    for (const row of rows) deliveryIds.set(row.id, row.endpoint_id);
  }

  /** Brings the waiting pg-boss jobs of the endpoint's deliveries forward to now, as the passing time would. */
  const letJobsStart = (endpointId: string) =>
    ds.query(
      `UPDATE pgboss.job SET start_after = now()
        WHERE name = 'webhook-delivery' AND state IN ('created', 'retry')
          AND data->>'deliveryId' IN (SELECT id::text FROM webhook_deliveries WHERE endpoint_id = $1)`,
      [endpointId],
    );

  /** Makes the endpoint's waiting retries (and their jobs) due now, as if their backoff had passed. */
  async function letBackoffPass(endpointId: string) {
    await ds.query(
      `UPDATE webhook_deliveries SET next_attempt_at = now() WHERE endpoint_id = $1 AND status = 'pending'`,
      [endpointId],
    );
    await letJobsStart(endpointId);
  }

  describe('endpoints', () => {
    it('registers an endpoint for chosen event types and shows its whsec_ secret only once', async () => {
      const { organisation, admin } = await aMember();

      const created = await api
        .create(admin, { url: receiver.url, eventTypes: ['cross_charge.issued', 'period.closed'] })
        .expect(201);

      expect(created.body).toMatchObject({
        organisationId: organisation.id,
        url: receiver.url,
        eventTypes: ['cross_charge.issued', 'period.closed'],
        enabled: true,
        consecutiveFailures: 0,
      });
      expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
      const fetched = await api.get(admin, created.body.id).expect(200);
      expect(fetched.body).not.toHaveProperty('secret');
      const listed = await test.http().get('/api/v1/webhooks').set(admin).expect(200);
      expect(listed.body.data.map((e: { id: string }) => e.id)).toEqual([created.body.id]);
      expect(JSON.stringify(listed.body)).not.toContain('whsec_');
      expect((await auditEventsFor(ds, created.body.id)).map((e) => e.action)).toEqual([
        'webhook_endpoint.created',
      ]);
    });

    it('keeps signing secrets sealed in the database, the rotated-out one too, and still signs with them', async () => {
      const { organisation, admin } = await aMember();
      const endpoint = await anEndpoint(admin);
      const rotated = await test
        .http()
        .post(`/api/v1/webhooks/${endpoint.id}/rotate-secret`)
        .set(admin)
        .send({})
        .expect(200);

      const [row] = (await ds.query('SELECT secret, previous_secret FROM webhook_endpoints WHERE id = $1', [
        endpoint.id,
      ])) as { secret: string; previous_secret: string }[];
      expect(row.secret).toMatch(/^enc1\./);
      expect(row.previous_secret).toMatch(/^enc1\./);
      expect(JSON.stringify(row)).not.toContain(endpoint.secret.slice('whsec_'.length));
      expect(JSON.stringify(row)).not.toContain(rotated.body.secret.slice('whsec_'.length));

      await anEvent(organisation);
      await deliver();
      const [received] = requestsFor(endpoint.id);
      expect(verifiesWith(rotated.body.secret, received)).toBe(true);
      expect(verifiesWith(endpoint.secret, received)).toBe(true);
    });

    it('changes event types, switches deliveries off and rotates the secret, auditing each change', async () => {
      const { admin } = await aMember();
      const endpoint = await anEndpoint(admin);

      const updated = await api
        .update(admin, endpoint.id, { eventTypes: ['settlement.recorded'], enabled: false })
        .expect(200);
      const rotated = await test.http().post(`/api/v1/webhooks/${endpoint.id}/rotate-secret`).set(admin);

      expect(updated.body).toMatchObject({ eventTypes: ['settlement.recorded'], enabled: false });
      expect(updated.body.disabledReason).toMatch(/^Disabled by /);
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).toMatch(/^whsec_/);
      expect(rotated.body.secret).not.toBe(endpoint.secret);
      expect((await auditEventsFor(ds, endpoint.id)).map((e) => e.action)).toEqual([
        'webhook_endpoint.created',
        'webhook_endpoint.updated',
        'webhook_endpoint.secret_rotated',
      ]);
    });

    it('signs with the old secret too for a while after a rotation, and with the new one alone when told to', async () => {
      const { organisation, admin } = await aMember();
      const endpoint = await anEndpoint(admin);
      const rotate = (body: object) =>
        test.http().post(`/api/v1/webhooks/${endpoint.id}/rotate-secret`).set(admin).send(body).expect(200);

      const overlapping = await rotate({});
      await anEvent(organisation);
      await deliver();
      const leaked = await rotate({ previousSecretValidHours: 0 });
      await anEvent(organisation);
      await deliver();

      const [duringOverlap, afterLeak] = requestsFor(endpoint.id);
      expect(overlapping.body.previousSecretExpiresAt).not.toBeNull();
      expect(verifiesWith(overlapping.body.secret, duringOverlap)).toBe(true);
      expect(verifiesWith(endpoint.secret, duringOverlap)).toBe(true);
      expect(leaked.body.previousSecretExpiresAt).toBeNull();
      expect(verifiesWith(leaked.body.secret, afterLeak)).toBe(true);
      expect(verifiesWith(overlapping.body.secret, afterLeak)).toBe(false);
      await test
        .http()
        .post(`/api/v1/webhooks/${endpoint.id}/rotate-secret`)
        .set(admin)
        .send({ previousSecretValidHours: 1000 })
        .expect(400);
    });

    it('deletes an endpoint, after which it is not found', async () => {
      const { admin } = await aMember();
      const endpoint = await anEndpoint(admin);

      await test.http().delete(`/api/v1/webhooks/${endpoint.id}`).set(admin).expect(204);

      await api.get(admin, endpoint.id).expect(404);
      expect((await auditEventsFor(ds, endpoint.id)).map((e) => e.action)).toContain(
        'webhook_endpoint.deleted',
      );
    });

    it.each([
      ['a URL that is not one', { url: 'not a url', eventTypes: ['period.closed'] }, 'url'],
      ['an ftp URL', { url: 'ftp://files.example.gov.uk/in', eventTypes: ['period.closed'] }, 'url'],
      [
        'an unknown event type',
        { url: 'https://x.example.gov.uk', eventTypes: ['ledger.exploded'] },
        'eventTypes',
      ],
      ['no event types', { url: 'https://x.example.gov.uk', eventTypes: [] }, 'eventTypes'],
    ])('refuses %s with a validation problem and creates nothing', async (_label, body, field) => {
      const { admin } = await aMember();

      const response = await api.create(admin, body).expect(400);

      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body.type).toBe('urn:consortium:problem:validation-error');
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      const listed = await test.http().get('/api/v1/webhooks').set(admin).expect(200);
      expect(listed.body.data).toEqual([]);
    });

    it('lets a viewer look but not change anything (403)', async () => {
      const { admin, viewer } = await aMember();
      const endpoint = await anEndpoint(admin);

      await api.get(viewer, endpoint.id).expect(200);
      await api.create(viewer, { url: receiver.url, eventTypes: ['period.closed'] }).expect(403);
      await api.update(viewer, endpoint.id, { enabled: false }).expect(403);
      await test.http().delete(`/api/v1/webhooks/${endpoint.id}`).set(viewer).expect(403);
      expect((await api.get(admin, endpoint.id)).body.enabled).toBe(true);
    });

    it('hides another organisation’s endpoints and their deliveries (404)', async () => {
      const mine = await aMember();
      const theirs = await aMember();
      const endpoint = await anEndpoint(theirs.admin);

      await api.get(mine.admin, endpoint.id).expect(404);
      await api.update(mine.admin, endpoint.id, { enabled: false }).expect(404);
      await test.http().delete(`/api/v1/webhooks/${endpoint.id}`).set(mine.admin).expect(404);
      await api.deliveries(mine.admin, endpoint.id).expect(404);
      const listed = await test.http().get('/api/v1/webhooks').set(mine.admin).expect(200);
      expect(listed.body.data).toEqual([]);
    });

    it('serves an API key with webhooks:manage and refuses a key without it (403)', async () => {
      const { organisation } = await aMember();
      const manager = await anApiKey(ds, organisation, ['webhooks:manage']);
      const reader = await anApiKey(ds, organisation, ['charges:read', 'events:read']);

      await api.create(manager.header, { url: receiver.url, eventTypes: ['period.closed'] }).expect(201);
      await api.create(reader.header, { url: receiver.url, eventTypes: ['period.closed'] }).expect(403);
      await test.http().get('/api/v1/webhooks').set(reader.header).expect(403);
    });
  });

  describe('delivery', () => {
    it('POSTs each matching event once, signed so the documented check verifies it, with the contract headers and body', async () => {
      const { organisation, admin } = await aMember();
      const consortium = await aConsortiumWithMembers(ds);
      const endpoint = await anEndpoint(admin);
      const notification = await anEvent(organisation, { consortiumId: consortium.consortium.id });
      await anEvent(organisation, { kind: 'cross_charge.issued' }); // not subscribed to

      await deliver();
      await deliver(); // a second pass sends nothing again

      const requests = requestsFor(endpoint.id);
      expect(requests).toHaveLength(1);
      const [request] = requests;
      expect(verifiesWith(endpoint.secret, request)).toBe(true);
      expect(verifiesWith('whsec_someone-else', request)).toBe(false);
      const body = JSON.parse(request.body);
      expect(body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        type: 'subscription.requested',
        occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        organisationId: organisation.id,
        consortiumId: consortium.consortium.id,
        data: {
          entityType: 'subscription',
          entityId: notification!.entityId,
          title: notification!.title,
          quantity: 3,
        },
      });
      expect(request.headers).toMatchObject({
        'content-type': 'application/json',
        'consortium-event-id': body.id,
        'consortium-event-type': 'subscription.requested',
        'consortium-delivery-id': expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      const feed = await test.http().get('/api/v1/events?type=subscription.requested').set(admin).expect(200);
      expect(feed.body.data).toEqual([body]);
    });

    it('sends nothing for another organisation’s events', async () => {
      const { admin } = await aMember();
      const someoneElse = await anOrganisation(ds);
      const endpoint = await anEndpoint(admin);

      await anEvent(someoneElse);
      await deliver();

      expect(requestsFor(endpoint.id)).toHaveLength(0);
    });

    it('retries a failing endpoint with growing, jittered backoff until it answers, keeping a log of every attempt', async () => {
      const { organisation, admin } = await aMember();
      const endpoint = await anEndpoint(admin);
      await anEvent(organisation);
      receiver.answer(500, 503);

      await deliver();
      const afterFirst = (await api.deliveries(admin, endpoint.id).expect(200)).body.data[0];
      // The retry is a pg-boss job that starts no earlier than the delivery's next attempt.
      const retryJobs = (await ds.query(
        `SELECT start_after FROM pgboss.job
          WHERE name = 'webhook-delivery' AND state = 'created' AND data->>'deliveryId' = $1`,
        [afterFirst.id],
      )) as { start_after: Date }[];
      expect(retryJobs.map((job) => job.start_after.toISOString())).toEqual([afterFirst.nextAttemptAt]);
      await letBackoffPass(endpoint.id);
      await deliver();
      const afterSecond = (await api.deliveries(admin, endpoint.id).expect(200)).body.data[0];
      await letBackoffPass(endpoint.id);
      await deliver();

      const detail = (await api.delivery(admin, endpoint.id, afterFirst.id).expect(200)).body;
      // The wait after attempt n is drawn from [0, base × 2^(n-1)), counted from the end of the attempt.
      const waited = (
        delivery: { nextAttemptAt: string },
        attempt: { startedAt: string; durationMs: number },
      ) => Date.parse(delivery.nextAttemptAt) - Date.parse(attempt.startedAt) - attempt.durationMs;
      expect(afterFirst).toMatchObject({ status: 'pending', attempts: 1, lastResponseStatus: 500 });
      expect(waited(afterFirst, detail.attemptLog[0])).toBeGreaterThanOrEqual(0);
      expect(waited(afterFirst, detail.attemptLog[0])).toBeLessThan(1000);
      expect(afterSecond).toMatchObject({ status: 'pending', attempts: 2, lastResponseStatus: 503 });
      expect(waited(afterSecond, detail.attemptLog[1])).toBeGreaterThanOrEqual(0);
      expect(waited(afterSecond, detail.attemptLog[1])).toBeLessThan(2000);
      expect(detail).toMatchObject({
        status: 'succeeded',
        attempts: 3,
        lastResponseStatus: 200,
        lastError: null,
      });
      expect(detail.attemptLog.map((a: { responseStatus: number }) => a.responseStatus)).toEqual([
        500, 503, 200,
      ]);
      expect(detail.attemptLog[0].error).toBe('The endpoint answered 500');
      expect(detail.attemptLog.every((a: { durationMs: number }) => a.durationMs >= 0)).toBe(true);
      const ids = requestsFor(endpoint.id).map((r) => r.headers['consortium-event-id']);
      expect(new Set(ids).size).toBe(1); // the same event id every time, for de-duplication
      expect((await api.get(admin, endpoint.id)).body.consecutiveFailures).toBe(0);
      const metrics = (await test.http().get('/metrics').expect(200)).text;
      expect(metrics).toMatch(/^consortium_webhook_delivery_attempts_total\{outcome="failed"\} [1-9]/m);
      expect(metrics).toMatch(/^consortium_webhook_delivery_attempts_total\{outcome="succeeded"\} [1-9]/m);
      expect(metrics).toMatch(/^consortium_webhook_backlog\{kind="pending_deliveries"\} \d+$/m);
    });

    it('disables an endpoint after repeated failures and tells its organisation; enabling it again resumes delivery', async () => {
      const { organisation, admin } = await aMember();
      const endpoint = await anEndpoint(
        admin,
        ['subscription.requested'],
        'http://127.0.0.1:9/nobody-listens',
      );
      await anEvent(organisation);

      for (let attempt = 0; attempt < 4; attempt += 1) {
        await deliver();
        await letBackoffPass(endpoint.id);
      }

      const disabled = (await api.get(admin, endpoint.id).expect(200)).body;
      expect(disabled).toMatchObject({ enabled: false, consecutiveFailures: 3 });
      expect(disabled.disabledReason).toBe('Disabled automatically after 3 failed attempts in a row');
      const [delivery] = (await api.deliveries(admin, endpoint.id).expect(200)).body.data;
      expect(delivery).toMatchObject({ status: 'pending', attempts: 3, lastResponseStatus: null });
      expect(delivery.lastError).toMatch(/^Could not connect/);
      const inbox = await test.http().get('/api/v1/notifications?kind=webhook_endpoint.disabled').set(admin);
      expect(inbox.body.data).toHaveLength(1);
      expect(inbox.body.data[0]).toMatchObject({ entityType: 'webhook_endpoint', entityId: endpoint.id });
      expect((await auditEventsFor(ds, endpoint.id)).map((e) => [e.action, e.actorType])).toContainEqual([
        'webhook_endpoint.disabled',
        'system',
      ]);

      await api.update(admin, endpoint.id, { enabled: true, url: receiver.url }).expect(200);
      await deliver();

      expect(requestsFor(endpoint.id)).toHaveLength(1);
      expect((await api.get(admin, endpoint.id)).body).toMatchObject({
        enabled: true,
        consecutiveFailures: 0,
      });
    });

    it('gives a delivery up as failed after the last attempt', async () => {
      const { organisation, admin } = await aMember();
      const endpoint = await anEndpoint(admin);
      await anEvent(organisation);
      receiver.answer(500, 500, 500, 500, 500);

      for (let attempt = 0; attempt < 5; attempt += 1) {
        await deliver();
        await letBackoffPass(endpoint.id);
        // Keep the endpoint enabled so the delivery, not the endpoint, reaches its limit.
        await ds.query('UPDATE webhook_endpoints SET consecutive_failures = 0 WHERE id = $1', [endpoint.id]);
      }

      const [delivery] = (await api.deliveries(admin, endpoint.id, '?status=failed').expect(200)).body.data;
      expect(delivery).toMatchObject({ status: 'failed', attempts: 5, nextAttemptAt: null });
    });

    it('redelivers an event on request as a new delivery with the same event id', async () => {
      const { organisation, admin, viewer } = await aMember();
      const other = await aMember();
      const endpoint = await anEndpoint(admin);
      await anEvent(organisation);
      await deliver();
      const [first] = (await api.deliveries(admin, endpoint.id).expect(200)).body.data;

      await api.redeliver(viewer, endpoint.id, first.id).expect(403);
      await api.redeliver(other.admin, endpoint.id, first.id).expect(404);
      const again = await api.redeliver(admin, endpoint.id, first.id).expect(202);
      await deliver();

      expect(again.body).toMatchObject({ status: 'pending', eventId: first.eventId, redeliveryOf: first.id });
      const requests = requestsFor(endpoint.id);
      expect(requests.map((r) => r.headers['consortium-event-id'])).toEqual([first.eventId, first.eventId]);
      expect(requests.map((r) => r.headers['consortium-delivery-id'])).toEqual([first.id, again.body.id]);
      expect((await auditEventsFor(ds, again.body.id)).map((e) => e.action)).toEqual([
        'webhook_delivery.redelivered',
      ]);
    });

    it('refuses to redeliver to a disabled endpoint (409)', async () => {
      const { organisation, admin } = await aMember();
      const endpoint = await anEndpoint(admin);
      await anEvent(organisation);
      await deliver();
      const [first] = (await api.deliveries(admin, endpoint.id).expect(200)).body.data;
      await api.update(admin, endpoint.id, { enabled: false }).expect(200);

      const response = await api.redeliver(admin, endpoint.id, first.id).expect(409);

      expect(response.body.code).toBe('webhook-endpoint-disabled');
    });

    it('sends a delivery again when its sender died mid-send, once the lease runs out, and ignores the late sender', async () => {
      const { organisation, admin } = await aMember();
      const endpoint = await anEndpoint(admin);
      await anEvent(organisation);
      const deliveries = test.app.get(WebhookDeliveriesService);
      await deliveries.fanOut();
      // A sender claimed it (attempt 1, leased for an hour) and died without reporting back.
      // (TypeORM answers an UPDATE with [rows, count].)
      const [[row]] = await ds.query(
        `UPDATE webhook_deliveries SET attempts = 1, locked_until = now() + interval '1 hour', last_attempt_at = now()
          WHERE endpoint_id = $1 RETURNING id`,
        [endpoint.id],
      );
      await deliver();
      const whileLeased = requestsFor(endpoint.id);
      // The lease runs out; the job that found it leased waits for exactly that.
      await ds.query('UPDATE webhook_deliveries SET locked_until = now() WHERE id = $1', [row.id]);
      await letJobsStart(endpoint.id);

      await deliver();
      await deliveries.recordAttempt(
        {
          id: row.id,
          attempt: 1,
          endpointId: endpoint.id,
          url: receiver.url,
          secrets: [],
          event: {} as never,
        },
        {
          startedAt: new Date(),
          durationMs: 10_000,
          responseStatus: null,
          error: 'No answer within 10000 ms',
        },
      );

      expect(whileLeased).toEqual([]);
      expect(requestsFor(endpoint.id)).toHaveLength(1);
      const detail = (await api.delivery(admin, endpoint.id, row.id).expect(200)).body;
      expect(detail).toMatchObject({ status: 'succeeded', attempts: 2, lastResponseStatus: 200 });
      expect(detail.attemptLog.map((a: { attempt: number }) => a.attempt).sort()).toEqual([1, 2]);
    });

    it('deletes finished deliveries and their attempt logs once past retention, and keeps waiting ones however old', async () => {
      const { organisation, admin } = await aMember();
      const endpoint = await anEndpoint(admin);
      for (let i = 0; i < 3; i += 1) await anEvent(organisation);
      await deliver();
      const rows = (await ds.query('SELECT id FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY id', [
        endpoint.id,
      ])) as { id: string }[];
      expect(rows).toHaveLength(3);
      // The third waits for a retry, as after a failed attempt.
      await ds.query(
        `UPDATE webhook_deliveries SET status = 'pending', delivered_at = NULL, next_attempt_at = now() + interval '1 day'
          WHERE id = $1`,
        [rows[2].id],
      );
      const [oldSent, recentSent, oldWaiting] = rows.map((r) => r.id);
      await ds.query(
        `UPDATE webhook_deliveries
            SET created_at = now() - interval '120 days', last_attempt_at = now() - interval '120 days',
                delivered_at = CASE WHEN status = 'succeeded' THEN now() - interval '120 days' END
          WHERE id = ANY($1)`,
        [[oldSent, oldWaiting]],
      );

      await expect(test.app.get(WebhookDeliveriesService).forgetFinished(90)).resolves.toBe(1);

      const left: { id: string }[] = await ds.query(
        'SELECT id FROM webhook_deliveries WHERE endpoint_id = $1',
        [endpoint.id],
      );
      expect(left.map((r) => r.id).sort()).toEqual([recentSent, oldWaiting].sort());
      await expect(
        ds.query('SELECT count(*)::int AS n FROM webhook_delivery_attempts WHERE delivery_id = $1', [
          oldSent,
        ]),
      ).resolves.toEqual([{ n: 0 }]);
      await api.delivery(admin, endpoint.id, oldSent).expect(404);
    });

    it('sends each event once when several workers run at the same time', async () => {
      const { organisation, admin } = await aMember();
      const endpoint = await anEndpoint(admin);
      for (let i = 0; i < 5; i += 1) await anEvent(organisation);

      await Promise.all([worker.runOnce(), worker.runOnce(), worker.runOnce()]);
      await deliver();

      const ids = requestsFor(endpoint.id).map((r) => r.headers['consortium-event-id']);
      expect(ids).toHaveLength(5);
      expect(new Set(ids).size).toBe(5);
    });
  });
});
