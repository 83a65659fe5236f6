import { configDefaults, defineConfig } from 'vitest/config';

/**
 * `pnpm test:reliability` sets LAKEBLOCKS_RELIABILITY=1: then only the slow reliability suites
 * (`*.reliability.slow.test.ts`: SIGKILL chains, fault storms, concurrent runs) run, with long
 * timeouts; `pnpm test` (and CI) leaves them out.
 */
const reliability = process.env.LAKEBLOCKS_RELIABILITY === '1';

/**
 * Shared vitest settings: workspace packages resolve to their TypeScript sources through the
 * `@lakeblocks/source` export condition, so tests never need a build. Type-level assertions
 * (`expectTypeOf`) are checked by `pnpm typecheck`, which compiles the test files too.
 */
export const sharedTestConfig = defineConfig({
  resolve: { conditions: ['@lakeblocks/source'] },
  ssr: { resolve: { conditions: ['@lakeblocks/source'] } },
  test: {
    include: reliability ? ['src/**/*.reliability.slow.test.ts'] : ['src/**/*.test.ts', 'examples/**/*.test.ts'],
    exclude: reliability ? configDefaults.exclude : [...configDefaults.exclude, '**/*.reliability.slow.test.ts'],
    passWithNoTests: reliability,
    testTimeout: reliability ? 900_000 : 30_000,
    // The JSON report feeds the one-line summary `.ci/run` prints (scripts/test-summary.mjs).
    reporters: ['default', ['json', { outputFile: '.vitest/report.json' }]],
    hookTimeout: reliability ? 600_000 : 60_000,
  },
});
