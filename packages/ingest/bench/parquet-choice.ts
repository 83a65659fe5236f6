/**
 * Parquet library choice: hyparquet-writer vs parquet-wasm on TechStore orders (one file, and one
 * file per day partition, as the dataset writer does). Encoding only (bytes in memory), snappy.
 * Run: `pnpm exec tsx --conditions=@lakeblocks/source bench/parquet-choice.ts [dir]`.
 */
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { readCsvBatches, type PartitionedBatch } from '../src/csv/read-csv.js';
import { adaptiveEncoder, hyparquetEncoder, loadParquetWasm, parquetWasmEncoder, type ParquetEncoder } from '../src/parquet/parquet-encoder.js';
import { techstoreCleaning } from '../src/testing/techstore-tables.js';

const dir = process.argv[2] ?? join(import.meta.dirname, '../../../../shared/data/techstore');
await loadParquetWasm();
for (const name of ['orders', 'order_items']) {
  const path = join(dir, `${name}.csv`);
  if (!existsSync(path)) {
    console.log(`skip ${name}: not found in ${dir}`);
    continue;
  }
  const cleaning = techstoreCleaning.find((c) => c.table.name === name)!;
  for (const grouped of [false, true]) {
    const parts: PartitionedBatch[] = [];
    for await (const b of readCsvBatches(createReadStream(path), { cleaning, file: path, groupByPartition: grouped })) parts.push(b);
    const byPartition = new Map<string, PartitionedBatch[]>();
    for (const p of parts) byPartition.set(p.partitionPath, [...(byPartition.get(p.partitionPath) ?? []), p]);
    for (const encoder of [hyparquetEncoder, parquetWasmEncoder, adaptiveEncoder(), hyparquetEncoder, parquetWasmEncoder, adaptiveEncoder()] as ParquetEncoder[]) {
      const t = performance.now();
      let bytes = 0;
      for (const group of byPartition.values()) bytes += encoder.encode(cleaning.table, group.map((g) => g.batch)).length;
      const ms = performance.now() - t;
      console.log(`${name.padEnd(12)} files=${String(byPartition.size).padStart(5)} ${encoder.name.padEnd(17)} ${ms.toFixed(0).padStart(5)} ms ${(bytes / 1024).toFixed(0).padStart(6)} KiB`);
    }
  }
}

// Crossover: time per file by rows per file (orders, one batch sliced).
{
  const path = join(dir, 'orders.csv');
  if (existsSync(path)) {
    const cleaning = techstoreCleaning.find((c) => c.table.name === 'orders')!;
    const batches: PartitionedBatch[] = [];
    for await (const b of readCsvBatches(createReadStream(path), { cleaning, file: path })) batches.push(b);
    const batch = batches[0]!.batch;
    for (const rows of [16, 128, 512, 1024, 2048, 4096, 16384]) {
      const slice = batch.slice(0, rows);
      const line: string[] = [];
      for (const encoder of [hyparquetEncoder, parquetWasmEncoder] as ParquetEncoder[]) {
        const reps = Math.max(3, Math.floor(20000 / rows));
        encoder.encode(cleaning.table, [slice]);
        const t = performance.now();
        let size = 0;
        for (let k = 0; k < reps; k++) size = encoder.encode(cleaning.table, [slice]).length;
        line.push(`${encoder.name} ${((performance.now() - t) / reps).toFixed(2)} ms/file ${size} B`);
      }
      console.log(`rows/file=${String(rows).padStart(6)}  ${line.join('  |  ')}`);
    }
  }
}
