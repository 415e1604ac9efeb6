import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvalReport } from '../eval/index.js';
import {
  BLUE,
  GREY,
  RED,
  solid,
  widgetsModel,
  writeTinyModel,
} from '../moderation/custom/tiny-model.test-helper.js';
import { EXIT_NO_MODERATOR, EXIT_USAGE, runEval } from './eval.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const fixture = (name: string) => join(REPO, 'test/fixtures/images', name);

/** Runs `vigil eval …` from the TypeScript sources (no build needed), as a user would. */
function vigilEval(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env['VIGIL_CONFIG'];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'eval', ...args],
      { cwd: REPO, env },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

let dir: string;
let set: string;
let config: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-eval-cli-'));
  set = join(dir, 'set');
  const files: [string, string][] = [
    ['explicit', 'flagged-porn.jpg'],
    ['non-explicit-nudity', 'flagged-sexy.jpg'],
    ['clean', 'clean-shapes.jpg'],
    ['clean', 'clean-landscape.png'],
    ['clean', 'corrupt.jpg'],
  ];
  for (const [folder, name] of files) {
    await mkdir(join(set, folder), { recursive: true });
    await copyFile(fixture(name), join(set, folder, name));
  }
  await writeFile(join(set, 'clean', 'notes.txt'), 'not an image');
  // One model worker: the test shares two cores with the rest of the suite.
  config = join(dir, 'vigil.json');
  await writeFile(config, JSON.stringify({ moderation: { workers: 1 } }));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('vigil eval', () => {
  it('reports per category, clean false positives, confusion, latency and fitted thresholds as JSON', async () => {
    const { code, stdout, stderr } = await vigilEval([set, '--json', '--config', config]);
    expect(code).toBe(0);
    // stderr is not a terminal here: no progress bar, only the note about the skipped file.
    expect(stderr).toBe(
      'vigil eval: skipped 1 file(s) that are not .jpg .jpeg .png .webp .gif .avif images: clean/notes.txt\n',
    );
    const report = JSON.parse(stdout) as EvalReport;
    expect(report.modelVersion).toMatch(/^vigil-/);
    expect(report.threshold).toBe(80);
    expect(report.images).toBe(5);
    expect(report.categories).toEqual([
      expect.objectContaining({
        category: 'Explicit',
        folder: 'explicit',
        images: 1,
        failed: 0,
        truePositives: 1,
        falseNegatives: 0,
        falsePositives: 0,
        precision: 1,
        recall: 1,
        f1: 1,
      }),
      expect.objectContaining({
        category: 'Non-Explicit Nudity',
        folder: 'non-explicit-nudity',
        images: 1,
        truePositives: 1,
        falsePositives: 0,
      }),
    ]);
    expect(report.clean).toEqual({
      folder: 'clean',
      images: 3,
      failed: 1,
      falsePositives: 0,
      falsePositiveRate: 0,
    });
    const confusion = Object.fromEntries(
      report.confusion.rows.map((r) => [
        r.folder,
        Object.fromEntries(report.confusion.columns.map((c, i) => [c, r.counts[i]])),
      ]),
    );
    expect(confusion['explicit']).toMatchObject({ Explicit: 1, none: 0, failed: 0 });
    expect(confusion['non-explicit-nudity']).toMatchObject({
      'Non-Explicit Nudity of Intimate parts and Kissing': 1,
      Explicit: 0,
    });
    expect(confusion['clean']).toMatchObject({ Explicit: 0, none: 2, failed: 1 });

    const byFile = new Map(report.perImage.map((i) => [i.file, i]));
    expect(byFile.get('clean/clean-shapes.jpg')).toMatchObject({
      decision: 'clean',
      correct: true,
      flagged: [],
    });
    expect(byFile.get('clean/corrupt.jpg')).toMatchObject({
      decision: 'failed',
      correct: null,
      error: { code: 'InvalidImageFormatException' },
    });
    // MinConfidence 0: every label the model has is listed, however faint.
    expect(byFile.get('clean/clean-shapes.jpg')!.labels.length).toBeGreaterThan(0);

    expect(report.latency.judged).toBe(4);
    expect(report.latency.concurrency).toBe(1);
    expect(report.latency.p50Ms).toBeGreaterThan(0);
    expect(report.latency.maxMs).toBeGreaterThanOrEqual(report.latency.p95Ms!);
    expect(report.latency.imagesPerSecond).toBeGreaterThan(0);

    expect(report.suggestedThresholds.note).toMatch(/fitted to this folder/);
    for (const { fit } of report.suggestedThresholds.categories) {
      expect(fit).toMatchObject({ precision: 1, recall: 1, f1: 1 });
      expect(fit!.from).toBeLessThanOrEqual(fit!.threshold);
      expect(fit!.threshold).toBeLessThanOrEqual(fit!.to);
      expect(fit!.to).toBeGreaterThanOrEqual(90);
    }
  });

  it("scores the config's own models, folders named after their labels", async () => {
    const own = join(dir, 'own');
    await mkdir(own, { recursive: true });
    const { file, labels } = await writeTinyModel(own, 'widgets');
    const ownConfig = join(own, 'vigil.json');
    await writeFile(
      ownConfig,
      JSON.stringify({
        moderation: {
          workers: 1,
          models: [widgetsModel({ file, labels })],
        },
      }),
    );
    for (const [folder, colour] of [
      ['company-logo', BLUE],
      ['weapons', RED],
      ['clean', GREY],
    ] as const) {
      await mkdir(join(own, 'set', folder), { recursive: true });
      await writeFile(join(own, 'set', folder, `${folder}.png`), await solid(colour));
    }
    const { code, stdout, stderr } = await vigilEval([
      join(own, 'set'),
      '--json',
      '--config',
      ownConfig,
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as EvalReport;
    expect(report.modelVersion).toMatch(/\+custom:widgets@/);
    const byCategory = new Map(report.categories.map((c) => [c.category, c]));
    expect(byCategory.get('Company Logo')).toMatchObject({
      folder: 'company-logo',
      truePositives: 1,
      recall: 1,
    });
    expect(byCategory.get('Weapons')).toMatchObject({ truePositives: 1, recall: 1 });
    expect(report.clean).toMatchObject({ images: 1, falsePositives: 0 });
  });

  it('prints a table by default, threshold from --min-confidence', async () => {
    const { code, stdout } = await vigilEval([
      set,
      '--config',
      config,
      '--min-confidence',
      '99.9',
      '--concurrency',
      '2',
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^5 images in 3 folders of .*; model vigil-\S+; threshold 99\.9 /);
    expect(stdout).toMatch(/^CATEGORY\s+FOLDER\s+IMAGES\s+FAILED\s+TP\s+FN\s+FP\s+PRECISION/m);
    expect(stdout).toMatch(
      /^Explicit\s+explicit\s+1\s+0\s+0\s+1\s+0\s+-\s+0\.0%\s+0\.00\s+block ≥ 99\.9$/m,
    );
    expect(stdout).toMatch(
      /^clean: 3 images, 1 failed; 0 of 2 flagged: false-positive rate 0\.0%$/m,
    );
    expect(stdout).toContain('fitted to this folder; check on images you did not tune on');
    expect(stdout).toMatch(/^ {2}clean\/corrupt\.jpg: InvalidImageFormatException: /m);
    expect(stdout).toMatch(/at concurrency 2 /);
  });

  it.each([
    {
      name: 'images directly in the folder',
      setup: (root: string) => copyFile(fixture('clean-shapes.jpg'), join(root, 'x.jpg')),
      stderr: /^vigil eval: .* holds images of its own \(x\.jpg\)/,
    },
    {
      name: 'an unknown folder name',
      setup: (root: string) => mkdir(join(root, 'kittens')),
      stderr: /^vigil eval: Folder 'kittens' names no category\. .*: clean, explicit, /,
    },
    {
      name: 'a config file that is not JSON',
      setup: (root: string) => writeFile(join(root, 'vigil.json'), '{'),
      config: 'vigil.json',
      stderr: /^vigil eval: Config file .*vigil\.json is not valid JSON/,
    },
  ])('exits 2 on $name, before loading any model', async ({ setup, config, stderr }) => {
    const root = await mkdtemp(join(dir, 'usage-'));
    await setup(root);
    let out = '';
    let err = '';
    const code = await runEval(
      root,
      { json: false, ...(config ? { config: join(root, config) } : {}) },
      { stdout: (text) => (out += text), stderr: { write: (text) => (err += text) }, env: {} },
    );
    expect(code).toBe(EXIT_USAGE);
    expect(err).toMatch(stderr);
    expect(out).toBe('');
  });

  it('exits 1 when the moderator never answers, saying why', async () => {
    const unreachable = join(dir, 'unreachable.json');
    const url = 'http://127.0.0.1:9/classify';
    await writeFile(
      unreachable,
      JSON.stringify({ moderation: { backend: 'http', http: { url } } }),
    );
    let out = '';
    let err = '';
    const code = await runEval(
      set,
      { json: true, config: unreachable },
      { stdout: (text) => (out += text), stderr: { write: (text) => (err += text) }, env: {} },
    );
    expect(code).toBe(EXIT_NO_MODERATOR);
    expect(err).toMatch(/^vigil eval: The moderator did not answer: .+$/m);
    expect(out).toBe('');
  });

  it.each([
    [['--min-confidence', '101'], /argument '101' is invalid\. expected a number from 0 to 100/],
    [['--concurrency', '0'], /argument '0' is invalid\. expected a whole number from 1 to 64/],
    [[], /missing required argument 'folder'/],
  ])('exits 2 on the command line %j', async (args, stderr) => {
    const result = await vigilEval(args.length > 0 ? [dir, ...args] : []);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(stderr);
    expect(result.stdout).toBe('');
  });
});
