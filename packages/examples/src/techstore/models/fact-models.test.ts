import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeRows } from '@lakeblocks/transform/duckdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customers, events, orderItems, orders, products } from '../tables.js';
import { openTechstoreLake, type TechstoreLake } from '../testing/techstore-lake.js';

let lake: TechstoreLake;

beforeAll(async () => {
  lake = await openTechstoreLake();
  const { engine } = lake;
  await writeRows(engine, products, [
    { product_id: 10, category: 'Electronics', name: 'SSD', price_usd: '100.00', cost_usd: '60.00', margin_usd: '40.00' },
    { product_id: 20, category: 'Books', name: 'Novel', price_usd: '20.00', cost_usd: '12.50', margin_usd: '7.50' },
  ]);
  const order = { payment_method: 'card', discount_pct: 0, device: 'mobile', source: 'organic' };
  await writeRows(engine, orders, [
    { ...order, order_id: 1, customer_id: 100, order_time: '2024-12-31T23:59:59', subtotal_usd: '240.00', total_usd: '240.00', country: 'US' },
    { ...order, order_id: 2, customer_id: 101, order_time: '2025-01-15T10:30:00', discount_pct: 10, subtotal_usd: '70.00', total_usd: '63.00', country: 'CO', device: 'desktop', source: 'paid' },
    { ...order, order_id: 3, customer_id: 999, order_time: '2025-02-02T08:00:00', subtotal_usd: '45.00', total_usd: '45.00', country: 'MX', device: 'tablet', source: 'email' },
  ]);
  await writeRows(engine, orderItems, [
    { order_id: 1, product_id: 10, unit_price_usd: '100.00', quantity: 2, line_total_usd: '200.00' },
    { order_id: 1, product_id: 20, unit_price_usd: '20.00', quantity: 1, line_total_usd: '20.00' },
    { order_id: 1, product_id: 20, unit_price_usd: '20.00', quantity: 1, line_total_usd: '20.00' }, // repeated pair: grouped
    { order_id: 2, product_id: 20, unit_price_usd: '17.50', quantity: 4, line_total_usd: '70.00' },
    { order_id: 3, product_id: 30, unit_price_usd: '15.00', quantity: 3, line_total_usd: '45.00' }, // product 30 missing: kept
    { order_id: 4, product_id: 10, unit_price_usd: '100.00', quantity: 1, line_total_usd: '100.00' }, // no such order: no year, dropped
  ]);
  await writeRows(engine, customers, [
    { customer_id: 100, name: 'Ana Müller', email: 'ana@example.com', country: 'DE', age: 30, signup_date: '2020-01-01', marketing_opt_in: true },
    { customer_id: 101, name: 'Luis García', email: 'luis@example.com', country: 'CO', age: 45, signup_date: '2021-06-30', marketing_opt_in: false },
  ]);
  await writeRows(engine, events, [
    { event_id: 1, session_id: 1, timestamp: '2025-01-05T10:00:00', event_type: 'page_view', product_id: 10 },
    { event_id: 2, session_id: 1, timestamp: '2025-01-05T10:03:00', event_type: 'add_to_cart', product_id: 10, qty: 1 },
    { event_id: 3, session_id: 1, timestamp: '2025-01-05T10:05:00', event_type: 'checkout', cart_size: 1 },
    { event_id: 4, session_id: 1, timestamp: '2025-01-05T10:06:00', event_type: 'purchase', payment: 'card', discount_pct: 10, amount_usd: '63.00' },
    { event_id: 5, session_id: 2, timestamp: '2025-02-01T00:00:01', event_type: 'page_view', product_id: 20 },
  ]);
  await engine.runAll(['fact_order_items_enriched', 'fact_orders_enriched', 'events_enriched']);
});

afterAll(async () => {
  await lake.dispose();
});

describe('fact_order_items_enriched', () => {
  it('groups repeated (order_id, product_id) lines, keeps a line whose product is missing, computes profit', async () => {
    const rows = await lake.engine.queryAll('SELECT * FROM fact_order_items_enriched ORDER BY order_id, product_id');
    expect(rows).toEqual([
      { order_id: 1, product_id: 10, quantity: 2, unit_price_usd: '100.00', line_total_usd: '200.00', category: 'Electronics', price_usd: '100.00', cost_usd: '60.00', profit_per_unit: '40.00', total_profit: '80.00', year: 2024 },
      { order_id: 1, product_id: 20, quantity: 2, unit_price_usd: '20.00', line_total_usd: '40.00', category: 'Books', price_usd: '20.00', cost_usd: '12.50', profit_per_unit: '7.50', total_profit: '15.00', year: 2024 },
      { order_id: 2, product_id: 20, quantity: 4, unit_price_usd: '17.50', line_total_usd: '70.00', category: 'Books', price_usd: '20.00', cost_usd: '12.50', profit_per_unit: '5.00', total_profit: '20.00', year: 2025 },
      { order_id: 3, product_id: 30, quantity: 3, unit_price_usd: '15.00', line_total_usd: '45.00', category: null, price_usd: null, cost_usd: null, profit_per_unit: null, total_profit: null, year: 2025 },
    ]);
  });

  it('is partitioned by year, with the year in the path only', async () => {
    const dir = join(lake.lakeDir, 'curated', 'fact_order_items_enriched');
    expect((await readdir(dir)).sort()).toEqual(['year=2024', 'year=2025']);
    const cols = await lake.engine.queryAll(`SELECT name FROM parquet_schema('${dir}/year=2024/part-0.parquet') WHERE name <> 'duckdb_schema'`);
    expect(cols.map((c) => c['name'])).not.toContain('year');
  });

  it('line totals add up to each order subtotal', async () => {
    const rows = await lake.engine.queryAll(`
      SELECT o.order_id, o.subtotal_usd, sum(f.line_total_usd) AS lines
      FROM orders o JOIN fact_order_items_enriched f ON f.order_id = o.order_id
      GROUP BY o.order_id, o.subtotal_usd ORDER BY o.order_id`);
    for (const r of rows) expect(r['lines']).toBe(r['subtotal_usd']);
    expect(rows).toHaveLength(3);
  });
});

describe('fact_orders_enriched', () => {
  it('left-joins customers and partitions by year and month of order_time', async () => {
    const rows = await lake.engine.queryAll('SELECT * FROM fact_orders_enriched ORDER BY order_id');
    expect(rows).toEqual([
      { order_id: 1, customer_id: 100, order_time: new Date('2024-12-31T23:59:59Z'), order_date: '2024-12-31', total_usd: '240.00', discount_pct: 0, order_country: 'US', device: 'mobile', source: 'organic', age: 30, customer_country: 'DE', marketing_opt_in: true, year: 2024, month: 12 },
      { order_id: 2, customer_id: 101, order_time: new Date('2025-01-15T10:30:00Z'), order_date: '2025-01-15', total_usd: '63.00', discount_pct: 10, order_country: 'CO', device: 'desktop', source: 'paid', age: 45, customer_country: 'CO', marketing_opt_in: false, year: 2025, month: 1 },
      { order_id: 3, customer_id: 999, order_time: new Date('2025-02-02T08:00:00Z'), order_date: '2025-02-02', total_usd: '45.00', discount_pct: 0, order_country: 'MX', device: 'tablet', source: 'email', age: null, customer_country: null, marketing_opt_in: null, year: 2025, month: 2 },
    ]);
    const dir = join(lake.lakeDir, 'curated', 'fact_orders_enriched');
    expect((await readdir(join(dir, 'year=2025'))).sort()).toEqual(['month=1', 'month=2']);
  });

  it('rebuilds one month from new input without touching the others', async () => {
    const { engine } = lake;
    const order = { payment_method: 'card', discount_pct: 0, device: 'mobile', source: 'organic', country: 'US' } as const;
    await writeRows(engine, orders, [
      { ...order, order_id: 1, customer_id: 100, order_time: '2024-12-31T23:59:59', subtotal_usd: '240.00', total_usd: '999.99' }, // changed, but not rebuilt
      { ...order, order_id: 2, customer_id: 101, order_time: '2025-01-15T10:30:00', subtotal_usd: '70.00', total_usd: '63.00' },
      { ...order, order_id: 5, customer_id: 100, order_time: '2025-01-20T09:00:00', subtotal_usd: '10.00', total_usd: '10.00' },
      { ...order, order_id: 3, customer_id: 999, order_time: '2025-02-02T08:00:00', subtotal_usd: '45.00', total_usd: '45.00' },
    ]);
    const result = await engine.run('fact_orders_enriched', { partitions: [{ year: 2025, month: 1 }] });
    expect(result.partitionsWritten).toEqual(['year=2025/month=1']);
    const rows = await engine.queryAll('SELECT order_id, total_usd, year, month FROM fact_orders_enriched ORDER BY order_id');
    expect(rows).toEqual([
      { order_id: 1, total_usd: '240.00', year: 2024, month: 12 },
      { order_id: 2, total_usd: '63.00', year: 2025, month: 1 },
      { order_id: 3, total_usd: '45.00', year: 2025, month: 2 },
      { order_id: 5, total_usd: '10.00', year: 2025, month: 1 },
    ]);
  });
});

describe('events_enriched', () => {
  it('adds event_date, keeps stage-specific nulls and partitions by month of timestamp', async () => {
    const rows = await lake.engine.queryAll('SELECT * FROM events_enriched ORDER BY event_id');
    expect(rows).toHaveLength(5);
    expect(rows[3]).toEqual({
      event_id: 4, session_id: 1, timestamp: new Date('2025-01-05T10:06:00Z'), event_date: '2025-01-05', event_type: 'purchase',
      product_id: null, qty: null, cart_size: null, payment: 'card', discount_pct: 10, amount_usd: '63.00', year: 2025, month: 1,
    });
    expect(rows[4]).toMatchObject({ event_id: 5, event_date: '2025-02-01', year: 2025, month: 2 });
  });
});
