/**
 * TechStore benchmark (`pnpm bench:techstore`): the full pipeline run on the real data
 * (`../shared/data/techstore` plus events and sessions generated consistent with its orders),
 * side by side in one invocation with a plain DuckDB script producing the same processed layout
 * and curated models (bench/techstore-side.ts), then the incremental run of one monthly batch
 * (`batches/2025-11`) on the lakeblocks lake. Each side runs in its own process (peak RSS is its
 * own), one after the other, on lakes under the same directory; the CSVs are read once beforehand
 * so that both find them in the page cache. Rows per curated table must be equal on both sides.
 *
 * Env: `TECHSTORE_DATA` (default /work/shared/data/techstore), `BENCH_TMP` (default /dev/shm when
 * present, else the OS temp directory), `BENCH_ROUNDS` (default 1: rounds alternate the order),
 * `BENCH_INGEST_THREADS` / `BENCH_INGEST_WORKERS` (ingest parse threads / encode workers of the lakeblocks side).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateTechstore } from '../src/techstore/generate/generate.js';

const run = promisify(execFile);
const DATA = process.env['TECHSTORE_DATA'] ?? join(import.meta.dirname, '../../../../shared/data/techstore');
const BATCH = join(DATA, 'batches/2025-11');
const ROOT = process.env['BENCH_TMP'] ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 1);
const SIDE = join(import.meta.dirname, 'techstore-side.ts');

interface SideResult {
  side: string;
  ms: number;
  maxRssMB: number;
  steps: Record<string, number>;
  counts: Record<string, number>;
  mode?: string;
  rowsIn?: number;
  rejected?: number;
}

async function side(name: 'lakeblocks' | 'duckdb', dataDir: string, lakeDir: string): Promise<SideResult> {
  const { stdout } = await run(process.execPath, ['--conditions=@lakeblocks/source', '--import', 'tsx', SIDE, name, dataDir, lakeDir], {
    cwd: join(import.meta.dirname, '..'),
    maxBuffer: 64 << 20,
  });
  const last = stdout.trimEnd().split('\n').at(-1) ?? '';
  return JSON.parse(last) as SideResult;
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mb = (x: number) => `${Math.round(x)} MB`;

const work = await mkdtemp(join(ROOT, 'techstore-bench-'));
try {
  // The input: the real tables plus sessions and events generated for the real orders.
  const dataDir = join(work, 'data');
  await mkdir(dataDir, { recursive: true });
  for (const n of (await readdir(DATA)).filter((f) => f.endsWith('.csv'))) await copyFile(join(DATA, n), join(dataDir, n));
  const started = performance.now();
  const generated = await generateTechstore({ out: dataDir, from: DATA, seed: '42' });
  process.stderr.write(`input: ${generated.tables.map((t) => (t.generated ? `${t.table} ${t.rows.toLocaleString('en-US')} (generated)` : `${t.table} (real)`)).join(', ')} · generated in ${s(performance.now() - started)}\n`);
  for (const n of await readdir(dataDir)) await readFile(join(dataDir, n)); // warm the page cache

  const rows: string[][] = [];
  let mismatch = false;
  for (let round = 0; round < ROUNDS; round++) {
    const lakeA = join(work, `lake-lakeblocks-${round}`);
    const lakeB = join(work, `lake-duckdb-${round}`);
    const order: ('lakeblocks' | 'duckdb')[] = round % 2 === 0 ? ['lakeblocks', 'duckdb'] : ['duckdb', 'lakeblocks'];
    const results: Partial<Record<'lakeblocks' | 'duckdb', SideResult>> = {};
    for (const name of order) {
      process.stderr.write(`round ${round + 1}: ${name} full run…\n`);
      results[name] = await side(name, dataDir, name === 'lakeblocks' ? lakeA : lakeB);
    }
    process.stderr.write(`round ${round + 1}: lakeblocks incremental run of batches/2025-11…\n`);
    const inc = await side('lakeblocks', BATCH, lakeA);
    const a = results.lakeblocks as SideResult;
    const b = results.duckdb as SideResult;
    for (const [model, n] of Object.entries(b.counts)) {
      if (a.counts[model] !== n) {
        mismatch = true;
        process.stderr.write(`row count differs for ${model}: lakeblocks ${a.counts[model]}, duckdb ${n}\n`);
      }
    }
    rows.push([`${round + 1}`, 'lakeblocks full', s(a.ms), mb(a.maxRssMB), `${(a.ms / b.ms).toFixed(2)}×`, Object.entries(a.steps).map(([k, v]) => `${k} ${s(v)}`).join(', ')]);
    rows.push([`${round + 1}`, 'plain DuckDB full', s(b.ms), mb(b.maxRssMB), '1.00×', Object.entries(b.steps).map(([k, v]) => `${k} ${s(v)}`).join(', ')]);
    rows.push([
      `${round + 1}`,
      'lakeblocks incremental 2025-11',
      s(inc.ms),
      mb(inc.maxRssMB),
      `${((100 * inc.ms) / a.ms).toFixed(1)}% of full`,
      `${inc.mode}; ${Object.entries(inc.steps).map(([k, v]) => `${k} ${s(v)}`).join(', ')}`,
    ]);
    if (round === 0) {
      process.stdout.write('\nrows per curated table (lakeblocks = DuckDB):\n');
      for (const [model, n] of Object.entries(b.counts)) process.stdout.write(`  ${model.padEnd(32)} ${String(a.counts[model]).padStart(9)} ${a.counts[model] === n ? '=' : '≠'} ${String(n).padStart(9)}\n`);
      process.stdout.write(`  ingest: ${a.rowsIn?.toLocaleString('en-US')} rows in, ${a.rejected} rejected\n`);
    }
  }
  const header = ['round', 'run', 'wall', 'peak RSS', 'ratio', 'steps'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  process.stdout.write(`\n${line(header)}\n${rows.map(line).join('\n')}\n`);
  process.stdout.write('ratio: lakeblocks wall / plain DuckDB wall (target ≤ 1.00×); incremental as a share of the full lakeblocks run.\n');
  if (mismatch) process.exitCode = 1;
} finally {
  await rm(work, { recursive: true, force: true });
}
