import ipaddr from 'ipaddr.js';

export type Network = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * Reads a comma-separated list of networks (`10.20.0.0/16`, `fd00:1::/64`) or single addresses (`192.168.1.10`);
 * `none` is the empty list. IPv4 is taken only as four decimal parts. Throws naming the first entry that is
 * neither.
 */
export function parseNetworks(text: string): Network[] {
  if (text.trim() === 'none') return [];
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((entry): Network => {
      const [address, bits] = entry.split('/');
      const withPrefix = bits === undefined ? `${address}/${address.includes(':') ? 128 : 32}` : entry;
      const valid = address.includes(':')
        ? ipaddr.IPv6.isValidCIDR(withPrefix)
        : ipaddr.IPv4.isValidCIDRFourPartDecimal(withPrefix);
      if (!valid) {
        throw new Error(`${entry} is not a network (such as 10.20.0.0/16 or fd00:1::/64) or an address`);
      }
      return ipaddr.parseCIDR(withPrefix);
    });
}
