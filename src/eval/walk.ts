/**
 * Reads an evaluation folder: one subfolder per expected category (or `clean`), images
 * anywhere below it. Names are checked before any image is read.
 */
import { readdir, stat } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { expectedOfFolder, UnknownFolderError } from './categories.js';
import { CLEAN, type EvalFolder, type EvalSet } from './types.js';

/** The formats the moderator takes (docs/moderation.md, "Limits and errors"). */
export const IMAGE_EXTENSIONS: readonly string[] = [
  '.jpg',
  '.jpeg',
  '.png',
  '.webp',
  '.gif',
  '.avif',
];

/** A folder that cannot be evaluated as given; the message says what to change. */
export class EvalFolderError extends Error {
  override readonly name = 'EvalFolderError';
}

const isImage = (name: string) => IMAGE_EXTENSIONS.includes(extname(name).toLowerCase());
// Dot-files are the file system's or a tool's (.DS_Store, macOS's ._photo.jpg), not images.
const isHidden = (name: string) => name.startsWith('.');

interface Entry {
  path: string;
  directory: boolean;
}

async function entries(dir: string): Promise<Entry[]> {
  const found = await readdir(dir, { withFileTypes: true });
  const visible = found.filter((e) => !isHidden(e.name)).sort((a, b) => (a.name < b.name ? -1 : 1));
  return Promise.all(
    visible.map(async (e) => {
      const path = join(dir, e.name);
      // A symbolic link counts as what it points to.
      const directory = e.isSymbolicLink()
        ? await stat(path).then(
            (s) => s.isDirectory(),
            () => false,
          )
        : e.isDirectory();
      return { path, directory };
    }),
  );
}

/** Every file below `dir`, depth first, in name order. */
async function filesBelow(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await entries(dir))
    files.push(...(entry.directory ? await filesBelow(entry.path) : [entry.path]));
  return files;
}

/**
 * @example
 * await readEvalSet('eval/') // { folders: [{ folder: 'weapons', expected: 'Weapons', images: [...] }, …] }
 * @param options.userLabels labels of the config's own models a folder may be named after.
 * @throws EvalFolderError when the root is not a folder, holds images of its own, has no
 *   subfolders, or a subfolder's name is not a category (the message lists the names).
 */
export async function readEvalSet(
  root: string,
  options: { userLabels?: readonly string[] } = {},
): Promise<EvalSet> {
  const rootStat = await stat(root).catch(() => undefined);
  if (!rootStat?.isDirectory())
    throw new EvalFolderError(`${root} is not a folder: give a folder of category subfolders.`);
  const top = await entries(root);
  const looseImages = top.filter((e) => !e.directory && isImage(e.path));
  if (looseImages.length > 0)
    throw new EvalFolderError(
      `${root} holds images of its own (${looseImages
        .slice(0, 3)
        .map((e) => relative(root, e.path))
        .join(', ')}${looseImages.length > 3 ? ', …' : ''}): eval reads only subfolders named by ` +
        `what their images should get. Move them into ${join(root, CLEAN)}/ or a category folder.`,
    );
  const skipped = top.filter((e) => !e.directory).map((e) => relative(root, e.path));
  const folders: EvalFolder[] = [];
  const seen = new Map<string, string>();
  for (const dir of top.filter((e) => e.directory)) {
    const folder = relative(root, dir.path);
    let expected: string;
    try {
      expected = expectedOfFolder(folder, options.userLabels);
    } catch (err) {
      if (err instanceof UnknownFolderError) throw new EvalFolderError(err.message);
      throw err;
    }
    const twin = seen.get(expected);
    if (twin !== undefined)
      throw new EvalFolderError(
        `Folders '${twin}' and '${folder}' both mean ${expected}: merge them into one.`,
      );
    seen.set(expected, folder);
    const files = (await filesBelow(dir.path)).map((path) => relative(root, path));
    skipped.push(...files.filter((f) => !isImage(f)));
    folders.push({ folder, expected, images: files.filter(isImage) });
  }
  if (folders.length === 0)
    throw new EvalFolderError(
      `${root} has no subfolders: put images in subfolders named by what they should get ` +
        `(e.g. explicit/, weapons/, clean/).`,
    );
  folders.sort((a, b) => Number(a.expected === CLEAN) - Number(b.expected === CLEAN));
  return { root, folders, skipped };
}
