import { Command, InvalidArgumentError, type Option } from 'commander';
import { availableParallelism } from 'node:os';
import { ConfigError, loadConfig, readConfigFile, type VigilConfig } from '../config/index.js';
import {
  CATEGORY_NAMES,
  CLEAN,
  type CategoryName,
  EvalFolderError,
  IMAGE_EXTENSIONS,
  ModeratorUnavailableError,
  buildReport,
  moderateSet,
  progressBar,
  readEvalSet,
  renderTable,
  type TextStream,
} from '../eval/index.js';
import { configuredModerator } from '../moderation/configured.js';
import { ownLabelNames } from '../moderation/custom/index.js';

/** Exit codes: 0 the evaluation ran, whatever the scores; 1 the moderator never answered; 2 usage. */
export const EXIT_RAN = 0;
export const EXIT_NO_MODERATOR = 1;
export const EXIT_USAGE = 2;

export interface EvalOptions {
  /** A config file; default VIGIL_CONFIG. */
  config?: string;
  /** The policy's default threshold; default the config's `pipeline.minConfidence` (80). */
  minConfidence?: number;
  json: boolean;
  /** Images in flight; default the local model's workers, or 2 for a remote backend. */
  concurrency?: number;
}

export interface EvalIO {
  stdout: (text: string) => void;
  /** Messages, and the progress bar when it is a terminal. */
  stderr: TextStream;
  env: NodeJS.ProcessEnv;
}

function defaultConcurrency(config: VigilConfig): number {
  // One image per worker measures each image's own time; more would add queueing to it.
  if (config.moderation.backend === 'local')
    return config.moderation.workers ?? availableParallelism();
  return 2;
}

/**
 * `vigil eval <folder>`: runs the configured moderator on every image of the folder and
 * prints how the pipeline's policy did, per expected category. Resolves to the exit code.
 *
 * @example process.exitCode = await runEval('eval/', { json: false }, { stdout, stderr, env });
 */
export async function runEval(folder: string, options: EvalOptions, io: EvalIO): Promise<number> {
  const say = (line: string) => io.stderr.write(`vigil eval: ${line}\n`);
  let config: VigilConfig;
  let set: Awaited<ReturnType<typeof readEvalSet>>;
  try {
    const file = options.config ?? io.env['VIGIL_CONFIG'];
    config = loadConfig({}, io.env, file ? readConfigFile(file) : undefined);
    set = await readEvalSet(folder, { userLabels: ownLabelNames(config.moderation.models) });
  } catch (err) {
    if (!(err instanceof ConfigError || err instanceof EvalFolderError)) throw err;
    say(err.message);
    return EXIT_USAGE;
  }
  if (set.skipped.length > 0)
    say(
      `skipped ${set.skipped.length} file(s) that are not ${IMAGE_EXTENSIONS.join(' ')} images: ` +
        set.skipped.join(', '),
    );

  const settings = {
    threshold: options.minConfidence ?? config.pipeline.minConfidence,
    policy: config.pipeline.policy,
  };
  const concurrency = options.concurrency ?? defaultConcurrency(config);
  const moderator = configuredModerator(config, () => {});
  const progress = progressBar(io.stderr);
  let run: Awaited<ReturnType<typeof moderateSet>>;
  try {
    run = await moderateSet(moderator, set, {
      concurrency,
      onProgress: (done, total) => progress.update(done, total),
    });
  } catch (err) {
    progress.finish();
    // A moderator that failed to start fails close() with the same error: said once, below.
    await moderator.close().catch(() => {});
    if (!(err instanceof ModeratorUnavailableError)) throw err;
    say(err.message);
    return EXIT_NO_MODERATOR;
  }
  progress.finish();
  await moderator.close();
  const report = buildReport(set, run.images, run.facts, settings);
  io.stdout(options.json ? JSON.stringify(report, null, 2) + '\n' : renderTable(report));
  return EXIT_RAN;
}

function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 64)
    throw new InvalidArgumentError('expected a whole number from 1 to 64.');
  return Number(value);
}

function confidence(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100)
    throw new InvalidArgumentError('expected a number from 0 to 100.');
  return n;
}

/** The accepted folder names, one level-1 category a line with its level-2 ones after it. */
function folderNames(): string {
  const slugs = (c: CategoryName) =>
    c.folders.length > 1 ? `${c.folders[0]} (${c.folders.slice(1).join(', ')})` : c.folders[0]!;
  return CATEGORY_NAMES.filter((c) => c.level === 1)
    .map((top) => {
      const below = CATEGORY_NAMES.filter((c) => c.parent === top.category).map(slugs);
      return `  ${slugs(top)}${below.length > 0 ? ` › ${below.join(', ')}` : ''}`;
    })
    .join('\n');
}

const helpText = () =>
  `\nSubfolder names (any case; '_', ' ' and '-' alike; 'and'/'&' optional): ${CLEAN}, or a\n` +
  `Rekognition v7 category at level 1 or 2 (level 1 › its level 2):\n${folderNames()}\n` +
  `Images: ${IMAGE_EXTENSIONS.join(' ')}, anywhere below a subfolder; other files are skipped\n` +
  'with a note. Exit status: 0 when it ran (whatever the scores), 1 when the moderator never\n' +
  'answered, 2 on usage errors.';

/** The `eval` command for commander; `configOption` is the other commands' --config. */
export function evalCommand(configOption: Option): Command {
  return new Command('eval')
    .description(
      'Measure moderation on your own images: run the configured moderator and the pipeline policy ' +
        'on a folder of subfolders named by what their images should get, and print precision, ' +
        'recall, false positives, a confusion table, latency and suggested thresholds.',
    )
    .argument('<folder>', `a folder of subfolders: ${CLEAN}/ and category folders (weapons/, …)`)
    .addOption(configOption)
    .option(
      '--min-confidence <n>',
      'threshold: a label counts at or above it (0-100; default pipeline.minConfidence, 80)',
      confidence,
    )
    .option('--json', 'print the report as JSON, with every image')
    .option(
      '--concurrency <n>',
      'images in flight (default: the local model’s workers; 2 for a remote backend)',
      wholeNumber,
    )
    .addHelpText('after', helpText)
    .showHelpAfterError()
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE))
    .action(
      async (
        folder: string,
        opts: { config?: string; minConfidence?: number; json?: boolean; concurrency?: number },
      ) => {
        process.exitCode = await runEval(
          folder,
          { ...opts, json: opts.json ?? false },
          {
            stdout: (text) => process.stdout.write(text),
            stderr: process.stderr,
            env: process.env,
          },
        );
      },
    );
}
