/**
 * The `rekognition` backend: Amazon Rekognition's `DetectModerationLabels`, for users on AWS,
 * through `@aws-sdk/client-rekognition` (signing, the JSON 1.1 protocol, error parsing).
 * Retries are this module's, not the SDK's, so every attempt's outcome is mapped onto the
 * port's error codes: up to 3 attempts on throttling, server faults and network failures,
 * with jittered exponential backoff, as the SDKs' standard mode does.
 */
import {
  DetectModerationLabelsCommand,
  RekognitionClient,
  type DetectModerationLabelsCommandOutput,
} from '@aws-sdk/client-rekognition';
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
import { InFlight } from './in-flight.js';

/** AWS keys: an access key pair, with a session token for temporary credentials. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

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

/** Stands for an attempt this module aborted because it ran past `timeoutMs`. */
const TIMED_OUT = new Error('timed out');

/** `Image.Bytes` may hold at most 5,242,880 bytes (`ImageBlob` in the service model). */
export const MAX_REKOGNITION_BYTES = 5 * 1024 * 1024;

/** Errors worth another attempt: Rekognition's retryable ones and its server faults. */
const RETRYABLE = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'InternalServerError',
  'ServiceUnavailableException',
  'LimitExceededException',
]);

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
  readonly #client: RekognitionClient;
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
    const credentials = options.credentials;
    this.#client = new RekognitionClient({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      credentials:
        typeof credentials === 'function'
          ? async () => {
              try {
                return await credentials();
              } catch (error) {
                throw new ModerationError(
                  'InternalServerError',
                  `No AWS credentials for Rekognition: ${(error as Error).message}`,
                );
              }
            }
          : credentials,
      maxAttempts: 1, // retried below, where each failure is mapped
      requestHandler: { connectionTimeout: this.#timeoutMs },
    });
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
      const command = new DetectModerationLabelsCommand({
        Image: { Bytes: image },
        MinConfidence: minConfidence,
        ...(this.#options.projectVersion && { ProjectVersion: this.#options.projectVersion }),
      });
      const { $metadata: _metadata, ...answer } = await this.#send(command);
      return rekognitionAnswer(answer, {
        source: `Rekognition (${this.endpoint.host})`,
        minConfidence,
        fallbackVersion: 'unknown',
      });
    });
  }

  async close(): Promise<void> {
    await this.#inFlight.close();
    this.#client.destroy();
  }

  async #send(
    command: DetectModerationLabelsCommand,
  ): Promise<DetectModerationLabelsCommandOutput> {
    for (let attempt = 1; ; attempt++) {
      // The whole attempt, answer included, within timeoutMs (the SDK's own timeouts watch
      // only the socket). A timer we hold, not AbortSignal.timeout, which can be collected.
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), this.#timeoutMs);
      try {
        return await this.#client.send(command, { abortSignal: abort.signal });
      } catch (error) {
        const { failure, retry } = this.#failure(abort.signal.aborted ? TIMED_OUT : error);
        if (!retry || attempt >= this.#maxAttempts) throw failure;
        const ceiling = Math.min(20_000, this.#retryBaseMs * 2 ** (attempt - 1));
        await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
      } finally {
        clearTimeout(timer);
      }
    }
  }

  /** An SDK error as the port's error, and whether another attempt may succeed. */
  #failure(error: unknown): { failure: ModerationError; retry: boolean } {
    if (error instanceof ModerationError) return { failure: error, retry: false };
    const who = `Rekognition (${this.endpoint.host})`;
    const e = error as {
      name?: string;
      message?: string;
      code?: string;
      $metadata?: { httpStatusCode?: number };
      $response?: unknown;
    };
    const status = e.$metadata?.httpStatusCode;
    if (status === undefined) {
      // No answer: a timeout, a refused connection, an unreadable body.
      const timedOut = error === TIMED_OUT || e.name === 'TimeoutError' || e.code === 'ETIMEDOUT';
      const said = timedOut
        ? `${who} did not answer within ${this.#timeoutMs} ms.`
        : `${who} could not be reached: ${e.code ?? e.message ?? String(error)}`;
      return { failure: new ModerationError('InternalServerError', said), retry: true };
    }
    const type = errorType(e.name);
    const message = e.message && e.message !== 'UnknownError' ? e.message : undefined;
    const said = `${who} answered ${status} ${type ?? '(no error type)'}${message ? `: ${message}` : ''}`;
    const retry = (type !== undefined && RETRYABLE.has(type)) || status >= 500;
    if (type !== undefined && type in MODERATION_ERRORS) {
      const code = type as ModerationErrorCode;
      return {
        failure: new ModerationError(code, said, message ?? MODERATION_ERRORS[code].message),
        retry,
      };
    }
    const code: ModerationErrorCode =
      type === 'ProvisionedThroughputExceededException' || status === 429
        ? 'ThrottlingException'
        : 'InternalServerError';
    return {
      failure: new ModerationError(code, said),
      retry: retry || code === 'ThrottlingException',
    };
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
