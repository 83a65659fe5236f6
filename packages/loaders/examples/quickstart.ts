// Runnable: `pnpm --filter @lakeblocks/loaders example` against the MariaDB on 127.0.0.1:3306 (or env
// LAKEBLOCKS_MYSQL_URL, database included), or via vitest (quickstart.test.ts).
import { col, defineTable, toArrowSchema, type RowOf } from '@lakeblocks/core';
import { LoadersError, toGlueTableInput } from '@lakeblocks/loaders';
import { MySqlLoader } from '@lakeblocks/loaders/mysql';
import { tableFromArrays } from 'apache-arrow';
import { createPool } from 'mysql2/promise';

// 1. One table definition: the MySQL table and the Glue table both come from it.
export const orders = defineTable({
  name: 'orders',
  description: 'One row per order.',
  columns: {
    order_id: col.int().describe('Order identifier'),
    order_time: col.timestamp(),
    total_usd: col.decimal(12, 2),
    country: col.string({ maxLength: 2 }),
  },
  primaryKey: ['order_id'],
  partitioning: { kind: 'time', column: 'order_time', granularity: 'day' },
});
type Order = RowOf<typeof orders>;

export async function quickstart(
  url = process.env.LAKEBLOCKS_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/lakeblocks_loaders_test',
  tableName = 'quickstart_orders',
): Promise<string[]> {
  const lines: string[] = [];
  // 2. A pool with bounded connects; timezone 'Z' reads DATETIME back as the UTC wall clock.
  const pool = createPool({ uri: url, timezone: 'Z', connectTimeout: 5_000, connectionLimit: 2 });
  try {
    const loader = new MySqlLoader(pool, { queryTimeoutMs: 30_000 });

    // 3. Rows (RowOf<typeof orders>) or Arrow record batches — here both.
    const rows: Order[] = [
      { order_id: 1, order_time: new Date('2025-01-31T10:00:00Z'), total_usd: '19.99', country: 'CO' },
      { order_id: 2, order_time: new Date('2025-01-31T11:30:00Z'), total_usd: '5.01', country: 'MX' },
    ];
    const batch = tableFromArrays({ order_id: Int32Array.from([3]), country: ['CO'] }); // (not all columns: refused below)
    const first = await loader.load(orders, rows, { mode: 'upsert', tableName });
    const second = await loader.load(orders, rows, { mode: 'upsert', tableName }); // idempotent: same rows after
    lines.push(`loaded ${first.rows} rows in ${first.statements} statement(s), then again: ${second.rows}`);

    const [result] = await pool.query(`SELECT COUNT(*) AS n, CAST(SUM(total_usd) AS CHAR) AS revenue FROM \`${tableName}\``);
    const [{ n, revenue }] = result as [{ n: number; revenue: string }];
    lines.push(`${n} orders, revenue ${revenue}`);

    try {
      await loader.load(orders, batch.batches, { mode: 'upsert', tableName });
    } catch (error) {
      if (!(error instanceof LoadersError)) throw error;
      lines.push(`${error._tag}: ${error.message.split(' (it has')[0]}`);
    }

    // 4. The Glue table for the same definition (send it with GlueCatalog from '@lakeblocks/loaders/glue').
    const input = toGlueTableInput(orders, { location: 's3://my-lake/curated/orders/' });
    lines.push(`glue: ${input.StorageDescriptor.SerdeInfo.SerializationLibrary}, partitioned by ${input.PartitionKeys.map((k) => k.Name).join('/')}`);
    lines.push(`arrow: ${toArrowSchema(orders).fields.map((f) => `${f.name}:${String(f.type)}`).join(', ')}`);
  } finally {
    await pool.end();
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  quickstart().then(
    (lines) => console.log(lines.join('\n')),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
