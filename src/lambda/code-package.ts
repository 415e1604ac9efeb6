/**
 * Code packages on disk: a deployment zip, checked entry by entry and extracted into
 * `<root>/<sha256 hex>/`, named by the content — never by anything the caller chose. Each
 * package is written to a fresh temporary directory and renamed into place, so a crash
 * leaves either the whole package or none of it (temporary directories are removed at
 * start). The zip itself is kept beside it (`<sha256 hex>.zip`) for GetFunction's download.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { invalidParameter, LambdaError } from './errors.js';

/** Lambda's limit on a zip uploaded directly (`ZipFile`): 50 MB. */
export const MAX_ZIP_BYTES = 50 * 1024 * 1024;
/** Lambda's limit on a package's unzipped size: 250 MB. */
export const MAX_UNZIPPED_BYTES = 262_144_000;

export interface CodePackage {
  /** Hex SHA-256 of the zip: the package's directory name. */
  id: string;
  /** Base64 SHA-256 of the zip (Lambda's `CodeSha256`). */
  sha256: string;
  /** Bytes of the zip (Lambda's `CodeSize`). */
  size: number;
  /** Absolute path of the extracted package. */
  dir: string;
}

const UNZIP_FAILED =
  'Could not unzip uploaded file. Please check your file, then try to upload again.';

/**
 * The packages under one directory (`<data>/lambda/code`).
 *
 * @example
 * const code = new CodeStore('/var/lib/vigil/lambda/code');
 * const pkg = await code.add(zipBytes); // { id, sha256, size, dir }
 */
export class CodeStore {
  private readonly tmp: string;

  constructor(readonly root: string) {
    this.tmp = join(root, '.tmp');
  }

  /** Removes what a crash left half-written. */
  async open(): Promise<void> {
    await rm(this.tmp, { recursive: true, force: true });
    await mkdir(this.tmp, { recursive: true });
  }

  dirOf(id: string): string {
    if (!/^[0-9a-f]{64}$/.test(id)) throw new Error(`not a code package id: ${id}`);
    return join(this.root, id);
  }

  zipOf(id: string): string {
    return `${this.dirOf(id)}.zip`;
  }

  /**
   * Checks and extracts a zip, unless the same bytes are already stored.
   *
   * @throws LambdaError `RequestEntityTooLargeException` over 50 MB zipped or 250 MB
   *   unzipped; `InvalidParameterValueException` for a zip that is not one, or has an entry
   *   that is absolute, climbs out with `..`, or is a symbolic link.
   */
  async add(zip: Buffer): Promise<CodePackage> {
    if (zip.length > MAX_ZIP_BYTES)
      throw new LambdaError(
        'RequestEntityTooLargeException',
        `Zipped size must be smaller than ${MAX_ZIP_BYTES} bytes`,
      );
    const digest = createHash('sha256').update(zip).digest();
    const id = digest.toString('hex');
    const pkg = { id, sha256: digest.toString('base64'), size: zip.length, dir: this.dirOf(id) };
    if (await exists(pkg.dir)) return pkg;
    const work = join(this.tmp, randomUUID());
    try {
      await extract(zip, join(work, 'code'));
      await writeFile(join(work, 'code.zip'), zip);
      // The zip first: a package directory in place always has its zip.
      await rename(join(work, 'code.zip'), this.zipOf(id));
      await rename(join(work, 'code'), pkg.dir).catch(async (error: unknown) => {
        // Another request stored the same bytes meanwhile: theirs is as good.
        if (!(await exists(pkg.dir))) throw error;
      });
      return pkg;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /** Removes the packages no function uses any more. */
  async prune(inUse: ReadonlySet<string>): Promise<void> {
    for (const name of await readdir(this.root)) {
      const id = name.replace(/\.zip$/, '');
      if (/^[0-9a-f]{64}$/.test(id) && !inUse.has(id))
        await rm(join(this.root, name), { recursive: true, force: true });
    }
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function openZip(zip: Buffer): Promise<ZipFile> {
  return new Promise((resolvePromise, reject) => {
    // yauzl refuses absolute paths, `..` segments and backslashes in names itself.
    yauzl.fromBuffer(
      zip,
      { lazyEntries: true, validateEntrySizes: true, strictFileNames: true },
      (error, file) => (error ? reject(error) : resolvePromise(file)),
    );
  });
}

/** Extracts every entry into `target`, which must not exist yet. */
async function extract(zip: Buffer, target: string): Promise<void> {
  let file: ZipFile;
  try {
    file = await openZip(zip);
  } catch (error) {
    throw invalidParameter(`${UNZIP_FAILED} (${reason(error)})`);
  }
  await mkdir(target, { recursive: true });
  let total = 0;
  try {
    for (;;) {
      const entry = await nextEntry(file);
      if (!entry) break;
      const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
      if (mode === 0o120000)
        throw invalidParameter(
          `${UNZIP_FAILED} (entry ${JSON.stringify(entry.fileName)} is a symbolic link; Vigil does not extract links)`,
        );
      const path = resolve(target, entry.fileName);
      if (path !== target && !path.startsWith(target + sep))
        throw invalidParameter(
          `${UNZIP_FAILED} (entry ${JSON.stringify(entry.fileName)} is outside the package)`,
        );
      if (entry.fileName.endsWith('/')) {
        await mkdir(path, { recursive: true });
        continue;
      }
      total += entry.uncompressedSize;
      if (total > MAX_UNZIPPED_BYTES) throw unzippedTooLarge();
      await mkdir(dirname(path), { recursive: true });
      const executable = ((entry.externalFileAttributes >>> 16) & 0o111) !== 0;
      await pipeline(
        await openEntry(file, entry),
        limit(entry.uncompressedSize),
        createWriteStream(path, { flags: 'wx', mode: executable ? 0o755 : 0o644 }),
      );
    }
  } catch (error) {
    if (error instanceof LambdaError) throw error;
    throw invalidParameter(`${UNZIP_FAILED} (${reason(error)})`);
  } finally {
    file.close();
  }
}

function unzippedTooLarge(): LambdaError {
  return new LambdaError(
    'RequestEntityTooLargeException',
    `Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`,
  );
}

/** Stops an entry that inflates past its declared size (yauzl checks the end too). */
function limit(declared: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > declared) done(new Error('an entry is larger than its declared size'));
      else done(null, chunk);
    },
  });
}

function nextEntry(file: ZipFile): Promise<Entry | undefined> {
  return new Promise((resolvePromise, reject) => {
    const onEntry = (entry: Entry) => {
      cleanup();
      resolvePromise(entry);
    };
    const onEnd = () => {
      cleanup();
      resolvePromise(undefined);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      file.off('entry', onEntry);
      file.off('end', onEnd);
      file.off('error', onError);
    };
    file.on('entry', onEntry);
    file.on('end', onEnd);
    file.on('error', onError);
    file.readEntry();
  });
}

function openEntry(file: ZipFile, entry: Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolvePromise, reject) => {
    file.openReadStream(entry, (error, stream) => (error ? reject(error) : resolvePromise(stream)));
  });
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
