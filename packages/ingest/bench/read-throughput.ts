/**
 * CSV → typed Arrow batches throughput on the TechStore files (tokenize + clean + type + build).
 * Run: `pnpm exec tsx --conditions=@lakeblocks/source bench/read-throughput.ts [dir]`.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readCsvBatches } from '../src/csv/read-csv.js';
import { techstoreCleaning } from '../src/testing/techstore-tables.js';

const dir = process.argv[2] ?? join(import.meta.dirname, '../../../../shared/data/techstore');
for (const name of ['orders', 'order_items', 'customers']) {
  const path = join(dir, `${name}.csv`);
  if (!existsSync(path)) continue;
  const cleaning = techstoreCleaning.find((c) => c.table.name === name)!;
  for (const grouped of [false, true]) {
    const times: number[] = [];
    let rows = 0;
    for (let k = 0; k < 5; k++) {
      const t = performance.now();
      rows = 0;
      for await (const { batch } of readCsvBatches(createReadStream(path, { highWaterMark: 256 * 1024 }), { cleaning, file: path, groupByPartition: grouped })) rows += batch.numRows;
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const mb = statSync(path).size / 1e6;
    console.log(`${name.padEnd(12)} grouped=${String(grouped).padEnd(5)} rows=${rows} median=${times[2]!.toFixed(0)} ms (${(mb / (times[2]! / 1000)).toFixed(0)} MB/s, ${((rows / times[2]!) * 1000 / 1e6).toFixed(2)} M rows/s)`);
  }
}
