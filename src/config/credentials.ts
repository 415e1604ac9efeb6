import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from './load.js';

export interface RootCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Where they came from: the environment, the data directory, or generated just now. */
  source: 'environment' | 'data-dir' | 'generated';
  file?: string;
}

export const CREDENTIALS_FILE = 'credentials.json';

/**
 * The root key pair. From the environment when set; otherwise read from the data
 * directory; otherwise generated (random, never a well-known default) and stored there
 * with mode 0600 so only the owner can read it.
 */
export async function resolveRootCredentials(
  dataDir: string,
  fromConfig: { accessKeyId?: string | undefined; secretAccessKey?: string | undefined },
): Promise<RootCredentials> {
  if (fromConfig.accessKeyId && fromConfig.secretAccessKey) {
    return {
      accessKeyId: fromConfig.accessKeyId,
      secretAccessKey: fromConfig.secretAccessKey,
      source: 'environment',
    };
  }
  const file = join(dataDir, CREDENTIALS_FILE);
  const stored = await readStored(file);
  if (stored) return { ...stored, source: 'data-dir', file };
  await mkdir(dataDir, { recursive: true });
  const generated = {
    accessKeyId: `VK${randomAlphanumeric(18)}`,
    secretAccessKey: randomBytes(30).toString('base64').replace(/\+/g, 'x').replace(/\//g, 'y'),
  };
  try {
    await writeFile(file, `${JSON.stringify(generated, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process generated them first: use theirs.
    const theirs =
      (error as NodeJS.ErrnoException).code === 'EEXIST' ? await readStored(file) : undefined;
    if (theirs) return { ...theirs, source: 'data-dir', file };
    throw error;
  }
  return { ...generated, source: 'generated', file };
}

/** Reads stored credentials without creating anything (for `vigil credentials`). */
export async function readStored(
  file: string,
): Promise<{ accessKeyId: string; secretAccessKey: string } | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<{ accessKeyId: string; secretAccessKey: string }>;
  if (typeof parsed.accessKeyId !== 'string' || typeof parsed.secretAccessKey !== 'string') {
    throw new ConfigError(
      `${file} is not a valid credentials file: expected accessKeyId and secretAccessKey.`,
    );
  }
  return { accessKeyId: parsed.accessKeyId, secretAccessKey: parsed.secretAccessKey };
}

function randomAlphanumeric(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return [...randomBytes(length)].map((b) => alphabet[b % 32]).join('');
}
