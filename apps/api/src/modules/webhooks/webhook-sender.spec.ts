import type { lookup } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClaimedDelivery } from './webhook-deliveries.service';
import { WebhookAddressPolicy } from './webhook-address-policy';
import { guardedLookup, sendDelivery } from './webhook-sender';

const production = WebhookAddressPolicy.fromEnvironment({ NODE_ENV: 'production' });
/** What the test suite runs with: loopback allowed (the receivers below listen on 127.0.0.1). */
const test = WebhookAddressPolicy.fromEnvironment({ NODE_ENV: 'test' });

const aDelivery = (url: string): ClaimedDelivery => ({
  id: '7b0e6a4e-52a4-4b43-9d3c-5f2f9f0f6c11',
  attempt: 1,
  endpointId: 'a5d3f4a0-8e1b-4c53-a4a8-3f5f0b9c2d10',
  url,
  secrets: ['whsec_test'],
  event: {
    event_id: 'c7c1c8a2-2f0f-4d44-9f9a-2b8f8b0f1a22',
    topic: 'subscription.requested',
    organisation_id: 'e1b2c3d4-0000-4000-8000-000000000001',
    created_at: new Date('2026-11-30T09:00:00Z'),
    payload: { title: 'Norfolk asks to subscribe' },
  },
});

/** A resolver that answers every name with these addresses, as dns.lookup would. */
const resolvingTo = (...addresses: string[]) =>
  ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) =>
    options.all
      ? callback(
          null,
          addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
        )
      : callback(null, addresses[0], addresses[0].includes(':') ? 6 : 4)) as unknown as typeof lookup;

function lookUp(resolver: typeof lookup, all: boolean, policy = production) {
  return new Promise<{ error: Error | null; address: unknown }>((resolve) =>
    (guardedLookup(policy, resolver) as (...args: unknown[]) => void)(
      'hooks.example.gov.uk',
      { all },
      (error: Error | null, address: unknown) => resolve({ error, address }),
    ),
  );
}

describe('guardedLookup', () => {
  it('passes a public answer through, single or all', async () => {
    await expect(lookUp(resolvingTo('51.140.10.20'), false)).resolves.toEqual({
      error: null,
      address: '51.140.10.20',
    });
    const all = await lookUp(resolvingTo('51.140.10.20', '2a00:1450:4009:81f::200e'), true);
    expect(all.error).toBeNull();
    expect(all.address).toEqual([
      { address: '51.140.10.20', family: 4 },
      { address: '2a00:1450:4009:81f::200e', family: 6 },
    ]);
  });

  it('refuses a name that resolves to an address webhooks may not reach, even as one answer of several', async () => {
    const single = await lookUp(resolvingTo('169.254.169.254'), false);
    expect(single.error?.message).toBe(
      'hooks.example.gov.uk resolves to 169.254.169.254, a link-local address (169.254.0.0/16, fe80::/10: cloud ' +
        'metadata services live there): webhooks may reach public addresses only, and networks an operator ' +
        'names in WEBHOOK_ALLOWED_NETWORKS',
    );
    const several = await lookUp(resolvingTo('51.140.10.20', '10.12.0.5'), true);
    expect(several.error?.message).toMatch(
      /^hooks\.example\.gov\.uk resolves to 10\.12\.0\.5, a private-network address/,
    );
    const mapped = await lookUp(resolvingTo('::ffff:127.0.0.1'), false);
    expect(mapped.error?.message).toMatch(/127\.0\.0\.1 in IPv4-mapped spelling\), a loopback address/);
  });

  it('lets a name resolve to a network the operator allows', async () => {
    const policy = WebhookAddressPolicy.fromEnvironment({
      NODE_ENV: 'production',
      WEBHOOK_ALLOWED_NETWORKS: '10.12.0.0/16',
    });
    await expect(lookUp(resolvingTo('10.12.0.5'), false, policy)).resolves.toEqual({
      error: null,
      address: '10.12.0.5',
    });
  });
});

describe('sendDelivery', () => {
  let server: Server;
  let port: number;
  const answered: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      answered.push(request.url ?? '');
      if (request.url === '/silent') return; // never answers
      response.writeHead(request.url === '/broken' ? 502 : 204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('reports a 2xx answer as delivered and anything else as the status it was', async () => {
    const ok = await sendDelivery(aDelivery(`http://localhost:${port}/hooks`), 2000, test);
    expect(ok).toMatchObject({ responseStatus: 204, error: null });
    const broken = await sendDelivery(aDelivery(`http://127.0.0.1:${port}/broken`), 2000, test);
    expect(broken).toMatchObject({ responseStatus: 502, error: 'The endpoint answered 502' });
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    const outcome = await sendDelivery(aDelivery(`http://127.0.0.1:${port}/silent`), 200, test);
    expect(outcome).toMatchObject({ responseStatus: null, error: 'No answer within 200 ms' });
    expect(answered).toContain('/silent');
  });

  it('does not connect to a link-local address at all', async () => {
    const outcome = await sendDelivery(aDelivery('http://169.254.169.254/latest/meta-data'), 2000, test);
    expect(outcome).toMatchObject({ responseStatus: null });
    expect(outcome.error).toMatch(/^Not sent: 169\.254\.169\.254, a link-local address/);
  });

  it('does not connect to a receiver on this machine under production rules, by name or in any spelling', async () => {
    const sentBefore = answered.length;
    for (const url of [
      `http://localhost:${port}/hooks`,
      `http://127.0.0.1:${port}/hooks`,
      `http://[::ffff:127.0.0.1]:${port}/hooks`,
    ]) {
      const outcome = await sendDelivery(aDelivery(url), 2000, production);
      expect([url, outcome.responseStatus]).toEqual([url, null]);
      expect(outcome.error).toMatch(/^Not sent: .*a loopback address \(127\.0\.0\.0\/8, ::1\)/);
    }
    expect(answered.length).toBe(sentBefore);
  });
});
