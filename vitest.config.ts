import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'vectors/**/*.test.ts', 'fuzz/**/*.test.ts'],
    setupFiles: ['test/helpers/matchers.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts', 'src/**/*.tsx'],
      exclude: ['src/**/*.test.ts', 'src/**/*.types.ts'],
      reporter: ['text-summary', 'json-summary'],
      // The bar of the developers' guide: the run fails below 90% of lines.
      thresholds: { lines: 90 },
    },
  },
});
