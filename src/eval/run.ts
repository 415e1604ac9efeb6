/**
 * Sends every image of an evaluation set to a moderator, a few at a time, and times each
 * answer. The moderator is given; this module only reads files and measures.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ModerationError, type Moderator } from '../moderation/index.js';
import type { EvalSet, ImageFailure, JudgedImage, RunFacts } from './types.js';

export interface RunOptions {
  /** Images in flight at once. */
  concurrency: number;
  /** Called after each image, failed ones included. */
  onProgress?: (done: number, total: number) => void;
}

/** The moderator could not judge anything: the run would measure nothing but that. */
export class ModeratorUnavailableError extends Error {
  override readonly name = 'ModeratorUnavailableError';
}

function failure(err: unknown): ImageFailure {
  if (err instanceof ModerationError)
    return { code: err.code, message: err.message, ...(err.detail && { detail: err.detail }) };
  const { code, message } = err as NodeJS.ErrnoException;
  return { code: code ?? 'Error', message: message ?? String(err) };
}

// Every label's confidence is wanted, however low: the thresholds are applied afterwards.
const ALL_LABELS = { minConfidence: 0 };

/**
 * Moderates every image of the set and resolves to one answer per image, in the set's order.
 * The first image is sent once before timing starts, so that loading the model (seconds, on
 * first use) is reported apart instead of as one image's latency.
 *
 * @throws ModeratorUnavailableError when that first request fails for a reason other than
 *   the image (no credentials, backend unreachable).
 */
export async function moderateSet(
  moderator: Moderator,
  set: EvalSet,
  options: RunOptions,
): Promise<{ images: JudgedImage[]; facts: RunFacts }> {
  const work = set.folders.flatMap(({ folder, expected, images }) =>
    images.map((file) => ({ file, folder, expected })),
  );
  let modelVersion: string | null = null;
  // An empty bar while the model loads says the command is alive.
  options.onProgress?.(0, work.length);

  const warmStart = performance.now();
  const first = work[0] && (await readFile(join(set.root, work[0].file)).catch(() => undefined));
  if (first) {
    try {
      modelVersion = (await moderator.detectModerationLabels(first, ALL_LABELS))
        .ModerationModelVersion;
    } catch (err) {
      if (!(err instanceof ModerationError) || err.retryable)
        throw new ModeratorUnavailableError(
          `The moderator did not answer: ${err instanceof Error ? err.message : String(err)}`,
          { cause: err },
        );
    }
  }
  const modelReadyMs = performance.now() - warmStart;

  const images: JudgedImage[] = [];
  let next = 0;
  let done = 0;
  const judgeNext = async () => {
    for (let i = next++; i < work.length; i = next++) {
      const item = work[i]!;
      try {
        const bytes = await readFile(join(set.root, item.file));
        const started = performance.now();
        const result = await moderator.detectModerationLabels(bytes, ALL_LABELS);
        const latencyMs = performance.now() - started;
        modelVersion ??= result.ModerationModelVersion;
        images[i] = { ...item, answer: { labels: result.ModerationLabels, latencyMs } };
      } catch (err) {
        images[i] = { ...item, answer: { error: failure(err) } };
      }
      options.onProgress?.(++done, work.length);
    }
  };
  const started = performance.now();
  const lanes = Math.max(1, Math.min(options.concurrency, work.length));
  await Promise.all(Array.from({ length: lanes }, judgeNext));
  const wallMs = performance.now() - started;
  return {
    images,
    facts: { modelVersion, concurrency: options.concurrency, modelReadyMs, wallMs },
  };
}
