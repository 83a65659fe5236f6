/**
 * Scenario "near-real-time": micro-batches of small files through the same incremental path. A base
 * lake is built from the first `--base` transactions; then `--batches` files of `--batch-rows`
 * transactions each (the next rows of the same generated stream, newest data) are dropped into
 * `raw/transactions/<batch>/` one after the other and run through raw → processed → curated
 * (`runNequiMicroBatch`). Prints each batch's latency (drop → curated committed) and p50 / p95.
 *
 * Run: `pnpm exec tsx --conditions=@lakeblocks/source bench/nequi-micro-batches.ts [--base 1000000] [--batches 20] [--batch-rows 1000]`
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { runNequiMicroBatch, type MicroBatchResult } from '../src/nequi/pipeline/micro-batch.js';
import { nequiPipeline } from '../src/nequi/pipeline/nequi-pipeline.js';
import { NEQUI_SOURCE_FILES } from '../src/nequi/pipeline/upload-sources.js';
import { benchDir, fmt, nequiDataset } from './nequi-lib.js';

const { values } = parseArgs({
  options: { base: { type: 'string', default: '1000000' }, batches: { type: 'string', default: '20' }, 'batch-rows': { type: 'string', default: '1000' }, threads: { type: 'string', default: '2' } },
});
const baseRows = Number(values.base);
const batches = Number(values.batches);
const batchRows = Number(values['batch-rows']);
const all = await nequiDataset(baseRows + batches * batchRows);

// Split the generated transactions: the base file, then the micro-batches (streamed, any size).
const baseDir = join(benchDir, `nequi-micro-base-${baseRows}`);
await rm(baseDir, { recursive: true, force: true });
await mkdir(baseDir, { recursive: true });
for (const f of [NEQUI_SOURCE_FILES.users, NEQUI_SOURCE_FILES.cards, NEQUI_SOURCE_FILES.mccCodes]) await copyFile(join(all, f), join(baseDir, f));
const baseOut = createWriteStream(join(baseDir, NEQUI_SOURCE_FILES.transactions));
const micro: string[][] = [];
let header = '';
let n = -1;
for await (const line of createInterface({ input: createReadStream(join(all, NEQUI_SOURCE_FILES.transactions)), crlfDelay: Infinity })) {
  if (n === -1) header = line;
  if (n < baseRows) {
    if (!baseOut.write(`${line}\n`)) await new Promise<void>((r) => baseOut.once('drain', () => r()));
  } else {
    const i = Math.floor((n - baseRows) / batchRows);
    (micro[i] ??= [header]).push(line);
  }
  n++;
}
await new Promise<void>((resolve, reject) => baseOut.end((error?: Error | null) => (error ? reject(error) : resolve())));

const lakeDir = join(benchDir, `nequi-micro-lake-${baseRows}`);
await rm(lakeDir, { recursive: true, force: true });
const started = performance.now();
await nequiPipeline({ lakeDir, dataDir: baseDir, batch: 'base', threads: Number(values.threads) }).run({ runId: 'base' });
process.stderr.write(`base lake of ${fmt(baseRows)} transactions built in ${fmt((performance.now() - started) / 1000, 1)} s\n`);

const results: MicroBatchResult[] = [];
for (const [i, lines] of micro.entries()) {
  const r = await runNequiMicroBatch({ lakeDir, batch: `mb-${String(i + 1).padStart(6, '0')}`, csv: Buffer.from(`${lines.join('\n')}\n`), threads: Number(values.threads) });
  if (r.runLog.status !== 'succeeded') throw new Error(`micro-batch ${r.batch} ${r.runLog.status}`);
  results.push(r);
  const stepMs = (name: string) => r.runLog.steps.find((s) => s.name === name)?.durationMs ?? 0;
  process.stderr.write(`${r.batch}: ${r.rows} rows, ${fmt(r.latencyMs)} ms (upload ${fmt(r.uploadMs)}, raw→processed ${fmt(stepMs('raw-to-processed'))}, curated ${fmt(stepMs('curated'))})\n`);
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};
const lat = results.map((r) => r.latencyMs);
const step = (name: string) => results.map((r) => r.runLog.steps.find((s) => s.name === name)?.durationMs ?? 0);
console.log(`\nNequi micro-batches: ${results.length} files of ${fmt(batchRows)} transactions onto a lake of ${fmt(baseRows)} (threads ${values.threads}):\n`);
console.log('| latency (drop → curated committed) | p50 ms | p95 ms | max ms |');
console.log('|---|---:|---:|---:|');
console.log(`| whole batch | ${fmt(pct(lat, 50))} | ${fmt(pct(lat, 95))} | ${fmt(Math.max(...lat))} |`);
console.log(`| upload into raw/ | ${fmt(pct(results.map((r) => r.uploadMs), 50))} | ${fmt(pct(results.map((r) => r.uploadMs), 95))} | ${fmt(Math.max(...results.map((r) => r.uploadMs)))} |`);
for (const name of ['raw-to-processed', 'curated', 'reports']) console.log(`| ${name} | ${fmt(pct(step(name), 50))} | ${fmt(pct(step(name), 95))} | ${fmt(Math.max(...step(name)))} |`);
console.log(`\nthroughput: ${fmt((results.reduce((s, r) => s + r.rows, 0) / lat.reduce((a, b) => a + b, 0)) * 1000)} transactions/s end to end`);
