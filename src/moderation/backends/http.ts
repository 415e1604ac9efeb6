/**
 * The `http` backend: the image goes to the user's own classifier, whose answer is mapped
 * onto Rekognition's v7 moderation taxonomy.
 *
 * The request: `POST <url>`, the image's bytes as the body, `Content-Type:
 * application/octet-stream`, `Accept: application/json`, `X-Vigil-Min-Confidence: <0–100>`
 * (informative: Vigil filters the answer itself), plus the configured headers (for example
 * `Authorization`), which may override the defaults.
 *
 * The answer (2xx, JSON) in either shape:
 * - simple: `{ "labels": [{ "name": "Explicit Nudity", "confidence": 97.5 }],
 *   "modelVersion": "my-model-3", "contentTypes": [{ "name": "Illustrated", "confidence": 88 }] }`
 *   — confidences 0–100; each name (after `labelMap`) must be a v7 taxonomy label, at any
 *   level, and comes back with its ancestors as Rekognition returns them; `labels: []` means
 *   nothing was found;
 * - Rekognition's: `{ "ModerationLabels": [{ "Name", "Confidence", "ParentName",
 *   "TaxonomyLevel" }], "ModerationModelVersion", "ContentTypes" }`, passed through as it is
 *   (a proxy in front of Rekognition, or a model trained on its taxonomy).
 *
 * Failures: a non-2xx answer whose JSON names one of the port's error codes (`__type` or
 * `code`, e.g. `InvalidImageFormatException`) keeps that code; otherwise 413 is
 * `ImageTooLargeException`, 415 and 422 `InvalidImageFormatException`, 429 and 503
 * `ThrottlingException`, anything else — and any answer that cannot be read —
 * `InternalServerError`. Nothing is retried here: the pipeline retries retryable errors.
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
import { rekognitionAnswer, simpleAnswer, type AnswerContext } from './answer.js';
import { InFlight, fetchWithTimeout } from './in-flight.js';

export interface HttpModeratorOptions {
  /** The classifier's endpoint, http or https. */
  url: string;
  /** Sent with every request, after (and overriding) the defaults. */
  headers?: Record<string, string>;
  /** Default 10 s. */
  timeoutMs?: number;
  /** Larger images are refused before sending. Default 15 MiB, Rekognition's S3 limit. */
  maxImageBytes?: number;
  /**
   * The classifier's label names → v7 taxonomy names, for the simple shape; null ignores a
   * label (e.g. `{ "nsfw": "Explicit Nudity", "gore": "Blood & Gore", "safe": null }`).
   */
  labelMap?: Record<string, string | null>;
  /** `ModerationModelVersion` when the answer has none. Default `http-classifier`. */
  modelVersion?: string;
}

const STATUS_CODES: Readonly<Record<number, ModerationErrorCode>> = {
  413: 'ImageTooLargeException',
  415: 'InvalidImageFormatException',
  422: 'InvalidImageFormatException',
  429: 'ThrottlingException',
  503: 'ThrottlingException',
};

export class HttpModerator implements Moderator {
  readonly url: URL;
  readonly #options: HttpModeratorOptions;
  readonly #inFlight = new InFlight();
  readonly #who: string;

  constructor(options: HttpModeratorOptions) {
    this.url = new URL(options.url);
    if (!/^https?:$/.test(this.url.protocol))
      throw new RangeError(`The http moderator's url must be http(s); got ${options.url}.`);
    this.#options = options;
    this.#who = `the classifier at ${this.url.origin}${this.url.pathname}`;
  }

  detectModerationLabels(image: Buffer, options?: DetectOptions): Promise<ModerationResult> {
    return this.#inFlight.run(async () => {
      const minConfidence = resolveMinConfidence(options?.minConfidence);
      if (image.length === 0)
        throw new ModerationError('InvalidParameterException', 'The image is empty.');
      const limit = this.#options.maxImageBytes ?? 15 * 1024 * 1024;
      if (image.length > limit)
        throw new ModerationError(
          'ImageTooLargeException',
          `The image has ${image.length} bytes; the http moderator sends at most ${limit}.`,
        );
      const response = await fetchWithTimeout(
        this.url,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/octet-stream',
            accept: 'application/json',
            'x-vigil-min-confidence': String(minConfidence),
            ...this.#options.headers,
          },
          body: image,
        },
        this.#options.timeoutMs ?? 10_000,
        this.#who,
      );
      const body = parseJson(response.text);
      if (response.status < 200 || response.status > 299)
        throw this.#failure(response.status, body);
      return this.#result(body, minConfidence);
    });
  }

  close(): Promise<void> {
    return this.#inFlight.close();
  }

  #result(body: unknown, minConfidence: number): ModerationResult {
    const ctx: AnswerContext = {
      source: this.#who,
      minConfidence,
      fallbackVersion: this.#options.modelVersion ?? 'http-classifier',
    };
    if (isRecord(body) && 'ModerationLabels' in body) return rekognitionAnswer(body, ctx);
    if (isRecord(body) && 'labels' in body)
      return simpleAnswer(body, ctx, this.#options.labelMap ?? {});
    throw new ModerationError(
      'InternalServerError',
      body === undefined
        ? `${this.#who} answered with a body that is not JSON.`
        : `${this.#who} answered without "labels" or "ModerationLabels".`,
    );
  }

  #failure(status: number, body: unknown): ModerationError {
    const named = isRecord(body) ? (body['__type'] ?? body['code']) : undefined;
    const said = isRecord(body) ? (body['Message'] ?? body['message']) : undefined;
    const detail = `${this.#who} answered ${status}${typeof said === 'string' ? `: ${said}` : ''}`;
    if (typeof named === 'string' && named in MODERATION_ERRORS)
      return new ModerationError(named as ModerationErrorCode, detail);
    return new ModerationError(STATUS_CODES[status] ?? 'InternalServerError', detail);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The http backend.
 *
 * @example
 * const moderator = createHttpModerator({
 *   url: 'http://classifier.internal:8080/classify',
 *   headers: { authorization: `Bearer ${token}` },
 *   labelMap: { nsfw: 'Explicit Nudity', safe: null },
 * });
 */
export function createHttpModerator(options: HttpModeratorOptions): HttpModerator {
  return new HttpModerator(options);
}
