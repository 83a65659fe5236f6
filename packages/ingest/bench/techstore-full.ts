/**
 * The whole real TechStore dataset (5 tables + the two monthly batches) through upload and the
 * raw → processed job into a local lake, then row counts and column types checked with DuckDB.
 * Run: `pnpm exec tsx --conditions=@lakeblocks/source bench/techstore-full.ts [dir]` (too slow for the unit suite: ~6,400 partition files).
 */
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStorage } from '@lakeblocks/core';
import { runRawToProcessed } from '../src/job/raw-to-processed.js';
import { openDuckDb, parquetScan } from '../src/testing/duckdb.js';
import { techstoreCleaning, techstoreTables } from '../src/testing/techstore-tables.js';
import { uploadFile } from '../src/upload/upload-file.js';

const dir = process.argv[2] ?? join(import.meta.dirname, '../../../../shared/data/techstore');
if (!existsSync(dir)) {
  console.log(`skipped: ${dir} not found`);
  process.exit(0);
}
const lake = join(tmpdir(), 'lakeblocks-techstore-full');
await rm(lake, { recursive: true, force: true });
const storage = new LocalStorage(lake, { durable: false });
const expected = new Map<string, number>();
let t = performance.now();
const uploads: [string, string][] = (await readdir(dir)).filter((f) => f.endsWith('.csv')).map((f) => [join(dir, f), 'initial']);
for (const batch of ['2025-11', '2025-12']) for (const f of await readdir(join(dir, 'batches', batch))) uploads.push([join(dir, 'batches', batch, f), batch]);
for (const [path, batch] of uploads) {
  const up = await uploadFile(storage, path, { tables: techstoreTables, batch });
  expected.set(up.table, (expected.get(up.table) ?? 0) + up.rows);
}
console.log(`upload: ${uploads.length} files in ${((performance.now() - t) / 1000).toFixed(2)} s`);
t = performance.now();
const result = await runRawToProcessed({ storage, tables: techstoreCleaning });
console.log(`raw → processed: ${result.rowsIn} in, ${result.rowsOut} out, ${result.rowsRejected} rejected in ${((performance.now() - t) / 1000).toFixed(2)} s`);
for (const r of result.tables) console.log(`  ${r.message}`);
const db = await openDuckDb();
for (const [table, rows] of expected) {
  const [got] = await db.query(`SELECT count(*)::INT AS n FROM ${parquetScan(storage.uri(`processed/${table}`))}`);
  const types = (await db.query(`DESCRIBE SELECT * FROM ${parquetScan(storage.uri(`processed/${table}`))}`)).map((r) => `${r.column_name}:${r.column_type}`);
  console.log(`${got?.n === rows ? 'OK ' : 'BAD'} ${table}: ${got?.n} rows (expected ${rows}) ${types.join(' ')}`);
}
db.close();
const again = await runRawToProcessed({ storage, tables: techstoreCleaning });
console.log(`rerun: nothingNew=${again.nothingNew}`);
