/**
 * CSV → day-partitioned Parquet on an events-shaped file (TechStore events: 760,958 rows over 2,131
 * days by default), ours vs DuckDB `COPY … (FORMAT parquet, PARTITION_BY …)` at 1 and 2 threads.
 * The file is generated (deterministic) under the OS temp dir; the real events.csv is not shipped.
 * Run: `pnpm exec tsx --conditions=@lakeblocks/source bench/events-vs-duckdb.ts [rows]`.
 */
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { DuckDBInstance } from '@duckdb/node-api';
import { LocalStorage } from '@lakeblocks/core';
import { readCsvBatches } from '../src/csv/read-csv.js';
import { ParquetDatasetWriter } from '../src/parquet/dataset-writer.js';
import { techstoreCleaning } from '../src/testing/techstore-tables.js';

const rows = Number(process.argv[2] ?? 760_958);
const root = join(tmpdir(), 'lakeblocks-bench');
const csv = join(root, `events-${rows}.csv`);

async function generate(): Promise<void> {
  await mkdir(root, { recursive: true });
  if (existsSync(csv)) return;
  const out = createWriteStream(csv);
  out.write('event_id,session_id,timestamp,event_type,product_id,qty,cart_size,payment,discount_pct,amount_usd\n');
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const start = Date.UTC(2020, 0, 1);
  const span = 2131 * 86_400_000;
  const types = ['page_view', 'page_view', 'page_view', 'add_to_cart', 'checkout', 'purchase'];
  for (let i = 0; i < rows; i++) {
    const t = new Date(start + Math.floor((i / rows) * span) + Math.floor(rand() * 60_000)).toISOString().slice(0, 19);
    const type = types[Math.floor(rand() * types.length)]!;
    const product = type === 'page_view' || type === 'add_to_cart' ? `${Math.floor(rand() * 1197) + 1}.0` : '';
    const qty = type === 'add_to_cart' ? `${Math.floor(rand() * 3) + 1}.0` : '';
    const cart = type === 'checkout' ? `${Math.floor(rand() * 5) + 1}.0` : '';
    const pay = type === 'purchase' ? 'card' : '';
    const disc = type === 'purchase' ? '10.0' : '';
    const amount = type === 'purchase' ? (rand() * 500).toFixed(2) : '';
    if (!out.write(`${i + 1},${Math.floor(i / 6) + 1},${t},${type},${product},${qty},${cart},${pay},${disc},${amount}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
}

let peak = 0;
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);

await generate();
const events = techstoreCleaning.find((c) => c.table.name === 'events')!;
const oursDir = join(root, 'ours');
await rm(oursDir, { recursive: true, force: true });
const storage = new LocalStorage(oursDir, { durable: false });
peak = 0;
let t = performance.now();
const writer = new ParquetDatasetWriter(storage, events.table);
const reader = readCsvBatches(createReadStream(csv, { highWaterMark: 1 << 20 }), { cleaning: events, file: csv, groupByPartition: true });
await writer.write(csv, reader);
const result = await writer.commit();
await writer.close();
const oursMs = performance.now() - t;
console.log(`ours:   ${reader.stats.rowsOut} rows, ${result.files.length} files, ${(result.bytes / 1e6).toFixed(1)} MB in ${(oursMs / 1000).toFixed(2)} s, peak RSS ${(peak / 1e6).toFixed(0)} MB`);

for (const threads of [1, 2]) {
  const duckDir = join(root, `duckdb-${threads}`);
  await rm(duckDir, { recursive: true, force: true });
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const db = await instance.connect();
  t = performance.now();
  await db.run(
    `COPY (SELECT *, year("timestamp") AS year, month("timestamp") AS month, day("timestamp") AS day FROM read_csv('${csv}', header = true))
     TO '${duckDir}' (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (year, month, day))`,
  );
  const ms = performance.now() - t;
  console.log(`duckdb: threads=${threads} ${(ms / 1000).toFixed(2)} s → ours / duckdb = ${(oursMs / ms).toFixed(2)}`);
  db.closeSync();
  instance.closeSync();
}
clearInterval(timer);
