import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * The installed nsfwjs version, whose bundled weights the workers run (and the ONNX
 * conversion is named after). Its package.json is not in the package's `exports`, so it is
 * found beside the resolved entry point.
 */
export function nsfwjsVersion(): string {
  for (let dir = dirname(require.resolve('nsfwjs')); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'nsfwjs' && pkg.version) return pkg.version;
    } catch {
      // No package.json at this level (or the nested one without a name): look further up.
    }
  }
  throw new Error('The installed nsfwjs package has no readable version');
}
