import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import {
  createLocalModerator,
  ModerationError,
  resolveMinConfidence,
  type ModerationLabel,
  type ModerationResult,
} from '../moderation/index.js';
import type { CustomModelConfig } from '../moderation/custom/index.js';

export interface ModerateOptions {
  json: boolean;
  minConfidence?: number;
  /**
   * Where NSFWJS converted to ONNX is cached (`<data-dir>/models`, shared with `vigil
   * serve`); without one NSFWJS runs on the slower tfjs-wasm fallback.
   */
  modelCacheDir?: string;
  /** The config's own ONNX classifiers (`moderation.models`), run beside the bundled ones. */
  customModels?: readonly CustomModelConfig[];
}

interface FileError {
  /** Rekognition's code, or the system's (ENOENT, …) when the file could not be read. */
  code: string;
  message: string;
  detail?: string;
}

type Outcome = { file: string; result: ModerationResult } | { file: string; error: FileError };

/** Exit codes, grep-style: 0 nothing flagged, 1 something flagged, 2 something not judged. */
export const EXIT_CLEAN = 0;
export const EXIT_FLAGGED = 1;
export const EXIT_ERROR = 2;

function failure(err: unknown): FileError {
  if (err instanceof ModerationError)
    return { code: err.code, message: err.message, ...(err.detail && { detail: err.detail }) };
  const { code, message } = err as NodeJS.ErrnoException;
  return { code: code ?? 'Error', message };
}

const pct = (c: number) => `${c.toFixed(1)}%`;

/** Level 1 first, each followed by its descendants: "Explicit 99.2% › Explicit Nudity 99.2%". */
function describeLabels(labels: readonly ModerationLabel[]): string {
  if (labels.length === 0) return '-';
  const chain = (label: ModerationLabel): string[] => [
    `${label.Name} ${pct(label.Confidence)}`,
    ...labels.filter((l) => l.ParentName === label.Name).flatMap(chain),
  ];
  return labels
    .filter((l) => l.ParentName === '' || !labels.some((p) => p.Name === l.ParentName))
    .map((root) => chain(root).join(' › '))
    .join('; ');
}

function table(outcomes: readonly Outcome[], minConfidence: number): string {
  const rows = outcomes.map((o) =>
    'result' in o
      ? [
          o.file,
          describeLabels(o.result.ModerationLabels),
          o.result.ContentTypes.map((t) => `${t.Name} ${pct(t.Confidence)}`).join(', ') || '-',
        ]
      : [
          o.file,
          `${o.error.code}: ${o.error.message}${o.error.detail ? ` ${o.error.detail}` : ''}`,
          '',
        ],
  );
  const all = [['FILE', 'LABELS', 'CONTENT TYPES'], ...rows];
  // An error row runs on past the columns instead of widening them for every other row.
  const sized = all.filter((r, i) => i === 0 || 'result' in outcomes[i - 1]!);
  const widths = [0, 1].map((c) => Math.max(...(c === 0 ? all : sized).map((r) => r[c]!.length)));
  const lines = all.map((r) =>
    [r[0]!.padEnd(widths[0]!), r[1]!.padEnd(widths[1]!), r[2]!].join('  ').trimEnd(),
  );
  const version = outcomes.find((o) => 'result' in o);
  lines.push(
    `Model ${version && 'result' in version ? version.result.ModerationModelVersion : '(none loaded)'}, MinConfidence ${minConfidence}`,
  );
  return lines.join('\n') + '\n';
}

/**
 * `vigil moderate <file…>`: classifies local image files with the local model and prints
 * their labels as a table or, with `json`, as a JSON array of `{ file, result | error }`.
 * Resolves to the exit code: 0 no labels, 1 some file labelled, 2 some file not judged.
 *
 * @example
 * process.exitCode = await moderateFiles(['a.jpg'], { json: false }, (s) => process.stdout.write(s));
 */
export async function moderateFiles(
  paths: string[],
  options: ModerateOptions,
  write: (s: string) => void,
): Promise<number> {
  let minConfidence: number;
  try {
    minConfidence = resolveMinConfidence(options.minConfidence);
  } catch (err) {
    write(`${(err as ModerationError).detail ?? String(err)}\n`);
    return EXIT_ERROR;
  }
  const workers = Math.max(1, Math.min(paths.length, availableParallelism()));
  let moderator: Awaited<ReturnType<typeof createLocalModerator>>;
  try {
    moderator = await createLocalModerator({
      workers,
      ...(options.modelCacheDir ? { modelCacheDir: options.modelCacheDir } : {}),
      ...(options.customModels ? { customModels: options.customModels } : {}),
    });
  } catch (err) {
    // A model of the config's that cannot be loaded: its reason names the model and file.
    write(`${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_ERROR;
  }
  const judge = async (file: string): Promise<Outcome> => {
    try {
      const result = await moderator.detectModerationLabels(await readFile(file), {
        minConfidence,
      });
      return { file, result };
    } catch (err) {
      return { file, error: failure(err) };
    }
  };
  // Two files in flight per worker: the next one decodes while the model runs, and a long
  // list never holds every file in memory or overflows the moderator's queue.
  const outcomes: Outcome[] = [];
  let next = 0;
  const runner = async () => {
    for (let i = next++; i < paths.length; i = next++) outcomes[i] = await judge(paths[i]!);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(paths.length, 2 * workers) }, runner));
  } finally {
    await moderator.close();
  }
  write(options.json ? JSON.stringify(outcomes, null, 2) + '\n' : table(outcomes, minConfidence));
  if (outcomes.some((o) => 'error' in o)) return EXIT_ERROR;
  return outcomes.some((o) => 'result' in o && o.result.ModerationLabels.length > 0)
    ? EXIT_FLAGGED
    : EXIT_CLEAN;
}
