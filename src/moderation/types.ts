/**
 * The moderation contract: one `Moderator` port that every backend (local model, Rekognition,
 * a user's HTTP classifier) implements, answering in the shape of Rekognition's
 * `DetectModerationLabels` response so callers written for AWS read it unchanged.
 */

/** One label of the moderation taxonomy (Rekognition v7), as `DetectModerationLabels` returns it. */
export interface ModerationLabel {
  /** 0–100. */
  Confidence: number;
  Name: string;
  /** `""` for a top-level (level 1) label. */
  ParentName: string;
  /** 1, 2 or 3. */
  TaxonomyLevel: number;
}

/** Rekognition's two content types; `Animated` means cartoons, anime and games, not motion. */
export type ContentTypeName = 'Animated' | 'Illustrated';

export interface ContentType {
  /** 0–100. */
  Confidence: number;
  Name: ContentTypeName;
}

/** The body of a `DetectModerationLabels` answer (without the human-loop and adapter fields). */
export interface ModerationResult {
  /** Every matched label and, as separate entries, each of its ancestors. */
  ModerationLabels: ModerationLabel[];
  ModerationModelVersion: string;
  ContentTypes: ContentType[];
}

export interface DetectOptions {
  /** 0–100; labels below it are left out. Rekognition's default is 50. */
  minConfidence?: number;
}

export interface Moderator {
  /**
   * Classifies one image (the bytes of a file or object).
   *
   * @example
   * const result = await moderator.detectModerationLabels(await readFile('a.jpg'), {
   *   minConfidence: 80,
   * });
   * const blocked = result.ModerationLabels.length > 0;
   * @throws {ModerationError} with Rekognition's error code.
   */
  detectModerationLabels(image: Buffer, options?: DetectOptions): Promise<ModerationResult>;
  /** Finishes the requests already accepted, then frees the backend's resources. */
  close(): Promise<void>;
}

interface ErrorEntry {
  status: number;
  /** Rekognition's own wording for the error. */
  message: string;
  /** Whether the same request may succeed later (AWS SDKs retry these). */
  retryable: boolean;
}

/**
 * The errors a `Moderator` raises: Rekognition's codes for `DetectModerationLabels`, with
 * the HTTP status and message AWS documents (archived Rekognition developer guide,
 * `error-handling.md`).
 */
export const MODERATION_ERRORS = {
  ImageTooLargeException: { status: 400, message: 'Image size is too large.', retryable: false },
  InvalidImageFormatException: {
    status: 400,
    message: 'Request has invalid image format.',
    retryable: false,
  },
  InvalidParameterException: {
    status: 400,
    message: 'Request has invalid parameters.',
    retryable: false,
  },
  InvalidS3ObjectException: {
    status: 400,
    message:
      'Unable to get object metadata from S3. Check object key, region and/or access permissions.',
    retryable: false,
  },
  ThrottlingException: {
    status: 400,
    message: 'Slow down; sudden increase in rate of requests.',
    retryable: true,
  },
  InternalServerError: { status: 500, message: 'Internal server error', retryable: true },
} as const satisfies Record<string, ErrorEntry>;

export type ModerationErrorCode = keyof typeof MODERATION_ERRORS;

/**
 * A failed moderation request. `message` is Rekognition's wording (what its clients show);
 * `detail` says in Vigil's words what exactly was wrong.
 */
export class ModerationError extends Error {
  override readonly name = 'ModerationError';
  readonly status: number;
  readonly retryable: boolean;

  constructor(
    readonly code: ModerationErrorCode,
    readonly detail?: string,
    message: string = MODERATION_ERRORS[code].message,
  ) {
    super(message);
    this.status = MODERATION_ERRORS[code].status;
    this.retryable = MODERATION_ERRORS[code].retryable;
  }
}
