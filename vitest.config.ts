import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Two cores: two files at a time; each file starts its own bed parts on free ports.
    maxWorkers: 2,
    // Hang guards only, never performance bounds: the bed's servers start in seconds.
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
});
