/**
 * The main thread's half of loading a user's models: read each labels file, check the map
 * against it, and fingerprint the model file for `ModerationModelVersion`. The model itself is
 * loaded by every worker (runner.ts), which checks its input and output against this.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { userLabels } from './label-chain.js';
import { modelMapping, type ModelMapping } from './mapping.js';
import { mapTarget, type CustomModelConfig, type OutputKind } from './schema.js';
import { inputSpec, type ModelInputSpec } from './tensors.js';

/** What a model worker needs to run one user model (structured-cloneable). */
export interface CustomModelRuntime extends ModelInputSpec {
  name: string;
  file: string;
  labelsFile: string;
  /** Lines of the labels file: the output size the model must have. */
  classes: number;
  output: OutputKind;
}

export interface PreparedModel {
  runtime: CustomModelRuntime;
  mapping: ModelMapping;
  /** Its part of ModerationModelVersion: `custom:<name>@<first 8 hex of the file's SHA-256>`. */
  version: string;
}

/** One class name per line, trimmed; a final empty line is the file's last newline. */
export function parseLabels(text: string): string[] {
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

async function read(model: string, what: string, file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new Error(
      `Custom model '${model}': cannot read its ${what} ${file}: ${(error as Error).message}`,
    );
  }
}

/**
 * Reads what the main thread needs of each declared model.
 *
 * @throws Error naming the model and the file when a file cannot be read or the map names a
 * class its labels file lacks.
 */
export async function prepareCustomModels(
  configs: readonly CustomModelConfig[],
): Promise<PreparedModel[]> {
  const { labels: user } = userLabels(
    configs.flatMap((c) =>
      Object.values(c.map).map((entry) => ({ at: c.name, target: mapTarget(entry) })),
    ),
  );
  return Promise.all(
    configs.map(async (config) => {
      const [model, labelsText] = await Promise.all([
        read(config.name, 'model file', config.file),
        read(config.name, 'labels file', config.labels),
      ]);
      const classNames = parseLabels(labelsText.toString('utf8'));
      if (classNames.length === 0)
        throw new Error(`Custom model '${config.name}': its labels file ${config.labels} is empty`);
      const sha = createHash('sha256').update(model).digest('hex').slice(0, 8);
      return {
        runtime: {
          ...inputSpec(config),
          name: config.name,
          file: config.file,
          labelsFile: config.labels,
          classes: classNames.length,
          output: config.output,
        },
        mapping: modelMapping(config, classNames, user),
        version: `custom:${config.name}@${sha}`,
      };
    }),
  );
}
