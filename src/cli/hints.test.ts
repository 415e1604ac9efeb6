import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { DEFAULT_DATA_DIR, shellQuote, vigilCommand } from './hints.js';

describe('vigilCommand', () => {
  it('is the default data directory of the configuration', () => {
    expect(DEFAULT_DATA_DIR).toBe(loadConfig({}, {}).dataDir);
  });

  it.each([
    ['./data', 'npx vigil credentials'],
    ['data', 'npx vigil credentials'],
    [resolve('data'), 'npx vigil credentials'],
    ['./data/', 'npx vigil credentials'],
    ['/srv/vigil', 'npx vigil credentials --data-dir /srv/vigil'],
    ['other', 'npx vigil credentials --data-dir other'],
    ['/tmp/my data', "npx vigil credentials --data-dir '/tmp/my data'"],
    ["/tmp/it's", `npx vigil credentials --data-dir '/tmp/it'\\''s'`],
    ['$HOME/x', "npx vigil credentials --data-dir '$HOME/x'"],
  ])('names data directory %j only when it is not the default', (dataDir, hint) => {
    expect(vigilCommand('credentials', dataDir)).toBe(hint);
  });
});

describe('shellQuote', () => {
  it.each(['/plain/path', 'with space', "it's", '$HOME `x` "y" \\z', '*?[]', 'ünï', '-dash'])(
    'gives %j back through a real shell',
    (word) => {
      const echoed = execFileSync('sh', ['-c', `printf '%s' ${shellQuote(word)}`], {
        encoding: 'utf8',
      });
      expect(echoed).toBe(word);
    },
  );
});
