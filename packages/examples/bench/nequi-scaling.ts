/**
 * Scenario "100x data": time against rows. Runs `pnpm nequi run` (the whole pipeline, in a child
 * process each) over generated datasets of increasing size and fits time = a + b·rows by least
 * squares: a straight line (R² near 1, steady rows/s) is what lets the same pipeline be sized for
 * 100x by adding compute (or moving the models to Athena, see `src/nequi/athena/`).
 *
 * Run: `pnpm exec tsx --conditions=@lakeblocks/source bench/nequi-scaling.ts [--sizes 1000000,2000000,4000000,8000000,13305915] [--threads 2] [--memory-limit 384MB] [--keep]`
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchDir, fmt, leastSquares, nequiDataset, runChild, type ChildResult } from './nequi-lib.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000000,2000000,4000000,8000000,13305915' },
    threads: { type: 'string', default: '2' },
    'memory-limit': { type: 'string', default: '384MB' },
    keep: { type: 'boolean', default: false },
  },
});
const sizes = values.sizes!.split(',').map(Number);
const results: { rows: number; r: ChildResult }[] = [];
for (const rows of sizes) {
  const data = await nequiDataset(rows);
  const lake = join(benchDir, `nequi-scaling-lake-${rows}`);
  process.stderr.write(`${fmt(rows)} transactions …\n`);
  const r = await runChild(['pipeline', '--data', data, '--lake', lake, '--threads', values.threads!, '--memory-limit', values['memory-limit']!]);
  results.push({ rows, r });
  if (!values.keep) await rm(lake, { recursive: true, force: true });
  process.stderr.write(`  ${fmt(r.ms / 1000, 1)} s, peak RSS ${fmt(r.maxRssMB)} MB\n`);
}

const fit = leastSquares(results.map(({ r }) => [r.rowsIn, r.ms / 1000]));
// CPU time (user + system, all threads) is the steadier measure on a shared machine: wall time also counts waiting for cores.
const cpuFit = leastSquares(results.map(({ r }) => [r.rowsIn, r.cpuMs / 1000]));
const step = (r: ChildResult, name: string) => fmt((r.steps.find((s) => s.name === name)?.ms ?? 0) / 1000, 1);
console.log(`\nNequi pipeline, time against rows (threads ${values.threads}, DuckDB memory_limit ${values['memory-limit']}):\n`);
console.log('| transactions | rows in | wall s | upload s | raw→processed s | curated s | reports s | rows/s | fit s | CPU s | CPU fit s | rows per CPU s | peak RSS MB |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const { rows, r } of results) {
  console.log(
    `| ${fmt(rows)} | ${fmt(r.rowsIn)} | ${fmt(r.ms / 1000, 1)} | ${step(r, 'upload')} | ${step(r, 'raw-to-processed')} | ${step(r, 'curated')} | ${step(r, 'reports')} | ${fmt(r.rowsIn / (r.ms / 1000))} | ${fmt(fit.a + fit.b * r.rowsIn, 1)} | ${fmt(r.cpuMs / 1000, 1)} | ${fmt(cpuFit.a + cpuFit.b * r.rowsIn, 1)} | ${fmt(r.rowsIn / (r.cpuMs / 1000))} | ${fmt(r.maxRssMB)} |`,
  );
}
console.log(`\nleast squares, wall: time = ${fmt(fit.a, 2)} s + ${fmt(fit.b * 1e6, 2)} s per million rows; R² = ${fit.r2.toFixed(4)}; marginal rate ${fmt(1 / fit.b)} rows/s`);
console.log(`least squares, CPU: time = ${fmt(cpuFit.a, 2)} s + ${fmt(cpuFit.b * 1e6, 2)} s per million rows; R² = ${cpuFit.r2.toFixed(4)}; marginal rate ${fmt(1 / cpuFit.b)} rows per CPU second`);
console.log(`extrapolated to 100x the original (1,330,591,500 rows) on this machine: ${fmt((fit.a + fit.b * 1_330_591_500) / 3600, 1)} h — the reason the models move to Athena at that size`);
