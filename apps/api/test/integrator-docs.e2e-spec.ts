import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WebhookWorker } from '../src/modules/webhooks/webhook.worker';
import {
  aBillingPeriod,
  aConsortiumWithMembers,
  aDatedSubscription,
  aDraftCrossCharge,
  anApiKey,
  aService,
  bearerFor,
} from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

const run = promisify(execFile);
const EXAMPLES = join(__dirname, '..', '..', '..', 'docs', 'examples');

/** A port nobody is listening on right now, for the example receiver. */
async function aFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Collects a child's output and resolves when a line matching `pattern` appears on it. */
function waitForLine(stream: NodeJS.ReadableStream, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern}: ${buffered}`)), 20_000);
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const line = buffered.split('\n').find((l) => pattern.test(l));
      if (line) {
        clearTimeout(timer);
        resolve(line);
      }
    });
  });
}

/**
 * docs/integrators.md's worked example, run as written: the scripts in docs/examples against a real API on a
 * port, with only the environment variables the docs name.
 */
describe('the integrator docs’ examples', () => {
  let test: TestApp;
  let baseUrl: string;
  let world: Awaited<ReturnType<typeof aConsortiumWithMembers>>;
  let receiver: ChildProcess | undefined;

  beforeAll(async () => {
    test = await createTestApp();
    await test.app.listen(0, '127.0.0.1');
    baseUrl = `${await test.app.getUrl()}/api/v1`.replace('[::1]', '127.0.0.1');
    world = await aConsortiumWithMembers(test.dataSource);
  });
  afterAll(async () => {
    receiver?.kill('SIGTERM');
    await test.close();
  });

  const node = (script: string, env: Record<string, string>) =>
    run(process.execPath, [join(EXAMPLES, script)], {
      env: { PATH: process.env.PATH ?? '', CONSORTIUM_API_URL: baseUrl, ...env },
    });

  it('post-usage.mjs reports usage with an API key, and a repeat counts once', async () => {
    const service = await aService(test.dataSource, world.consortium, world.home, {
      plan: {
        model: 'metered',
        currency: 'GBP',
        metric: 'storage_gb',
        unitPrice: '0.10',
        includedPerPeriod: '0',
      },
    });
    const start = new Date(Date.now() - 40 * 86_400_000).toISOString().slice(0, 10);
    const subscriptionId = await aDatedSubscription(test.dataSource, service, world.other, {
      startDate: start,
    });
    const { key } = await anApiKey(test.dataSource, world.home, ['usage:write']);
    const env = {
      CONSORTIUM_API_KEY: key,
      SUBSCRIPTION_ID: subscriptionId,
      METRIC: 'storage_gb',
      QUANTITY: '12.5',
    };
    // As the docs run it, with the default time (this hour): both runs must fall in the same hour.
    const toNextHour = 3_600_000 - (Date.now() % 3_600_000);
    if (toNextHour < 15_000) await new Promise((resolve) => setTimeout(resolve, toNextHour + 100));

    const first = await node('post-usage.mjs', env);
    const again = await node('post-usage.mjs', env);

    expect(first.stdout).toMatch(/^accepted 1, duplicates 0, rejected 0\n.*: accepted\n$/);
    expect(again.stdout).toMatch(/^accepted 0, duplicates 1, rejected 0\n.*: duplicate\n$/);
    const [{ quantity }] = await test.dataSource.query(
      'SELECT quantity::text AS quantity FROM usage_events WHERE subscription_id = $1',
      [subscriptionId],
    );
    expect(quantity).toBe('12.500000');
  });

  it('post-usage.mjs prints the problem and exits 1 when the key may not report usage', async () => {
    const { key } = await anApiKey(test.dataSource, world.home, ['charges:read']);

    const failure = await node('post-usage.mjs', {
      CONSORTIUM_API_KEY: key,
      SUBSCRIPTION_ID: world.consortium.id,
    }).catch((error: { code: number; stderr: string }) => error);

    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toMatch(/^403 urn:consortium:problem:forbidden: /);
  });

  it('webhook-receiver.mjs verifies a signed delivery and refuses a forged one; pull-statement.mjs downloads the CSV', async () => {
    const period = await aBillingPeriod(test, world.consortium, new Date().toISOString().slice(0, 10));
    const consumerAdmin = await bearerFor(test, world.otherUsers.admin);
    const port = await aFreePort();
    const endpoint = await test
      .http()
      .post('/api/v1/webhooks')
      .set(consumerAdmin)
      .send({ url: `http://127.0.0.1:${port}/`, eventTypes: ['cross_charge.issued'] })
      .expect(201);
    receiver = spawn(process.execPath, [join(EXAMPLES, 'webhook-receiver.mjs')], {
      env: { PATH: process.env.PATH ?? '', PORT: String(port), WEBHOOK_SECRET: endpoint.body.secret },
    });
    await waitForLine(receiver.stderr!, /listening on/);
    const verified = waitForLine(receiver.stdout!, /"verified":true/);
    const refused = waitForLine(receiver.stderr!, /rejected a delivery with a bad signature/);

    const charge = await aDraftCrossCharge(test.dataSource, {
      consortium: world.consortium,
      periodId: period.id,
      provider: world.home,
      consumer: world.other,
      lines: [{ netMinor: 125_000, description: 'Disaster recovery, 10 sites' }],
    });
    const providerFinance = await bearerFor(test, world.homeUsers.finance);
    await test.http().post(`/api/v1/cross-charges/${charge.id}/issue`).set(providerFinance).expect(200);
    await test.app.get(WebhookWorker).runOnce();
    const forged = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: { 'consortium-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` },
      body: '{"id":"forged","type":"cross_charge.issued"}',
    });

    const event = JSON.parse(await verified);
    expect(event).toMatchObject({
      verified: true,
      type: 'cross_charge.issued',
      data: { entityType: 'cross_charge', entityId: charge.id },
    });
    expect(forged.status).toBe(400);
    await refused;

    const { key } = await anApiKey(test.dataSource, world.other, ['charges:read']);
    const statement = await node('pull-statement.mjs', {
      CONSORTIUM_API_KEY: key,
      CONSORTIUM_ID: world.consortium.id,
      BILLING_PERIOD_ID: period.id,
    });
    expect(statement.stdout.split('\n')[0]).toMatch(/,/);
    expect(statement.stdout).toContain(charge.reference);
  });
});
