import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EvalFolderError, readEvalSet } from './walk.js';

const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

/** A temporary folder holding these (empty) files; a name ending in `/` is an empty folder. */
async function tree(paths: string[]): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'vigil-eval-walk-'));
  roots.push(root);
  for (const path of paths) {
    if (path.endsWith('/')) await mkdir(join(root, path), { recursive: true });
    else {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), '');
    }
  }
  return root;
}

describe('readEvalSet', () => {
  it('reads category folders by name, clean last, images at any depth, other files skipped', async () => {
    const root = await tree([
      'clean/a.png',
      'weapons/guns/b.JPG',
      'weapons/a.webp',
      'weapons/notes.txt',
      'weapons/.DS_Store',
      'weapons/._a.webp',
      'drugs_tobacco/c.avif',
      'drugs_tobacco/d.gif',
      'Explicit/e.jpeg',
      'gambling/',
      'README.md',
    ]);
    const set = await readEvalSet(root);
    expect(set.folders).toEqual([
      { folder: 'Explicit', expected: 'Explicit', images: ['Explicit/e.jpeg'] },
      {
        folder: 'drugs_tobacco',
        expected: 'Drugs & Tobacco',
        images: ['drugs_tobacco/c.avif', 'drugs_tobacco/d.gif'],
      },
      { folder: 'gambling', expected: 'Gambling', images: [] },
      {
        folder: 'weapons',
        expected: 'Weapons',
        images: ['weapons/a.webp', 'weapons/guns/b.JPG'],
      },
      { folder: 'clean', expected: 'clean', images: ['clean/a.png'] },
    ]);
    expect(set.skipped).toEqual(['README.md', 'weapons/notes.txt']);
  });

  it.each([
    {
      name: 'images directly in the folder',
      paths: ['a.jpg', 'clean/b.jpg'],
      message:
        /holds images of its own \(a\.jpg\): eval reads only subfolders .* Move them into .*clean\//,
    },
    {
      name: 'an unknown folder name',
      paths: ['clean/b.jpg', 'kittens/c.jpg'],
      message: /^Folder 'kittens' names no category\. .*clean, explicit, explicit-nudity, /,
    },
    {
      name: 'two folders for one category',
      paths: ['drugs_tobacco/a.jpg', 'drugs-and-tobacco/b.jpg'],
      message: /^Folders 'drugs-and-tobacco' and 'drugs_tobacco' both mean Drugs & Tobacco/,
    },
    { name: 'no subfolders', paths: ['notes.txt'], message: /has no subfolders/ },
  ])('refuses $name', async ({ paths, message }) => {
    const root = await tree(paths);
    const reading = readEvalSet(root);
    await expect(reading).rejects.toThrow(EvalFolderError);
    await expect(reading).rejects.toThrow(message);
  });

  it('refuses a path that is not a folder', async () => {
    const root = await tree(['clean/a.jpg']);
    await expect(readEvalSet(join(root, 'clean/a.jpg'))).rejects.toThrow(/is not a folder/);
    await expect(readEvalSet(join(root, 'missing'))).rejects.toThrow(/is not a folder/);
  });
});
