import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ENV_NAMES, METRICS_TOKEN_ENV, configSchema, type VigilConfig } from './schema.js';

/** A configuration problem, naming the field (and the flag or variable it came from) and the fix. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Source = Partial<Record<keyof VigilConfig, unknown>>;

/** A JSON config file's parsed content, and where it came from (for error messages). */
export interface ConfigFile {
  path: string;
  values: Record<string, unknown>;
}

/**
 * Reads a JSON config file.
 *
 * @throws ConfigError when it cannot be read, is not JSON, or is not a JSON object.
 */
export function readConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read config file ${path}: ${(error as Error).message}`);
  }
  let values: unknown;
  try {
    values = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`Config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof values !== 'object' || values === null || Array.isArray(values))
    throw new ConfigError(`Config file ${path} must hold a JSON object`);
  return { path, values: values as Record<string, unknown> };
}

/**
 * Resolves the configuration: command-line flags win over environment variables, which win
 * over the config file, which wins over defaults. Errors name the field and where its value
 * came from.
 */
export function loadConfig(
  flags: Source,
  env: NodeJS.ProcessEnv = process.env,
  file?: ConfigFile,
): VigilConfig {
  const merged: Source = {};
  const origin: Partial<Record<keyof VigilConfig, string>> = {};
  for (const [field, value] of Object.entries(file?.values ?? {})) {
    merged[field as keyof VigilConfig] = value;
    origin[field as keyof VigilConfig] = `config file ${file!.path}`;
  }
  for (const [field, name] of Object.entries(ENV_NAMES) as [keyof VigilConfig, string][]) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    merged[field] =
      field === 'domains'
        ? value.split(',').map((d) => d.trim())
        : field === 'fsync'
          ? parseBool(name, value)
          : value;
    origin[field] = `environment variable ${name}`;
  }
  // A field inside a section: the variable replaces the section's token and token file.
  const metricsToken = env[METRICS_TOKEN_ENV];
  if (metricsToken) {
    merged.metrics = { bearerToken: metricsToken };
    origin.metrics = `environment variable ${METRICS_TOKEN_ENV}`;
  }
  for (const [field, value] of Object.entries(flags) as [keyof VigilConfig, unknown][]) {
    if (value === undefined) continue;
    merged[field] = value;
    origin[field] = `option --${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? '');
    const path = issue.path
      .map((part, i) =>
        typeof part === 'number' ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`,
      )
      .join('');
    const from =
      origin[field as keyof VigilConfig] ?? (file ? `config file ${file.path}` : 'configuration');
    throw new ConfigError(`Invalid ${path || field} (from ${from}): ${issue.message}`);
  }
  const config = parsed.data;
  // Files named in a config file (function modules, model and labels files) are relative to
  // that file, not to the cwd.
  if (file) {
    const here = dirname(file.path);
    config.functions = config.functions.map((f) => ({ ...f, module: resolve(here, f.module) }));
    for (const user of config.iam.users)
      for (const key of user.accessKeys)
        if (key.secretAccessKeyFile)
          key.secretAccessKeyFile = resolve(here, key.secretAccessKeyFile);
    if (config.metrics.bearerTokenFile)
      config.metrics.bearerTokenFile = resolve(here, config.metrics.bearerTokenFile);
    config.moderation.models = config.moderation.models.map((m) => ({
      ...m,
      file: resolve(here, m.file),
      labels: resolve(here, m.labels),
    }));
  }
  if ((config.accessKeyId === undefined) !== (config.secretAccessKey === undefined)) {
    throw new ConfigError(
      'Set both VIGIL_ACCESS_KEY_ID and VIGIL_SECRET_ACCESS_KEY, or neither (Vigil then generates a key pair on first start).',
    );
  }
  return config;
}

function parseBool(name: string, value: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(`Invalid ${name}: expected true or false, got '${value}'`);
}
