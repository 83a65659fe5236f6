import { defineConfig } from 'tsup';

export default defineConfig({
  // The parse worker of ingestCsvFile is its own entry (loaded by URL next to index.js).
  entry: { index: 'src/index.ts', 'parse-worker': 'src/parallel/parse-worker.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
