import { BlockList, isIP } from 'node:net';

const MAPPED_V4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * Node reports IPv4 clients on a dual-stack socket as `::ffff:a.b.c.d`; IAM's `aws:SourceIp`
 * is the plain IPv4 address, so an IPv4 CIDR must match the mapped form too.
 */
function unmapped(address: string): string {
  return MAPPED_V4.exec(address)?.[1] ?? address;
}

/** The block list for one CIDR (a bare address is a /32 or /128, as IAM documents), or undefined. */
function cidrList(cidr: string): BlockList | undefined {
  const [address = '', prefixText] = cidr.trim().split('/');
  const family = isIP(address);
  if (family === 0) return undefined;
  const max = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || prefixText === '')
    return undefined;
  const list = new BlockList();
  list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  return list;
}

/**
 * Whether an address lies in a CIDR range, for the `IpAddress` operators. Malformed input on
 * either side is no match.
 *
 * @example
 * ipInCidr('::ffff:203.0.113.9', '203.0.113.0/24'); // true
 * ipInCidr('2001:db8:1234:5678::1', '2001:DB8:1234:5678::/64'); // true
 */
export function ipInCidr(address: string, cidr: string): boolean {
  const list = cidrList(cidr);
  const plain = unmapped(address.trim());
  const family = isIP(plain);
  if (!list || family === 0) return false;
  return list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
}
