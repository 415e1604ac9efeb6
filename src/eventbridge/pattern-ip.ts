import { InvalidEventPatternError } from './pattern-types.js';
import type { CidrBlock, IpAddress } from './pattern-types.js';

// The shapes Event Ruler treats as address literals at all; anything else is "nonstandard"
// rather than "invalid", and is never resolved as a host name.
const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseIpv4(text: string): IpAddress | undefined {
  const octets = text.split('.').map(Number);
  if (octets.some((octet) => octet > 255)) return undefined;
  return { bytes: Uint8Array.from(octets) };
}

function parseIpv6(text: string): IpAddress | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (half: string | undefined): string[] =>
    half === undefined || half === '' ? [] : half.split(':');
  const head = groupsOf(halves[0]);
  const tail = groupsOf(halves[1]);
  const compressed = halves.length === 2;
  const missing = 8 - head.length - tail.length;
  if (compressed ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...Array<string>(compressed ? missing : 0).fill('0'), ...tail];
  if (!groups.every((group) => HEX_GROUP.test(group))) return undefined;
  const bytes = new Uint8Array(16);
  groups.forEach((group, index) => {
    const value = parseInt(group, 16);
    bytes[index * 2] = value >> 8;
    bytes[index * 2 + 1] = value & 0xff;
  });
  return { bytes };
}

/** The address an event string spells, or undefined when it is not an IPv4/IPv6 literal. */
export function parseIpLiteral(text: string): IpAddress | undefined {
  if (IPV4_SHAPE.test(text)) return parseIpv4(text);
  if (IPV6_SHAPE.test(text)) return parseIpv6(text);
  return undefined;
}

/**
 * Parses a `cidr` operand, refusing it in Event Ruler's words. Ruler caps the mask at 31
 * (IPv4) and 127 (IPv6) bits, so a single-address block such as `/32` is refused; an exact
 * string match covers that case.
 */
export function parseCidr(text: string): CidrBlock {
  const parts = text.split('/');
  if (parts.length !== 2 || parts[1] === '') {
    throw new InvalidEventPatternError("Malformed CIDR, one '/' required");
  }
  const [address = '', mask = ''] = parts;
  // Java's Integer.parseInt: optional sign, ASCII digits, within 32 bits.
  const bits = /^[+-]?[0-9]+$/.test(mask) ? Number(mask) : NaN;
  if (!Number.isSafeInteger(bits) || bits > 2 ** 31 - 1 || bits < -(2 ** 31)) {
    throw new InvalidEventPatternError('Malformed CIDR, mask bits must be an integer');
  }
  if (bits < 0)
    throw new InvalidEventPatternError('Malformed CIDR, mask bits must not be negative');
  if (!IPV4_SHAPE.test(address) && !IPV6_SHAPE.test(address)) {
    throw new InvalidEventPatternError(`Nonstandard IP address: ${address}`);
  }
  const base = parseIpLiteral(address);
  if (base === undefined) throw new InvalidEventPatternError(`Invalid IP address: ${address}`);
  if (base.bytes.length === 4 && bits > 31) {
    throw new InvalidEventPatternError('IPv4 mask bits must be < 32');
  }
  if (base.bytes.length === 16 && bits > 127) {
    throw new InvalidEventPatternError('IPv6 mask bits must be < 128');
  }
  return { base, bits };
}

/** Whether `address` lies in `block`; an address of the other family never does. */
export function cidrContains(block: CidrBlock, address: IpAddress): boolean {
  const { bytes: base } = block.base;
  if (base.length !== address.bytes.length) return false;
  for (let bit = 0; bit < block.bits; bit += 8) {
    const index = bit / 8;
    const span = Math.min(8, block.bits - bit);
    const mask = (0xff << (8 - span)) & 0xff;
    if (((base[index] ?? 0) & mask) !== ((address.bytes[index] ?? 0) & mask)) return false;
  }
  return true;
}
