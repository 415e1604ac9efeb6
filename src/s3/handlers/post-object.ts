/**
 * POST Object: a browser form upload (multipart/form-data) authenticated by a signed POST
 * policy instead of a signed request. Fields are read up to the `file` part, the policy is
 * checked, then the file streams straight into the blob store; fields after it are ignored.
 */
import busboy from 'busboy';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { checkEncryptionHeaders } from '../encryption.js';
import { storageClassFromHeader } from '../storage-class.js';
import { sseHeaders } from '../object-headers.js';
import { versionHeaders } from '../versioning.js';
import { checkAclHeaders } from '../acl.js';
import {
  BodyVerifier,
  addFormField,
  checkFileSize,
  checkPostPolicy,
  missingField,
  parsePostPolicy,
  planPostBodyChecks,
  substituteFilename,
  verifyPostSignature,
  type FormField,
  type LengthRange,
  type PostForm,
} from '../auth/post-policy.js';
import { changeContext, sendEmpty, type S3Context, type S3Dependencies } from '../context.js';
import { S3Error, invalidArgument } from '../errors.js';
import { sessionTokenMatches } from '../../iam/gate.js';
import type { TrustedProxies } from '../../iam/request-context.js';
import type { AccessGate } from '../../iam/types.js';
import { RequestAccess } from '../access.js';
import { requestTagContext } from '../permissions.js';
import { validateKey } from '../keys.js';
import { systemMetadataFromHeaders, userMetadataFromHeaders } from '../metadata.js';
import { parseTaggingXml } from '../tagging.js';
import { buildXml } from '../xml.js';
import { MAX_PUT_SIZE } from './objects.js';
import type { ObjectAttributes, ObjectRecord } from '../../storage/index.js';

/** S3: "The form data and boundaries (excluding the contents of the file) cannot exceed 20 KB." */
export const MAX_FORM_FIELDS_BYTES = 20 * 1024;
/** A `file` sent as a plain field (no filename) is buffered by the parser, so it is bounded. */
export const MAX_TEXT_FILE_BYTES = 1024 * 1024;
/** How much of a refused request is read so the client can see the error before the close. */
const DRAIN_LIMIT_BYTES = 1024 * 1024;
const STREAM_CHUNK_BYTES = 256 * 1024;

export interface PostObjectRequest {
  req: IncomingMessage;
  res: ServerResponse;
  bucket: string;
  requestId: string;
  hostId: string;
  deps: S3Dependencies;
  gate: AccessGate;
  proxies?: TrustedProxies;
}

/** True for a form upload: a POST of multipart/form-data to a bucket (not to a key). */
export function isPostObjectForm(
  method: string | undefined,
  address: { bucket: string | undefined; key: string | undefined },
  contentType: string | undefined,
): address is { bucket: string; key: undefined } {
  return (
    method === 'POST' &&
    address.bucket !== undefined &&
    address.key === undefined &&
    /^multipart\/form-data\s*(;|$)/i.test(contentType ?? '')
  );
}

export async function postObject(request: PostObjectRequest): Promise<void> {
  const { req, res, deps, bucket } = request;
  deps.engine.requireBucket(bucket);
  // The policy is in the body: once the bucket exists, nothing more can be refused unread.
  if (req.headers.expect?.toLowerCase() === '100-continue' && !res.headersSent) res.writeContinue();
  const form = readForm(req);
  try {
    await receive(request, form);
  } catch (error) {
    form.abort();
    await discardRest(req);
    throw error;
  }
}

async function receive(request: PostObjectRequest, form: FormReading): Promise<void> {
  const { req, deps, bucket } = request;
  const head = await form.head;
  const fields = substituteFilename(head.fields, head.file?.filename);
  const key = fields.get('key')?.value;
  if (key === undefined || key === '') throw missingField('key');
  const { auth, policy } = verifyPostSignature(
    fields,
    (id) => request.gate.credential(id)?.secretAccessKey,
  );
  const credential = request.gate.credential(auth.accessKeyId);
  if (!credential) throw new S3Error('InvalidAccessKeyId');
  if (!sessionTokenMatches(credential, fields.get('x-amz-security-token')?.value))
    throw new S3Error('InvalidToken');
  const range = checkPostPolicy(parsePostPolicy(policy), fields, {
    bucket,
    now: new Date(),
    maxSize: MAX_PUT_SIZE,
  });
  if (!head.file) throw tooManyOrNoFiles(0);
  const objectKey = validateKey(key);
  const ctx: S3Context = {
    req,
    res: request.res,
    method: 'POST',
    bucket,
    key: objectKey,
    query: new URLSearchParams(),
    requestId: request.requestId,
    hostId: request.hostId,
    auth,
    access: new RequestAccess(
      credential.principal,
      request.gate,
      deps.engine,
      req,
      request.proxies,
      'POST',
    ),
    sourceIp: req.socket.remoteAddress ?? '',
    deps,
  };
  const attributes = attributesFromForm(ctx, fields);
  ctx.access.check({
    action: 's3:PutObject',
    bucket,
    key: objectKey,
    context: attributes.tags.length > 0 ? requestTagContext(attributes.tags) : {},
  });
  if (attributes.tags.length > 0)
    ctx.access.check({
      action: 's3:PutObjectTagging',
      bucket,
      key: objectKey,
      context: requestTagContext(attributes.tags),
    });
  const guard = new UploadGuard(range, new BodyVerifier(planPostBodyChecks(fields)));
  // The parser errors the file stream when the body ends early or is not multipart.
  head.file.stream.on('error', () => guard.destroy(malformedForm()));
  const blob = await deps.engine.writeBlob(bucket, head.file.stream.pipe(guard));
  try {
    const files = await form.finished;
    if (files > 1) throw tooManyOrNoFiles(files);
  } catch (error) {
    if (blob.blobId !== undefined) await deps.engine.blobs.remove([blob.blobId]);
    throw error;
  }
  if (guard.checksum) attributes.checksum = guard.checksum;
  const object = await deps.engine.commitObject(
    bucket,
    objectKey,
    blob,
    attributes,
    'post',
    changeContext(ctx),
  );
  respond(ctx, fields, object);
}

/** The attributes PutObject takes from headers, taken from form fields. */
function attributesFromForm(ctx: S3Context, fields: PostForm): ObjectAttributes {
  const headers: Record<string, string> = {};
  // Node hands header values over as Latin-1; the metadata reader recovers UTF-8 from that.
  const rawHeaders: Record<string, string> = {};
  for (const [lower, field] of fields) {
    headers[lower] = field.value;
    rawHeaders[lower] = Buffer.from(field.value, 'utf8').toString('latin1');
  }
  const acl = fields.get('acl')?.value;
  // The ACL rules read request headers; a form carries the canned ACL as the `acl` field.
  const aclHeaders: IncomingHttpHeaders = acl === undefined ? {} : { 'x-amz-acl': acl };
  checkAclHeaders({ ...ctx, req: { headers: aclHeaders } as IncomingMessage });
  checkEncryptionHeaders(headers);
  const storageClass = storageClassFromHeader(headers['x-amz-storage-class']);
  const tagging = fields.get('tagging')?.value;
  return {
    system: systemMetadataFromHeaders(headers),
    user: userMetadataFromHeaders(rawHeaders),
    tags: tagging === undefined ? [] : parseTaggingXml(tagging),
    ...(storageClass ? { storageClass } : {}),
  };
}

function respond(ctx: S3Context, fields: PostForm, object: ObjectRecord): void {
  const etag = `"${object.etag}"`;
  const location = objectUrl(ctx.req, object.bucket, object.key);
  const headers: Record<string, string> = {
    etag,
    location,
    ...versionHeaders(ctx, object.bucket, object),
    ...sseHeaders(object),
  };
  if (object.checksum) {
    headers[`x-amz-checksum-${object.checksum.algorithm.toLowerCase()}`] = object.checksum.value;
  }
  const redirect = redirectUrl(fields, object.bucket, object.key, etag);
  if (redirect !== undefined) return sendEmpty(ctx, 303, { ...headers, location: redirect });
  const status = fields.get('success_action_status')?.value;
  // 200 and 201 when asked; absent or any other value is 204, as S3 answers.
  if (status !== '201') return sendEmpty(ctx, status === '200' ? 200 : 204, headers);
  const document = { Location: location, Bucket: object.bucket, Key: object.key, ETag: etag };
  const body = buildXml('PostResponse', document, null);
  ctx.res.writeHead(201, {
    ...headers,
    'content-type': 'application/xml',
    'content-length': String(Buffer.byteLength(body)),
  });
  ctx.res.end(body);
}

/** The object's URL, in the addressing style (virtual-host or path) the form was posted with. */
function objectUrl(req: IncomingMessage, bucket: string, key: string): string {
  const scheme = 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http';
  const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
  const bucketPath = path === '/' ? '' : `/${encodeURIComponent(bucket)}`;
  return `${scheme}://${req.headers.host ?? ''}${bucketPath}/${encodeURIComponent(key)}`;
}

/** `success_action_redirect` (or the older `redirect`) with bucket, key and ETag appended. */
function redirectUrl(fields: PostForm, bucket: string, key: string, etag: string) {
  const target = fields.get('success_action_redirect')?.value ?? fields.get('redirect')?.value;
  if (target === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return undefined; // S3 ignores a URL it cannot interpret.
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const hash = target.indexOf('#');
  const base = hash < 0 ? target : target.slice(0, hash);
  const fragment = hash < 0 ? '' : target.slice(hash);
  const params = `bucket=${encodeURIComponent(bucket)}&key=${encodeURIComponent(key)}&etag=${encodeURIComponent(etag)}`;
  return `${base}${base.includes('?') ? '&' : '?'}${params}${fragment}`;
}

function tooManyOrNoFiles(count: number): S3Error {
  return invalidArgument(
    'POST requires exactly one file upload per request.',
    'file',
    String(count),
  );
}

/**
 * Counts and verifies the file as it streams into the blob store, and errors the stream
 * before it ends when the size or a digest is wrong, so the blob store keeps nothing.
 */
class UploadGuard extends Transform {
  private size = 0;
  checksum: { algorithm: string; value: string } | undefined;

  constructor(
    private readonly range: LengthRange,
    private readonly verifier: BodyVerifier,
  ) {
    super({ highWaterMark: STREAM_CHUNK_BYTES });
  }

  override _transform(chunk: Buffer, _encoding: string, callback: TransformCallback): void {
    this.size += chunk.length;
    try {
      checkFileSize(this.range, this.size, false);
    } catch (error) {
      callback(error as Error);
      return;
    }
    this.verifier.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    try {
      checkFileSize(this.range, this.size, true);
      this.checksum = this.verifier.finish(new Map()).checksum;
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }
}

interface FormHead {
  fields: Map<string, FormField>;
  file: { stream: Readable; filename: string | undefined } | undefined;
}

interface FormReading {
  /** The fields before the file, and the file still unread; no file when the form ended first. */
  head: Promise<FormHead>;
  /** Resolves with the number of file parts once the whole form has been read. */
  finished: Promise<number>;
  abort(): void;
}

/** The body of your POST request is not well-formed multipart/form-data (S3: MalformedPOSTRequest). */
function malformedForm(): S3Error {
  return new S3Error('MalformedPOSTRequest');
}

/** Form fields before the file above S3's limit. */
function fieldsTooLarge(): S3Error {
  return new S3Error('MaxPostPreDataLengthExceededError', undefined, {
    MaxPostPreDataLength: String(MAX_FORM_FIELDS_BYTES),
  });
}

/**
 * Parses the form as it arrives. Parts are handled one after another in arrival order
 * (a file input under another name is read as a field, within the fields' size limit).
 */
function readForm(req: IncomingMessage): FormReading {
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      preservePath: true,
      defParamCharset: 'utf8',
      fileHwm: STREAM_CHUNK_BYTES,
      limits: { fieldNameSize: 1024, fieldSize: MAX_TEXT_FILE_BYTES },
    });
  } catch {
    throw malformedForm();
  }
  const fields = new Map<string, FormField>();
  let fieldBytes = 0;
  let files = 0;
  let settled = false;
  let queue = Promise.resolve();
  let settle: (head: FormHead) => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const head = new Promise<FormHead>((resolve, reject) => {
    settle = (value) => {
      if (!settled) resolve(value);
      settled = true;
    };
    fail = (error) => {
      if (!settled) reject(error);
      settled = true;
    };
  });
  const inOrder = (task: () => Promise<void> | void) => {
    queue = queue.then(task).catch((error: unknown) => {
      fail(error instanceof Error ? error : malformedForm());
      parser.destroy();
    });
  };
  const addField = (name: string, value: string, truncated: boolean) => {
    fieldBytes += Buffer.byteLength(name) + Buffer.byteLength(value);
    if (truncated || fieldBytes > MAX_FORM_FIELDS_BYTES) throw fieldsTooLarge();
    addFormField(fields, name, value);
  };
  const addFile = (stream: Readable, filename: string | undefined) => {
    files++;
    if (settled) stream.resume();
    else settle({ fields, file: { stream, filename } });
  };
  parser.on('field', (name, value, info) => {
    inOrder(() => {
      if (name.toLowerCase() === 'file') {
        if (info.valueTruncated) {
          throw new S3Error('EntityTooLarge', undefined, {
            MaxSizeAllowed: String(MAX_TEXT_FILE_BYTES),
          });
        }
        addFile(Readable.from([Buffer.from(value, 'utf8')]), undefined);
      } else if (!settled) {
        addField(name, value, info.valueTruncated || info.nameTruncated);
      }
    });
  });
  parser.on('file', (name, stream, info) => {
    if (name.toLowerCase() === 'file') {
      inOrder(() => addFile(stream, info.filename));
      return;
    }
    const content = readCapped(stream, MAX_FORM_FIELDS_BYTES + 1);
    content.catch(() => undefined); // awaited in turn below; a failure then fails the form
    inOrder(async () => {
      const value = await content;
      if (!settled) addField(name, value.toString('utf8'), false);
    });
  });
  const finished = new Promise<number>((resolve, reject) => {
    parser.on('close', () => {
      inOrder(() => {
        settle({ fields, file: undefined });
        resolve(files);
      });
    });
    parser.on('error', () => {
      const error = malformedForm();
      fail(error);
      reject(error);
    });
  });
  // Awaited only once the file is stored; a failure before that is reported through `head`.
  finished.catch(() => undefined);
  req.on('error', (error) => parser.destroy(error));
  req.pipe(parser);
  return {
    head,
    finished,
    abort: () => {
      req.unpipe(parser);
      parser.destroy();
    },
  };
}

/** Reads a stream up to `limit` bytes, discarding the rest. */
async function readCapped(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    if (size < limit) chunks.push(buffer.subarray(0, limit - size));
    size += buffer.length;
  }
  return Buffer.concat(chunks);
}

/**
 * Reads (and drops) what is left of a refused request, up to a limit, so that a client still
 * sending gets the error response instead of a reset connection; past the limit the response
 * goes out with `Connection: close`.
 */
async function discardRest(req: IncomingMessage): Promise<void> {
  if (req.complete || req.destroyed) return;
  await new Promise<void>((resolve) => {
    let seen = 0;
    const done = () => {
      req.off('end', done);
      req.off('close', done);
      req.off('error', done);
      resolve();
    };
    req.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DRAIN_LIMIT_BYTES) done();
    });
    req.once('end', done);
    req.once('close', done);
    req.once('error', done);
    req.resume();
  });
}
