/**
 * One measured Nequi run in its own process (spawned by the Nequi benchmarks):
 * `nequi-child.ts pipeline|duckdb --data DIR --lake DIR [--threads N] [--memory-limit 384MB|default]`.
 * Prints `@@RESULT {json}` (see `ChildResult` in `nequi-lib.ts`).
 */
import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { runDuckDbBaseline } from '../src/nequi/baseline/duckdb-baseline.js';
import { nequiPipeline } from '../src/nequi/pipeline/nequi-pipeline.js';
import type { ChildResult } from './nequi-lib.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { data: { type: 'string' }, lake: { type: 'string' }, threads: { type: 'string', default: '2' }, 'memory-limit': { type: 'string', default: '384MB' } },
});
const mode = positionals[0] === 'duckdb' ? 'duckdb' : 'pipeline';
const data = values.data!;
const lake = values.lake!;
const threads = Number(values.threads);
const memoryLimit = values['memory-limit']!;
const rssMB = () => process.resourceUsage().maxRSS / 1024;

await rm(lake, { recursive: true, force: true });
const cpu = process.cpuUsage();
const started = performance.now();
let result: ChildResult;
if (mode === 'pipeline') {
  const steps: ChildResult['steps'] = [];
  const log = await nequiPipeline({
    lakeDir: lake,
    dataDir: data,
    threads,
    memoryLimit,
    onEvent: (e) => {
      if (e.type !== 'step-end') return;
      steps.push({ name: e.step, ms: e.durationMs, maxRssMB: rssMB() });
      process.stderr.write(`  ${e.step}: ${(e.durationMs / 1000).toFixed(1)} s, peak RSS so far ${Math.round(rssMB())} MB\n`);
    },
  }).run();
  const ingest = log.steps.find((s) => s.name === 'raw-to-processed')!;
  const used = process.cpuUsage(cpu);
  result = { mode, ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, maxRssMB: rssMB(), rowsIn: ingest.rowsIn, processed: ingest.rowsOut, rejected: ingest.rowsRejected, steps };
} else {
  const r = await runDuckDbBaseline({ dataDir: data, outDir: lake, threads, ...(memoryLimit === 'default' ? {} : { memoryLimit }) });
  const used = process.cpuUsage(cpu);
  const processed = Object.values(r.processed).reduce((a, b) => a + b, 0);
  result = { mode, ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, maxRssMB: rssMB(), rowsIn: r.rowsIn, processed, rejected: r.rejected, steps: [] };
}
process.stdout.write(`@@RESULT ${JSON.stringify(result)}\n`);
process.exit(0);
