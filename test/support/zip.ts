/**
 * Zips a function's code with the npm packages it needs, as `zip -r function.zip index.js
 * node_modules` would after `npm install`: each package with everything it depends on,
 * copied from this repository's node_modules.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ZipFile } from 'yazl';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * @param files the function's own files, by path in the zip
 * @param packages npm packages to include with their dependencies
 * @param skip paths (relative to the repo) of files not worth shipping: browser bundles,
 *   type declarations
 */
export async function zipFunction(
  files: Record<string, string | Buffer>,
  packages: readonly string[],
  skip: (path: string) => boolean = () => false,
): Promise<Buffer> {
  const zip = new ZipFile();
  for (const [path, content] of Object.entries(files))
    zip.addBuffer(Buffer.isBuffer(content) ? content : Buffer.from(content), path, { mode: 0o644 });
  for (const dir of packageClosure(packages)) addTree(zip, dir, skip);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** The directories of the packages and of everything they depend on, outermost first. */
function packageClosure(packages: readonly string[]): string[] {
  const found = new Set<string>();
  const visit = (name: string, from: string) => {
    const dir = resolvePackage(name, from);
    if (found.has(dir) || [...found].some((d) => dir.startsWith(d + sep))) return;
    found.add(dir);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) visit(dependency, dir);
  };
  for (const name of packages) visit(name, REPO);
  return [...found];
}

/** Node's lookup: `node_modules/<name>` in the directory, then in each parent. */
function resolvePackage(name: string, from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`package ${name} not found from ${from}`);
  }
}

function addTree(zip: ZipFile, dir: string, skip: (path: string) => boolean): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const inRepo = relative(REPO, path).split(sep).join('/');
    if (skip(inRepo)) continue;
    if (entry.isDirectory()) addTree(zip, path, skip);
    else if (entry.isFile()) zip.addFile(path, inRepo, { mode: statSync(path).mode & 0o777 });
  }
}
