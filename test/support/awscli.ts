import { execFile, spawnSync } from 'node:child_process';
import { accessSync, constants, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface AwsBinary {
  /** The path the CLI is run from (a shim is run as a shim, not as its target). */
  path: string;
  /** The first line of `aws --version`. */
  version: string;
}

export interface AwsResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Debian's packaged CLI; CI installs it with `apt-get install -y awscli`. */
const DEBIAN_AWS = '/usr/bin/aws';

const isExecutable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

const firstOnPath = (name: string): string | undefined =>
  (process.env['PATH'] ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, name))
    .find(isExecutable);

/**
 * An environment that isolates the CLI from the developer's AWS configuration: only the
 * given credentials, a fixed region, no config or credentials files, no IMDS, no pager.
 */
export function awsEnv(credentials: AwsCredentials): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('AWS_')) env[name] = value;
  }
  return {
    ...env,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    AWS_CLI_AUTO_PROMPT: 'off',
  };
}

/**
 * Debian's `/usr/bin/aws` and the first `aws` on PATH, once per distinct file (after
 * following symlinks). A binary whose `--version` fails (say a pyenv shim with no CLI in
 * the active Python) is left out with a warning.
 */
export function findAwsBinaries(): AwsBinary[] {
  const candidates = [DEBIAN_AWS, firstOnPath('aws')].filter(
    (c): c is string => c !== undefined && isExecutable(c),
  );
  const seen = new Set<string>();
  const found: AwsBinary[] = [];
  for (const path of candidates) {
    const real = realpathSync(path);
    if (seen.has(real)) continue;
    seen.add(real);
    const env = awsEnv({ accessKeyId: 'x', secretAccessKey: 'x' });
    const run = spawnSync(path, ['--version'], { env, encoding: 'utf8', timeout: 60_000 });
    const version = `${run.stdout ?? ''}${run.stderr ?? ''}`.trim().split('\n')[0] ?? '';
    if (run.status !== 0 || !version.startsWith('aws-cli/')) {
      console.warn(`awscli tests: ignoring ${path}: \`--version\` failed: ${version}`);
      continue;
    }
    found.push({ path, version });
  }
  return found;
}

/** Runs `aws --endpoint-url <endpoint> ...args` without a shell; never rejects. */
export function runAws(
  binary: string,
  endpoint: string,
  credentials: AwsCredentials,
  args: readonly string[],
): Promise<AwsResult> {
  return new Promise((resolve) => {
    execFile(
      binary,
      ['--endpoint-url', endpoint, '--output', 'json', ...args],
      { env: awsEnv(credentials), encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
