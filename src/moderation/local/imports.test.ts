import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Every package a module reaches through static imports (relative ones followed). */
function staticPackages(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const [, specifier] of source.matchAll(/^import\s[^'"]*?from\s+'([^']+)'/gm)) {
      if (specifier!.startsWith('.'))
        visit(resolve(dirname(file), specifier!.replace(/\.js$/, '.ts')));
      else packages.add(specifier!);
    }
  };
  visit(resolve(HERE, entry));
  return packages;
}

describe('what the long-lived threads load', () => {
  // tfjs (~50 MB and a WebAssembly heap per thread) only as the fallback: imported
  // dynamically by the model worker, and by the one-off conversion process.
  it.each(['worker.ts', 'local-moderator.ts'])(
    '%s does not import tfjs or nsfwjs statically',
    (entry) => {
      const packages = [...staticPackages(entry)];
      expect(packages).toContain('onnxruntime-node'); // the walk does reach the models
      expect(packages.filter((p) => /tensorflow|nsfwjs/.test(p))).toEqual([]);
    },
  );
});
