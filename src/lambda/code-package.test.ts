import { mkdtempSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ZipFile } from 'yazl';
import { CodeStore, MAX_UNZIPPED_BYTES, MAX_ZIP_BYTES } from './code-package.js';

function zip(entries: (file: ZipFile) => void): Promise<Buffer> {
  const file = new ZipFile();
  entries(file);
  file.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    file.outputStream.on('data', (c: Buffer) => chunks.push(c));
    file.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    file.outputStream.on('error', reject);
  });
}

async function store(): Promise<CodeStore> {
  const code = new CodeStore(join(mkdtempSync(join(tmpdir(), 'vigil-code-')), 'code'));
  await code.open();
  return code;
}

/** yazl refuses unsafe names: write a same-length one and patch it in (names are not in the CRC). */
function renamed(bytes: Buffer, from: string, to: string): Buffer {
  return Buffer.from(bytes.toString('latin1').replaceAll(from, to), 'latin1');
}

describe('CodeStore', () => {
  it('extracts a zip into a directory named by its SHA-256, with its files and folders', async () => {
    const code = await store();
    const bytes = await zip((f) => {
      f.addBuffer(Buffer.from('export const handler = () => 1;'), 'index.mjs');
      f.addBuffer(Buffer.from('{}'), 'lib/data/config.json');
      f.addEmptyDirectory('empty');
    });
    const pkg = await code.add(bytes);
    expect(pkg.id).toMatch(/^[0-9a-f]{64}$/);
    expect(pkg.sha256).toBe(Buffer.from(pkg.id, 'hex').toString('base64'));
    expect(pkg.size).toBe(bytes.length);
    expect(await readFile(join(pkg.dir, 'lib/data/config.json'), 'utf8')).toBe('{}');
    expect((await readdir(pkg.dir)).sort()).toEqual(['empty', 'index.mjs', 'lib']);
    expect(await readFile(code.zipOf(pkg.id))).toEqual(bytes);
    // The same bytes again: the same package, nothing extracted twice.
    expect(await code.add(bytes)).toEqual(pkg);
  });

  it.each([
    ['a parent-directory entry', 'AA/x.mjs', '../x.mjs'],
    ['an absolute entry', 'AAAA.mjs', '/x.mjs'.padEnd(8, 'j')],
    ['a nested parent-directory entry', 'a/AA/AA/x.js', 'a/../../x.js'],
  ])('refuses %s and leaves nothing behind', async (_what, writtenAs, name) => {
    const code = await store();
    const bytes = renamed(
      await zip((f) => f.addBuffer(Buffer.from('x'), writtenAs)),
      writtenAs,
      name,
    );
    await expect(code.add(bytes)).rejects.toMatchObject({
      code: 'InvalidParameterValueException',
      message: expect.stringContaining('Could not unzip uploaded file') as unknown,
    });
    expect(await readdir(code.root)).toEqual(['.tmp']);
    expect(await readdir(join(code.root, '.tmp'))).toEqual([]);
  });

  it('refuses symbolic links', async () => {
    const code = await store();
    const bytes = await zip((f) =>
      f.addBuffer(Buffer.from('/etc/passwd'), 'link', { mode: 0o120777 }),
    );
    await expect(code.add(bytes)).rejects.toMatchObject({
      code: 'InvalidParameterValueException',
      message: expect.stringContaining('symbolic link') as unknown,
    });
  });

  it('refuses a zip over 50 MB', async () => {
    const code = await store();
    await expect(code.add(Buffer.alloc(MAX_ZIP_BYTES + 1))).rejects.toMatchObject({
      code: 'RequestEntityTooLargeException',
      status: 413,
    });
  });

  it('refuses a package that unzips to more than 250 MB', async () => {
    const code = await store();
    const size = MAX_UNZIPPED_BYTES / 2 + 1;
    const zeros = () => Readable.from([Buffer.alloc(size)]);
    const bytes = await zip((f) => {
      f.addReadStream(zeros(), 'a.bin', { size });
      f.addReadStream(zeros(), 'b.bin', { size });
    });
    await expect(code.add(bytes)).rejects.toMatchObject({
      code: 'RequestEntityTooLargeException',
      message: `Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`,
    });
    expect(await readdir(join(code.root, '.tmp'))).toEqual([]);
  });

  it('prunes packages no function uses', async () => {
    const code = await store();
    const kept = await code.add(await zip((f) => f.addBuffer(Buffer.from('1'), 'a.js')));
    await code.add(await zip((f) => f.addBuffer(Buffer.from('2'), 'a.js')));
    await code.prune(new Set([kept.id]));
    expect((await readdir(code.root)).sort()).toEqual(['.tmp', kept.id, `${kept.id}.zip`].sort());
  });
});
