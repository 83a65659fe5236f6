/**
 * The README example: define a processed table and two models, write a few processed rows, run
 * the models with DuckDB into curated Parquet, query the result in chunks, and render the same
 * model for Athena. Run it with `pnpm --filter @lakeblocks/transform example`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { col, defineTable } from '@lakeblocks/core';
import { checkSqlSubset, defineModel } from '@lakeblocks/transform';
import { renderCtasSeries } from '@lakeblocks/transform/athena';
import { DuckDbEngine, writeRows } from '@lakeblocks/transform/duckdb';

// A processed table (normally written by @lakeblocks/ingest).
export const orders = defineTable({
  name: 'orders',
  columns: { order_id: col.int(), customer_id: col.int(), order_time: col.timestamp(), total_usd: col.decimal(12, 2) },
  primaryKey: ['order_id'],
  partitioning: { kind: 'time', column: 'order_time', granularity: 'day' },
});

// A curated fact, partitioned by year/month of order_time: only the touched months are rebuilt.
export const monthlyOrders = defineModel({
  output: defineTable({
    name: 'orders_by_month',
    columns: { order_id: col.int(), customer_id: col.int(), order_time: col.timestamp(), total_usd: col.decimal(12, 2) },
    partitioning: { kind: 'time', column: 'order_time', granularity: 'month' },
  }),
  sql: "SELECT order_id, customer_id, order_time, total_usd FROM {{ ref('orders') }}",
  writeMode: 'overwrite_partitions',
});

// A mart over the fact.
export const revenue = defineModel({
  output: defineTable({
    name: 'revenue_monthly',
    columns: { year: col.int(), month: col.int(), revenue_usd: col.decimal(14, 2), customers: col.int() },
  }),
  sql: `SELECT year, month, sum(total_usd) AS revenue_usd, count(DISTINCT customer_id) AS customers
        FROM {{ ref('orders_by_month') }} GROUP BY year, month`,
});

/** Runs the example in `lakeDir` and returns what it prints. */
export async function quickstart(lakeDir: string): Promise<string[]> {
  const out: string[] = [];
  const engine = await DuckDbEngine.create({ lakeDir, tables: [orders], models: [monthlyOrders, revenue] });
  try {
    await writeRows(engine, orders, [
      { order_id: 1, customer_id: 7, order_time: '2025-01-31T23:07:42', total_usd: '85.72' },
      { order_id: 2, customer_id: 8, order_time: '2025-02-01T08:00:00', total_usd: '14.28' },
      { order_id: 3, customer_id: 7, order_time: '2025-02-03T10:30:00', total_usd: '100.00' },
    ]);
    for (const result of await engine.runAll()) out.push(`${result.model}: ${result.rows} rows → ${result.partitionsWritten.join(', ') || '(table)'}`);
    for await (const rows of engine.query('SELECT * FROM revenue_monthly ORDER BY year, month')) {
      for (const r of rows) out.push(`${r['year']}-${r['month']}: ${r['revenue_usd']} USD from ${r['customers']} customers`);
    }
    const athena = renderCtasSeries(revenue, { database: 'shop', location: 's3://my-lake/curated/revenue_monthly/', models: ['orders_by_month'] }, { tableName: 'revenue_monthly' });
    out.push(athena[0]?.split('\n')[0] ?? '');
    out.push(`portable: ${checkSqlSubset(revenue.sql).length === 0}`);
  } finally {
    engine.close();
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = await mkdtemp(join(tmpdir(), 'lakeblocks-transform-'));
  try {
    for (const line of await quickstart(dir)) console.log(line);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
