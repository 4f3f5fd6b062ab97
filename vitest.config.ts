import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // Hang guards, not budgets: no outcome depends on them (time in tests comes from injected clocks).
    // Generous, so `npm test` passes with two copies running at once beside a CPU hog on two cores.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    coverage: {
      provider: 'v8',
      include: ['shared/**/*.ts'],
      reporter: ['text-summary'],
      // STYLE.md: keep shared/ above 90 % of lines.
      thresholds: { lines: 90 },
    },
  },
});
