/**
 * The local backend with user models: real workers, real ONNX Runtime inference on tiny
 * colour classifiers the test builds (tiny-model.test-helper.ts), in three declarations —
 * NCHW at 224×224 (the bundled models' frames), NHWC in BGR order, and a 96×64 input.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalModerator, type LocalModerator, type ModerationResult } from '../index.js';
import { prepareCustomModels } from './prepare.js';
import { loadCustomModel } from './runner.js';
import { customModelsSchema, type CustomModelConfig } from './schema.js';
import { BLUE, GREY, RED, solid, widgetsModel, writeTinyModel } from './tiny-model.test-helper.js';

let dir: string;
let moderator: LocalModerator;

function declare(entries: unknown[]): CustomModelConfig[] {
  return customModelsSchema.parse(entries);
}

const chains = (result: ModerationResult) =>
  result.ModerationLabels.map((l) => [l.Name, l.ParentName, l.TaxonomyLevel]);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-custom-'));
  const square = await writeTinyModel(dir, 'square');
  const nhwc = await writeTinyModel(dir, 'nhwc', {
    layout: 'nhwc',
    channels: 'bgr',
    softmax: false,
  });
  const small = await writeTinyModel(dir, 'small', { width: 96, height: 64 });
  moderator = await createLocalModerator({
    workers: 1,
    customModels: declare([
      widgetsModel(square),
      {
        name: 'widgets-nhwc',
        ...nhwc,
        inputSize: [224, 224],
        layout: 'nhwc',
        channels: 'bgr',
        normalisation: 'zero-one',
        output: 'logits',
        map: { red_widget: { label: 'Red Widget (NHWC)', parent: 'Widgets' } },
      },
      {
        name: 'widgets-small',
        ...small,
        inputSize: [96, 64],
        normalisation: { scale: 1 / 255 },
        output: 'probabilities',
        map: { blue_widget: { label: 'Blue Widget (96×64)', parent: 'Widgets' } },
      },
    ]),
  });
});

afterAll(async () => {
  await moderator?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('user models in the local backend', () => {
  it('names every model in ModerationModelVersion, with a fingerprint of its file', async () => {
    const result = await moderator.detectModerationLabels(await solid(GREY));
    expect(result.ModerationModelVersion).toMatch(
      /\+imagenet-mobilenetv2-12-int8\+custom:widgets@[0-9a-f]{8}\+custom:widgets-nhwc@[0-9a-f]{8}\+custom:widgets-small@[0-9a-f]{8}$/,
    );
  });

  it('labels a red image Weapons › Violence through the map, and the NHWC/BGR model sees it too', async () => {
    const result = await moderator.detectModerationLabels(await solid(RED), { minConfidence: 80 });
    expect(chains(result)).toEqual(
      expect.arrayContaining([
        ['Weapons', 'Violence', 2],
        ['Violence', '', 1],
        ['Red Widget (NHWC)', 'Widgets', 2],
        ['Widgets', '', 1],
      ]),
    );
    const weapons = result.ModerationLabels.find((l) => l.Name === 'Weapons')!;
    expect(weapons.Confidence).toBeGreaterThan(97);
    expect(result.ModerationLabels.map((l) => l.Name)).not.toContain('Company Logo');
  });

  it('labels a blue image with user labels, from the 224 px model and the 96×64 one', async () => {
    const result = await moderator.detectModerationLabels(await solid(BLUE), { minConfidence: 80 });
    expect(chains(result)).toEqual(
      expect.arrayContaining([
        ['Company Logo', 'Brand', 2],
        ['Brand', '', 1],
        ['Blue Widget (96×64)', 'Widgets', 2],
        ['Widgets', '', 1],
      ]),
    );
    expect(result.ModerationLabels.map((l) => l.Name)).not.toContain('Weapons');
  });

  it('gives a grey image no label of its own models', async () => {
    const result = await moderator.detectModerationLabels(await solid(GREY), { minConfidence: 50 });
    expect(result.ModerationLabels).toEqual([]);
    const all = await moderator.detectModerationLabels(await solid(GREY), { minConfidence: 0 });
    expect(all.ModerationLabels.find((l) => l.Name === 'Company Logo')?.Confidence).toBeLessThan(
      15,
    );
  });
});

describe('a model that does not match its declaration', () => {
  const base = (file: string, labels: string, extra: object = {}) =>
    declare([{ ...widgetsModel({ file, labels }, { red_widget: 'Weapons' }), ...extra }]);

  it('fails with the labels file and both counts when its lines do not match the output', async () => {
    const { file, labels } = await writeTinyModel(join(dir), 'four', {}, [
      'red_widget',
      'blue_widget',
      'other',
      'green_widget',
    ]);
    const [prepared] = await prepareCustomModels(base(file, labels));
    await expect(loadCustomModel(prepared!.runtime)).rejects.toThrow(
      `Custom model 'widgets' (${file}): its output has 3 values but its labels file ${labels} has 4 lines`,
    );
  });

  it('fails on a declared input size or layout the model does not have', async () => {
    const { file, labels } = await writeTinyModel(dir, 'wide', { width: 96, height: 64 });
    const [prepared] = await prepareCustomModels(base(file, labels, { inputSize: [64, 96] }));
    await expect(loadCustomModel(prepared!.runtime)).rejects.toThrow(
      /its input is \[batch, 3, 64, 96\] but the config declares nchw 64×96, i\.e\. \[1, 3, 96, 64\]/,
    );
  });

  it('fails when an output declared as probabilities is logits', async () => {
    const { file, labels } = await writeTinyModel(dir, 'logits', { softmax: false });
    const [prepared] = await prepareCustomModels(base(file, labels));
    await expect(loadCustomModel(prepared!.runtime)).rejects.toThrow(/set "output" to "logits"/);
  });

  it('fails on a file that is not a model, or missing, naming the model and the file', async () => {
    const bogus = join(dir, 'bogus.onnx');
    await writeFile(bogus, 'not a model');
    const { labels } = await writeTinyModel(dir, 'for-bogus');
    const [prepared] = await prepareCustomModels(base(bogus, labels));
    await expect(loadCustomModel(prepared!.runtime)).rejects.toThrow(
      `Custom model 'widgets' (${bogus}): ONNX Runtime cannot load it`,
    );
    await expect(prepareCustomModels(base(join(dir, 'missing.onnx'), labels))).rejects.toThrow(
      `Custom model 'widgets': cannot read its model file ${join(dir, 'missing.onnx')}`,
    );
  });

  it('fails the backend start, in the worker, with the same message', async () => {
    const { file, labels } = await writeTinyModel(dir, 'five', {}, [
      'a',
      'b',
      'c',
      'd',
      'red_widget',
    ]);
    await expect(
      createLocalModerator({ workers: 1, customModels: base(file, labels) }),
    ).rejects.toThrow(/Custom model 'widgets' .*has 3 values but its labels file .* has 5 lines/);
  });
});
