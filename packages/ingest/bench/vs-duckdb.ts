/**
 * CSV → partitioned Parquet, side by side: lakeblocks (`ingestCsvFile`: `readCsvBatches` → `ParquetDatasetWriter` →
 * `LocalStorage`) and DuckDB `COPY … (FORMAT parquet, PARTITION_BY …)` doing the same work (same
 * types, coercions and partitions) on the same generated file, each in its own child process so
 * that each one's peak RSS (`resourceUsage().maxRSS`, the kernel's high-water mark) is its own.
 * DuckDB runs with as many threads as ours uses. Runs are alternated and repeated; both outputs are
 * then fingerprinted by DuckDB (every column aggregated, partition values included) and must match.
 *
 * With `--engine duckdb`, ours is the speculative DuckDB engine (`ingestCsvWithDuckDb`: DuckDB's COPY of
 * the compiled cleaning SQL into local staging, then the writer's naming and publication) on `--parse`
 * DuckDB threads; the run fails if the file fell back to the JS engine.
 *
 * Run: `pnpm exec tsx --conditions=@lakeblocks/source bench/vs-duckdb.ts [events|transactions] [--rows N] [--reps 3] [--workers N] [--dedupe compact|set] [--parse N] [--engine js|duckdb] [--memory-limit 1GB]`
 * (datasets are generated once under `$LAKEBLOCKS_BENCH_DIR`, default `<tmp>/lakeblocks-bench`).
 */
import { execFileSync, spawn } from 'node:child_process';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cacheDir, eventsDataset, transactionsDataset, type BenchDataset } from './datasets.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rows: { type: 'string' },
    reps: { type: 'string', default: '3' },
    workers: { type: 'string', default: '0' },
    concurrency: { type: 'string' },
    child: { type: 'string' },
    threads: { type: 'string', default: '1' },
    out: { type: 'string' },
    profile: { type: 'boolean', default: false },
    /** Ours also dedupes by primary key (the inputs have unique keys, so the output is unchanged): `compact` (default PrimaryKeySet) or `set` (a Set, as before). */
    dedupe: { type: 'string' },
    /** Ours parses on this many worker threads (`ingestCsvFile`), this thread encoding and publishing; DuckDB gets as many threads. */
    parse: { type: 'string', default: '1' },
    /** Ours reads with the JS engine (default) or the DuckDB engine. */
    engine: { type: 'string', default: 'js' },
    /** `memory_limit` of the DuckDB engine (default the engine's, 1GB). */
    'memory-limit': { type: 'string' },
  },
});
const which = positionals[0] ?? 'events';
const rows = values.rows === undefined ? undefined : Number(values.rows);
const dataset: BenchDataset = which === 'transactions' ? transactionsDataset(rows) : eventsDataset(rows);

interface ChildResult {
  ms: number;
  /** CPU time (user + system, all threads) of the measured work. */
  cpuMs: number;
  maxRssMB: number;
  files?: number;
  rows?: number;
  mb?: number;
  phases?: Record<string, number>;
}

if (values.child !== undefined) {
  const out = values.out!;
  await rm(out, { recursive: true, force: true });
  const cpu = process.cpuUsage();
  const result = values.child === 'ours' ? await runOurs(dataset, out, Number(values.workers)) : await runDuckDb(dataset, out, Number(values.threads));
  const used = process.cpuUsage(cpu);
  process.stdout.write(`${JSON.stringify({ ...result, cpuMs: (used.user + used.system) / 1000, maxRssMB: process.resourceUsage().maxRSS / 1024 })}\n`);
  process.exit(0);
}

async function runOurs(ds: BenchDataset, out: string, workers: number): Promise<Omit<ChildResult, 'maxRssMB' | 'cpuMs'>> {
  const { LocalStorage } = await import('@lakeblocks/core');
  const { defineCleaning } = await import('../src/cleaning/cleaning-rules.js');
  const { ingestCsvFile } = await import('../src/parallel/ingest-csv-file.js');
  const { ParquetDatasetWriter } = await import('../src/parquet/dataset-writer.js');
  const { loadParquetWasm } = await import('../src/parquet/parquet-encoder.js');
  await loadParquetWasm();
  const storage = new LocalStorage(out, { durable: false });
  const t = performance.now();
  // The output directory is empty, as on a job's first run of this input: the job names such inputs
  // fresh (no earlier files to sweep), and so does the bench.
  const writer = new ParquetDatasetWriter(storage, ds.cleaning.table, { workers, freshSources: [ds.csv], ...(values.concurrency === undefined ? {} : { concurrency: Number(values.concurrency) }) });
  const dedupe = values.dedupe;
  const cleaning = dedupe === undefined ? ds.cleaning : defineCleaning(ds.cleaning.table, { ...ds.cleaning.rules, dedupe: 'keep-first' });
  let rejected = 0;
  const read = {
    cleaning,
    file: ds.csv,
    threads: Number(values.parse),
    onReject: () => rejected++,
    ...(dedupe === 'set' ? { seenKeys: new Set<string | number>() } : dedupe === 'compact' ? { seenKeys: new (await import('../src/dedupe/primary-key-set.js')).PrimaryKeySet() } : {}),
  };
  let ingested: Awaited<ReturnType<typeof ingestCsvFile>>;
  let phases: Record<string, number> = writer.phases;
  if (values.engine === 'duckdb') {
    const { DuckDbEngine } = await import('../src/duckdb-engine/duckdb-engine.js');
    const { ingestCsvWithDuckDb } = await import('../src/duckdb-engine/ingest-csv-with-duckdb.js');
    const opened = performance.now();
    const engine = await DuckDbEngine.open({ threads: Number(values.parse), ...(values['memory-limit'] === undefined ? {} : { memoryLimit: values['memory-limit'] }) });
    try {
      const result = await ingestCsvWithDuckDb(writer, ds.csv, { ...read, engine });
      if (result.engine !== 'duckdb') throw new Error(`the DuckDB engine fell back: ${result.fallbackBecause}`);
      ingested = result;
      phases = { open: performance.now() - opened - Object.values(result.timings).reduce((a, b) => a + b, 0), ...result.timings, cleanup: writer.phases.cleanup };
    } finally {
      await engine.close();
    }
  } else {
    ingested = await ingestCsvFile(writer, ds.csv, read);
    if (Number(values.parse) > 1 && ingested.threads === 1) throw new Error(`read on one thread: ${ingested.sequentialBecause}`);
  }
  const reader = { stats: ingested.stats };
  if (rejected !== reader.stats.rowsRejected) throw new Error(`${rejected} rejects reported, ${reader.stats.rowsRejected} counted`);
  const result = await writer.commit();
  await writer.close();
  const ms = performance.now() - t;
  if (reader.stats.rowsRejected > 0) throw new Error(`${reader.stats.rowsRejected} rows rejected`);
  return { ms, files: result.files.length, rows: reader.stats.rowsOut, mb: result.bytes / 1e6, phases };
}

async function runDuckDb(ds: BenchDataset, out: string, threads: number): Promise<Omit<ChildResult, 'maxRssMB' | 'cpuMs'>> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const db = await instance.connect();
  const t = performance.now();
  await db.run(ds.duckdbCopy(ds.csv, out));
  const ms = performance.now() - t;
  db.closeSync();
  instance.closeSync();
  return { ms };
}

function child(args: string[]): Promise<ChildResult> {
  return new Promise((resolvePromise, reject) => {
    const p = spawn(process.execPath, [...process.execArgv, ...(values.profile && args.includes('ours') ? ['--cpu-prof', `--cpu-prof-dir=${join(cacheDir, 'profiles')}`] : []), import.meta.filename, which, ...(rows === undefined ? [] : ['--rows', String(rows)]), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    p.stdout.on('data', (d: Buffer) => (text += d.toString()));
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`child ${args.join(' ')} exited ${code}: ${text}`));
      resolvePromise(JSON.parse(text.trim().split('\n').at(-1)!) as ChildResult);
    });
  });
}

const workers = Number(values.workers);
const parse = Number(values.parse);
const threads = parse > 1 ? parse : workers > 0 ? Math.min(2, workers + 1) : 1;
let t = performance.now();
await dataset.generate();
const size = (await stat(dataset.csv)).size;
console.log(`${dataset.name}: ${dataset.csv} (${(size / 1e6).toFixed(0)} MB${performance.now() - t > 1000 ? `, generated in ${((performance.now() - t) / 1000).toFixed(0)} s` : ''}); ours engine=${values.engine} parse threads=${parse} encode workers=${workers}, duckdb threads=${threads}; load ${execFileSync('cat', ['/proc/loadavg']).toString().split(' ').slice(0, 3).join(' ')}`);
const oursOut = join(cacheDir, `out-ours-${dataset.name}`);
const duckOut = join(cacheDir, `out-duckdb-${dataset.name}`);
const ratios: number[] = [];
const cpuRatios: number[] = [];
for (let rep = 0; rep < Number(values.reps); rep++) {
  // Alternate who goes first, so a burst of load elsewhere does not always hit the same side.
  const order = rep % 2 === 0 ? ['ours', 'duckdb'] : ['duckdb', 'ours'];
  const got: Record<string, ChildResult> = {};
  for (const who of order) {
    got[who] = await child(['--child', who, '--out', who === 'ours' ? oursOut : duckOut, '--workers', String(workers), '--threads', String(threads), ...(values.concurrency === undefined ? [] : ['--concurrency', values.concurrency]), ...(values.dedupe === undefined ? [] : ['--dedupe', values.dedupe]), '--parse', String(parse), '--engine', values.engine, ...(values['memory-limit'] === undefined ? [] : ['--memory-limit', values['memory-limit']])]);
  }
  const ours = got.ours!;
  const duck = got.duckdb!;
  ratios.push(ours.ms / duck.ms);
  cpuRatios.push(ours.cpuMs / duck.cpuMs);
  console.log(
    `rep ${rep + 1}: ours ${(ours.ms / 1000).toFixed(2)} s, cpu ${(ours.cpuMs / 1000).toFixed(2)} s (${ours.rows} rows, ${ours.files} files, ${ours.mb?.toFixed(1)} MB, peak RSS ${ours.maxRssMB.toFixed(0)} MB)` +
      ` | duckdb ${(duck.ms / 1000).toFixed(2)} s, cpu ${(duck.cpuMs / 1000).toFixed(2)} s (peak RSS ${duck.maxRssMB.toFixed(0)} MB) | ours/duckdb wall ${(ours.ms / duck.ms).toFixed(2)}, cpu ${(ours.cpuMs / duck.cpuMs).toFixed(2)}` +
      (ours.phases ? ` | phases ${Object.entries(ours.phases).map(([k, v]) => `${k}=${(v / 1000).toFixed(2)}s`).join(' ')}` : ''),
  );
}
for (const [name, list] of [['wall', ratios], ['cpu', cpuRatios]] as const) {
  list.sort((a, b) => a - b);
  console.log(`ratio ours/duckdb (${name} time): median ${list[Math.floor(list.length / 2)]!.toFixed(2)} (min ${list[0]!.toFixed(2)}, max ${list.at(-1)!.toFixed(2)})`);
}

// Same data out? Every column aggregated over both outputs (partition columns from the paths).
const { DuckDBInstance } = await import('@duckdb/node-api');
const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
const db = await instance.connect();
const scan = (dir: string) => `read_parquet('${dir}/**/*.parquet', hive_partitioning = true)`;
const print = async (dir: string) => JSON.stringify((await db.runAndReadAll(`SELECT ${dataset.fingerprint} FROM ${scan(dir)}`)).getRowsJson()[0]);
const types = async (dir: string) => JSON.stringify((await db.runAndReadAll(`DESCRIBE SELECT * FROM ${scan(dir)}`)).getRowsJson().map((r) => `${r[0]}:${r[1]}`));
t = performance.now();
const [a, b] = [await print(oursOut), await print(duckOut)];
const [ta, tb] = [await types(oursOut), await types(duckOut)];
console.log(a === b && ta === tb ? `outputs match (DuckDB fingerprint of every column, ${((performance.now() - t) / 1000).toFixed(1)} s)` : `OUTPUTS DIFFER\n ours   ${a}\n duckdb ${b}\n ours   ${ta}\n duckdb ${tb}`);
db.closeSync();
instance.closeSync();
if (a !== b || ta !== tb) process.exitCode = 1;
