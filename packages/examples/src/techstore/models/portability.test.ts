import { assertSqlSubset, checkSqlSubset, type AnyModel } from '@lakeblocks/transform';
import { renderCtasSeries, type AthenaTarget } from '@lakeblocks/transform/athena';
import { writeRows } from '@lakeblocks/transform/duckdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customers, events, orderItems, orders, products } from '../tables.js';
import { openTechstoreLake, type TechstoreLake } from '../testing/techstore-lake.js';
import { techstoreModels } from './index.js';

/** The columns issue 4 fixes as a contract (partition keys last, as Athena and the DuckDB views show them). */
const CONTRACT: Record<string, string[]> = {
  fact_order_items_enriched: ['order_id', 'product_id', 'quantity', 'unit_price_usd', 'line_total_usd', 'category', 'price_usd', 'cost_usd', 'profit_per_unit', 'total_profit', 'year'],
  fact_orders_enriched: ['order_id', 'customer_id', 'order_time', 'order_date', 'total_usd', 'discount_pct', 'order_country', 'device', 'source', 'age', 'customer_country', 'marketing_opt_in', 'year', 'month'],
  events_enriched: ['event_id', 'session_id', 'timestamp', 'event_date', 'event_type', 'product_id', 'qty', 'cart_size', 'payment', 'discount_pct', 'amount_usd', 'year', 'month'],
  kpi_monthly: ['year', 'month', 'revenue_usd', 'orders', 'customers', 'avg_ticket_usd', 'revenue_mom_pct'],
  funnel_monthly: ['year', 'month', 'stage', 'sessions', 'events'],
  breakdown_country_monthly: ['year', 'month', 'country', 'revenue_usd', 'orders'],
  breakdown_source_monthly: ['year', 'month', 'source', 'revenue_usd', 'orders'],
  breakdown_device_monthly: ['year', 'month', 'device', 'revenue_usd', 'orders'],
  breakdown_hour_weekday_monthly: ['year', 'month', 'weekday', 'hour', 'revenue_usd', 'orders'],
};

const models: readonly AnyModel[] = techstoreModels;
const modelNames = models.map((m) => m.name);
const target = (m: AnyModel): AthenaTarget => ({ database: 'techstore_curated', inputDatabase: 'techstore', location: `s3://lake-bucket/curated/${m.name}/`, models: modelNames });

let lake: TechstoreLake;

beforeAll(async () => {
  lake = await openTechstoreLake();
  const { engine } = lake;
  await writeRows(engine, products, [{ product_id: 1, category: 'Books', name: 'B', price_usd: '10.00', cost_usd: '4.00', margin_usd: '6.00' }]);
  await writeRows(engine, orders, [
    { order_id: 1, customer_id: 1, order_time: '2025-03-01T12:00:00', payment_method: 'cod', discount_pct: 0, subtotal_usd: '10.00', total_usd: '10.00', country: 'ZA', device: 'mobile', source: 'social' },
  ]);
  await writeRows(engine, orderItems, [{ order_id: 1, product_id: 1, unit_price_usd: '10.00', quantity: 1, line_total_usd: '10.00' }]);
  await writeRows(engine, customers, [{ customer_id: 1, name: 'C', email: 'c@example.com', country: 'ZA', age: 40, signup_date: '2024-02-29', marketing_opt_in: false }]);
  await writeRows(engine, events, [{ event_id: 1, session_id: 1, timestamp: '2025-03-01T11:59:00', event_type: 'purchase', payment: 'cod', discount_pct: 0, amount_usd: '10.00' }]);
});
afterAll(async () => {
  await lake.dispose();
});

describe('every TechStore model', () => {
  it('is covered by the contract, and only the contract', () => {
    expect([...modelNames].sort()).toEqual(Object.keys(CONTRACT).sort());
  });

  it.each(models.map((m) => [m.name, m] as const))('%s runs on DuckDB (inputs ran before it) with exactly its contract columns', async (name, model) => {
    const result = await lake.engine.run(model);
    expect(result.rows).toBeGreaterThan(0);
    const [row] = await lake.engine.queryAll(`SELECT * FROM ${name} LIMIT 1`);
    expect(Object.keys(row ?? {})).toEqual(CONTRACT[name]);
  });

  it.each(models.map((m) => [m.name, m] as const))('%s stays in the DuckDB ∩ Athena SQL subset, in its source and its Athena rendering', (_, model) => {
    expect(() => assertSqlSubset(model)).not.toThrow();
    const keys = model.output.partitionKeys.map((k) => k.name);
    const partitions = keys.length === 0 ? undefined : [Object.fromEntries(keys.map((k) => [k, k === 'year' ? 2025 : 3]))];
    const statements = renderCtasSeries(model, target(model), { tableName: model.name, ...(partitions ? { partitions } : {}) });
    expect(statements).toHaveLength(1);
    const ctas = statements[0] ?? '';
    expect(checkSqlSubset(ctas)).toEqual([]);
    expect(ctas).not.toMatch(/\{\{|`/);
    expect(ctas).toMatch(new RegExp(`^CREATE TABLE "techstore_curated"\\."${model.name}"\\nWITH \\(format = 'PARQUET', write_compression = 'SNAPPY'`));
    // Every input rendered as a quoted Glue table in the right database.
    for (const input of model.inputs) {
      const db = modelNames.includes(input) ? 'techstore_curated' : 'techstore';
      expect(ctas).toContain(`"${db}"."${input}"`);
    }
    // The outer select list is the contract, partition keys last, matching partitioned_by.
    const selectList = /\nAS\nSELECT (.*)\n/.exec(ctas)?.[1] ?? '';
    expect(selectList.split(', ').map((c) => c.replace(/"/g, ''))).toEqual(CONTRACT[model.name]);
    if (keys.length > 0) expect(ctas).toContain(`partitioned_by = ARRAY[${keys.map((k) => `'${k}'`).join(', ')}]`);
  });
});
