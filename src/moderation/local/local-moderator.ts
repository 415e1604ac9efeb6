import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { resolveMinConfidence } from '../min-confidence.js';
import { moderationResult } from '../result.js';
import { classScores, localModelVersion } from '../taxonomy.js';
import {
  ModerationError,
  type DetectOptions,
  type ModerationResult,
  type Moderator,
} from '../types.js';
import { customLabels, mergeLabels } from '../custom/mapping.js';
import { prepareCustomModels, type PreparedModel } from '../custom/prepare.js';
import type { CustomModelConfig } from '../custom/schema.js';
import {
  DEFAULT_DECODE_LIMITS,
  MODEL_INPUT_SIZE,
  decodeForModel,
  type DecodeLimits,
  type DecodedImage,
} from './decode.js';
import { IMAGENET_MODEL_VERSION } from './imagenet.js';
import { prepareNsfwRuntime } from './nsfw-runtime.js';
import { nsfwjsVersion } from './nsfwjs-version.js';
import { WorkerPool } from './pool.js';
import type { FrameScores, WorkerStats } from './protocol.js';
import { decodeAtSizes, sizeKey, type FrameSize } from './sized-frames.js';

export interface LocalModeratorOptions {
  /** Model workers; each holds its own copy of the model. Default: the number of cores. */
  workers?: number;
  /** Frames classified per animated GIF/WebP, evenly spaced; the worst decides. Default 8. */
  maxFrames?: number;
  /** Requests that may wait when every worker is busy. Default 32 per worker. */
  queueLimit?: number;
  /** A classification running longer fails and its worker is replaced. Default 30 s. */
  taskTimeoutMs?: number;
  /** Time each worker has to load the model. Default 60 s. */
  startupTimeoutMs?: number;
  /** Encoded bytes accepted. Default 15 MB (Rekognition's limit for an S3 object). */
  maxImageBytes?: number;
  /** Decoded pixels of all frames together. Default 250 million. */
  maxTotalPixels?: number;
  /** Called each time a worker has loaded the model. */
  onWorkerOnline?: (worker: Worker) => void;
  /** Receives what the workers print (model notices). Default: dropped. */
  log?: (line: string) => void;
  /**
   * Where NSFWJS converted to ONNX is kept (`<data-dir>/models`); without one, or if the
   * conversion fails (logged), NSFWJS runs on tfjs-wasm, slower.
   */
  modelCacheDir?: string;
  /**
   * The user's own ONNX classifiers (`moderation.models`, paths already absolute), run in
   * every worker beside the bundled models. One that cannot be loaded fails `create`.
   */
  customModels?: readonly CustomModelConfig[];
}

function positiveInteger(
  name: keyof LocalModeratorOptions,
  value: number | undefined,
  fallback: number,
): number {
  const chosen = value ?? fallback;
  if (!Number.isInteger(chosen) || chosen < 1)
    throw new RangeError(
      `Local moderator option '${name}' must be a whole number ≥ 1; got ${chosen}.`,
    );
  return chosen;
}

/** The input sizes of user models other than the bundled models' 224×224. */
function otherSizes(models: readonly PreparedModel[]): FrameSize[] {
  const sizes = new Map<string, FrameSize>();
  for (const {
    runtime: { width, height },
  } of models)
    if (width !== MODEL_INPUT_SIZE || height !== MODEL_INPUT_SIZE)
      sizes.set(sizeKey({ width, height }), { width, height });
  return [...sizes.values()];
}

/**
 * The `local` backend: NSFWJS and the ImageNet MobileNetV2 (and any user models) on ONNX
 * Runtime in a worker pool, images decoded by sharp in the calling thread's libuv pool,
 * answers in Rekognition's shape.
 */
export class LocalModerator implements Moderator {
  readonly #sizes: FrameSize[];
  /** Decodes asked for ahead of classification (decodedFrames), by the caller's Buffer. */
  readonly #decoded = new WeakMap<Buffer, Promise<DecodedImage>>();

  private constructor(
    private readonly pool: WorkerPool,
    private readonly limits: DecodeLimits,
    readonly modelVersion: string,
    private readonly custom: readonly PreparedModel[],
  ) {
    this.#sizes = otherSizes(custom);
  }

  static async create(options: LocalModeratorOptions = {}): Promise<LocalModerator> {
    const workers = positiveInteger('workers', options.workers, availableParallelism());
    const limits: DecodeLimits = {
      ...DEFAULT_DECODE_LIMITS,
      maxFrames: positiveInteger('maxFrames', options.maxFrames, DEFAULT_DECODE_LIMITS.maxFrames),
      maxBytes: positiveInteger(
        'maxImageBytes',
        options.maxImageBytes,
        DEFAULT_DECODE_LIMITS.maxBytes,
      ),
      maxTotalPixels: positiveInteger(
        'maxTotalPixels',
        options.maxTotalPixels,
        DEFAULT_DECODE_LIMITS.maxTotalPixels,
      ),
    };
    const queueLimit = options.queueLimit ?? 32 * workers;
    if (!Number.isInteger(queueLimit) || queueLimit < 0)
      throw new RangeError(
        `Local moderator option 'queueLimit' must be a whole number ≥ 0; got ${queueLimit}.`,
      );
    const custom = await prepareCustomModels(options.customModels ?? []);
    const version = localModelVersion(
      nsfwjsVersion(),
      IMAGENET_MODEL_VERSION,
      ...custom.map((m) => m.version),
    );
    const log = options.log ?? (() => {});
    const nsfw = await prepareNsfwRuntime(options.modelCacheDir, log);
    const pool = await WorkerPool.start({
      nsfw,
      size: workers,
      queueLimit,
      taskTimeoutMs: positiveInteger('taskTimeoutMs', options.taskTimeoutMs, 30_000),
      startupTimeoutMs: positiveInteger('startupTimeoutMs', options.startupTimeoutMs, 60_000),
      log,
      custom: custom.map((m) => m.runtime),
      ...(options.onWorkerOnline && { onWorkerOnline: options.onWorkerOnline }),
    });
    return new LocalModerator(pool, limits, version, custom);
  }

  #closing = false;
  readonly #inflight = new Set<Promise<unknown>>();

  detectModerationLabels(image: Buffer, options?: DetectOptions): Promise<ModerationResult> {
    if (this.#closing)
      return Promise.reject(new ModerationError('InternalServerError', 'The moderator is closed.'));
    const request = this.#detect(image, options);
    this.#inflight.add(request);
    const settled = () => this.#inflight.delete(request);
    request.then(settled, settled);
    return request;
  }

  async #detect(image: Buffer, options?: DetectOptions): Promise<ModerationResult> {
    const minConfidence = resolveMinConfidence(options?.minConfidence);
    if (!(image instanceof Uint8Array))
      throw new ModerationError(
        'InvalidParameterException',
        'The image must be a Buffer of bytes.',
      );
    // Refuse before decoding: a full queue should cost the caller nothing.
    if (this.pool.full)
      throw new ModerationError(
        'ThrottlingException',
        'Every moderation worker is busy and the queue is full.',
      );
    const bytes = Buffer.from(image.buffer, image.byteOffset, image.length);
    const decoded = await this.#takeDecoded(image, bytes);
    const sized =
      this.#sizes.length > 0
        ? await decodeAtSizes(bytes, decoded.totalFrames, this.limits, this.#sizes)
        : [];
    const frames = await this.pool.classify({
      pixels: decoded.pixels,
      count: decoded.frames,
      sized,
    });
    return moderationResult(
      frames.map((frame) => ({
        nsfw: classScores(frame.nsfw),
        objects: frame.objects,
        ...(this.custom.length > 0 && { custom: this.#customLabels(frame) }),
      })),
      minConfidence,
      this.modelVersion,
    );
  }

  #customLabels(frame: FrameScores) {
    return mergeLabels(
      this.custom.map((model, i) => customLabels(model.mapping, frame.custom[i] ?? [])),
    );
  }

  /**
   * The image decoded as the models read it (224×224 RGB frames), for image memory's hash:
   * kept until this image (the same Buffer) is classified, which then skips its own decode.
   *
   * @throws the ModerationError the image would be refused with.
   */
  decodedFrames(image: Buffer): Promise<DecodedImage> {
    let decoded = this.#decoded.get(image);
    if (!decoded) {
      decoded = decodeForModel(
        Buffer.from(image.buffer, image.byteOffset, image.length),
        this.limits,
      );
      decoded.catch(() => {}); // the caller, or the classification, hears of a failure
      this.#decoded.set(image, decoded);
    }
    return decoded;
  }

  /** A decode made earlier by decodedFrames (its pixels go to a worker: used once), or now. */
  #takeDecoded(image: Buffer, bytes: Buffer): Promise<DecodedImage> {
    const earlier = this.#decoded.get(image);
    this.#decoded.delete(image);
    return earlier ?? decodeForModel(bytes, this.limits);
  }

  /** Ready workers, busy workers and waiting requests, for metrics and health. */
  load(): { workers: number; busy: number; queued: number } {
    return { workers: this.pool.ready, busy: this.pool.busy, queued: this.pool.queued };
  }

  /** Per-worker tensor counts: flat between requests, or the model leaks. */
  stats(): Promise<WorkerStats[]> {
    return this.pool.stats();
  }

  /** Lets every request already made finish (decoding included), then stops the workers. */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.allSettled([...this.#inflight]);
    await this.pool.close();
  }
}

/**
 * Starts the local moderation backend and resolves once every worker has loaded the model
 * (about a second each).
 *
 * @example
 * const moderator = await createLocalModerator({ workers: 2 });
 * const { ModerationLabels } = await moderator.detectModerationLabels(bytes);
 * await moderator.close();
 */
export function createLocalModerator(options: LocalModeratorOptions = {}): Promise<LocalModerator> {
  return LocalModerator.create(options);
}
