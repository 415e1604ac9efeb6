import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { WorkerOptions } from 'node:worker_threads';
import { FUNCTION_VERSION } from './log-format.js';
import type { WorkerSetup } from './protocol.js';
import type { ResolvedFunction } from './types.js';

/** Where the functions run: what their ARNs and their AWS SDK configuration point at. */
export interface RuntimeScope {
  region: string;
  accountId: string;
  /** Vigil's base URL (`AWS_ENDPOINT_URL`), or a function giving it once the server listens. */
  endpointUrl: string | (() => string);
  /** Credentials of functions without an execution role. */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /**
   * Temporary credentials of `fn`'s execution role, for one worker thread (a session of the
   * role). Called only for functions with a role.
   *
   * @throws Error when the role does not exist: the function cannot start without it.
   */
  roleCredentials?: (fn: ResolvedFunction) => ExecutionCredentials;
}

/** What a worker thread's SDK clients sign with: a session of the function's role. */
export interface ExecutionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Epoch ms; the thread is replaced before then, so its SDK never sees them expire. */
  expiresAt?: number;
  /** Ends the session once the thread is gone. */
  release?: () => void;
}

export function functionArn(scope: Pick<RuntimeScope, 'region' | 'accountId'>, name: string) {
  return `arn:aws:lambda:${scope.region}:${scope.accountId}:function:${name}`;
}

/** A log stream name in Lambda's form: `2024/01/31/[$LATEST]<32 hex>`, one per worker. */
export function logStreamName(now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[${FUNCTION_VERSION}]${randomBytes(16).toString('hex')}`;
}

/**
 * The environment a handler sees: a clean one (not Vigil's own), with the variables the
 * Lambda runtime defines, SDK settings that point at Vigil, and the function's variables.
 * The function may set `AWS_ENDPOINT_URL` itself, to talk to another endpoint.
 */
export function functionEnvironment(
  fn: ResolvedFunction,
  scope: RuntimeScope,
  stream: string,
  credentials: ExecutionCredentials = scope.credentials,
): Record<string, string> {
  const modulePath = fileURLToPath(fn.moduleUrl);
  const endpoint =
    typeof scope.endpointUrl === 'function' ? scope.endpointUrl() : scope.endpointUrl;
  return {
    PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    // No endpoint: the SDK's own (AWS).
    ...(endpoint ? { AWS_ENDPOINT_URL: endpoint } : {}),
    ...fn.environment,
    _HANDLER: `${handlerModule(fn, modulePath)}.${fn.handler}`,
    AWS_REGION: scope.region,
    AWS_DEFAULT_REGION: scope.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${process.versions.node.split('.')[0]}.x`,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: FUNCTION_VERSION,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: stream,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
    LAMBDA_TASK_ROOT: fn.codeRoot ?? dirname(modulePath),
  };
}

/** The module part of `_HANDLER`: its path from the code root, without the extension. */
function handlerModule(fn: ResolvedFunction, modulePath: string): string {
  const path = fn.codeRoot ? relative(fn.codeRoot, modulePath) : basename(modulePath);
  return path
    .split(sep)
    .join('/')
    .replace(/\.[cm]?[jt]s$/, '');
}

export interface WorkerSpawn {
  filename: string | URL;
  options: WorkerOptions;
}

/** How to start one worker thread of `fn`, signing with `credentials` (default: the scope's). */
export function workerSpawn(
  fn: ResolvedFunction,
  scope: RuntimeScope,
  credentials?: ExecutionCredentials,
): WorkerSpawn {
  const stream = logStreamName();
  const setup: WorkerSetup = {
    moduleUrl: fn.moduleUrl,
    handler: fn.handler,
    functionName: fn.name,
    invokedFunctionArn: functionArn(scope, fn.name),
    memoryMb: fn.memoryMb,
    logGroupName: `/aws/lambda/${fn.name}`,
    logStreamName: stream,
  };
  const entry = workerEntry();
  return {
    filename: entry.filename,
    options: {
      eval: entry.eval,
      workerData: setup,
      env: functionEnvironment(fn, scope, stream, credentials),
      // Not Vigil's own flags; handler output is captured through console, not stdio.
      execArgv: [],
      stdout: true,
      stderr: true,
    },
  };
}

let entry: { filename: string | URL; eval: boolean } | undefined;

/**
 * The worker's entry module. Built Vigil runs `worker-main.js` beside this file. When Vigil
 * runs from its TypeScript sources (tests), the worker first registers tsx's loader — the
 * project's dev dependency — so it can load `worker-main.ts`.
 */
function workerEntry(): { filename: string | URL; eval: boolean } {
  if (entry) return entry;
  const here = import.meta.url;
  if (!here.endsWith('.ts')) {
    entry = { filename: new URL('./worker-main.js', here), eval: false };
    return entry;
  }
  const require = createRequire(here);
  const manifestPath = require.resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  const api = pathToFileURL(
    join(dirname(manifestPath), manifest.exports['./esm/api']!.import.default),
  ).href;
  const main = new URL('./worker-main.ts', here).href;
  entry = {
    filename: `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(main)}); });`,
    eval: true,
  };
  return entry;
}
