import { defineConfig } from 'vitest/config';

/**
 * Shared vitest settings: workspace packages resolve to their TypeScript sources through the
 * `@lakeblocks/source` export condition, so tests never need a build. Type-level assertions
 * (`expectTypeOf`) are checked by `pnpm typecheck`, which compiles the test files too.
 */
export const sharedTestConfig = defineConfig({
  resolve: { conditions: ['@lakeblocks/source'] },
  ssr: { resolve: { conditions: ['@lakeblocks/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 30_000,
    // The JSON report feeds the one-line summary `.ci/run` prints (scripts/test-summary.mjs).
    reporters: ['default', ['json', { outputFile: '.vitest/report.json' }]],
    hookTimeout: 60_000,
  },
});
