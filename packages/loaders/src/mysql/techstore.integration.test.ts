// Real TechStore data (../shared/data/techstore, read by DuckDB as an independent reader) loaded into
// MariaDB: exact row counts and sums, and a second load leaves counts and content unchanged.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { col, defineTable } from '@lakeblocks/core';
import { connectTestMySql, type TestMySql } from '@lakeblocks/core/testing';
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MySqlLoader, type LoadRow } from './mysql-loader.js';

const DATA = fileURLToPath(new URL('../../../../../shared/data/techstore/', import.meta.url));
const present = existsSync(`${DATA}orders.csv`) && existsSync(`${DATA}order_items.csv`);
if (!present) console.warn(`TechStore data not found at ${DATA}: the TechStore load tests are skipped`);

const orders = defineTable({
  name: 'orders',
  columns: {
    order_id: col.int(),
    customer_id: col.int(),
    order_time: col.timestamp(),
    payment_method: col.enum(['card', 'paypal', 'wallet', 'cod']),
    discount_pct: col.int(),
    subtotal_usd: col.decimal(12, 2),
    total_usd: col.decimal(12, 2),
    country: col.string({ maxLength: 2 }),
    device: col.enum(['mobile', 'desktop', 'tablet']),
    source: col.enum(['organic', 'direct', 'paid', 'social', 'email', 'referral']),
  },
  primaryKey: ['order_id'],
});
const orderItems = defineTable({
  name: 'order_items',
  columns: { order_id: col.int(), product_id: col.int(), unit_price_usd: col.decimal(12, 2), quantity: col.int(), line_total_usd: col.decimal(12, 2) },
});

describe.skipIf(!present)('TechStore tables into MariaDB', () => {
  let db: TestMySql;
  let pool: Pool;
  let ordersRows: LoadRow[];
  let itemRows: LoadRow[];
  let expected: { orders: number; revenue: string; items: number; lines: string };

  beforeAll(async () => {
    db = await connectTestMySql({ database: 'lakeblocks_loaders_test' });
    const url = new URL(process.env.LAKEBLOCKS_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/');
    url.pathname = `/${db.database}`;
    pool = createPool({ uri: url.toString(), timezone: 'Z', connectTimeout: 5_000, connectionLimit: 2 });
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    const read = async (sql: string) => (await duck.runAndReadAll(sql)).getRowObjectsJson() as LoadRow[];
    ordersRows = await read(`SELECT order_id::INTEGER AS order_id, customer_id::INTEGER AS customer_id,
        strftime(order_time::TIMESTAMP, '%Y-%m-%d %H:%M:%S') AS order_time, payment_method, discount_pct::INTEGER AS discount_pct,
        subtotal_usd::DECIMAL(12,2)::VARCHAR AS subtotal_usd, total_usd::DECIMAL(12,2)::VARCHAR AS total_usd, country, device, source
      FROM read_csv('${DATA}orders.csv', all_varchar = true)`);
    itemRows = await read(`SELECT order_id::INTEGER AS order_id, product_id::INTEGER AS product_id, unit_price_usd::DECIMAL(12,2)::VARCHAR AS unit_price_usd,
        quantity::INTEGER AS quantity, line_total_usd::DECIMAL(12,2)::VARCHAR AS line_total_usd FROM read_csv('${DATA}order_items.csv', all_varchar = true)`);
    const [totals] = await read(`SELECT (SELECT count(*) FROM read_csv('${DATA}orders.csv'))::INTEGER AS orders,
        (SELECT sum(total_usd::DECIMAL(12,2)) FROM read_csv('${DATA}orders.csv', all_varchar = true))::VARCHAR AS revenue,
        (SELECT count(*) FROM read_csv('${DATA}order_items.csv'))::INTEGER AS items,
        (SELECT sum(line_total_usd::DECIMAL(12,2)) FROM read_csv('${DATA}order_items.csv', all_varchar = true))::VARCHAR AS lines`);
    expected = totals as typeof expected;
    duck.closeSync();
  });
  afterAll(async () => {
    await pool?.end();
    await db?.close();
  });

  async function totals(table: string, amount: string) {
    const [rows] = await pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n, CAST(SUM(${amount}) AS CHAR) AS total,
      SUM(CRC32(CONCAT_WS('|', ${table.endsWith('orders') ? 'order_id, order_time, total_usd, country' : 'order_id, product_id, line_total_usd, quantity'}))) AS crc FROM \`${table}\``);
    return rows[0] as { n: number; total: string; crc: string };
  }

  it('loads orders (upsert) with the exact count and revenue; a second load changes nothing', async () => {
    const table = `${db.tablePrefix}orders`;
    const loader = new MySqlLoader(pool);
    const first = await loader.load(orders, ordersRows, { mode: 'upsert', tableName: table });
    expect(first.rows).toBe(33_580);
    const after1 = await totals(table, 'total_usd');
    expect(after1).toMatchObject({ n: expected.orders, total: expected.revenue });
    expect(expected.orders).toBe(33_580);
    await loader.load(orders, ordersRows, { mode: 'upsert', tableName: table });
    expect(await totals(table, 'total_usd')).toEqual(after1);
  });

  it('loads order_items (no key, 110 repeated pairs kept) by replace, twice, with LOAD DATA', async () => {
    const table = `${db.tablePrefix}order_items`;
    const loader = new MySqlLoader(pool);
    await loader.load(orderItems, itemRows, { mode: 'replace', tableName: table, method: 'load-data' });
    const after1 = await totals(table, 'line_total_usd');
    expect(after1).toMatchObject({ n: 59_163, total: expected.lines });
    expect(expected.items).toBe(59_163);
    await loader.load(orderItems, itemRows, { mode: 'replace', tableName: table });
    expect(await totals(table, 'line_total_usd')).toEqual(after1);
  });
});
