import { defineConfig } from 'tsup';

export default defineConfig({
  // One entry per public subpath; drivers stay external (optional peer dependencies).
  entry: { index: 'src/index.ts', glue: 'src/glue/index.ts', athena: 'src/athena/index.ts', mysql: 'src/mysql/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // Shared chunks in both formats, so `LoadersError` is one class across every entry.
  splitting: true,
  external: ['@aws-sdk/client-glue', '@aws-sdk/client-athena', 'mysql2', '@lakeblocks/core'],
});
