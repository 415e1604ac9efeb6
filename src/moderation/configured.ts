import { join } from 'node:path';
import type { VigilConfig } from '../config/index.js';
import {
  createHttpModerator,
  createRekognitionModerator,
  credentialsFromEnv,
} from './backends/index.js';
import type { DecodedImage } from './local/decode.js';
import { createLocalModerator, type LocalModerator } from './local/local-moderator.js';
import type { DetectOptions, ModerationResult, Moderator } from './types.js';

/** Where the configured moderator stands: not created yet, loading, usable, or broken. */
export type ModeratorState =
  | { state: 'idle' }
  | { state: 'warming' }
  | { state: 'ready' }
  | { state: 'failed'; error: string };

/** The configured Moderator, which can be loaded ahead of the first image. */
export interface ConfiguredModerator extends Moderator {
  /** Creates the backend now (the local one loads and warms every model in every worker). */
  warm(): Promise<void>;
  status(): ModeratorState;
  /**
   * With the local backend, the image decoded as its models read it (LocalModerator's
   * `decodedFrames`), so image memory hashes the very frame that is then classified
   * instead of decoding the image twice; undefined for a remote backend.
   */
  frameSource(): ((image: Buffer) => Promise<DecodedImage>) | undefined;
}

/**
 * The Moderator the config chooses, created by `warm()` (Vigil calls it at start unless
 * `moderation.warm` is false, so the first image is judged as fast as the rest) or else on
 * first use.
 */
export function configuredModerator(
  config: VigilConfig,
  log: (line: string) => void,
): ConfiguredModerator {
  let created: Promise<Moderator> | undefined;
  let state: ModeratorState = { state: 'idle' };
  const get = () => {
    if (created) return created;
    state = { state: 'warming' };
    created = create(config, log);
    const attempt = created;
    attempt.then(
      () => (state = { state: 'ready' }),
      (error: unknown) => {
        state = { state: 'failed', error: error instanceof Error ? error.message : String(error) };
        // The next image (or warm) tries again: a failure may pass (memory, a file restored).
        if (created === attempt) created = undefined;
      },
    );
    return attempt;
  };
  return {
    async detectModerationLabels(
      image: Buffer,
      options?: DetectOptions,
    ): Promise<ModerationResult> {
      return (await get()).detectModerationLabels(image, options);
    },
    async warm(): Promise<void> {
      await get();
    },
    status: () => state,
    frameSource: () =>
      config.moderation.backend === 'local'
        ? async (image) => ((await get()) as LocalModerator).decodedFrames(image)
        : undefined,
    async close(): Promise<void> {
      // A backend that failed to load has nothing to close.
      if (created) await (await created.catch(() => undefined))?.close();
    },
  };
}

async function create(config: VigilConfig, log: (line: string) => void): Promise<Moderator> {
  const m = config.moderation;
  if (m.backend === 'rekognition') {
    const credentials = credentialsFromEnv(process.env);
    if (!credentials)
      throw new Error(
        'moderation.backend is "rekognition": set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for AWS.',
      );
    const r = m.rekognition;
    return createRekognitionModerator({
      region: r?.region ?? config.region,
      credentials,
      ...(r?.endpoint ? { endpoint: r.endpoint } : {}),
      timeoutMs: r?.timeoutMs ?? 10_000,
      maxAttempts: r?.maxAttempts ?? 3,
    });
  }
  if (m.backend === 'http') {
    const h = m.http!;
    return createHttpModerator({
      url: h.url,
      headers: h.headers,
      timeoutMs: h.timeoutMs,
      labelMap: h.labelMap,
      ...(h.modelVersion ? { modelVersion: h.modelVersion } : {}),
    });
  }
  return createLocalModerator({
    ...(m.workers ? { workers: m.workers } : {}),
    maxFrames: m.maxFrames,
    customModels: m.models,
    modelCacheDir: join(config.dataDir, 'models'),
    log,
  });
}
