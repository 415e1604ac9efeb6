/**
 * Lambda's `FunctionConfiguration` and `FunctionEventInvokeConfig`, built from a deployed
 * function's row, or from a config-file function's settings (shown, read-only).
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { functionArn, type ResolvedFunction } from '../functions/index.js';
import type { Scope } from './names.js';
import type { EventInvokeConfig, StoredFunction } from './types.js';

/** Lambda's timestamp form: `2024-01-31T12:00:00.000+0000`. */
export function lambdaTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('Z', '+0000');
}

export function configurationOf(fn: StoredFunction, scope: Scope): Record<string, unknown> {
  const s = fn.settings;
  return {
    FunctionName: fn.name,
    FunctionArn: functionArn(scope, fn.name),
    Runtime: s.runtime,
    Role: s.role,
    Handler: s.handler,
    CodeSize: fn.codeSize,
    Description: s.description,
    Timeout: s.timeout,
    MemorySize: s.memorySize,
    LastModified: lambdaTime(fn.lastModified),
    CodeSha256: fn.codeSha256,
    Version: '$LATEST',
    ...(Object.keys(s.environment).length > 0 ? { Environment: { Variables: s.environment } } : {}),
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: fn.revisionId,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: [s.architecture],
    EphemeralStorage: { Size: 512 },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${fn.name}` },
  };
}

/**
 * A config-file (or built-in) function, in the same shape. Its code is the module file:
 * CodeSha256 and CodeSize are the file's, LastModified its modification time.
 */
export function configFileConfiguration(
  fn: ResolvedFunction,
  scope: Scope,
  revisionId: string,
): Record<string, unknown> {
  let code = { size: 0, sha256: '', modified: 0 };
  let handler = `${fn.name}.${fn.handler}`;
  if (!fn.inline) {
    try {
      const path = fileURLToPath(fn.moduleUrl);
      const bytes = readFileSync(path);
      code = {
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('base64'),
        modified: statSync(path).mtimeMs,
      };
      handler = `${basename(path).replace(/\.[cm]?[jt]s$/, '')}.${fn.handler}`;
    } catch {
      // A module that is gone: shown without code details; invoking it reports the error.
    }
  }
  return {
    FunctionName: fn.name,
    FunctionArn: functionArn(scope, fn.name),
    Runtime: `nodejs${process.versions.node.split('.')[0]}.x`,
    ...(fn.role ? { Role: fn.role } : {}),
    Handler: handler,
    CodeSize: code.size,
    Description: fn.inline ? 'Built into Vigil' : "Declared in Vigil's config file",
    Timeout: fn.timeoutSeconds,
    MemorySize: fn.memoryMb,
    LastModified: lambdaTime(Math.floor(code.modified)),
    CodeSha256: code.sha256,
    Version: '$LATEST',
    ...(Object.keys(fn.environment).length > 0
      ? { Environment: { Variables: fn.environment } }
      : {}),
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: revisionId,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: ['x86_64'],
    EphemeralStorage: { Size: 512 },
    LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${fn.name}` },
  };
}

export function eventInvokeConfigOf(
  name: string,
  config: EventInvokeConfig,
  scope: Scope,
): Record<string, unknown> {
  return {
    LastModified: config.lastModified / 1000,
    FunctionArn: `${functionArn(scope, name)}:$LATEST`,
    ...(config.maximumRetryAttempts !== undefined
      ? { MaximumRetryAttempts: config.maximumRetryAttempts }
      : {}),
    ...(config.maximumEventAgeInSeconds !== undefined
      ? { MaximumEventAgeInSeconds: config.maximumEventAgeInSeconds }
      : {}),
    DestinationConfig: {
      OnSuccess: {},
      OnFailure: config.onFailure ? { Destination: config.onFailure } : {},
    },
  };
}
