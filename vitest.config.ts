import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each file starts its own Vigil on its own data directory and port; two cores.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
