import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { configuredModerator } from './configured.js';

/** A Rekognition backend without AWS keys: creating it fails, the way a broken load does. */
function withoutKeys() {
  const config = loadConfig(
    { dataDir: '/tmp/unused' },
    {},
    {
      path: '(test)',
      values: { moderation: { backend: 'rekognition', warm: false } },
    },
  );
  return configuredModerator(config, () => {});
}

describe('configuredModerator', () => {
  it('is idle until warmed or used, and reports a failed load with its error', async () => {
    const saved = {
      id: process.env['AWS_ACCESS_KEY_ID'],
      secret: process.env['AWS_SECRET_ACCESS_KEY'],
    };
    delete process.env['AWS_ACCESS_KEY_ID'];
    delete process.env['AWS_SECRET_ACCESS_KEY'];
    try {
      const moderator = withoutKeys();
      expect(moderator.status()).toEqual({ state: 'idle' });
      const warming = moderator.warm();
      expect(moderator.status()).toEqual({ state: 'warming' });
      await expect(warming).rejects.toThrow(/AWS_ACCESS_KEY_ID/);
      expect(moderator.status()).toMatchObject({
        state: 'failed',
        error: expect.stringMatching(/AWS_ACCESS_KEY_ID/) as string,
      });

      // The next use tries again, and succeeds once the cause is gone.
      process.env['AWS_ACCESS_KEY_ID'] = 'AKIDEXAMPLE';
      process.env['AWS_SECRET_ACCESS_KEY'] = 'secret-example';
      await moderator.warm();
      expect(moderator.status()).toEqual({ state: 'ready' });
      await moderator.close();
    } finally {
      for (const [name, value] of [
        ['AWS_ACCESS_KEY_ID', saved.id],
        ['AWS_SECRET_ACCESS_KEY', saved.secret],
      ] as const)
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
    }
  });
});
