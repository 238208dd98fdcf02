import type { lookup } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClaimedDelivery } from './webhook-deliveries.service';
import { guardedLookup, isForbiddenAddress, sendDelivery } from './webhook-sender';

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

function lookUp(resolver: typeof lookup, all: boolean) {
  return new Promise<{ error: Error | null; address: unknown }>((resolve) =>
    (guardedLookup(resolver) as (...args: unknown[]) => void)(
      'hooks.example.gov.uk',
      { all },
      (error: Error | null, address: unknown) => resolve({ error, address }),
    ),
  );
}

describe('isForbiddenAddress', () => {
  it('forbids link-local (cloud metadata) and unspecified addresses, in any spelling', () => {
    for (const address of [
      '169.254.169.254',
      '::ffff:169.254.1.1',
      'fe80::1',
      '[fe80::1]',
      '0.0.0.0',
      '::',
    ]) {
      expect([address, isForbiddenAddress(address)]).toEqual([address, true]);
    }
  });

  it('allows public, private-network and loopback addresses (council receivers sit on all three)', () => {
    for (const address of ['51.140.10.20', '10.12.0.5', '192.168.1.10', '127.0.0.1', '::1', '2001:db8::1']) {
      expect([address, isForbiddenAddress(address)]).toEqual([address, false]);
    }
  });
});

describe('guardedLookup', () => {
  it('passes an allowed answer through, single or all', async () => {
    await expect(lookUp(resolvingTo('10.12.0.5'), false)).resolves.toEqual({
      error: null,
      address: '10.12.0.5',
    });
    const all = await lookUp(resolvingTo('10.12.0.5', '2001:db8::1'), true);
    expect(all.error).toBeNull();
    expect(all.address).toEqual([
      { address: '10.12.0.5', family: 4 },
      { address: '2001:db8::1', family: 6 },
    ]);
  });

  it('refuses a name that resolves to a link-local address, even as one answer of several', async () => {
    const single = await lookUp(resolvingTo('169.254.169.254'), false);
    expect(single.error?.message).toBe(
      'hooks.example.gov.uk resolves to 169.254.169.254, which webhooks may not reach',
    );
    const several = await lookUp(resolvingTo('10.12.0.5', 'fe80::1'), true);
    expect(several.error?.message).toBe(
      'hooks.example.gov.uk resolves to fe80::1, which webhooks may not reach',
    );
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
    const ok = await sendDelivery(aDelivery(`http://localhost:${port}/hooks`), 2000);
    expect(ok).toMatchObject({ responseStatus: 204, error: null });
    const broken = await sendDelivery(aDelivery(`http://127.0.0.1:${port}/broken`), 2000);
    expect(broken).toMatchObject({ responseStatus: 502, error: 'The endpoint answered 502' });
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    const outcome = await sendDelivery(aDelivery(`http://127.0.0.1:${port}/silent`), 200);
    expect(outcome).toMatchObject({ responseStatus: null, error: 'No answer within 200 ms' });
    expect(answered).toContain('/silent');
  });

  it('does not connect to a link-local address at all', async () => {
    const outcome = await sendDelivery(aDelivery('http://169.254.169.254/latest/meta-data'), 2000);
    expect(outcome).toMatchObject({
      responseStatus: null,
      error: 'Not sent: 169.254.169.254 is an address webhooks may not reach',
    });
  });
});
