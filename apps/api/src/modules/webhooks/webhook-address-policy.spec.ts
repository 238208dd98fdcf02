import { WebhookAddressPolicy } from './webhook-address-policy';

const production = WebhookAddressPolicy.fromEnvironment({ NODE_ENV: 'production' });

describe('WebhookAddressPolicy', () => {
  it.each([
    ['127.0.0.1', 'a loopback address'],
    ['127.45.0.9', 'a loopback address'],
    ['::1', 'a loopback address'],
    ['10.12.0.5', 'a private-network address'],
    ['172.16.0.1', 'a private-network address'],
    ['172.31.255.254', 'a private-network address'],
    ['192.168.1.10', 'a private-network address'],
    ['169.254.169.254', 'a link-local address'],
    ['fe80::1', 'a link-local address'],
    ['fc00::1', 'a unique-local address'],
    ['fd12:3456::1', 'a unique-local address'],
    ['0.0.0.0', 'an unspecified address'],
    ['::', 'an unspecified address'],
    ['100.100.100.200', 'a shared address'],
    ['fec0::1', 'a site-local address'],
    ['224.0.0.1', 'a multicast address'],
    ['255.255.255.255', 'the broadcast address'],
    ['240.0.0.1', 'a special-purpose address (reserved)'],
  ])('refuses %s in production as %s', (address, rule) => {
    expect(production.refusal(address)).toContain(`, ${rule}`);
  });

  it.each([
    ['::ffff:169.254.169.254', '::ffff:a9fe:a9fe (169.254.169.254 in IPv4-mapped spelling), a link-local'],
    ['[::ffff:a9fe:a9fe]', '::ffff:a9fe:a9fe (169.254.169.254 in IPv4-mapped spelling), a link-local'],
    ['::ffff:127.0.0.1', '::ffff:7f00:1 (127.0.0.1 in IPv4-mapped spelling), a loopback'],
    ['::127.0.0.1', '::7f00:1 (127.0.0.1 in IPv4-compatible spelling), a loopback'],
    ['::a00:5', '::a00:5 (10.0.0.5 in IPv4-compatible spelling), a private-network'],
    ['::ffff:0:c0a8:101', '::ffff:0:c0a8:101 (192.168.1.1 in IPv4-translated spelling), a private-network'],
    ['2002:a9fe:a9fe::1', '2002:a9fe:a9fe::1 (169.254.169.254 in 6to4 spelling), a link-local'],
    ['2002:7f00:1::', '2002:7f00:1:: (127.0.0.1 in 6to4 spelling), a loopback'],
    ['64:ff9b::a9fe:a9fe', '64:ff9b::a9fe:a9fe (169.254.169.254 in NAT64 spelling), a link-local'],
    ['64:ff9b::10.1.2.3', '64:ff9b::a01:203 (10.1.2.3 in NAT64 spelling), a private-network'],
    ['64:ff9b:1::a01:203', '64:ff9b:1::a01:203, a local-use NAT64 address'],
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', '(127.0.0.1 in Teredo spelling), a loopback'],
  ])('sees through %s', (address, refusal) => {
    expect(production.refusal(address)).toContain(refusal);
  });

  it('allows public addresses, in IPv6 spellings of IPv4 too', () => {
    for (const address of [
      '51.140.10.20',
      '2a00:1450:4009:81f::200e',
      '::ffff:51.140.10.20',
      '64:ff9b::338c:a14',
    ]) {
      expect([address, production.refusal(address)]).toEqual([address, null]);
    }
  });

  it('refuses what is not an address', () => {
    expect(production.refusal('hooks.example.gov.uk')).toBe(
      'hooks.example.gov.uk, which is not an IP address',
    );
  });

  it('allows the networks an operator names, in every spelling of their addresses', () => {
    const policy = WebhookAddressPolicy.fromEnvironment({
      NODE_ENV: 'production',
      WEBHOOK_ALLOWED_NETWORKS: '10.20.0.0/16, fd00:1::/64,192.168.1.10',
    });
    for (const address of ['10.20.3.4', '::ffff:10.20.3.4', '2002:a14:304::', 'fd00:1::9', '192.168.1.10']) {
      expect([address, policy.refusal(address)]).toEqual([address, null]);
    }
    for (const address of ['10.21.0.1', 'fd00:2::9', '192.168.1.11', '127.0.0.1', '169.254.169.254']) {
      expect(policy.refusal(address)).not.toBeNull();
    }
  });

  it('allows loopback outside production unless told otherwise, and nothing else that is not public', () => {
    const development = WebhookAddressPolicy.fromEnvironment({ NODE_ENV: 'development' });
    expect(['127.0.0.1', '::1', '::ffff:127.0.0.1'].map((a) => development.refusal(a))).toEqual([
      null,
      null,
      null,
    ]);
    expect(development.refusal('10.0.0.1')).toContain('a private-network address');
    expect(development.refusal('169.254.169.254')).toContain('a link-local address');
    const strict = WebhookAddressPolicy.fromEnvironment({
      NODE_ENV: 'test',
      WEBHOOK_ALLOWED_NETWORKS: 'none',
    });
    expect(strict.refusal('127.0.0.1')).toContain('a loopback address');
  });

  it('knows loopback in any spelling', () => {
    expect(
      ['127.0.0.1', '::1', '::ffff:7f00:1', '2002:7f00:1::'].map((a) => production.isLoopback(a)),
    ).toEqual([true, true, true, true]);
    expect(production.isLoopback('51.140.10.20')).toBe(false);
  });
});
