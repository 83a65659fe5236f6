import { defineConfig } from 'tsup';

export default defineConfig({
  // One entry per public subpath; drivers stay external (optional peer dependencies).
  entry: { index: 'src/index.ts', s3: 'src/s3/index.ts', mysql: 'src/mysql/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // Shared chunks in both formats, so `CoreError` is one class across `.`, `./s3` and `./mysql`.
  splitting: true,
  external: ['@aws-sdk/client-s3', '@smithy/node-http-handler', 'mysql2'],
});
