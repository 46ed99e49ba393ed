import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The worker of `npm run bench` (bench/main.ts starts it, with the steps to run in BENCH_STEPS):
// apart from the tests; measures, never asserts timings. The runner holds each step to its budget
// and passes the overall limit as --testTimeout, so the timeouts here only bound a worker run on its own.
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
