import { createHash, randomBytes } from 'node:crypto';

/**
 * The causal chain of an event, carried the way Lambda carries it: in the AWS X-Ray trace
 * header (`X-Amzn-Trace-Id` on the wire, `_X_AMZN_TRACE_ID` inside a function). The AWS SDK's
 * recursion-detection middleware copies `_X_AMZN_TRACE_ID` into `X-Amzn-Trace-Id` on every
 * call a function makes, so a write a handler makes through Vigil arrives carrying the chain
 * of the event that invoked it.
 *
 * The chain lives in the `Lineage` field, as AWS writes it: one `hash:count` entry per
 * function (8 hex digits of a hash of the function, then how many times the chain has
 * invoked it), entries joined by `|` — e.g. `Lineage=a87bd80c:1|68fd508a:5`. AWS's newer
 * `1:hash:count` spelling is read too. Pure: no I/O, no clock unless given.
 */

/** Lambda stops a chain once it has invoked the same function this many times. */
export const MAX_RECURSIVE_INVOCATIONS = 16;

export interface LineageEntry {
  /** 8 lowercase hex digits identifying a function. */
  hash: string;
  /** Invocations of that function in this chain so far. */
  count: number;
}

export interface TraceHeader {
  /** `1-<8 hex epoch seconds>-<24 hex>`. */
  root?: string;
  parent?: string;
  sampled?: string;
  lineage: LineageEntry[];
}

const ROOT = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/i;
const HASH = /^[0-9a-f]{8}$/i;
const COUNT = /^\d{1,6}$/;
/** Headers longer than this are ignored rather than parsed (they come from clients). */
const MAX_HEADER_LENGTH = 4096;

/**
 * Reads a trace header. Unknown fields and malformed lineage entries are ignored; a header
 * with nothing usable gives `undefined`.
 *
 * @example
 * parseTraceHeader('Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0;Lineage=a87bd80c:2')
 * // { root: '1-5759e988-bd862e3fe1be46a994272793', sampled: '0',
 * //   lineage: [{ hash: 'a87bd80c', count: 2 }] }
 */
export function parseTraceHeader(header: string | null | undefined): TraceHeader | undefined {
  if (!header || header.length > MAX_HEADER_LENGTH) return undefined;
  const parsed: TraceHeader = { lineage: [] };
  let any = false;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    const value = part.slice(eq + 1).trim();
    if (!value) continue;
    if (key === 'root' && ROOT.test(value)) parsed.root = value.toLowerCase();
    else if (key === 'parent') parsed.parent = value;
    else if (key === 'sampled') parsed.sampled = value;
    else if (key === 'lineage') parsed.lineage = parseLineage(value);
    else continue;
    any = true;
  }
  return any ? parsed : undefined;
}

function parseLineage(value: string): LineageEntry[] {
  const entries: LineageEntry[] = [];
  for (const item of value.split('|')) {
    const parts = item.trim().split(':');
    // `hash:count`, or AWS's versioned `1:hash:count`.
    const [hash, count] = parts.length === 3 ? [parts[1], parts[2]] : [parts[0], parts[1]];
    if (parts.length > 3 || !hash || !count || !HASH.test(hash) || !COUNT.test(count)) continue;
    const entry = { hash: hash.toLowerCase(), count: Number(count) };
    const existing = entries.find((e) => e.hash === entry.hash);
    if (existing) existing.count = Math.max(existing.count, entry.count);
    else entries.push(entry);
  }
  return entries;
}

/** Writes a trace header back in X-Ray's field order. */
export function formatTraceHeader(header: TraceHeader): string {
  const fields: string[] = [];
  if (header.root) fields.push(`Root=${header.root}`);
  if (header.parent) fields.push(`Parent=${header.parent}`);
  if (header.sampled !== undefined) fields.push(`Sampled=${header.sampled}`);
  if (header.lineage.length > 0)
    fields.push(`Lineage=${header.lineage.map((e) => `${e.hash}:${e.count}`).join('|')}`);
  return fields.join(';');
}

/** The lineage hash of a function: the first 8 hex digits of SHA-256 of its name. */
export function lineageHash(functionName: string): string {
  return createHash('sha256').update(functionName).digest('hex').slice(0, 8);
}

/**
 * How many times the chain in `header` has already invoked `functionName` (0 for a header
 * that is missing, malformed, or never passed through that function).
 *
 * @example
 * recursionDepth(undefined, 'thumbnailer'); // 0
 * recursionDepth(nextTraceHeader(undefined, 'thumbnailer'), 'thumbnailer'); // 1
 */
export function recursionDepth(header: string | null | undefined, functionName: string): number {
  const hash = lineageHash(functionName);
  return parseTraceHeader(header)?.lineage.find((e) => e.hash === hash)?.count ?? 0;
}

/** Whether invoking `functionName` for an event caused under `header` would exceed the bound. */
export function exceedsRecursionLimit(
  header: string | null | undefined,
  functionName: string,
  limit = MAX_RECURSIVE_INVOCATIONS,
): boolean {
  return recursionDepth(header, functionName) >= limit;
}

export interface TraceOptions {
  /** Epoch milliseconds for a new root's timestamp. Default `Date.now()`. */
  now?: number;
  /** Random bytes as lowercase hex. Default `crypto.randomBytes`. */
  randomHex?: (bytes: number) => string;
}

/**
 * The header an invocation of `functionName` runs with, given the header of the write that
 * caused its event: same trace root (a new one when there is none), a new parent id,
 * `Sampled` kept (default 0), and the function's lineage count one higher.
 *
 * @example
 * const first = nextTraceHeader(undefined, 'thumbnailer');
 * // 'Root=1-…;Parent=…;Sampled=0;Lineage=<hash>:1'
 * nextTraceHeader(first, 'thumbnailer'); // same Root, Lineage=<hash>:2
 */
export function nextTraceHeader(
  previous: string | null | undefined,
  functionName: string,
  options: TraceOptions = {},
): string {
  const random = options.randomHex ?? ((n: number) => randomBytes(n).toString('hex'));
  const parsed = parseTraceHeader(previous);
  const seconds = Math.floor((options.now ?? Date.now()) / 1000);
  const root = parsed?.root ?? `1-${seconds.toString(16).padStart(8, '0')}-${random(12)}`;
  const hash = lineageHash(functionName);
  const lineage = (parsed?.lineage ?? []).map((e) => ({ ...e }));
  const own = lineage.find((e) => e.hash === hash);
  if (own) own.count += 1;
  else lineage.push({ hash, count: 1 });
  return formatTraceHeader({ root, parent: random(8), sampled: parsed?.sampled ?? '0', lineage });
}
