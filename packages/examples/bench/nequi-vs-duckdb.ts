/**
 * The Nequi run side by side with a plain DuckDB script doing the same work (read the CSVs, clean,
 * write processed Parquet, compute the curated models: `src/nequi/baseline/duckdb-baseline.ts`),
 * each in its own child process, alternated `--reps` times; prints time, CPU and peak RSS of each,
 * the ratio, and whether both lakes hold the same rows (every processed table and model
 * fingerprinted by DuckDB) — the independent recomputation of issue 7's done-when.
 *
 * Run: `pnpm exec tsx --conditions=@lakeblocks/source bench/nequi-vs-duckdb.ts [--rows 13305915] [--data DIR] [--reps 1] [--threads 2] [--memory-limit 384MB] [--duckdb-memory-limit default]`
 * (`--data` reuses sources generated with `pnpm nequi generate`; else they are generated once under
 * `$LAKEBLOCKS_BENCH_DIR`).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fingerprintLake } from '../src/nequi/baseline/duckdb-baseline.js';
import { nequiModels } from '../src/nequi/models/index.js';
import { nequiTables } from '../src/nequi/tables.js';
import { benchDir, fmt, nequiDataset, runChild, type ChildResult } from './nequi-lib.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '13305915' },
    data: { type: 'string' },
    reps: { type: 'string', default: '1' },
    threads: { type: 'string', default: '2' },
    'memory-limit': { type: 'string', default: '384MB' },
    /** The plain script's DuckDB memory_limit: `default` is DuckDB's own (80 % of RAM) — what a plain script runs with. */
    'duckdb-memory-limit': { type: 'string', default: 'default' },
  },
});
const rows = Number(values.rows);
const data = values.data ?? (await nequiDataset(rows));
const common = ['--data', data, '--threads', values.threads!];
const limits = { pipeline: values['memory-limit']!, duckdb: values['duckdb-memory-limit']! };
const lakes = { pipeline: join(benchDir, `nequi-lake-${rows}`), duckdb: join(benchDir, `nequi-duckdb-${rows}`) };
const results: ChildResult[] = [];
for (let rep = 0; rep < Number(values.reps); rep++) {
  for (const mode of rep % 2 === 0 ? (['pipeline', 'duckdb'] as const) : (['duckdb', 'pipeline'] as const)) {
    process.stderr.write(`rep ${rep + 1}: ${mode} …\n`);
    results.push(await runChild([mode, ...common, '--memory-limit', limits[mode], '--lake', lakes[mode]]));
  }
}

const best = (mode: string) => results.filter((r) => r.mode === mode).sort((a, b) => a.ms - b.ms)[0]!;
const ours = best('pipeline');
const duck = best('duckdb');
const line = (name: string, r: ChildResult) =>
  `| ${name} | ${fmt(r.ms / 1000, 1)} | ${fmt(r.cpuMs / 1000, 1)} | ${fmt(r.maxRssMB)} | ${fmt(r.rowsIn)} | ${fmt(r.processed)} | ${fmt(r.rejected)} | ${fmt(r.rowsIn / (r.ms / 1000))} |`;
console.log(`\nNequi, ${fmt(rows)} transactions (${data}), threads ${values.threads}, DuckDB memory_limit ${limits.pipeline} (pipeline) / ${limits.duckdb} (plain script), best of ${values.reps}:\n`);
console.log('| run | wall s | CPU s | peak RSS MB | rows in | processed | rejected | rows/s |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
console.log(line('lakeblocks pipeline (`pnpm nequi run`)', ours));
console.log(line('plain DuckDB script', duck));
console.log(`\nratio pipeline / DuckDB: time ${fmt(ours.ms / duck.ms, 2)}x, peak RSS ${fmt(ours.maxRssMB / duck.maxRssMB, 2)}x`);
console.log(`pipeline steps: ${ours.steps.map((s) => `${s.name} ${fmt(s.ms / 1000, 1)} s (peak RSS so far ${fmt(s.maxRssMB)} MB)`).join('; ')}`);
const a = await fingerprintLake(lakes.pipeline);
const b = await fingerprintLake(lakes.duckdb);
const differ = Object.keys(a).filter((k) => a[k] !== b[k]);
console.log(`accounting: rows in ${fmt(ours.rowsIn)} = processed ${fmt(ours.processed)} + rejected ${fmt(ours.rejected)}: ${ours.rowsIn === ours.processed + ours.rejected ? 'yes' : 'NO'}`);
console.log(`same rows in both lakes (${Object.keys(a).length} tables and models fingerprinted): ${differ.length === 0 ? 'yes' : `NO: ${differ.join(', ')}`}`);
const dictionary = await readFile(join(lakes.pipeline, 'reports', 'data-dictionary.md'), 'utf8').catch(() => '');
const documented = [...nequiTables.map((t) => t.name), ...nequiModels.map((m) => m.name)].every((name) => dictionary.includes(`## \`${name}\``));
console.log(`data dictionary documents every table and model: ${documented ? 'yes' : 'NO'}`);
if (differ.length > 0 || ours.rowsIn !== ours.processed + ours.rejected || !documented) process.exitCode = 1;
