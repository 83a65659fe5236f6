/**
 * parquet-wasm writer options, encoding only (CPU time, median of `reps`, options in turn; bytes):
 * - `transactions [rows=500000]`: one file of transactions-shaped rows, several options;
 * - `events`: the 2,131 day-partition files of TechStore events, old vs current `plainColumns`.
 *
 * Run: `pnpm exec tsx --conditions=@lakeblocks/source bench/encoder-options.ts [transactions|events] [rows] [reps=5]`.
 */
import { createReadStream } from 'node:fs';
import type { RecordBatch } from 'apache-arrow';
import { readCsvBatches } from '../src/csv/read-csv.js';
import { arrowIpcStream, loadParquetWasm, plainColumns } from '../src/parquet/parquet-encoder.js';
import { eventsDataset, transactionsDataset } from './datasets.js';

const which = process.argv[2] ?? 'transactions';
const rows = Number(process.argv[3] ?? 500_000);
const reps = Number(process.argv[4] ?? 5);
const ds = which === 'events' ? eventsDataset() : transactionsDataset(2_000_000);
await ds.generate();
await loadParquetWasm();
const wasm = await import('parquet-wasm');
const table = ds.cleaning.table;

// The files to encode: one of `rows` rows, or every partition of the events.
const files: RecordBatch[][] = [];
let n = 0;
if (which === 'events') {
  const groups = new Map<string, RecordBatch[]>();
  for await (const { batch, partitionPath } of readCsvBatches(createReadStream(ds.csv), { cleaning: ds.cleaning, file: ds.csv, groupByPartition: true })) {
    groups.set(partitionPath, [...(groups.get(partitionPath) ?? []), batch]);
    n += batch.numRows;
  }
  files.push(...groups.values());
} else {
  const batches: RecordBatch[] = [];
  for await (const { batch } of readCsvBatches(createReadStream(ds.csv), { cleaning: ds.cleaning, file: ds.csv })) {
    batches.push(batch);
    n += batch.numRows;
    if (n >= rows) break;
  }
  files.push(batches);
}

type Builder = InstanceType<typeof wasm.WriterPropertiesBuilder>;
const plain = (b: Builder, names: string[]): Builder => names.reduce((x, c) => x.setColumnDictionaryEnabled(c, false), b);
const keysAndTimestamps = table.fileColumns.filter((c) => c.isPrimaryKey || c.type.kind === 'timestamp').map((c) => c.name);
const numbers = ['client_id', 'card_id', 'merchant_id', 'amount', 'zip', 'mcc'];
const variants: Record<string, (b: Builder) => Builder> =
  which === 'events'
    ? { 'keys+ts plain (before)': (b) => plain(b, keysAndTimestamps), 'plainColumns (now)': (b) => plain(b, plainColumns(table)) }
    : {
        'keys+ts plain (before)': (b) => plain(b, keysAndTimestamps),
        'plainColumns (now)': (b) => plain(b, plainColumns(table)),
        'before + stats chunk': (b) => plain(b, keysAndTimestamps).setStatisticsEnabled(wasm.EnabledStatistics.Chunk),
        'before + stats none': (b) => plain(b, keysAndTimestamps).setStatisticsEnabled(wasm.EnabledStatistics.None),
        'before + page 4 MiB': (b) => plain(b, keysAndTimestamps).setDataPageSizeLimit(4 << 20),
        'before + v2 pages': (b) => plain(b, keysAndTimestamps).setWriterVersion(wasm.WriterVersion.V2),
        ...Object.fromEntries(numbers.map((c): [string, (b: Builder) => Builder] => [`before + ${c} plain`, (b) => plain(b, [...keysAndTimestamps, c])])),
      };

const results = new Map<string, { cpu: number[]; bytes: number }>();
for (let r = 0; r < reps; r++) {
  for (const [name, tweak] of Object.entries(variants)) {
    const c0 = process.cpuUsage();
    let bytes = 0;
    for (const batches of files) {
      const wasmTable = wasm.Table.fromIPCStream(arrowIpcStream(batches));
      bytes += wasm.writeParquet(wasmTable, tweak(new wasm.WriterPropertiesBuilder().setCompression(wasm.Compression.SNAPPY).setMaxRowGroupSize(1_000_000)).build()).length;
    }
    const c = process.cpuUsage(c0);
    const e = results.get(name) ?? { cpu: [], bytes };
    e.cpu.push((c.user + c.system) / 1000);
    results.set(name, e);
  }
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
console.log(`${which}: ${n} rows in ${files.length} file(s), ${reps} reps (Arrow → IPC → parquet-wasm, snappy)`);
for (const [name, e] of results) console.log(`${name.padEnd(26)} ${median(e.cpu).toFixed(0).padStart(6)} ms CPU (min ${Math.min(...e.cpu).toFixed(0)})  ${(e.bytes / 1e6).toFixed(2)} MB`);
