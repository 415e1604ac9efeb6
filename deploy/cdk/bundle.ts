/**
 * The Lambda deployment package: `src/pipeline/lambda.ts` bundled with esbuild into one
 * `index.js` (export `handler`), plus sharp and its linux-x64 binaries when image memory is on.
 * Everything runs locally and offline: no Docker, no npm install.
 */
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const HANDLER_ENTRY = join(REPO_ROOT, 'src/pipeline/lambda.ts');
/** `index.handler`: the file esbuild writes and the export lambda.ts defines. */
export const HANDLER = 'index.handler';

/**
 * Native modules stay outside the bundle. `sharp` is shipped beside it (image memory);
 * `better-sqlite3` is loaded only for `MODERATION_REPORTS_DB`, which the stack does not set;
 * `pg-native` only if asked for, which Vigil never does.
 */
const EXTERNAL = ['sharp', 'better-sqlite3', 'pg-native'];

/** sharp's prebuilt packages for Lambda's x86_64 (Amazon Linux, glibc). */
const SHARP_PLATFORM_PACKAGES = ['@img/sharp-linux-x64', '@img/sharp-libvips-linux-x64'];

export interface BundleOptions {
  /** Ship sharp (image memory on). Without it the function fails to start when memory is on. */
  imageMemory: boolean;
}

/** The package could not be built; the message says what to install or change. */
export class BundleError extends Error {
  override readonly name = 'BundleError';
}

/**
 * Writes the deployment package into `outDir` (created if missing).
 *
 * CommonJS, not ESM: in an ESM bundle esbuild hoists the native modules' imports to the top
 * of the file, so the function would fail to load without better-sqlite3; as CommonJS they
 * stay `require` calls, made only on the code path that needs them.
 *
 * @example
 * await bundleModerateImage('/tmp/moderate-image', { imageMemory: true });
 * // /tmp/moderate-image/index.js, /tmp/moderate-image/node_modules/sharp, …
 */
export async function bundleModerateImage(outDir: string, options: BundleOptions): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: [HANDLER_ENTRY],
    outfile: join(outDir, 'index.js'),
    bundle: true,
    platform: 'node',
    // Runs on Lambda's nodejs22.x and on Node 20 (the repository's floor).
    target: 'node20',
    format: 'cjs',
    external: EXTERNAL,
    logLevel: 'silent',
  });
  // A warning here (import.meta in CommonJS, an unresolvable require) is a broken function.
  if (result.warnings.length > 0)
    throw new BundleError(
      `esbuild warned while bundling ${HANDLER_ENTRY}:\n${result.warnings.map((w) => `${w.location?.file ?? ''}:${w.location?.line ?? ''} ${w.text}`).join('\n')}`,
    );
  if (options.imageMemory) copySharp(join(outDir, 'node_modules'));
}

function copySharp(into: string): void {
  const sharpDir = packageDir('sharp', REPO_ROOT);
  const sharp = readManifest(sharpDir);
  const copied = new Map<string, string>();
  copyTree('sharp', REPO_ROOT, into, copied);
  for (const name of SHARP_PLATFORM_PACKAGES) {
    const wanted = sharp.optionalDependencies?.[name];
    const fix = `run \`npm install --os=linux --cpu=x64 --libc=glibc sharp@${sharp.version}\` (or turn image memory off: -c moderation='{"memory":{"enabled":false}}')`;
    if (!findPackageDir(name, sharpDir))
      throw new BundleError(`${name} is not installed, and Lambda needs it for sharp: ${fix}`);
    const installed = readManifest(packageDir(name, sharpDir)).version;
    if (wanted !== undefined && installed !== wanted)
      throw new BundleError(
        `${name} is ${installed}, sharp ${sharp.version} wants ${wanted}: ${fix}`,
      );
    copyTree(name, sharpDir, into, copied);
  }
}

interface Manifest {
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** Copies `name`, as resolved from `from`, and its dependencies into one flat node_modules. */
function copyTree(name: string, from: string, into: string, copied: Map<string, string>): void {
  const dir = packageDir(name, from);
  const already = copied.get(name);
  if (already === dir) return;
  if (already !== undefined)
    throw new BundleError(`two copies of ${name} are needed (${already}, ${dir}): not supported`);
  copied.set(name, dir);
  cpSync(dir, join(into, name), {
    recursive: true,
    dereference: true,
    // Nested copies are not needed: dependencies are copied flat, below.
    filter: (path) => !/(^|\/)node_modules(\/|$)/.test(path.slice(dir.length)),
  });
  for (const dependency of Object.keys(readManifest(dir).dependencies ?? {}))
    copyTree(dependency, dir, into, copied);
}

function packageDir(name: string, from: string): string {
  const dir = findPackageDir(name, from);
  if (!dir) throw new BundleError(`${name} is not installed (looked up from ${from})`);
  return dir;
}

/** Node's lookup for a package directory: `node_modules/<name>` here or in a parent. */
function findPackageDir(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
