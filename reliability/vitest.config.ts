import { defineConfig } from 'vitest/config';

// The fast part of the suite, run by the root `pnpm test`. Long runs live in vitest.stress.config.ts.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    exclude: ['src/**/*.stress.test.ts', 'node_modules/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
