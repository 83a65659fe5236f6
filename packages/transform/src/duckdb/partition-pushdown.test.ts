import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { col, defineTable, type PartitionValues } from '@lakeblocks/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineModel } from '../model/define-model.js';
import { duckDbDialect, quoteIdentifier } from '../sql/dialect.js';
import { renderModelSelect } from '../sql/model-select.js';
import { DuckDbEngine } from './duckdb-engine.js';
import { writeRows, type FixtureRow } from './write-rows.js';

// Orders stored by day (year=/month=/day=), customers by signup day: a fact by month of the order
// needs only that month's order folders, and every customer (a dimension, not aligned).
const orders = defineTable({
  name: 'orders',
  columns: { order_id: col.int(), customer_id: col.int(), order_time: col.timestamp(), total_usd: col.decimal(12, 2) },
  partitioning: { kind: 'time', column: 'order_time', granularity: 'day' },
});
const customers = defineTable({
  name: 'customers',
  columns: { customer_id: col.int(), country: col.string(), signup_date: col.date() },
  partitioning: { kind: 'time', column: 'signup_date', granularity: 'day' },
});
const factColumns = { order_id: col.int(), order_time: col.timestamp(), total_usd: col.decimal(12, 2), country: col.string().nullable() };
const factSql = `SELECT o.order_id, o.order_time, o.total_usd, c.country
FROM {{ ref('orders') }} AS o LEFT JOIN {{ ref('customers') }} AS c ON c.customer_id = o.customer_id`;
const factMonthly = defineModel({
  output: defineTable({ name: 'fact_monthly', columns: factColumns, partitioning: { kind: 'time', column: 'order_time', granularity: 'month' } }),
  sql: factSql,
  writeMode: 'overwrite_partitions',
  inputPartitions: { orders: { year: 'year', month: 'month' } },
});
/** The same model without the mapping: partial runs read every input whole. */
const factMonthlyUnmapped = defineModel({
  output: defineTable({ name: 'fact_monthly_unmapped', columns: factColumns, partitioning: { kind: 'time', column: 'order_time', granularity: 'month' } }),
  sql: factSql,
  writeMode: 'overwrite_partitions',
});
/** Keyed by a column: the year of the order, with orders' implicit alias used unqualified-by-alias. */
const ordersYearly = defineModel({
  output: defineTable({ name: 'orders_yearly', columns: { customer_id: col.int(), orders: col.bigint(), year: col.int() }, partitioning: { kind: 'columns', columns: ['year'] } }),
  sql: "SELECT orders.customer_id, count(*) AS orders, year(orders.order_time) AS year FROM {{ ref('orders') }} GROUP BY orders.customer_id, year(orders.order_time)",
  writeMode: 'overwrite_partitions',
  inputPartitions: { orders: { year: 'year' } },
});

let lake: string;
let engine: DuckDbEngine;

beforeEach(async () => {
  lake = await mkdtemp(join(tmpdir(), 'lakeblocks-pushdown-'));
  engine = await DuckDbEngine.create({ lakeDir: lake, tables: [orders, customers], models: [factMonthly, factMonthlyUnmapped, ordersYearly] });
});
afterEach(async () => {
  engine.close();
  await rm(lake, { recursive: true, force: true });
});

/** Orders on several days of 2024-12, 2025-01 and 2025-02, for customers 1-3 (4 has no customer row). */
function orderRows(extra: FixtureRow[] = []): FixtureRow[] {
  const rows: FixtureRow[] = [];
  const days = ['2024-12-30T10:00:00', '2024-12-31T23:59:59', '2025-01-01T00:00:00', '2025-01-15T12:30:00', '2025-01-31T23:00:00', '2025-02-01T08:00:00', '2025-02-14T09:15:00'];
  days.forEach((t, i) => {
    rows.push({ order_id: 10 * i + 1, customer_id: (i % 4) + 1, order_time: t, total_usd: `${10 + i}.25` });
    rows.push({ order_id: 10 * i + 2, customer_id: ((i + 1) % 4) + 1, order_time: t, total_usd: `${20 + i}.50` });
  });
  return [...rows, ...extra];
}

async function files(table: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(join(lake, rel), { withFileTypes: true })) {
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(child);
      else out.push(child);
    }
  };
  await walk(`processed/${table}`);
  return out.sort();
}

/** Rows only on one side of `a EXCEPT ALL b` and of `b EXCEPT ALL a`. */
async function symmetricDifference(a: string, b: string): Promise<{ onlyA: bigint; onlyB: bigint }> {
  const [row] = await engine.queryAll(`SELECT
    (SELECT count(*) FROM (SELECT * FROM (${a}) EXCEPT ALL SELECT * FROM (${b}))) AS only_a,
    (SELECT count(*) FROM (SELECT * FROM (${b}) EXCEPT ALL SELECT * FROM (${a}))) AS only_b`);
  return { onlyA: row?.['only_a'] as bigint, onlyB: row?.['only_b'] as bigint };
}

/** What a full read of the inputs gives for `partitions` (the engine's SELECT over the whole-table views). */
const fullRead = (model: string, partitions: PartitionValues[]) => engine.renderModel(model, { partitions });
const curatedPartition = (model: string, where: string, columns: string) => `SELECT ${columns} FROM ${quoteIdentifier(model)} WHERE ${where}`;
const COLUMNS = '"order_id", "order_time", "total_usd", "country", "year", "month"';

async function writeFixtures(extraOrders: FixtureRow[] = []): Promise<void> {
  await writeRows(engine, orders, orderRows(extraOrders));
  await writeRows(engine, customers, [
    { customer_id: 1, country: 'US', signup_date: '2019-03-01' },
    { customer_id: 2, country: 'CO', signup_date: '2024-12-31' },
    { customer_id: 3, country: 'MX', signup_date: '2025-02-01' },
  ]);
}

describe('partition pushdown on DuckDbEngine partial runs', () => {
  it('reads only the folders of the rebuilt month, every customer file, and writes what a full read writes', async () => {
    await writeFixtures();
    await engine.runAll(['fact_monthly']);
    // New and changed orders in every month; only 2025-01 is rebuilt.
    await writeFixtures([
      { order_id: 900, customer_id: 3, order_time: '2025-01-20T18:00:00', total_usd: '99.99' },
      { order_id: 901, customer_id: 1, order_time: '2024-12-05T18:00:00', total_usd: '1.00' },
      { order_id: 902, customer_id: 2, order_time: '2025-02-20T18:00:00', total_usd: '2.00' },
    ]);
    const result = await engine.run('fact_monthly', { partitions: [{ year: 2025, month: 1 }] });

    const orderFiles = await files('orders');
    expect(orderFiles.length).toBeGreaterThan(6);
    const january = orderFiles.filter((f) => f.startsWith('processed/orders/year=2025/month=1/'));
    expect(january.map((f) => f.split('/')[4])).toEqual(['day=1', 'day=15', 'day=20', 'day=31']);
    expect(result.prunedInputs).toEqual({ orders: january }); // customers: read whole
    expect(result.partitionsWritten).toEqual(['year=2025/month=1']);
    expect(result.rows).toBe(7);

    const diff = await symmetricDifference(curatedPartition('fact_monthly', '"year" = 2025 AND "month" = 1', COLUMNS), fullRead('fact_monthly', [{ year: 2025, month: 1 }]));
    expect(diff).toEqual({ onlyA: 0n, onlyB: 0n });
    // The other months were not rebuilt: the new orders 901 and 902 are not there yet.
    const ids = await engine.queryAll('SELECT order_id FROM fact_monthly WHERE order_id >= 900 ORDER BY 1');
    expect(ids).toEqual([{ order_id: 900 }]);
    const [joined] = await engine.queryAll("SELECT country FROM fact_monthly WHERE order_id = 900");
    expect(joined).toEqual({ country: 'MX' }); // customer 3 signed up in 2025-02: the dimension was read whole
  });

  it('never opens a file outside the pushed-down folders: a corrupt Parquet file elsewhere breaks only full reads', async () => {
    await writeFixtures();
    await engine.runAll(['fact_monthly', 'fact_monthly_unmapped', 'orders_yearly']);
    const corruptDir = join(lake, 'processed', 'orders', 'year=2024', 'month=12', 'day=31');
    await mkdir(corruptDir, { recursive: true });
    await writeFile(join(corruptDir, 'zz-corrupt.parquet'), 'this is not a Parquet file');

    const pushed = await engine.run('fact_monthly', { partitions: [{ year: 2025, month: 2 }, { year: 2025, month: 1 }] });
    expect(pushed.prunedInputs['orders']?.every((f) => /^processed\/orders\/year=2025\/month=[12]\//.test(f))).toBe(true);
    expect(pushed.prunedInputs['orders']).toHaveLength(5);
    const yearly = await engine.run('orders_yearly', { partitions: [{ year: 2025 }] });
    expect(yearly.prunedInputs['orders']).toHaveLength(5);

    // The same rebuild without pushdown (option, or a model without the mapping) reads the corrupt file.
    await expect(engine.run('fact_monthly', { partitions: [{ year: 2025, month: 1 }], pushDown: false })).rejects.toMatchObject({ _tag: 'QueryFailed' });
    await expect(engine.run('fact_monthly_unmapped', { partitions: [{ year: 2025, month: 1 }] })).rejects.toMatchObject({ _tag: 'QueryFailed' });
    // A rebuild of the month holding it does read it.
    await expect(engine.run('fact_monthly', { partitions: [{ year: 2024, month: 12 }] })).rejects.toMatchObject({ _tag: 'QueryFailed' });

    // Same rows as a full read, once the corrupt file is gone.
    await rm(join(corruptDir, 'zz-corrupt.parquet'));
    const where = '"year" = 2025';
    expect(await symmetricDifference(curatedPartition('fact_monthly', where, COLUMNS), fullRead('fact_monthly', [{ year: 2025, month: 1 }, { year: 2025, month: 2 }]))).toEqual({ onlyA: 0n, onlyB: 0n });
    expect(await symmetricDifference(curatedPartition('orders_yearly', where, '"customer_id", "orders", "year"'), fullRead('orders_yearly', [{ year: 2025 }]))).toEqual({ onlyA: 0n, onlyB: 0n });
    const [n] = await engine.queryAll('SELECT count(*) AS n FROM orders_yearly WHERE year = 2025');
    expect(n?.['n']).toBe(4n); // customers 1-4 each ordered in 2025
  });

  it('pushes a partition filter down, and reads nothing for a partition without input folders', async () => {
    await writeFixtures();
    await engine.runAll(['fact_monthly']);
    const filtered = await engine.run('fact_monthly', { filter: 'year = 2025 and month >= 2' });
    expect(filtered.prunedInputs).toEqual({ orders: (await files('orders')).filter((f) => f.startsWith('processed/orders/year=2025/month=2/')) });
    expect(filtered.partitionsWritten).toEqual(['year=2025/month=2']);
    expect(await symmetricDifference(curatedPartition('fact_monthly', '"year" = 2025 AND "month" = 2', COLUMNS), engine.renderModel('fact_monthly', { filter: 'year = 2025 and month >= 2' }))).toEqual({
      onlyA: 0n,
      onlyB: 0n,
    });

    const none = await engine.run('fact_monthly', { partitions: [{ year: 2023, month: 5 }] });
    expect(none).toMatchObject({ rows: 0, prunedInputs: { orders: [] }, partitionsWritten: [] });
    // Full runs read everything.
    expect((await engine.run('fact_monthly')).prunedInputs).toEqual({});
    const [total] = await engine.queryAll('SELECT count(*) AS n FROM fact_monthly');
    expect(total?.['n']).toBe(14n);
  });

  it('refuses a mapping to a key the input is not partitioned by', async () => {
    const bad = defineModel({
      output: defineTable({ name: 'bad', columns: { customer_id: col.int(), signup_date: col.date() }, partitioning: { kind: 'time', column: 'signup_date', granularity: 'month' } }),
      sql: "SELECT customer_id, signup_date FROM {{ ref('customers') }}",
      writeMode: 'overwrite_partitions',
      inputPartitions: { customers: { week: 'month' } },
    });
    const e = await DuckDbEngine.create({ lakeDir: lake, tables: [customers], models: [bad] });
    try {
      await expect(e.run('bad', { partitions: [{ year: 2025, month: 1 }] })).rejects.toMatchObject({ _tag: 'InvalidModel', message: expect.stringMatching(/week.*not a partition key/) });
    } finally {
      e.close();
    }
  });

  it('the SQL pushdown Athena uses (a CTE per input with a partition predicate) gives the rows of a full read', async () => {
    await writeFixtures();
    // Rendered for DuckDB with the refs qualified ("main"."orders"), so the CTE named like the
    // input reads the real view: the same structure Athena runs against "processed_db"."orders".
    const partitions = [{ year: 2025, month: 1 }];
    const withCte = renderModelSelect(factMonthly, duckDbDialect, {
      resolveRef: (n) => `"main".${quoteIdentifier(n)}`,
      partitions,
      inputFilters: { orders: '(("year" = 2025 AND "month" = 1))' },
    });
    expect(withCte).toContain('\nWITH "orders" AS (SELECT * FROM "main"."orders" WHERE (("year" = 2025 AND "month" = 1)))\nSELECT * FROM (\n');
    expect(await symmetricDifference(withCte, fullRead('fact_monthly', partitions))).toEqual({ onlyA: 0n, onlyB: 0n });
    const [n] = await engine.queryAll(`SELECT count(*) AS n FROM (${withCte})`);
    expect(n?.['n']).toBe(6n);
  });
});
