/**
 * Our side of `vs-duckdb.ts` alone, for profiling: `pnpm exec tsx --conditions=@lakeblocks/source --cpu-prof bench/profile-ingest.ts <events|transactions> [rows] [read]`
 * (`read`: CSV → Arrow only, no Parquet).
 */
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalStorage } from '@lakeblocks/core';
import { cacheDir, eventsDataset, transactionsDataset } from './datasets.js';
import { readCsvBatches } from '../src/csv/read-csv.js';
import { ParquetDatasetWriter } from '../src/parquet/dataset-writer.js';
import { loadParquetWasm } from '../src/parquet/parquet-encoder.js';
const which = process.argv[2] ?? 'events';
const rows = process.argv[3] ? Number(process.argv[3]) : undefined;
const readOnly = process.argv[4] === 'read';
const ds = which === 'transactions' ? transactionsDataset(rows) : eventsDataset(rows);
await ds.generate();
await loadParquetWasm();
const out = join(cacheDir, `out-profile-${which}`);
await rm(out, { recursive: true, force: true });
const t = performance.now();
const reader = readCsvBatches(createReadStream(ds.csv, { highWaterMark: 1 << 20 }), { cleaning: ds.cleaning, file: ds.csv, groupByPartition: true });
if (readOnly) {
  let n = 0;
  for await (const b of reader) n += b.batch.numRows;
  console.log('read only', n, performance.now() - t);
} else {
  const writer = new ParquetDatasetWriter(new LocalStorage(out, { durable: false }), ds.cleaning.table, {});
  await writer.write(ds.csv, reader);
  await writer.commit();
  await writer.close();
  console.log('total', performance.now() - t, writer.phases);
}
await rm(out, { recursive: true, force: true });
