import { ProblemException } from '../../common/problem';
import { WebhookAddressPolicy } from './webhook-address-policy';
import { assertDeliverableUrl } from './webhook-url';

const production = WebhookAddressPolicy.fromEnvironment({ NODE_ENV: 'production' });
const onThisMachine = WebhookAddressPolicy.fromEnvironment({
  NODE_ENV: 'production',
  WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8,::1',
});
const development = WebhookAddressPolicy.fromEnvironment({ NODE_ENV: 'development' });

/** The field message of the problem the URL is refused with. */
function refusalOf(url: string, nodeEnv = 'production', policy = production): string {
  try {
    assertDeliverableUrl(url, nodeEnv, policy);
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemException);
    return ((error as ProblemException).extensions.errors ?? [])[0].message;
  }
  throw new Error(`${url} was accepted`);
}

describe('assertDeliverableUrl', () => {
  it('accepts https anywhere', () => {
    expect(assertDeliverableUrl('https://finance.example.gov.uk/hooks', 'production', production)).toBe(
      'https://finance.example.gov.uk/hooks',
    );
    expect(assertDeliverableUrl('https://51.140.10.20/hooks', 'production', production)).toBe(
      'https://51.140.10.20/hooks',
    );
  });

  it('accepts plain http in production only for a receiver on the same machine, when loopback is allowed', () => {
    expect(assertDeliverableUrl('http://localhost:8080/hooks', 'production', onThisMachine)).toBe(
      'http://localhost:8080/hooks',
    );
    expect(assertDeliverableUrl('http://127.0.0.1:8080/hooks', 'production', onThisMachine)).toBe(
      'http://127.0.0.1:8080/hooks',
    );
    expect(refusalOf('http://finance.example.gov.uk/hooks', 'production', onThisMachine)).toBe(
      'url must be https:// (http:// only for localhost)',
    );
  });

  it('accepts plain http outside production, and the developer’s own machine', () => {
    expect(assertDeliverableUrl('http://receiver.internal/hooks', 'development', development)).toBe(
      'http://receiver.internal/hooks',
    );
    expect(assertDeliverableUrl('http://127.0.0.1:4000/', 'development', development)).toBe(
      'http://127.0.0.1:4000/',
    );
  });

  it('refuses loopback, private, link-local, unique-local and unspecified addresses in production, naming the rule', () => {
    expect(refusalOf('http://[::ffff:169.254.169.254]/')).toBe(
      'url points at ::ffff:a9fe:a9fe (169.254.169.254 in IPv4-mapped spelling), a link-local address ' +
        '(169.254.0.0/16, fe80::/10: cloud metadata services live there): webhooks may reach public addresses ' +
        'only, and networks an operator names in WEBHOOK_ALLOWED_NETWORKS',
    );
    expect(refusalOf('https://localhost/hooks')).toMatch(
      /^url points at localhost, that is 127\.0\.0\.1, a loopback address/,
    );
    expect(refusalOf('https://127.0.0.1:8080/hooks')).toMatch(
      /^url points at 127\.0\.0\.1, a loopback address/,
    );
    expect(refusalOf('https://[::1]/hooks')).toMatch(/a loopback address/);
    expect(refusalOf('https://0x7f.1/hooks')).toMatch(/^url points at 127\.0\.0\.1, a loopback/);
    expect(refusalOf('https://10.0.0.8:5432/')).toMatch(
      /^url points at 10\.0\.0\.8, a private-network address/,
    );
    expect(refusalOf('https://172.16.4.4/')).toMatch(/a private-network address/);
    expect(refusalOf('https://192.168.0.1/')).toMatch(/a private-network address/);
    expect(refusalOf('https://[fd00::1]/')).toMatch(/a unique-local address \(fc00::\/7\)/);
    expect(refusalOf('https://[fe80::1]/')).toMatch(/a link-local address/);
    expect(refusalOf('https://0.0.0.0/')).toMatch(/an unspecified address/);
    expect(refusalOf('https://[2002:a9fe:a9fe::]/')).toMatch(/169\.254\.169\.254 in 6to4 spelling/);
    expect(refusalOf('https://[64:ff9b::7f00:1]/')).toMatch(/127\.0\.0\.1 in NAT64 spelling/);
    expect(refusalOf('https://[::7f00:1]/')).toMatch(/127\.0\.0\.1 in IPv4-compatible spelling/);
  });

  it('refuses link-local and private addresses outside production too', () => {
    expect(refusalOf('https://169.254.169.254/latest/meta-data', 'test', development)).toMatch(
      /a link-local address/,
    );
    expect(refusalOf('http://[::ffff:10.0.0.1]/', 'test', development)).toMatch(/a private-network address/);
  });

  it('rejects other schemes, relative URLs and URLs carrying credentials', () => {
    for (const url of ['ftp://example.gov.uk/x', '/hooks', 'https://user:pass@example.gov.uk/hooks']) {
      expect(() => assertDeliverableUrl(url, 'test', development)).toThrow(ProblemException);
    }
  });
});
