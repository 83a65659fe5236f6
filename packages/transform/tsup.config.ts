import { defineConfig } from 'tsup';

export default defineConfig({
  // One entry per public subpath; engine drivers stay external (optional peer dependencies).
  entry: { index: 'src/index.ts', duckdb: 'src/duckdb/index.ts', athena: 'src/athena/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // Shared chunks in both formats, so `TransformError` is one class across `.`, `./duckdb` and `./athena`.
  splitting: true,
  external: ['@duckdb/node-api', '@aws-sdk/client-athena', '@lakeblocks/core'],
});
