import type { VigilConfig } from '../config/index.js';
import {
  createHttpModerator,
  createRekognitionModerator,
  credentialsFromEnv,
} from './backends/index.js';
import { createLocalModerator } from './local/local-moderator.js';
import type { DetectOptions, ModerationResult, Moderator } from './types.js';

/**
 * The Moderator the config chooses, created on first use: loading the local model takes
 * seconds and memory per worker, which a Vigil that never sees an image should not pay.
 */
export function configuredModerator(config: VigilConfig, log: (line: string) => void): Moderator {
  let created: Promise<Moderator> | undefined;
  const get = () => (created ??= create(config, log));
  return {
    async detectModerationLabels(
      image: Buffer,
      options?: DetectOptions,
    ): Promise<ModerationResult> {
      return (await get()).detectModerationLabels(image, options);
    },
    async close(): Promise<void> {
      if (created) await (await created).close();
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
    log,
  });
}
