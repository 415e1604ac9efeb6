/**
 * The contract of Vigil's Lambda API: functions deployed at run time through Lambda's
 * REST-JSON API (`aws lambda …`, `@aws-sdk/client-lambda`), stored in vigil.db and run by
 * the function runtime next to the config file's functions.
 */

/** Which IAM roles exist: CreateFunction refuses a role Lambda could not assume. */
export interface RoleDirectory {
  exists(roleArn: string): boolean;
}

/** Settings of a deployed function, as stored (Lambda's names, Lambda's defaults applied). */
export interface FunctionSettings {
  runtime: string;
  role: string;
  handler: string;
  description: string;
  timeout: number;
  memorySize: number;
  environment: Record<string, string>;
  architecture: 'x86_64' | 'arm64';
}

/** Lambda's `FunctionEventInvokeConfig`, as stored. */
export interface EventInvokeConfig {
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
  /** The on-failure destination's ARN (one of Vigil's queues). */
  onFailure?: string;
  /** Epoch milliseconds. */
  lastModified: number;
}

/** One deployed function: a row of `lambda_functions`. */
export interface StoredFunction {
  name: string;
  settings: FunctionSettings;
  /** The code package's directory name (hex SHA-256 of the zip). */
  codeId: string;
  /** Base64 SHA-256 of the zip. */
  codeSha256: string;
  codeSize: number;
  revisionId: string;
  /** Epoch milliseconds. */
  lastModified: number;
  eventInvokeConfig?: EventInvokeConfig;
}
