import { defineConfig } from 'vitest/config';

// `pnpm test:stress`: the 1,000 + 1,000 load, 1,000 disconnects, hostile clients and the soak (SOAK_MS, default 10 min).
// One file at a time so every measurement has both cores to itself.
export default defineConfig({
  test: {
    include: ['src/**/*.stress.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 20 * 60_000,
    hookTimeout: 120_000,
  },
});
