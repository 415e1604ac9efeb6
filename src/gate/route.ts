/**
 * The app-facing gate: `GET`/`HEAD /_vigil/public/<bucket>/<key>`, anonymous, serving an
 * object only when its bucket is configured and the object is not withheld. The decision is
 * taken on the very version whose bytes are then streamed (the engine's opened snapshot), and
 * before anything about the object is sent: a refusal carries no body and none of the
 * object's headers (no size, ETag or date), whatever the method, range or conditions.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { sequencerOf } from '../events/index.js';
import type { Route } from '../http/server.js';
import { evaluateConditions } from '../s3/conditions.js';
import { resolveRange } from '../s3/range.js';
import { StorageError, type OpenedObject } from '../storage/index.js';
import { gateDecision, parsePublicPath } from './decision.js';
import type { GateBucket, GateMode, GateOptions } from './types.js';

const DEFAULT_CACHE_CONTROL = 'no-cache';
/** The gate owns `/_vigil/public` and everything under it. */
const GATE_PATH = /^\/_vigil\/public(?:[/?]|$)/;

/**
 * Builds the gate route; throws when a bucket's settings are invalid, naming the field.
 *
 * @example
 * const gate = createGateRoute({
 *   engine,
 *   buckets: { uploads: { mode: 'closed', blockedStatus: 451 } },
 *   cleared: (version) => isCleared(reports, version),
 *   logger,
 * });
 * createHttpServer({ s3, routes: [gate], logger });
 * // GET /_vigil/public/uploads/content/images/cat.jpg → 200 once the pipeline judged it clean
 */
export function createGateRoute(options: GateOptions): Route {
  const buckets = checkBuckets(options.buckets);
  const closed = [...buckets].filter(([, b]) => b.mode === 'closed').map(([name]) => name);
  if (closed.length > 0 && !options.cleared)
    throw new Error(
      `gate.buckets.${closed[0]}.mode is "closed", which needs the moderation tracking records; none are configured.`,
    );
  const checkCleared = options.cleared ?? (() => Promise.resolve(false));
  const modeOf = (name: string, bucket: GateBucket): GateMode =>
    bucket.mode ?? (options.moderated?.(name) ? 'closed' : 'open');
  return {
    name: 'gate',
    matches: (req) => GATE_PATH.test(req.url ?? ''),
    handle: async (req, res) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        refuse(res, 405, { allow: 'GET, HEAD' });
        return;
      }
      const target = parsePublicPath(req.url ?? '');
      const bucket = target && buckets.get(target.bucket);
      if (!target || !bucket) {
        refuse(res, 404);
        return;
      }
      let opened: OpenedObject;
      try {
        opened = await options.engine.openObject(target.bucket, target.key);
      } catch (error) {
        if (!(error instanceof StorageError)) throw error;
        refuse(res, 404);
        return;
      }
      try {
        const mode = modeOf(target.bucket, bucket);
        const writeId = sequencerOf(opened.object.sequence);
        const cleared = mode === 'closed' && (await checkCleared({ ...target, writeId }));
        const decision = gateDecision(opened.object.tags, mode, cleared);
        if (decision !== 'serve') {
          options.logger.debug({ ...target, decision }, 'gate withheld an object');
          refuse(res, decision === 'pending' ? 404 : bucket.blockedStatus);
          return;
        }
        await serve(req, res, opened, bucket);
      } catch (error) {
        // A client that goes away mid-body is ordinary (browsers cancel image loads).
        const gone = (error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE';
        options.logger[gone ? 'debug' : 'warn'](
          { err: error, ...target },
          'gate could not finish sending an object',
        );
        res.destroy();
      } finally {
        opened.close();
      }
    },
  };
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  opened: OpenedObject,
  bucket: GateBucket,
): Promise<void> {
  const { object } = opened;
  const headers: Record<string, string> = {
    'content-type': object.system.contentType ?? 'binary/octet-stream',
    etag: `"${object.etag}"`,
    'last-modified': object.lastModified.toUTCString(),
    'cache-control': bucket.cacheControl ?? DEFAULT_CACHE_CONTROL,
    'accept-ranges': 'bytes',
    // Uploaded bytes are served from Vigil's own origin (the console lives there too): never
    // let a browser sniff them into HTML, and sandbox them if they are HTML.
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
  };
  if (object.system.contentEncoding) headers['content-encoding'] = object.system.contentEncoding;
  if (object.system.contentDisposition)
    headers['content-disposition'] = object.system.contentDisposition;
  if (object.system.contentLanguage) headers['content-language'] = object.system.contentLanguage;

  const condition = evaluateConditions(
    {
      ifMatch: req.headers['if-match'],
      ifNoneMatch: req.headers['if-none-match'],
      ifModifiedSince: req.headers['if-modified-since'],
      ifUnmodifiedSince: req.headers['if-unmodified-since'],
    },
    object.etag,
    object.lastModified,
  );
  if (condition === 'not-modified') {
    const { etag, 'last-modified': lastModified, 'cache-control': cacheControl } = headers;
    res.writeHead(304, { etag, 'last-modified': lastModified, 'cache-control': cacheControl });
    res.end();
    return;
  }
  if (condition === 'precondition-failed') {
    refuse(res, 412);
    return;
  }

  let start = 0;
  let end = object.size - 1;
  let status = 200;
  const range = resolveRange(req.headers.range, object.size);
  if (range.kind === 'unsatisfiable') {
    refuse(res, 416, { 'content-range': `bytes */${object.size}` });
    return;
  }
  if (range.kind === 'partial') {
    ({ start, end } = range);
    status = 206;
    headers['content-range'] = `bytes ${start}-${end}/${object.size}`;
  }
  headers['content-length'] = String(Math.max(0, end - start + 1));
  res.writeHead(status, headers);
  if (req.method === 'HEAD' || end < start) {
    res.end();
    return;
  }
  await pipeline(opened.stream(start, end), res);
}

/** A refusal: status only, no body, nothing about the object, not to be cached. */
function refuse(res: ServerResponse, status: number, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-length': '0', 'cache-control': 'no-store', ...extra });
  res.end();
}

function checkBuckets(buckets: Readonly<Record<string, GateBucket>>): Map<string, GateBucket> {
  const checked = new Map<string, GateBucket>();
  for (const [name, bucket] of Object.entries(buckets)) {
    const field = `gate.buckets.${name}`;
    if (bucket.mode !== undefined && bucket.mode !== 'open' && bucket.mode !== 'closed')
      throw new Error(
        `${field}.mode must be "open" or "closed"; got ${JSON.stringify(bucket.mode)}.`,
      );
    if (bucket.blockedStatus !== 451 && bucket.blockedStatus !== 404)
      throw new Error(
        `${field}.blockedStatus must be 451 or 404; got ${JSON.stringify(bucket.blockedStatus)}.`,
      );
    if (bucket.cacheControl !== undefined && !/^[\x20-\x7e]+$/.test(bucket.cacheControl))
      throw new Error(`${field}.cacheControl must be a non-empty header value of printable ASCII.`);
    checked.set(name, bucket);
  }
  return checked;
}
