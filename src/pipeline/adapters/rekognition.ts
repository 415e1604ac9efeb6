/**
 * `DetectModerationLabels` over Rekognition's wire protocol (JSON 1.1, SigV4), without
 * `@aws-sdk/client-rekognition`: the same request reaches Vigil's Rekognition-compatible API
 * or AWS Rekognition, whichever the endpoint names.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, Provider, SourceData } from '@smithy/types';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type { DetectOptions, ModerationResult } from '../../moderation/index.js';
import type { ModerationPort } from '../ports.js';

export interface RekognitionModeratorOptions {
  /** `https://rekognition.<region>.amazonaws.com`, or Vigil's URL. */
  endpoint: string;
  region: string | Provider<string>;
  credentials: AwsCredentialIdentity | Provider<AwsCredentialIdentity>;
  /** A request taking longer is abandoned (a retryable failure). Default 30 s. */
  timeoutMs?: number;
}

/** An error answered by the service, with its code (`__type`) and whether a retry may help. */
export class RekognitionError extends Error {
  override readonly name = 'RekognitionError';
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

const RETRYABLE = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'InternalServerError',
  'ServiceUnavailableException',
]);

/**
 * @example
 * const moderator = new RekognitionModerator({ endpoint: 'http://127.0.0.1:9000',
 *   region: 'us-east-1', credentials: { accessKeyId, secretAccessKey } });
 * const { ModerationLabels } = await moderator.detectModerationLabels(bytes, { minConfidence: 80 });
 */
export class RekognitionModerator implements ModerationPort {
  private readonly url: URL;
  private readonly signer: SignatureV4;
  private readonly timeoutMs: number;

  constructor(options: RekognitionModeratorOptions) {
    this.url = new URL(options.endpoint);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.signer = new SignatureV4({
      service: 'rekognition',
      region: options.region,
      credentials: options.credentials,
      sha256: NodeSha256,
      // As AWS SDKs do for JSON protocols: the body hash is signed, not sent as a header.
      applyChecksum: false,
    });
  }

  async detectModerationLabels(image: Buffer, options?: DetectOptions): Promise<ModerationResult> {
    const body = JSON.stringify({
      Image: { Bytes: image.toString('base64') },
      ...(options?.minConfidence !== undefined ? { MinConfidence: options.minConfidence } : {}),
    });
    const signed = await this.signer.sign({
      method: 'POST',
      protocol: this.url.protocol,
      hostname: this.url.hostname,
      ...(this.url.port !== '' ? { port: Number(this.url.port) } : {}),
      path: '/',
      query: {},
      headers: {
        host: this.url.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'RekognitionService.DetectModerationLabels',
      },
      body,
    });
    const response = await fetch(new URL('/', this.url), {
      method: 'POST',
      headers: signed.headers,
      body,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    if (!response.ok) throw errorOf(response.status, response.headers, text);
    return resultOf(text);
  }
}

function resultOf(text: string): ModerationResult {
  const answer = JSON.parse(text) as Partial<ModerationResult>;
  if (!Array.isArray(answer.ModerationLabels))
    throw new RekognitionError(
      'InvalidResponse',
      200,
      'DetectModerationLabels answered without ModerationLabels',
      true,
    );
  return {
    ModerationLabels: answer.ModerationLabels.map((l) => ({
      Confidence: l.Confidence,
      Name: l.Name,
      ParentName: l.ParentName ?? '',
      TaxonomyLevel: l.TaxonomyLevel,
    })),
    ModerationModelVersion: answer.ModerationModelVersion ?? '',
    ContentTypes: answer.ContentTypes ?? [],
  };
}

/** JSON 1.1 errors: `__type` (maybe `namespace#Code`) in the body or `x-amzn-errortype`. */
function errorOf(status: number, headers: Headers, text: string): RekognitionError {
  let body: { __type?: string; message?: string; Message?: string } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // not JSON: a proxy's page, say; the status decides
  }
  const type = body.__type ?? headers.get('x-amzn-errortype') ?? '';
  const code =
    type.split('#').pop()!.split(':')[0]! ||
    (status >= 500 ? 'InternalServerError' : 'UnknownError');
  const message = body.Message ?? body.message ?? `HTTP ${status}`;
  return new RekognitionError(code, status, message, status >= 500 || RETRYABLE.has(code));
}

/** SHA-256 and HMAC-SHA-256 from node:crypto in the shape SignatureV4 expects. */
class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined
      ? createHash('sha256')
      : createHmac('sha256', bytes(this.secret));
  }
}

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data))
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}
