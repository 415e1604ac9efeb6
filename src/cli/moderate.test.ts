import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { customModelSchema } from '../moderation/custom/index.js';
import {
  RED,
  solid,
  widgetsModel,
  writeTinyModel,
} from '../moderation/custom/tiny-model.test-helper.js';
import { EXIT_CLEAN, EXIT_ERROR, EXIT_FLAGGED, moderateFiles } from './moderate.js';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../test/fixtures/images/${name}`, import.meta.url));

async function run(paths: string[], options: Parameters<typeof moderateFiles>[1]) {
  let out = '';
  const code = await moderateFiles(paths, options, (s) => (out += s));
  return { code, out };
}

describe('vigil moderate', () => {
  it('prints a table of labels and content types with the model version; exit 1 when flagged', async () => {
    const files = ['flagged-porn.jpg', 'clean-landscape.png'].map(fixture);
    const { code, out } = await run(files, { json: false });
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^FILE\s+LABELS\s+CONTENT TYPES$/);
    expect(lines[1]).toMatch(
      /flagged-porn\.jpg\s+Explicit \d+\.\d% › Explicit Nudity \d+\.\d%\s+-$/,
    );
    expect(lines[2]).toMatch(/clean-landscape\.png\s+-\s+Illustrated \d+\.\d%$/);
    expect(lines[3]).toMatch(
      /^Model vigil-nsfwjs-mobilenetv2-\d+\.\d+\.\d+\+imagenet-mobilenetv2-12-int8, MinConfidence 50$/,
    );
    expect(lines).toHaveLength(4);
    expect(code).toBe(EXIT_FLAGGED);
  });

  it('prints JSON per file, errors with their code; exit 2 when a file was not judged', async () => {
    const files = ['flagged-sexy.jpg', 'too-small.jpg', 'corrupt.jpg', 'missing.jpg'].map(fixture);
    const { code, out } = await run(files, { json: true, minConfidence: 0 });
    const parsed = JSON.parse(out) as {
      file: string;
      result?: { ModerationLabels: { Name: string }[]; ModerationModelVersion: string };
      error?: { code: string; message: string; detail?: string };
    }[];
    expect(parsed.map((o) => o.file)).toEqual(files);
    // At MinConfidence 0 every label comes back, the Non-Explicit chain first.
    const names = parsed[0]?.result?.ModerationLabels.map((l) => l.Name) ?? [];
    expect(names.slice(0, 2)).toEqual([
      'Non-Explicit Nudity',
      'Non-Explicit Nudity of Intimate parts and Kissing',
    ]);
    expect(names).toEqual(expect.arrayContaining(['Explicit Nudity', 'Explicit', 'Weapons']));
    expect(parsed[1]?.error).toEqual({
      code: 'InvalidParameterException',
      message: 'Request has invalid parameters.',
      detail: 'The image is 50×50 px; both sides must be at least 80 px.',
    });
    expect(parsed[2]?.error).toMatchObject({
      code: 'InvalidImageFormatException',
      message: 'Request has invalid image format.',
    });
    expect(parsed[3]?.error?.code).toBe('ENOENT');
    expect(code).toBe(EXIT_ERROR);
  });

  it('shows a file’s error in the table with Rekognition’s code and message', async () => {
    const { code, out } = await run([fixture('clean-shapes.jpg'), fixture('corrupt.jpg')], {
      json: false,
      minConfidence: 80,
    });
    const lines = out.trimEnd().split('\n');
    expect(lines[1]).toMatch(/clean-shapes\.jpg\s+-\s+-$/);
    expect(lines[2]).toMatch(
      /corrupt\.jpg\s+InvalidImageFormatException: Request has invalid image format\. Frame 0 could not be decoded: .+/,
    );
    expect(lines[3]).toMatch(/MinConfidence 80$/);
    expect(code).toBe(EXIT_ERROR);
  });

  it('exits 0 when no file is labelled', async () => {
    const { code, out } = await run([fixture('clean-cartoon.png')], { json: true });
    expect(JSON.parse(out)).toEqual([
      {
        file: fixture('clean-cartoon.png'),
        result: {
          ModerationLabels: [],
          ModerationModelVersion: expect.stringMatching(/^vigil-nsfwjs-/) as string,
          ContentTypes: [],
        },
      },
    ]);
    expect(code).toBe(EXIT_CLEAN);
  });

  it('refuses a MinConfidence outside 0–100 before loading the model', async () => {
    const { code, out } = await run([fixture('clean-shapes.jpg')], {
      json: false,
      minConfidence: 150,
    });
    expect(code).toBe(EXIT_ERROR);
    expect(out).toBe('MinConfidence must be a number from 0 to 100; got 150.\n');
  });

  it('gives the same answer from the ONNX model cached in a data directory', async () => {
    const cache = await mkdtemp(join(tmpdir(), 'vigil-moderate-models-'));
    try {
      const files = [fixture('flagged-porn.jpg')];
      const tfjs = await run(files, { json: true, minConfidence: 50 });
      const onnx = await run(files, { json: true, minConfidence: 50, modelCacheDir: cache });
      expect(await readdir(cache)).toEqual([expect.stringMatching(/\.onnx$/)]);
      const labels = (out: string) =>
        (
          JSON.parse(out) as { result: { ModerationLabels: { Name: string }[] } }[]
        )[0]!.result.ModerationLabels.map((l) => l.Name);
      expect(onnx.code).toBe(EXIT_FLAGGED);
      expect(labels(onnx.out)).toEqual(labels(tfjs.out));
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  });

  it("runs the config's own models beside the bundled ones, and names one that cannot load", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-moderate-own-'));
    try {
      const { file, labels } = await writeTinyModel(dir, 'widgets');
      const model = customModelSchema.parse(
        widgetsModel({ file, labels }, { red_widget: 'Weapons' }),
      );
      const red = join(dir, 'red.png');
      await writeFile(red, await solid(RED));
      const { code, out } = await run([red], { json: false, customModels: [model] });
      expect(out).toMatch(/red\.png\s+Violence \d+\.\d% › Weapons \d+\.\d%/);
      expect(out).toMatch(/\+custom:widgets@[0-9a-f]{8}, MinConfidence 50/);
      expect(code).toBe(EXIT_FLAGGED);

      const broken = await run([red], {
        json: false,
        customModels: [{ ...model, file: join(dir, 'missing.onnx') }],
      });
      expect(broken.code).toBe(EXIT_ERROR);
      expect(broken.out).toMatch(/widgets.*missing\.onnx/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
