/**
 * The `rekognition` backend: Amazon Rekognition's `DetectModerationLabels`, for users on AWS.
 * `@aws-sdk/client-rekognition` is not a dependency, so this sends the one request it needs
 * itself: AWS JSON 1.1, `POST /` with `X-Amz-Target: RekognitionService.DetectModerationLabels`,
 * signed with SigV4 for service `rekognition` (botocore rekognition/2016-06-27/service-2.json).
 * Like the SDK's standard retry mode it tries up to 3 times on throttling, server faults and
 * network failures, with jittered exponential backoff.
 */
import { resolveMinConfidence } from '../min-confidence.js';
import {
  MODERATION_ERRORS,
  ModerationError,
  type DetectOptions,
  type ModerationErrorCode,
  type ModerationResult,
  type Moderator,
} from '../types.js';
import { rekognitionAnswer } from './answer.js';
import { InFlight, fetchWithTimeout } from './in-flight.js';
import { signRequest, type AwsCredentials } from './sigv4-sign.js';

export type { AwsCredentials } from './sigv4-sign.js';

export interface RekognitionModeratorOptions {
  region: string;
  /** Default `https://rekognition.<region>.amazonaws.com`. */
  endpoint?: string;
  /** Fixed keys, or a provider called before each request (for expiring credentials). */
  credentials: AwsCredentials | (() => Promise<AwsCredentials>);
  /** ARN of a Custom Moderation adapter, sent as `ProjectVersion`. */
  projectVersion?: string;
  /** Per attempt. Default 10 s. */
  timeoutMs?: number;
  /** Attempts per image, the first included. Default 3 (the AWS SDKs' standard mode). */
  maxAttempts?: number;
  /** First backoff ceiling; doubles per retry up to 20 s. Default 100 ms. */
  retryBaseMs?: number;
}

/** `Image.Bytes` may hold at most 5,242,880 bytes (`ImageBlob` in the service model). */
export const MAX_REKOGNITION_BYTES = 5 * 1024 * 1024;

const TARGET = 'RekognitionService.DetectModerationLabels';
/** Errors worth another attempt: Rekognition's retryable ones and its server faults. */
const RETRYABLE = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'InternalServerError',
  'ServiceUnavailableException',
  'LimitExceededException',
]);

class Attempt extends Error {
  constructor(
    readonly failure: ModerationError,
    readonly retry: boolean,
  ) {
    super(failure.message);
  }
}

/**
 * Reads credentials from the standard AWS environment variables.
 *
 * @example
 * const credentials = credentialsFromEnv(process.env);
 * if (!credentials) throw new Error('Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
 */
export function credentialsFromEnv(env: NodeJS.ProcessEnv): AwsCredentials | undefined {
  const accessKeyId = env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
  if (!accessKeyId || !secretAccessKey) return undefined;
  const sessionToken = env['AWS_SESSION_TOKEN'];
  return { accessKeyId, secretAccessKey, ...(sessionToken && { sessionToken }) };
}

export class RekognitionModerator implements Moderator {
  readonly endpoint: URL;
  readonly #options: RekognitionModeratorOptions;
  readonly #inFlight = new InFlight();
  readonly #timeoutMs: number;
  readonly #maxAttempts: number;
  readonly #retryBaseMs: number;

  constructor(options: RekognitionModeratorOptions) {
    this.#options = options;
    this.endpoint = new URL(
      options.endpoint ?? `https://rekognition.${options.region}.amazonaws.com/`,
    );
    if (!/^https?:$/.test(this.endpoint.protocol))
      throw new RangeError(`Rekognition endpoint must be an http(s) URL; got ${options.endpoint}.`);
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxAttempts = options.maxAttempts ?? 3;
    this.#retryBaseMs = options.retryBaseMs ?? 100;
    if (!Number.isInteger(this.#maxAttempts) || this.#maxAttempts < 1)
      throw new RangeError(`maxAttempts must be a whole number ≥ 1; got ${this.#maxAttempts}.`);
  }

  detectModerationLabels(image: Buffer, options?: DetectOptions): Promise<ModerationResult> {
    return this.#inFlight.run(async () => {
      const minConfidence = resolveMinConfidence(options?.minConfidence);
      if (image.length === 0)
        throw new ModerationError('InvalidParameterException', 'The image is empty.');
      if (image.length > MAX_REKOGNITION_BYTES)
        throw new ModerationError(
          'ImageTooLargeException',
          `Rekognition takes at most ${MAX_REKOGNITION_BYTES} bytes of image; this one has ${image.length}.`,
        );
      const body = JSON.stringify({
        Image: { Bytes: image.toString('base64') },
        MinConfidence: minConfidence,
        ...(this.#options.projectVersion && { ProjectVersion: this.#options.projectVersion }),
      });
      const answer = await this.#send(body);
      return rekognitionAnswer(answer, {
        source: `Rekognition (${this.endpoint.host})`,
        minConfidence,
        fallbackVersion: 'unknown',
      });
    });
  }

  close(): Promise<void> {
    return this.#inFlight.close();
  }

  async #send(body: string): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#attempt(body);
      } catch (error) {
        if (!(error instanceof Attempt)) throw error;
        if (!error.retry || attempt >= this.#maxAttempts) throw error.failure;
        const ceiling = Math.min(20_000, this.#retryBaseMs * 2 ** (attempt - 1));
        await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
      }
    }
  }

  async #attempt(body: string): Promise<unknown> {
    const credentials = await this.#credentials();
    const headers = signRequest(
      {
        method: 'POST',
        url: this.endpoint,
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': TARGET },
        body,
      },
      { service: 'rekognition', region: this.#options.region, credentials },
    );
    delete headers['host']; // fetch sets it from the URL (and refuses to be told)
    let response;
    try {
      response = await fetchWithTimeout(
        this.endpoint,
        { method: 'POST', headers, body },
        this.#timeoutMs,
        `Rekognition (${this.endpoint.host})`,
      );
    } catch (error) {
      if (error instanceof ModerationError) throw new Attempt(error, true);
      throw error;
    }
    if (response.status >= 200 && response.status < 300) {
      try {
        return JSON.parse(response.text) as unknown;
      } catch {
        throw new ModerationError(
          'InternalServerError',
          `Rekognition (${this.endpoint.host}) answered ${response.status} with a body that is not JSON.`,
        );
      }
    }
    throw this.#failure(response);
  }

  async #credentials(): Promise<AwsCredentials> {
    const provider = this.#options.credentials;
    if (typeof provider !== 'function') return provider;
    try {
      return await provider();
    } catch (error) {
      throw new ModerationError(
        'InternalServerError',
        `No AWS credentials for Rekognition: ${(error as Error).message}`,
      );
    }
  }

  #failure(response: { status: number; headers: Headers; text: string }): Attempt {
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(response.text);
      if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
    } catch {
      // not JSON (a proxy's error page): the status alone decides
    }
    const type = errorType(
      response.headers.get('x-amzn-errortype') ?? body['__type'] ?? body['code'],
    );
    const message = [body['Message'], body['message']].find(
      (m): m is string => typeof m === 'string',
    );
    const said = `Rekognition (${this.endpoint.host}) answered ${response.status} ${type ?? '(no error type)'}${message ? `: ${message}` : ''}`;
    const retry = (type !== undefined && RETRYABLE.has(type)) || response.status >= 500;
    if (type !== undefined && type in MODERATION_ERRORS) {
      const code = type as ModerationErrorCode;
      return new Attempt(
        new ModerationError(code, said, message ?? MODERATION_ERRORS[code].message),
        retry,
      );
    }
    const code: ModerationErrorCode =
      type === 'ProvisionedThroughputExceededException' || response.status === 429
        ? 'ThrottlingException'
        : 'InternalServerError';
    return new Attempt(new ModerationError(code, said), retry || code === 'ThrottlingException');
  }
}

/** `aws.protocols#…` or `prefix#Name:http://…` → `Name`, as the AWS SDKs sanitise it. */
function errorType(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw === '') return undefined;
  const withoutUri = raw.split(':')[0]!;
  return withoutUri.slice(withoutUri.lastIndexOf('#') + 1);
}

/**
 * The Rekognition backend. Images over 5 MiB are refused with `ImageTooLargeException`
 * before any request, as Rekognition would (the port passes bytes, not S3 references).
 *
 * @example
 * const moderator = createRekognitionModerator({
 *   region: 'eu-west-1',
 *   credentials: credentialsFromEnv(process.env)!,
 * });
 * const { ModerationLabels } = await moderator.detectModerationLabels(jpeg, { minConfidence: 80 });
 */
export function createRekognitionModerator(
  options: RekognitionModeratorOptions,
): RekognitionModerator {
  return new RekognitionModerator(options);
}
