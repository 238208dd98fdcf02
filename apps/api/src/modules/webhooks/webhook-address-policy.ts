import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';
import type { Environment } from '../../config/environment';
import { type Network, parseNetworks } from '../../config/networks';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** What each kind of non-public address is, in the words a refusal uses (ipaddr.js names the ranges). */
const RULES: Record<string, string> = {
  unspecified: 'an unspecified address (0.0.0.0/8, ::)',
  loopback: 'a loopback address (127.0.0.0/8, ::1)',
  private: 'a private-network address (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)',
  linkLocal: 'a link-local address (169.254.0.0/16, fe80::/10: cloud metadata services live there)',
  uniqueLocal: 'a unique-local address (fc00::/7)',
  carrierGradeNat: 'a shared address (100.64.0.0/10, carrier-grade NAT)',
  deprecatedSiteLocal: 'a site-local address (fec0::/10)',
  nat64LocalUse: 'a local-use NAT64 address (64:ff9b:1::/48), translated to networks of the operator',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
};

/** IPv6 spellings of an IPv4 address: the IPv4 address inside is what a connection reaches, so it is judged. */
function embeddedIPv4(
  address: ipaddr.IPv6,
): { ipv4: ipaddr.IPv4; spelling: string } | 'nat64LocalUse' | null {
  const p = address.parts;
  const v4 = (high: number, low: number) => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  switch (address.range()) {
    case 'ipv4Mapped':
      return { ipv4: v4(p[6], p[7]), spelling: 'IPv4-mapped' };
    case 'rfc6145':
      return { ipv4: v4(p[6], p[7]), spelling: 'IPv4-translated' };
    case 'rfc6052':
      // 64:ff9b::/96 carries the address in its last 32 bits; the local-use 64:ff9b:1::/48 at a length only its
      // operator knows, so it is refused as a whole.
      return p[2] === 0 ? { ipv4: v4(p[6], p[7]), spelling: 'NAT64' } : 'nat64LocalUse';
    case '6to4':
      return { ipv4: v4(p[1], p[2]), spelling: '6to4' };
    case 'teredo':
      // The client's address, inverted (RFC 4380).
      return { ipv4: v4(~p[6] & 0xffff, ~p[7] & 0xffff), spelling: 'Teredo' };
    default:
      // IPv4-compatible (::a.b.c.d, deprecated but still routed by some stacks); :: and ::1 are themselves.
      return p.slice(0, 6).every((part) => part === 0) && (p[6] !== 0 || p[7] > 1)
        ? { ipv4: v4(p[6], p[7]), spelling: 'IPv4-compatible' }
        : null;
  }
}

/** One address as ipaddr.js reads it, IPv6 first normalised as URLs write it (ipaddr reads ::a.b.c.d as mapped). */
function parse(text: string): Address | null {
  const bare = text.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare) === 4) return ipaddr.IPv4.parse(bare);
  if (isIP(bare) !== 6) return null;
  return ipaddr.IPv6.parse(new URL(`http://[${bare}]/`).hostname.slice(1, -1));
}

/**
 * Which addresses a webhook may be sent to: public unicast addresses, and whatever the operator allows in
 * WEBHOOK_ALLOWED_NETWORKS. Everything else (loopback, private, link-local, unique-local, unspecified, shared and
 * special-purpose ranges) is refused, however it is spelled, so that a webhook cannot reach the platform's own
 * network or a cloud metadata service, nor make the delivery log a port scanner (SSRF).
 */
export class WebhookAddressPolicy {
  constructor(private readonly allowed: Network[]) {}

  /** Outside production the developer's own machine (loopback) is allowed unless the setting says otherwise. */
  static fromEnvironment(
    env: Pick<Environment, 'NODE_ENV' | 'WEBHOOK_ALLOWED_NETWORKS'>,
  ): WebhookAddressPolicy {
    const setting =
      env.WEBHOOK_ALLOWED_NETWORKS ?? (env.NODE_ENV === 'production' ? 'none' : '127.0.0.0/8,::1');
    return new WebhookAddressPolicy(parseNetworks(setting));
  }

  /** Null when a webhook may reach the address; otherwise what the address is, naming the rule that refuses it. */
  refusal(text: string): string | null {
    const address = parse(text);
    if (!address) return `${text}, which is not an IP address`;
    if (this.allows(address)) return null;
    const embedded = address.kind() === 'ipv6' ? embeddedIPv4(address as ipaddr.IPv6) : null;
    if (embedded === 'nat64LocalUse') return `${address.toString()}, ${RULES.nat64LocalUse}`;
    const judged = embedded ? embedded.ipv4 : address;
    if (embedded && this.allows(judged)) return null;
    const range = judged.range();
    if (range === 'unicast') return null;
    const shown = embedded
      ? `${address.toString()} (${embedded.ipv4.toString()} in ${embedded.spelling} spelling)`
      : address.toString();
    return `${shown}, ${RULES[range] ?? `a special-purpose address (${range})`}`;
  }

  /** Whether the address is this machine's, in any spelling. */
  isLoopback(text: string): boolean {
    const address = parse(text);
    const embedded = address?.kind() === 'ipv6' ? embeddedIPv4(address as ipaddr.IPv6) : null;
    const judged = embedded && embedded !== 'nat64LocalUse' ? embedded.ipv4 : address;
    return judged?.range() === 'loopback';
  }

  private allows(address: Address): boolean {
    return this.allowed.some(
      ([network, bits]) => network.kind() === address.kind() && address.match(network, bits),
    );
  }
}

/** How a refusal ends: what is allowed instead. */
export const ALLOWED_INSTEAD =
  'webhooks may reach public addresses only, and networks an operator names in WEBHOOK_ALLOWED_NETWORKS';
