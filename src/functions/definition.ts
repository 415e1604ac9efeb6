import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FunctionDefinition, ResolvedFunction } from './types.js';

/** Lambda's documented retry schedule for function errors: 1 minute, then 2 minutes. */
export const LAMBDA_RETRY_DELAYS_SECONDS: readonly number[] = [60, 120];

export const FUNCTION_DEFAULTS = {
  handler: 'handler',
  timeoutSeconds: 3,
  memoryMb: 128,
  reservedConcurrency: 1,
  maximumRetryAttempts: 2,
  maximumEventAgeSeconds: 21_600,
} as const;

/** A function definition that cannot run, naming the field and what it needs. */
export class FunctionConfigError extends Error {
  constructor(
    readonly functionName: string,
    readonly field: string,
    expected: string,
  ) {
    super(`function ${functionName}: ${field}: expected ${expected}`);
    this.name = 'FunctionConfigError';
  }
}

/** Variables the Lambda runtime sets itself; a function's configuration cannot set them. */
export const RESERVED_ENVIRONMENT: ReadonlySet<string> = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
  'TZ',
]);

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
/** Lambda's pattern for a role: `arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+`. */
export const ROLE_ARN = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;

/**
 * Applies defaults and checks ranges (Lambda's, where Lambda has one).
 *
 * @example
 * resolveDefinition({ name: 'thumbnailer', module: '/srv/fns/thumb.mjs' }).timeoutSeconds; // 3
 */
export function resolveDefinition(
  definition: FunctionDefinition,
  defaultRetryDelaysSeconds: readonly number[] = LAMBDA_RETRY_DELAYS_SECONDS,
): ResolvedFunction {
  const name = definition.name;
  const fail = (field: string, expected: string): never => {
    throw new FunctionConfigError(name, field, expected);
  };
  if (!NAME.test(name)) fail('name', '1-64 letters, digits, hyphens or underscores');
  const integer = (field: keyof FunctionDefinition, min: number, max: number, value: number) => {
    if (!Number.isInteger(value) || value < min || value > max)
      fail(field, `an integer from ${min} to ${max}`);
    return value;
  };
  const handler = definition.handler ?? FUNCTION_DEFAULTS.handler;
  if (!IDENTIFIER.test(handler)) fail('handler', 'the name of an exported function');
  const delays = definition.retryDelaysSeconds ?? defaultRetryDelaysSeconds;
  if (delays.length === 0 || delays.some((d) => !Number.isFinite(d) || d < 0 || d > 21_600))
    fail('retryDelaysSeconds', 'one or more delays from 0 to 21600 seconds');
  const environment = definition.environment ?? {};
  for (const [key, value] of Object.entries(environment)) {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(key) || typeof value !== 'string')
      fail(`environment.${key}`, 'a string under a name of letters, digits and underscores');
    if (RESERVED_ENVIRONMENT.has(key))
      fail(`environment.${key}`, 'a name Lambda does not reserve for its runtime');
  }
  if (definition.onFailure !== undefined && !/^[A-Za-z0-9_-]{1,80}$/.test(definition.onFailure))
    fail('onFailure', 'the name of a Vigil queue');
  if (definition.role !== undefined && !ROLE_ARN.test(definition.role))
    fail('role', 'an IAM role ARN, arn:aws:iam::<account>:role/<name>');
  if (definition.codeRoot !== undefined && !isAbsolute(definition.codeRoot))
    fail('codeRoot', 'an absolute path');
  return {
    name,
    moduleUrl: definition.inline ? `vigil:inline/${name}` : moduleUrl(definition.module, fail),
    ...(definition.inline ? { inline: definition.inline } : {}),
    handler,
    timeoutSeconds: integer(
      'timeoutSeconds',
      1,
      900,
      definition.timeoutSeconds ?? FUNCTION_DEFAULTS.timeoutSeconds,
    ),
    memoryMb: integer('memoryMb', 128, 10_240, definition.memoryMb ?? FUNCTION_DEFAULTS.memoryMb),
    reservedConcurrency: integer(
      'reservedConcurrency',
      1,
      1000,
      definition.reservedConcurrency ?? FUNCTION_DEFAULTS.reservedConcurrency,
    ),
    environment: { ...environment },
    maximumRetryAttempts: integer(
      'maximumRetryAttempts',
      0,
      2,
      definition.maximumRetryAttempts ?? FUNCTION_DEFAULTS.maximumRetryAttempts,
    ),
    maximumEventAgeSeconds: integer(
      'maximumEventAgeSeconds',
      60,
      21_600,
      definition.maximumEventAgeSeconds ?? FUNCTION_DEFAULTS.maximumEventAgeSeconds,
    ),
    onFailure: definition.onFailure,
    retryDelaysSeconds: [...delays],
    recursiveLoop: definition.recursiveLoop ?? 'Terminate',
    ...(definition.role !== undefined ? { role: definition.role } : {}),
    ...(definition.codeRoot !== undefined ? { codeRoot: definition.codeRoot } : {}),
  };
}

function moduleUrl(module: string, fail: (field: string, expected: string) => never): string {
  if (module.startsWith('file:')) return module;
  if (!isAbsolute(module)) fail('module', 'an absolute path or a file: URL');
  return pathToFileURL(module).href;
}

/** The wait before the retry that follows failed attempt `attempt` (from 1), in ms. */
export function retryDelayMs(fn: ResolvedFunction, attempt: number): number {
  const delays = fn.retryDelaysSeconds;
  return Math.round(delays[Math.min(attempt - 1, delays.length - 1)]! * 1000);
}
