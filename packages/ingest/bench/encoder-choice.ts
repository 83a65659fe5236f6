/**
 * Parquet encoders side by side, encoding only (bytes in memory, snappy): lakeblocks' own
 * (`arrowParquetEncoder`, the dataset writer's default), parquet-wasm and the earlier default
 * `adaptiveEncoder()` (hyparquet-writer under 256 rows, parquet-wasm above), on the batches of one
 * generated dataset grouped as the writer groups them (one file per partition): events → 2,131 day
 * files of ~357 rows, transactions → month files. Reps alternate encoders; medians of CPU time.
 *
 * Run: `pnpm exec tsx --conditions=@lakeblocks/source bench/encoder-choice.ts [events|transactions] [rows] [reps]`.
 */
import { createReadStream } from 'node:fs';
import type { RecordBatch } from 'apache-arrow';
import { readCsvBatches } from '../src/csv/read-csv.js';
import { arrowParquetEncoder } from '../src/parquet/arrow-parquet-encoder.js';
import { adaptiveEncoder, loadParquetWasm, parquetWasmEncoder, type ParquetEncoder } from '../src/parquet/parquet-encoder.js';
import { eventsDataset, transactionsDataset } from './datasets.js';

const which = process.argv[2] ?? 'events';
const rows = process.argv[3] ? Number(process.argv[3]) : which === 'transactions' ? 1_000_000 : undefined;
const reps = Number(process.argv[4] ?? 5);
const ds = which === 'transactions' ? transactionsDataset(rows) : eventsDataset(rows);
await ds.generate();
await loadParquetWasm();
const groups = new Map<string, RecordBatch[]>();
for await (const b of readCsvBatches(createReadStream(ds.csv, { highWaterMark: 1 << 20 }), { cleaning: ds.cleaning, file: ds.csv, groupByPartition: true })) {
  const list = groups.get(b.partitionPath) ?? [];
  list.push(b.batch);
  groups.set(b.partitionPath, list);
}
const total = [...groups.values()].flat().reduce((n, b) => n + b.numRows, 0);
console.log(`${ds.name}: ${total} rows in ${groups.size} files (load ${(await import('node:os')).loadavg()[0]!.toFixed(1)})`);
const encoders: ParquetEncoder[] = [arrowParquetEncoder, parquetWasmEncoder, adaptiveEncoder()];
const cpu = new Map<string, number[]>();
const size = new Map<string, number>();
for (let rep = 0; rep < reps; rep++) {
  for (const encoder of rep % 2 === 0 ? encoders : [...encoders].reverse()) {
    const started = process.cpuUsage();
    let bytes = 0;
    for (const batches of groups.values()) bytes += encoder.encode(ds.cleaning.table, batches).length;
    const used = process.cpuUsage(started);
    cpu.set(encoder.name, [...(cpu.get(encoder.name) ?? []), (used.user + used.system) / 1000]);
    size.set(encoder.name, bytes);
  }
}
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
const ours = median(cpu.get(arrowParquetEncoder.name)!);
for (const e of encoders) {
  const m = median(cpu.get(e.name)!);
  console.log(`${e.name.padEnd(14)} median CPU ${m.toFixed(0).padStart(5)} ms (${(m / ours).toFixed(2)}× ours)  ${(size.get(e.name)! / 1e6).toFixed(2)} MB`);
}
