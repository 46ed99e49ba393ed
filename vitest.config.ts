import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const alias = {
  '@': fileURLToPath(new URL('.', import.meta.url)),
  // In tests, lib/ modules run outside React Server Components; the guard package would throw.
  'server-only': fileURLToPath(new URL('./scripts/test-support/server-only-stub.ts', import.meta.url)),
};
const exclude = ['node_modules/**', '.next/**', '.sandbox/**', 'tools/**', 'e2e/**'];

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['{lib,app,sandbox,scripts,bench}/**/*.test.{ts,tsx}'],
          exclude: [...exclude, '**/*.int.test.ts'],
          environment: 'node',
          // One module graph per worker, not per file: the unit tests start no servers and keep no
          // state between files (they pass shuffled), and a fresh graph per file was four fifths
          // of their time.
          isolate: false,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['{lib,app,sandbox,scripts,bench}/**/*.int.test.ts'],
          exclude,
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 180_000,
          pool: 'forks',
          // Three files at a time on the 2-core machine: these tests mostly wait (on servers, on
          // leases and deadlines that must pass), about 0.6 of a core for two files at a time.
          maxWorkers: 3,
        },
      },
    ],
  },
});
