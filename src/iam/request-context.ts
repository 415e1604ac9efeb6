/**
 * The global condition keys a request brings (`aws:SourceIp`, `aws:SecureTransport`,
 * `aws:UserAgent`…). A proxy's `X-Forwarded-For` and `X-Forwarded-Proto` are believed only
 * from the proxies the operator names: anyone else could claim TLS or another address and
 * walk through a policy's condition.
 */
import type { IncomingMessage } from 'node:http';
import { BlockList, isIPv4 } from 'node:net';
import type { ConditionValues } from './types.js';

export interface TrustedProxies {
  /** Whether a peer address is one of the operator's proxies. */
  has(address: string): boolean;
}

/** The proxies to believe, as addresses or CIDR ranges (`10.0.0.0/8`, `::1`). */
export function trustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits] = entry.split('/');
    const type = isIPv4(address!) ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address!, type);
    else list.addSubnet(address!, Number(bits), type);
  }
  return {
    has: (address) => {
      const plain = unmapped(address);
      return list.check(plain, isIPv4(plain) ? 'ipv4' : 'ipv6');
    },
  };
}

/** The request's global condition keys. */
export function requestConditionKeys(
  req: IncomingMessage,
  proxies: TrustedProxies = NO_PROXIES,
): ConditionValues {
  const peer = unmapped(req.socket.remoteAddress ?? '');
  const viaProxy = peer !== '' && proxies.has(peer);
  const forwardedFor = viaProxy ? lastForwardedValue(req.headers['x-forwarded-for']) : undefined;
  const secure =
    Boolean((req.socket as { encrypted?: boolean }).encrypted) ||
    (viaProxy && lastForwardedValue(req.headers['x-forwarded-proto']) === 'https');
  const userAgent = req.headers['user-agent'];
  return {
    'aws:SourceIp': forwardedFor ? unmapped(forwardedFor) : peer,
    'aws:SecureTransport': secure ? 'true' : 'false',
    ...(userAgent ? { 'aws:UserAgent': userAgent } : {}),
  };
}

const NO_PROXIES: TrustedProxies = { has: () => false };

/** The client nearest the proxy: the last address it appended. */
function lastForwardedValue(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value.join(',') : value;
  if (!text) return undefined;
  const parts = text.split(',').map((part) => part.trim());
  return parts[parts.length - 1] || undefined;
}

/** Node reports IPv4 peers of a dual-stack socket as `::ffff:1.2.3.4`; policies name 1.2.3.4. */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
}
