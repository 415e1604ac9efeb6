/**
 * A function's settings from CreateFunction and UpdateFunctionConfiguration: Lambda's
 * members, constraints and defaults, and the Node.js runtimes Vigil runs.
 */
import { RESERVED_ENVIRONMENT, ROLE_ARN } from '../functions/index.js';
import { constraintError, invalidParameter, roleNotAssumable } from './errors.js';
import {
  checkPattern,
  optionalInteger,
  optionalObject,
  optionalString,
  type Input,
} from './input.js';
import type { FunctionSettings, RoleDirectory } from './types.js';

/** The runtimes Vigil runs: Lambda's supported Node.js ones. */
export const RUNTIMES = ['nodejs20.x', 'nodejs22.x', 'nodejs24.x'] as const;
/** Lambda's limit on a function's environment variables: 4 KB in all. */
const MAX_ENVIRONMENT_BYTES = 4096;
const ENVIRONMENT_KEY = /^[a-zA-Z]([a-zA-Z0-9_])+$/;

/** Members that change a function's behaviour in ways Vigil does not implement. */
const UNSUPPORTED: Record<string, string> = {
  Layers: 'layers',
  VpcConfig: 'VPC configuration',
  FileSystemConfigs: 'file systems',
  ImageConfig: 'container images',
  KMSKeyArn: 'customer managed KMS keys',
  DeadLetterConfig:
    'dead-letter queues (use PutFunctionEventInvokeConfig with an on-failure queue)',
  CodeSigningConfigArn: 'code signing',
};

export const DEFAULT_SETTINGS = { timeout: 3, memorySize: 128, description: '' } as const;

/**
 * Settings from a request: CreateFunction's (`current` undefined: required members and
 * defaults) or UpdateFunctionConfiguration's (members absent keep `current`'s values).
 */
export function readSettings(
  input: Input,
  roles: RoleDirectory,
  current?: FunctionSettings,
): FunctionSettings {
  for (const [member, what] of Object.entries(UNSUPPORTED)) {
    const value = input[member];
    const empty =
      value === undefined ||
      value === null ||
      (Array.isArray(value) && value.length === 0) ||
      (typeof value === 'object' && Object.values(value).every((v) => isEmpty(v)));
    if (!empty)
      throw invalidParameter(`Vigil does not support ${what}: send ${member} empty or not at all.`);
  }
  const runtime = optionalString(input, 'Runtime') ?? current?.runtime;
  const handler = optionalString(input, 'Handler') ?? current?.handler;
  if (runtime === undefined || handler === undefined)
    throw invalidParameter(
      'Runtime and Handler are mandatory parameters for functions created with deployment packages.',
    );
  if (!(RUNTIMES as readonly string[]).includes(runtime))
    throw invalidParameter(
      `The runtime parameter of ${runtime} is not supported by Vigil, which runs Node.js functions: ${RUNTIMES.join(', ')}.`,
    );
  parseHandler(handler);
  const role = readRole(input, roles, current?.role);
  const description = optionalString(input, 'Description') ?? current?.description ?? '';
  if (description.length > 256)
    throw constraintError(
      'description',
      description,
      'Member must have length less than or equal to 256',
    );
  return {
    runtime,
    role,
    handler,
    description,
    timeout:
      optionalInteger(input, 'Timeout', 'timeout', 1, 900) ??
      current?.timeout ??
      DEFAULT_SETTINGS.timeout,
    memorySize:
      optionalInteger(input, 'MemorySize', 'memorySize', 128, 10_240) ??
      current?.memorySize ??
      DEFAULT_SETTINGS.memorySize,
    environment: readEnvironment(input) ?? current?.environment ?? {},
    architecture: readArchitecture(input) ?? current?.architecture ?? 'x86_64',
  };
}

function isEmpty(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    (Array.isArray(value) && value.length === 0) ||
    value === ''
  );
}

function readRole(input: Input, roles: RoleDirectory, current: string | undefined): string {
  const given = optionalString(input, 'Role');
  if (given === undefined) {
    if (current !== undefined) return current;
    throw constraintError('role', null, 'Member must not be null');
  }
  checkPattern('role', given, ROLE_ARN, 2048);
  if (!roles.exists(given)) throw roleNotAssumable();
  return given;
}

function readEnvironment(input: Input): Record<string, string> | undefined {
  const environment = optionalObject(input, 'Environment');
  if (!environment) return undefined;
  const variables = optionalObject(environment, 'Variables') ?? {};
  const result: Record<string, string> = {};
  const reserved: string[] = [];
  for (const [key, value] of Object.entries(variables)) {
    if (!ENVIRONMENT_KEY.test(key))
      throw invalidParameter(
        `Lambda was unable to configure your environment variables because the environment variables you have provided contains invalid keys. Invalid keys: ${key}`,
      );
    if (typeof value !== 'string')
      throw invalidParameter(`Environment variable ${key} must be a string.`);
    if (RESERVED_ENVIRONMENT.has(key)) reserved.push(key);
    result[key] = value;
  }
  if (reserved.length > 0)
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    );
  const size = Buffer.byteLength(JSON.stringify(result));
  if (size > MAX_ENVIRONMENT_BYTES)
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${size} bytes`,
    );
  return result;
}

/** `Architectures`: one of `x86_64` (the default) and `arm64`; Vigil runs either on its host. */
export function readArchitecture(input: Input): 'x86_64' | 'arm64' | undefined {
  const value = input['Architectures'];
  if (value === undefined || value === null) return undefined;
  const first: unknown = Array.isArray(value) && value.length === 1 ? value[0] : undefined;
  if (first !== 'x86_64' && first !== 'arm64')
    throw constraintError(
      'architectures',
      JSON.stringify(value),
      'Member must have length less than or equal to 1, and each member must satisfy enum value set: [x86_64, arm64]',
    );
  return first;
}

/**
 * A Node.js handler string, split as the Node.js runtime splits it: the module path up to
 * the first `.` after its last `/`, then the export (`src/app.handler` → `src/app`,
 * `handler`). The path must stay inside the package.
 */
export function parseHandler(handler: string): { modulePath: string; exportName: string } {
  checkPattern('handler', handler, /^[^\s]+$/, 128);
  const slash = handler.lastIndexOf('/');
  const dot = handler.indexOf('.', slash + 1);
  const modulePath = dot < 0 ? '' : handler.slice(0, dot);
  const exportName = dot < 0 ? '' : handler.slice(dot + 1);
  const segments = modulePath.split('/');
  if (
    modulePath === '' ||
    !/^[A-Za-z_$][\w$]*$/.test(exportName) ||
    segments.some((s) => s === '' || s === '.' || s === '..')
  )
    throw invalidParameter(
      `Handler ${handler} is not <file path>.<export>: Vigil takes a module path inside the package (no ".." or leading "/") and one exported function name, e.g. index.handler or src/app.handler.`,
    );
  return { modulePath, exportName };
}
