/**
 * What the CDK app deploys, read from CDK context (`-c key=value` on the command line, or
 * `context` in cdk.json) and checked before anything is built: errors name the context key
 * and what it expects.
 */
import {
  PipelineConfigError,
  resolvePipelineSettings,
  type PipelineSettings,
} from '../../src/pipeline/index.js';

/** The context keys the app reads. */
export const CONTEXT = {
  bucketName: 'bucketName',
  prefix: 'prefix',
  suffix: 'suffix',
  versioned: 'versioned',
  reportsUrlSecret: 'reportsUrlSecret',
  moderation: 'moderation',
} as const;

/** Vigil's seed scenario: JPEG uploads under `content/images/`. */
export const DEFAULT_PREFIX = 'content/images/';
export const DEFAULT_SUFFIX = '.jpg';

export interface Uploads {
  /** An existing bucket to watch; when absent the stack creates one. */
  bucketName?: string;
  /** The notification's key filter, and the scope of the function's object permissions. */
  prefix: string;
  suffix: string;
  /**
   * The bucket keeps versions (enabled or suspended): events then carry a `versionId`, which
   * the pipeline passes on every S3 call, and those calls need the `…Version…` actions.
   */
  versioned: boolean;
}

export interface Deployment {
  uploads: Uploads;
  /**
   * Name or ARN of a Secrets Manager secret whose value is the reporting database's
   * `postgres://` URL. CloudFormation resolves it at deploy time into
   * `MODERATION_REPORTS_URL`; the function itself never reads Secrets Manager.
   */
  reportsUrlSecret: string;
  /** The pipeline's settings; `reviewQueue` is the stack's own queue and cannot be set. */
  settings: PipelineSettings;
}

/** A context value that cannot be used, naming the key. */
export class DeploymentContextError extends Error {
  override readonly name = 'DeploymentContextError';
}

/**
 * Reads and checks the deployment from context.
 *
 * @example
 * const deployment = deploymentFromContext((key) => app.node.tryGetContext(key));
 * deployment.uploads.prefix // 'content/images/' unless `-c prefix=…`
 * @throws DeploymentContextError naming the key, e.g. `prefix: …`.
 */
export function deploymentFromContext(context: (key: string) => unknown): Deployment {
  const bucketName = optionalText(context, CONTEXT.bucketName);
  if (bucketName !== undefined && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucketName))
    throw new DeploymentContextError(
      `${CONTEXT.bucketName}: expected an S3 bucket name (3-63 lower-case letters, digits, '.' and '-'), got "${bucketName}"`,
    );
  const prefix = keyFilter(context, CONTEXT.prefix, DEFAULT_PREFIX);
  const suffix = keyFilter(context, CONTEXT.suffix, DEFAULT_SUFFIX);
  const reportsUrlSecret = optionalText(context, CONTEXT.reportsUrlSecret);
  if (reportsUrlSecret === undefined)
    throw new DeploymentContextError(
      `${CONTEXT.reportsUrlSecret}: expected the name or ARN of a Secrets Manager secret holding the reporting database's postgres:// URL (-c ${CONTEXT.reportsUrlSecret}=vigil/reports-url)`,
    );
  return {
    uploads: {
      ...(bucketName !== undefined ? { bucketName } : {}),
      prefix,
      suffix,
      versioned: flag(context, CONTEXT.versioned),
    },
    reportsUrlSecret,
    settings: moderationSettings(context(CONTEXT.moderation)),
  };
}

function optionalText(context: (key: string) => unknown, key: string): string | undefined {
  const value = context(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string')
    throw new DeploymentContextError(`${key}: expected text, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * A key prefix or suffix. It becomes part of an IAM resource ARN, where `*` and `?` are
 * wildcards and `${…}` a policy variable: keys with those characters are refused rather
 * than granted more widely than the notification fires.
 */
function keyFilter(context: (key: string) => unknown, key: string, fallback: string): string {
  const value = context(key);
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string')
    throw new DeploymentContextError(`${key}: expected text, got ${JSON.stringify(value)}`);
  if (/[*?$]/.test(value))
    throw new DeploymentContextError(
      `${key}: "${value}" contains *, ? or $, which IAM reads as a wildcard or a policy variable`,
    );
  if (value.length > 1024)
    throw new DeploymentContextError(`${key}: expected at most 1024 characters (an S3 key)`);
  return value;
}

function flag(context: (key: string) => unknown, key: string): boolean {
  const value = context(key);
  if (value === undefined || value === null || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  throw new DeploymentContextError(`${key}: expected true or false, got ${JSON.stringify(value)}`);
}

/** The `moderation` context: the pipeline's settings as an object (cdk.json) or JSON text (-c). */
function moderationSettings(value: unknown): PipelineSettings {
  let input: unknown = value ?? {};
  if (typeof input === 'string') {
    try {
      input = JSON.parse(input) as unknown;
    } catch {
      throw new DeploymentContextError(
        `${CONTEXT.moderation}: expected JSON, e.g. {"minConfidence": 90, "cleanTag": true}`,
      );
    }
  }
  if (typeof input === 'object' && input !== null && 'reviewQueue' in input)
    throw new DeploymentContextError(
      `${CONTEXT.moderation}.reviewQueue: the review queue is the stack's own; leave it out`,
    );
  try {
    return resolvePipelineSettings(input, CONTEXT.moderation);
  } catch (error) {
    if (error instanceof PipelineConfigError) throw new DeploymentContextError(error.message);
    throw error;
  }
}
