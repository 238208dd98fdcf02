import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NotificationsService } from '../src/modules/notifications/notifications.service';
import { Organisation } from '../src/modules/organisations/organisation.entity';
import { WebhookWorker } from '../src/modules/webhooks/webhook.worker';
import { aDemoDatabase, type DemoDatabase } from './support/demo-database';
import { anOrganisation, aUser, bearerFor, unique } from './support/builders';
import { createTestApp, type TestApp } from './support/test-app';

type Auth = Record<string, string>;

const ALLOWED_INSTEAD =
  'webhooks may reach public addresses only, and networks an operator names in WEBHOOK_ALLOWED_NETWORKS';

/**
 * Server-side request forgery through webhooks, tried as an attacker would: under production rules (no network
 * allowed beyond the public internet) nothing on this machine, the private networks or the cloud metadata service
 * can be registered or reached, however the address is spelled. Each app here has a database of its own, so its
 * webhook worker sends only this spec's deliveries.
 */
describe('webhooks: server-side request forgery', () => {
  let demo: DemoDatabase;
  /** Production rules: WEBHOOK_ALLOWED_NETWORKS=none. */
  let strict: TestApp;
  /** The default outside production: this machine (loopback) allowed. */
  let permissive: TestApp;
  /** An operator who allows one network. */
  let allowing: TestApp;
  let receiver: Server;
  let port: number;
  const received: string[] = [];

  beforeAll(async () => {
    demo = await aDemoDatabase();
    // All three on the one database, open together: the apps share it as instances of one deployment would.
    strict = await createTestApp({ WEBHOOK_ALLOWED_NETWORKS: 'none', WEBHOOK_TIMEOUT_MS: '2000' }, demo.url);
    permissive = await createTestApp({ WEBHOOK_TIMEOUT_MS: '2000' }, demo.url);
    allowing = await createTestApp(
      { WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8', WEBHOOK_TIMEOUT_MS: '2000' },
      demo.url,
    );
    receiver = createServer((request, response) => {
      received.push(request.url ?? '');
      response.writeHead(204).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    port = (receiver.address() as AddressInfo).port;
  });
  afterAll(async () => {
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
    for (const app of [strict, permissive, allowing]) await app?.close();
    await demo?.drop();
  });

  async function anAdministrator(app: TestApp) {
    const organisation = await anOrganisation(app.dataSource);
    return {
      organisation,
      auth: await bearerFor(app, await aUser(app.dataSource, organisation, ['org_admin'])),
    };
  }

  const register = (app: TestApp, auth: Auth, url: string) =>
    app
      .http()
      .post('/api/v1/webhooks')
      .set(auth)
      .send({ url, eventTypes: ['subscription.requested'] });

  const anEventFor = (app: TestApp, organisation: Organisation) =>
    app.dataSource.transaction((manager) =>
      app.app.get(NotificationsService).notify(manager, {
        organisationId: organisation.id,
        kind: 'subscription.requested',
        title: unique('A request'),
        body: 'Approve or reject it.',
        entityType: 'subscription',
        entityId: unique('subscription').replace(' ', '-'),
      }),
    );

  it('refuses to register the cloud metadata service written as an IPv4-mapped IPv6 address, naming the rule', async () => {
    const { organisation, auth } = await anAdministrator(strict);

    const response = await register(strict, auth, 'http://[::ffff:169.254.169.254]/latest/meta-data').expect(
      400,
    );

    expect(response.body).toMatchObject({ type: 'urn:consortium:problem:validation-error', status: 400 });
    expect(response.body.errors).toEqual([
      {
        field: 'url',
        message:
          'url points at ::ffff:a9fe:a9fe (169.254.169.254 in IPv4-mapped spelling), a link-local address ' +
          `(169.254.0.0/16, fe80::/10: cloud metadata services live there): ${ALLOWED_INSTEAD}`,
      },
    ]);
    const [{ count }] = await strict.dataSource.query(
      'SELECT count(*)::int AS count FROM webhook_endpoints WHERE organisation_id = $1',
      [organisation.id],
    );
    expect(count).toBe(0);
  });

  it.each([
    ['this machine, IPv4-mapped', () => `http://[::ffff:127.0.0.1]:${port}/hooks`, 'a loopback address'],
    ['this machine', () => `http://127.0.0.1:${port}/hooks`, 'a loopback address'],
    ['this machine, by name', () => `http://localhost:${port}/hooks`, 'a loopback address'],
    ['this machine, IPv6', () => `http://[::1]:${port}/hooks`, 'a loopback address'],
    ['this machine, IPv4-compatible', () => `http://[::127.0.0.1]:${port}/hooks`, 'a loopback address'],
    ['this machine, 6to4', () => `https://[2002:7f00:1::1]:${port}/hooks`, 'a loopback address'],
    ['this machine, NAT64', () => `https://[64:ff9b::127.0.0.1]:${port}/hooks`, 'a loopback address'],
    ['a database on 10/8', () => 'https://10.0.0.8:5432/', 'a private-network address'],
    ['a host on 172.16/12', () => 'https://172.20.1.1/', 'a private-network address'],
    ['a router on 192.168/16', () => 'https://192.168.0.1/admin', 'a private-network address'],
    ['a unique-local host', () => 'https://[fd00:1::5]/', 'a unique-local address (fc00::/7)'],
    ['a link-local host', () => 'https://[fe80::1]/', 'a link-local address'],
    ['the unspecified address', () => 'https://0.0.0.0/', 'an unspecified address'],
    ['a private host, IPv4-mapped', () => 'https://[::ffff:10.1.2.3]/', 'a private-network address'],
  ])('refuses to register %s (400, naming the rule)', async (_label, url, rule) => {
    const { auth } = await anAdministrator(strict);

    const response = await register(strict, auth, url()).expect(400);

    expect(response.body.errors[0]).toMatchObject({ field: 'url' });
    expect(response.body.errors[0].message).toContain(`, ${rule}`);
    expect(response.body.errors[0].message).toContain(ALLOWED_INSTEAD);
  });

  it('refuses to move a registered endpoint onto a private address', async () => {
    const { auth } = await anAdministrator(strict);
    const endpoint = await register(strict, auth, 'https://finance.example.gov.uk/hooks').expect(201);

    const response = await strict
      .http()
      .patch(`/api/v1/webhooks/${endpoint.body.id}`)
      .set(auth)
      .send({ url: 'https://[::ffff:192.168.1.1]/hooks' })
      .expect(400);

    expect(response.body.errors[0].message).toContain('a private-network address');
    const fetched = await strict.http().get(`/api/v1/webhooks/${endpoint.body.id}`).set(auth).expect(200);
    expect(fetched.body.url).toBe('https://finance.example.gov.uk/hooks');
  });

  it('never connects to this machine for an endpoint registered while loopback was allowed, and logs why', async () => {
    // Registered while the operator allowed this machine (loopback is allowed outside production by default)...
    const { organisation, auth } = await anAdministrator(permissive);
    const endpoint = await register(permissive, auth, `http://[::ffff:127.0.0.1]:${port}/hooks`).expect(201);
    expect(endpoint.body.url).toBe(`http://[::ffff:7f00:1]:${port}/hooks`);
    // ...then sent by an instance under production rules.
    await anEventFor(strict, organisation);
    const before = received.length;

    await strict.app.get(WebhookWorker).runOnce();

    expect(received.length).toBe(before);
    const deliveries = await strict
      .http()
      .get(`/api/v1/webhooks/${endpoint.body.id}/deliveries`)
      .set(auth)
      .expect(200);
    expect(deliveries.body.data).toHaveLength(1);
    expect(deliveries.body.data[0]).toMatchObject({
      attempts: 1,
      lastResponseStatus: null,
      lastError:
        `Not sent: ::ffff:7f00:1 (127.0.0.1 in IPv4-mapped spelling), a loopback address (127.0.0.0/8, ::1): ` +
        ALLOWED_INSTEAD,
    });
  });

  it('registers and delivers to a network the operator names in WEBHOOK_ALLOWED_NETWORKS', async () => {
    const { organisation, auth } = await anAdministrator(allowing);
    const endpoint = await register(allowing, auth, `http://[::ffff:127.0.0.1]:${port}/allowed`).expect(201);
    await register(allowing, auth, 'https://10.0.0.8/').expect(400);
    await anEventFor(allowing, organisation);

    await allowing.app.get(WebhookWorker).runOnce();

    expect(received).toContain('/allowed');
    const deliveries = await allowing
      .http()
      .get(`/api/v1/webhooks/${endpoint.body.id}/deliveries`)
      .set(auth)
      .expect(200);
    expect(deliveries.body.data[0]).toMatchObject({ status: 'succeeded', lastResponseStatus: 204 });
  });
});
