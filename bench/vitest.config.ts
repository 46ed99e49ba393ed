import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `npm run bench`: apart from the tests; measures, never asserts timings.
const alias = {
  '@': fileURLToPath(new URL('..', import.meta.url)),
  'server-only': fileURLToPath(new URL('../scripts/test-support/server-only-stub.ts', import.meta.url)),
};

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['bench/run.bench.ts'],
    environment: 'node',
    testTimeout: 30 * 60_000,
    hookTimeout: 30 * 60_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
