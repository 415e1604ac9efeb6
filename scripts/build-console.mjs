/**
 * Builds the console's browser app into dist/console/web/, which Vigil serves under
 * `/_vigil/console/`: one bundle per page (app.js, login.js), one stylesheet (app.css, its
 * @imports inlined), the two HTML shells and the favicon. No code splitting and no external
 * URLs, so the console works offline.
 *
 *   node scripts/build-console.mjs
 */
import { build } from 'esbuild';
import { copyFile, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src/console/web');
const out = join(root, 'dist/console/web');
const copied = ['index.html', 'login.html', 'favicon.svg'];

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });

const common = {
  bundle: true,
  minify: true,
  target: 'es2022',
  legalComments: 'eof',
  logLevel: 'warning',
};
await build({
  ...common,
  entryPoints: { app: join(source, 'app.tsx'), login: join(source, 'login.tsx') },
  outdir: out,
  splitting: false,
  format: 'esm',
  platform: 'browser',
  // Maps for debugging, not linked: the server serves only the files listed above.
  sourcemap: 'external',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  tsconfig: join(source, 'tsconfig.json'),
});
await build({ ...common, entryPoints: [join(source, 'app.css')], outfile: join(out, 'app.css') });
for (const name of copied) await copyFile(join(source, name), join(out, name));

// A bundle that reaches for the network would break the offline promise: fail the build.
for (const name of ['app.js', 'login.js', 'app.css']) {
  const code = await readFile(join(out, name), 'utf8');
  const external =
    /\bimport\s*\(?\s*["']https?:|from\s*["']https?:|@import\s*["']https?:|url\(\s*["']?https?:/.exec(
      code,
    );
  if (external !== null) throw new Error(`${name} loads from the network: ${external[0]}`);
}

const built = ['app.js', 'login.js', 'app.css', ...copied];
const sizes = await Promise.all(
  built.map(async (name) => `${name} ${(await stat(join(out, name))).size} B`),
);
console.log(`console built into ${relative(root, out)}: ${sizes.join(', ')}`);
