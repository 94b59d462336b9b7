import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Integration tests spawn CLI processes and page through thousands of simulated assets.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // Two cores: files run in parallel, each against its own database and queue prefix.
    fileParallelism: true,
    maxWorkers: 2,
    pool: 'forks',
  },
});
