/**
 * Rekognition's `DetectModerationLabels` on Vigil's port, so `@aws-sdk/client-rekognition`,
 * boto3 or the aws CLI pointed at Vigil work unchanged: AWS JSON 1.1 (`POST /`,
 * `X-Amz-Target: RekognitionService.<Operation>`, `Content-Type: application/x-amz-json-1.1`),
 * SigV4 for service `rekognition`.
 *
 * Wire facts and where they come from:
 * - operation, request and response shapes, constraints (Bytes ≤ 5,242,880, Bucket 3–255
 *   `[0-9A-Za-z.\-_]*`, Name/Version 1–1024, MinConfidence 0–100, HumanLoopName,
 *   ProjectVersionId pattern): botocore `rekognition/2016-06-27/service-2.json`;
 * - modeled errors carry `Message`, `Code` and `Logref` and are client errors (HTTP 400)
 *   except `InternalServerError` (500): the Smithy model (aws-sdk-js-v3
 *   `codegen/sdk-codegen/aws-models/rekognition.json`) and the archived developer guide's
 *   `error-handling.md` wire example;
 * - protocol errors (authentication, unknown operation) are `{"__type", "message"}` with 400,
 *   as captured from rekognition.us-east-2 (aws/aws-sdk-php#1780, InvalidSignatureException)
 *   and CloudWatch Logs' JSON 1.1 endpoint (aws/aws-sdk-net#1536, UnknownOperationException);
 * - 15 MB for an S3 object: Rekognition's limits page.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Route } from '../http/server.js';
import { authenticateBuffered, readLimitedBody } from '../http/aws-json-auth.js';
import { requestConditionKeys, type TrustedProxies } from '../iam/request-context.js';
import type { AccessGate, Credential } from '../iam/types.js';
import { bucketPolicy } from '../s3/access.js';
import { readWhole, StorageError, type StorageEngine } from '../storage/index.js';
import { resolveMinConfidence } from './min-confidence.js';
import { ModerationError, type ModerationResult, type Moderator } from './types.js';

export interface RekognitionRouteOptions {
  moderator: Moderator;
  /** Where `Image.S3Object` is read from: Vigil's own store. */
  engine: StorageEngine;
  /** Whose keys sign requests, and what they may do. */
  gate: AccessGate;
  proxies?: TrustedProxies;
  logger: Logger;
}

const TARGET_PREFIX = 'RekognitionService.';
const OPERATION = 'DetectModerationLabels';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
/** `ImageBlob` max in the service model (5 MiB). */
export const MAX_BYTES_IMAGE = 5 * 1024 * 1024;
/** Rekognition's limit for an image in S3 (15 MiB, as the local model enforces). */
export const MAX_S3_IMAGE = 15 * 1024 * 1024;
/** Base64 of the largest `Bytes` plus room for the rest of the JSON. */
const MAX_BODY = Math.ceil(MAX_BYTES_IMAGE / 3) * 4 + 64 * 1024;

const BUCKET = /^[0-9A-Za-z.\-_]{3,255}$/;
const HUMAN_LOOP_NAME = /^[a-z0-9](-*[a-z0-9])*$/;
const PROJECT_VERSION =
  /^arn:[a-z\d-]+:rekognition:[a-z\d-]+:\d{12}:project\/[a-zA-Z0-9_.-]{1,255}\/version\/[a-zA-Z0-9_.-]{1,255}\/[0-9]+$/;
const CONTENT_CLASSIFIERS = new Set([
  'FreeOfPersonallyIdentifiableInformation',
  'FreeOfAdultContent',
]);
/** With a length check: a repeated group here would overflow the regex stack on 7 MB. */
const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * A failure of the JSON 1.1 protocol layer or a modeled error the moderation port has no code
 * for. `modeled` errors are rendered like Rekognition's own (`Code`, `Logref`, `Message`),
 * the others like the AWS front end's (`message` only).
 */
class WireError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly modeled = false,
    readonly status = 400,
  ) {
    super(message);
  }
}

const serialization = (message: string) => new WireError('SerializationException', message);
const invalid = (detail: string) => new ModerationError('InvalidParameterException', detail);

type ImageSource =
  { kind: 'bytes'; bytes: Buffer } | { kind: 's3'; bucket: string; key: string; version?: string };

interface DetectRequest {
  image: ImageSource;
  minConfidence: number;
}

/**
 * The `DetectModerationLabels` API. Requests name an image by `Image.Bytes` (base64, at most
 * 5 MiB) or `Image.S3Object` (read from this Vigil's store, at most 15 MiB); the answer is
 * Rekognition's JSON. `HumanLoopConfig` is validated and then has no effect (Vigil routes
 * reviews through its own queue), so no `HumanLoopActivationOutput` is returned;
 * `ProjectVersion` (a custom adapter) is validated and answered `ResourceNotFoundException`,
 * since Vigil has no adapters.
 *
 * @example
 * const routes = [createRekognitionRoute({ moderator, engine, gate, logger })];
 * const http = createHttpServer({ s3, routes, logger });
 */
export function createRekognitionRoute(options: RekognitionRouteOptions): Route {
  return {
    name: 'rekognition',
    matches: (req) =>
      req.method === 'POST' && headerValue(req, 'x-amz-target')?.startsWith(TARGET_PREFIX) === true,
    handle: async (req, res, ids) => {
      const operation = headerValue(req, 'x-amz-target')!.slice(TARGET_PREFIX.length);
      try {
        if (req.headers.expect?.toLowerCase() === '100-continue') res.writeContinue();
        const body = await readBody(req, res);
        const credential = authenticate(req, body, options.gate);
        if (operation !== OPERATION)
          throw new WireError(
            'UnknownOperationException',
            `Vigil implements only ${OPERATION} of the Rekognition API, not ${operation}.`,
          );
        const request = parseRequest(body);
        const context = requestConditionKeys(req, options.proxies);
        const allowed = options.gate.authorize(
          credential.principal,
          `rekognition:${OPERATION}`,
          '*',
          { context },
        );
        if (allowed.decision !== 'Allow')
          throw new WireError('AccessDeniedException', allowed.message, true, 400);
        if (request.image.kind === 's3') checkS3Read(options, credential, request.image, context);
        const image = await loadImage(options.engine, request.image);
        const result = await options.moderator.detectModerationLabels(image, {
          minConfidence: request.minConfidence,
        });
        sendJson(res, 200, ids.requestId, responseBody(result));
      } catch (error) {
        sendError(res, ids.requestId, error, options.logger, operation);
      }
    },
  };
}

function responseBody(result: ModerationResult): object {
  return {
    ModerationLabels: result.ModerationLabels.map((l) => ({
      Confidence: l.Confidence,
      Name: l.Name,
      ParentName: l.ParentName,
      TaxonomyLevel: l.TaxonomyLevel,
    })),
    ModerationModelVersion: result.ModerationModelVersion,
    ContentTypes: result.ContentTypes.map((c) => ({ Confidence: c.Confidence, Name: c.Name })),
  };
}

function readBody(req: IncomingMessage, res: ServerResponse): Promise<Buffer> {
  return readLimitedBody(
    req,
    res,
    MAX_BODY,
    () =>
      new ModerationError(
        'ImageTooLargeException',
        `The request body is over ${MAX_BODY} bytes: Image.Bytes may hold at most ${MAX_BYTES_IMAGE} bytes; store larger images and pass Image.S3Object.`,
      ),
  );
}

/** SigV4 for service `rekognition`; the signature covers the SHA-256 of the body. */
function authenticate(req: IncomingMessage, body: Buffer, gate: AccessGate): Credential {
  const signed = authenticateBuffered(req, body, gate, 'rekognition', 'Rekognition');
  if ('failure' in signed) throw new WireError(signed.failure.type, signed.failure.message);
  return signed.credential;
}

/**
 * Rekognition reads `Image.S3Object` with the caller's own permissions: without
 * `s3:GetObject` on it, the object cannot be read, and Rekognition says so as it says for a
 * missing one.
 */
function checkS3Read(
  options: RekognitionRouteOptions,
  credential: Credential,
  source: { bucket: string; key: string; version?: string },
  context: Record<string, string | readonly string[] | undefined>,
): void {
  const policy = bucketPolicy(options.engine, source.bucket);
  if (credential.principal.kind === 'root' && !policy) return;
  const evaluation = options.gate.authorize(
    credential.principal,
    source.version === undefined ? 's3:GetObject' : 's3:GetObjectVersion',
    `arn:aws:s3:::${source.bucket}/${source.key}`,
    { ...(policy ? { resourcePolicy: policy } : {}), context },
  );
  if (evaluation.decision !== 'Allow')
    throw new ModerationError(
      'InvalidS3ObjectException',
      'Unable to get object metadata from S3. Check object key, region and/or access permissions.',
    );
}

function parseRequest(body: Buffer): DetectRequest {
  let input: unknown;
  try {
    input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    throw serialization('The request body is not valid JSON.');
  }
  if (!isRecord(input)) throw serialization('The request body must be a JSON object.');
  const minConfidence = input['MinConfidence'];
  if (minConfidence !== undefined && typeof minConfidence !== 'number')
    throw serialization('MinConfidence must be a number.');
  const request: DetectRequest = {
    image: parseImage(input['Image']),
    minConfidence: resolveMinConfidence(minConfidence),
  };
  if (input['HumanLoopConfig'] !== undefined) checkHumanLoopConfig(input['HumanLoopConfig']);
  if (input['ProjectVersion'] !== undefined) rejectProjectVersion(input['ProjectVersion']);
  return request;
}

function parseImage(image: unknown): ImageSource {
  if (image === undefined) throw invalid('Image is required.');
  if (!isRecord(image)) throw serialization('Image must be a structure.');
  const { Bytes: bytes, S3Object: s3 } = image;
  if (bytes !== undefined && s3 !== undefined)
    throw invalid('Image must have either Bytes or S3Object, not both.');
  if (bytes !== undefined) {
    if (typeof bytes !== 'string' || bytes.length % 4 !== 0 || !BASE64_CHARS.test(bytes))
      throw serialization('Image.Bytes must be a base64-encoded string.');
    const decoded = Buffer.from(bytes, 'base64');
    if (decoded.length === 0) throw invalid('Image.Bytes must not be empty.');
    if (decoded.length > MAX_BYTES_IMAGE)
      throw new ModerationError(
        'ImageTooLargeException',
        `Image.Bytes holds ${decoded.length} bytes; the limit is ${MAX_BYTES_IMAGE}. Store the image and pass Image.S3Object (up to ${MAX_S3_IMAGE} bytes).`,
      );
    return { kind: 'bytes', bytes: decoded };
  }
  if (s3 === undefined) throw invalid('Image must have either Bytes or S3Object.');
  if (!isRecord(s3)) throw serialization('Image.S3Object must be a structure.');
  const bucket = optionalString(s3, 'Bucket', 'Image.S3Object.Bucket');
  const key = optionalString(s3, 'Name', 'Image.S3Object.Name');
  const version = optionalString(s3, 'Version', 'Image.S3Object.Version');
  if (bucket === undefined || !BUCKET.test(bucket))
    throw invalid('Image.S3Object.Bucket must be 3-255 letters, digits, dots, hyphens or _.');
  if (key === undefined || key.length < 1 || key.length > 1024)
    throw invalid('Image.S3Object.Name must be 1-1024 characters.');
  if (version !== undefined && (version.length < 1 || version.length > 1024))
    throw invalid('Image.S3Object.Version must be 1-1024 characters.');
  return { kind: 's3', bucket, key, ...(version !== undefined && { version }) };
}

function checkHumanLoopConfig(config: unknown): void {
  if (!isRecord(config)) throw serialization('HumanLoopConfig must be a structure.');
  const name = optionalString(config, 'HumanLoopName', 'HumanLoopConfig.HumanLoopName');
  const flow = optionalString(config, 'FlowDefinitionArn', 'HumanLoopConfig.FlowDefinitionArn');
  if (name === undefined || name.length > 63 || !HUMAN_LOOP_NAME.test(name))
    throw invalid(
      'HumanLoopConfig.HumanLoopName must be 1-63 lowercase letters, digits and hyphens.',
    );
  if (flow === undefined || flow.length > 256)
    throw invalid('HumanLoopConfig.FlowDefinitionArn is required (at most 256 characters).');
  const attributes = config['DataAttributes'];
  if (attributes === undefined) return;
  if (!isRecord(attributes))
    throw serialization('HumanLoopConfig.DataAttributes must be a structure.');
  const classifiers = attributes['ContentClassifiers'];
  if (classifiers === undefined) return;
  if (!Array.isArray(classifiers) || classifiers.some((c) => typeof c !== 'string'))
    throw serialization('ContentClassifiers must be a list of strings.');
  if (classifiers.length > 256 || classifiers.some((c) => !CONTENT_CLASSIFIERS.has(c as string)))
    throw invalid(
      `ContentClassifiers may hold at most 256 of: ${[...CONTENT_CLASSIFIERS].join(', ')}.`,
    );
}

function rejectProjectVersion(arn: unknown): never {
  if (typeof arn !== 'string') throw serialization('ProjectVersion must be a string.');
  if (arn.length < 20 || arn.length > 2048 || !PROJECT_VERSION.test(arn))
    throw invalid('ProjectVersion must be the ARN of a project version (a custom adapter).');
  throw new WireError(
    'ResourceNotFoundException',
    `The project version ${arn} was not found: Vigil has no custom moderation adapters; omit ProjectVersion.`,
    true,
  );
}

async function loadImage(engine: StorageEngine, source: ImageSource): Promise<Buffer> {
  if (source.kind === 'bytes') return source.bytes;
  if (source.version !== undefined && source.version !== 'null')
    throw new ModerationError(
      'InvalidS3ObjectException',
      `Vigil does not keep object versions; only Version "null" (the current object) exists, not "${source.version}".`,
    );
  let opened;
  try {
    opened = await engine.openObject(source.bucket, source.key);
  } catch (error) {
    if (error instanceof StorageError)
      throw new ModerationError(
        'InvalidS3ObjectException',
        `${error.code}: s3://${source.bucket}/${source.key}`,
      );
    throw error;
  }
  try {
    const { size } = opened.object;
    if (size > MAX_S3_IMAGE)
      throw new ModerationError(
        'ImageTooLargeException',
        `s3://${source.bucket}/${source.key} is ${size} bytes; the limit for an S3 object is ${MAX_S3_IMAGE}.`,
      );
    return await readWhole(opened);
  } finally {
    opened.close();
  }
}

function sendError(
  res: ServerResponse,
  requestId: string,
  error: unknown,
  logger: Logger,
  operation: string,
): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const logref = randomUUID();
  if (error instanceof WireError) {
    logger.debug({ type: error.type, requestId, operation }, error.message);
    const body = error.modeled
      ? { __type: error.type, Code: error.type, Logref: logref, Message: error.message }
      : { __type: error.type, message: error.message };
    sendJson(res, error.status, requestId, body);
    return;
  }
  if (error instanceof ModerationError) {
    logger.debug({ code: error.code, detail: error.detail, requestId, logref }, error.message);
    // Rekognition's wording first, so clients matching on it still match; then what exactly.
    const message = error.detail ? `${error.message} ${error.detail}` : error.message;
    sendJson(res, error.status, requestId, {
      __type: error.code,
      Code: error.code,
      Logref: logref,
      Message: message,
    });
    return;
  }
  logger.error(
    { err: error, requestId, logref, operation },
    'internal error in the Rekognition API',
  );
  sendJson(res, 500, requestId, {
    __type: 'InternalServerError',
    Code: 'InternalServerError',
    Logref: logref,
    Message: 'Internal server error',
  });
}

function sendJson(res: ServerResponse, status: number, requestId: string, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-RequestId': requestId,
  });
  res.end(text);
}

function optionalString(
  record: Record<string, unknown>,
  field: string,
  path: string,
): string | undefined {
  const value = record[field];
  if (value !== undefined && typeof value !== 'string')
    throw serialization(`${path} must be a string.`);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}
