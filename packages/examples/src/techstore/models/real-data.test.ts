import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customers, orderItems, orders, products } from '../tables.js';
import { loadCsv, openTechstoreLake, type TechstoreLake } from '../testing/techstore-lake.js';

const DATA = process.env['TECHSTORE_DATA'] ?? '/work/shared/data/techstore';
const present = existsSync(join(DATA, 'order_items.csv'));
if (!present) console.warn(`TechStore data not found in ${DATA} (set TECHSTORE_DATA): real-data tests skipped`);

describe.skipIf(!present)('TechStore models on the real data', () => {
  let lake: TechstoreLake;

  beforeAll(async () => {
    lake = await openTechstoreLake();
    await loadCsv(lake.engine, orders, join(DATA, 'orders.csv'));
    await loadCsv(lake.engine, orderItems, join(DATA, 'order_items.csv'));
    await loadCsv(lake.engine, products, join(DATA, 'products.csv'));
    await loadCsv(lake.engine, customers, join(DATA, 'customers.csv'));
    await lake.engine.runAll(['fact_order_items_enriched', 'fact_orders_enriched', 'kpi_monthly']);
  });
  afterAll(async () => {
    await lake?.dispose();
  });

  it('fact_order_items_enriched has 59,053 lines (59,163 raw lines, 110 repeated pairs grouped)', async () => {
    const [raw] = await lake.engine.queryAll('SELECT count(*) AS n FROM order_items');
    expect(raw).toEqual({ n: 59163n });
    const [fact] = await lake.engine.queryAll('SELECT count(*) AS n, count(DISTINCT (order_id, product_id)) AS pairs FROM fact_order_items_enriched');
    expect(fact).toEqual({ n: 59053n, pairs: 59053n });
  });

  it('line totals sum to the orders subtotals, to the cent, overall and per order', async () => {
    const [totals] = await lake.engine.queryAll(
      'SELECT (SELECT sum(line_total_usd) FROM fact_order_items_enriched) AS lines, (SELECT sum(subtotal_usd) FROM orders) AS subtotals',
    );
    expect(typeof totals?.['lines']).toBe('string');
    expect(totals?.['lines']).toBe(totals?.['subtotals']);
    const [mismatch] = await lake.engine.queryAll(`
      SELECT count(*) AS n FROM orders o
      LEFT JOIN (SELECT order_id, sum(line_total_usd) AS s FROM fact_order_items_enriched GROUP BY order_id) f ON f.order_id = o.order_id
      WHERE f.s IS DISTINCT FROM o.subtotal_usd`);
    expect(mismatch).toEqual({ n: 0n });
  });

  it('profit formulas hold on every line', async () => {
    const [bad] = await lake.engine.queryAll(`
      SELECT count(*) AS n FROM fact_order_items_enriched
      WHERE profit_per_unit IS DISTINCT FROM unit_price_usd - cost_usd
         OR total_profit IS DISTINCT FROM line_total_usd - cost_usd * quantity`);
    expect(bad).toEqual({ n: 0n });
  });

  it('kpi_monthly equals an independent recomputation from the CSV, to the cent', async () => {
    // Independent path: DuckDB reads the CSV directly (not the lake), JS does the exact arithmetic.
    const raw = await lake.engine.queryAll(`
      SELECT year(CAST(order_time AS TIMESTAMP)) AS y, month(CAST(order_time AS TIMESTAMP)) AS m,
             CAST(sum(CAST(total_usd AS DECIMAL(14,2))) AS VARCHAR) AS revenue, count(*) AS n, count(DISTINCT customer_id) AS buyers
      FROM read_csv('${join(DATA, 'orders.csv')}', all_varchar = true) GROUP BY 1, 2 ORDER BY 1, 2`);
    const cents = (text: string): bigint => BigInt(text.replace('.', ''));
    /** round(a / b) half away from zero, for b > 0. */
    const div = (a: bigint, b: bigint): bigint => (a >= 0n ? (2n * a + b) / (2n * b) : -((-2n * a + b) / (2n * b)));
    const money = (c: bigint): string => `${c < 0n ? '-' : ''}${(c < 0n ? -c : c) / 100n}.${String((c < 0n ? -c : c) % 100n).padStart(2, '0')}`;
    const byMonth = new Map(raw.map((r) => [Number(r['y']) * 12 + Number(r['m']), r]));
    const expected = raw.map((r) => {
      const key = Number(r['y']) * 12 + Number(r['m']);
      const revenue = cents(String(r['revenue']));
      const n = BigInt(r['n'] as bigint);
      const prev = byMonth.get(key - 1);
      const prevRevenue = prev === undefined ? undefined : cents(String(prev['revenue']));
      return {
        year: Number(r['y']),
        month: Number(r['m']),
        revenue_usd: money(revenue),
        orders: Number(n),
        customers: Number(r['buyers']),
        avg_ticket_usd: money(div(revenue, n)),
        revenue_mom_pct: prevRevenue === undefined || prevRevenue === 0n ? null : Number(div((revenue - prevRevenue) * 1000n, prevRevenue)) / 10,
      };
    });
    expect(expected).toHaveLength(70);
    expect(await lake.engine.queryAll('SELECT * FROM kpi_monthly ORDER BY year, month')).toEqual(expected);
  });

  it('every breakdown adds up to kpi_monthly, month by month', async () => {
    const breakdowns = ['breakdown_country_monthly', 'breakdown_source_monthly', 'breakdown_device_monthly', 'breakdown_hour_weekday_monthly'];
    await lake.engine.runAll(breakdowns);
    for (const b of breakdowns) {
      const [diff] = await lake.engine.queryAll(`
        SELECT count(*) AS months_off FROM kpi_monthly k
        FULL JOIN (SELECT year, month, sum(revenue_usd) AS r, sum(orders) AS n FROM ${b} GROUP BY year, month) x USING (year, month)
        WHERE x.r IS DISTINCT FROM k.revenue_usd OR x.n IS DISTINCT FROM k.orders`);
      expect(diff, b).toEqual({ months_off: 0n });
    }
    const [hours] = await lake.engine.queryAll('SELECT min(hour) AS lo, max(hour) AS hi, min(weekday) AS wlo, max(weekday) AS whi FROM breakdown_hour_weekday_monthly');
    expect(hours).toEqual({ lo: 0, hi: 23, wlo: 1, whi: 7 });
  });

  it('after the 2025-11 batch, rebuilding only November equals a from-scratch rebuild', async () => {
    const { engine, lakeDir } = lake;
    const fingerprint = async () =>
      engine.queryAll(`SELECT
        (SELECT count(*) FROM fact_orders_enriched) AS facts,
        (SELECT sum(hash(order_id, customer_id, order_time, order_date, total_usd, discount_pct, order_country, device, source, age, customer_country, marketing_opt_in, year, month)) FROM fact_orders_enriched) AS facts_hash,
        (SELECT sum(hash(year, month, revenue_usd, orders, customers, avg_ticket_usd, revenue_mom_pct)) FROM kpi_monthly) AS kpi_hash`);
    const october = join(lakeDir, 'curated', 'fact_orders_enriched', 'year=2025', 'month=10', 'part-0.parquet');
    const octoberBefore = await stat(october);

    // The batch arrives as new files in new partitions, as an incremental ingest writes them.
    await loadCsv(engine, orders, join(DATA, 'batches', '2025-11', 'orders_november_2025.csv'), { append: true });
    await loadCsv(engine, customers, join(DATA, 'batches', '2025-11', 'customers_november_2025.csv'), { append: true });
    const [counts] = await engine.queryAll('SELECT (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM customers) AS customers');
    expect(counts).toEqual({ orders: 33595n, customers: 20015n });
    const incremental = await engine.run('fact_orders_enriched', { partitions: [{ year: 2025, month: 11 }] });
    expect(incremental.partitionsWritten).toEqual(['year=2025/month=11']);
    expect(incremental.rows).toBe(15);
    expect((await stat(october)).ino).toBe(octoberBefore.ino);
    await engine.run('kpi_monthly');
    const [november] = await engine.queryAll('SELECT orders, customers FROM kpi_monthly WHERE year = 2025 AND month = 11');
    expect(november).toEqual({ orders: 15, customers: 15 });
    const afterIncremental = await fingerprint();

    await engine.runAll(['fact_orders_enriched', 'kpi_monthly']);
    expect(await fingerprint()).toEqual(afterIncremental);
  });
});
