// Runnable: `pnpm --filter @lakeblocks/core exec tsx examples/quickstart.ts` (or via vitest, see quickstart.test.ts).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  JobBookmarks,
  LocalStorage,
  StorageBookmarkStore,
  col,
  defineTable,
  definePipeline,
  lakeLayout,
  listPartitions,
  partitionValuesOf,
  toAthenaCreateTable,
  toMySqlCreateTable,
  type RowOf,
} from '@lakeblocks/core';

// 1. Define a table once.
export const orders = defineTable({
  name: 'orders',
  description: 'One row per order.',
  columns: {
    order_id: col.int().describe('Order identifier'),
    order_time: col.timestamp().describe('When the order was placed'),
    total_usd: col.decimal(12, 2).describe('Order total, USD'),
    country: col.string({ maxLength: 2 }),
  },
  primaryKey: ['order_id'],
  timeColumn: 'order_time',
  partitioning: { kind: 'time', column: 'order_time', granularity: 'day' },
});
export type Order = RowOf<typeof orders>; // { order_id: number; order_time: Date; total_usd: string; country: string }

export async function quickstart(lakeDir: string): Promise<string[]> {
  const out: string[] = [];
  // 2. Everything else comes from the definition.
  out.push(toMySqlCreateTable(orders).split('\n')[0]!);
  out.push(toAthenaCreateTable(orders, { database: 'techstore', location: 's3://lake/processed/orders/' }).split('\n')[0]!);
  const row = orders.parse({ order_id: 1, order_time: new Date('2025-01-31T23:07:42Z'), total_usd: '85.72', country: 'PL' });

  // 3. A lake on a local directory (S3Storage from '@lakeblocks/core/s3' has the same interface).
  const storage = new LocalStorage(lakeDir);
  const key = lakeLayout.dataFile('processed', 'orders', partitionValuesOf(orders.partitioning, row), 'part-0.parquet');
  await storage.put(key, 'parquet bytes would go here');
  out.push(key);
  for (const p of await listPartitions(storage, 'processed/orders/', ['year', 'month', 'day'], { filter: 'year = 2025' })) {
    out.push(`${p.prefix} (${p.files} file)`);
  }

  // 4. Incremental: a bookmark says which raw files a job already consumed.
  await storage.put(lakeLayout.rawFile('orders', 'b1', 'orders.csv'), 'order_id,order_time\n');
  const bookmarks = new JobBookmarks(new StorageBookmarkStore(storage));
  const pipeline = definePipeline({
    name: 'quickstart',
    storage, // the run log goes to _state/runs/<run-id>.json
    steps: [
      {
        name: 'raw-to-processed',
        timeoutMs: 60_000,
        retries: 2,
        run: async (ctx) => {
          const run = await bookmarks.begin('raw-to-processed/orders');
          try {
            const listing = [];
            for await (const o of storage.listAll('raw/orders/')) listing.push(o);
            const todo = run.filterNew(listing);
            ctx.count({ files: todo.length });
            await run.commit(todo); // after the data is durable
            return { newFiles: todo.length };
          } finally {
            await run.release();
          }
        },
      },
    ],
  });
  const first = await pipeline.run();
  const second = await pipeline.run();
  out.push(`first run: ${JSON.stringify(first.steps[0]!.output)}, second run: ${JSON.stringify(second.steps[0]!.output)}`);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = await mkdtemp(join(tmpdir(), 'lakeblocks-quickstart-'));
  for (const line of await quickstart(dir)) console.log(line);
}
