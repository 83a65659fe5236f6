import { writeRows } from '@lakeblocks/transform/duckdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customers, events, orders } from '../tables.js';
import { openTechstoreLake, type TechstoreLake } from '../testing/techstore-lake.js';

let lake: TechstoreLake;

// 2025-01-05 is a Sunday, 2025-01-06 a Monday. No orders in March: April's change is null.
const order = { payment_method: 'card', discount_pct: 0, device: 'mobile', source: 'organic', country: 'US' } as const;
const fixtureOrders = [
  { ...order, order_id: 1, customer_id: 1, order_time: '2025-01-05T10:15:00', total_usd: '100.00' },
  { ...order, order_id: 2, customer_id: 2, order_time: '2025-01-06T23:59:00', total_usd: '50.00', device: 'desktop', source: 'paid' },
  { ...order, order_id: 3, customer_id: 1, order_time: '2025-01-06T23:00:00', total_usd: '25.55', country: 'CO', source: 'paid' },
  { ...order, order_id: 4, customer_id: 3, order_time: '2025-02-10T08:00:00', total_usd: '200.00' },
  { ...order, order_id: 5, customer_id: 1, order_time: '2025-04-01T00:00:00', total_usd: '80.00' },
  { ...order, order_id: 6, customer_id: 2, order_time: '2025-04-30T23:59:59', total_usd: '20.00' },
  { ...order, order_id: 7, customer_id: 1, order_time: '2025-05-15T12:00:00', total_usd: '75.00' },
].map((o) => ({ ...o, subtotal_usd: o.total_usd }));

beforeAll(async () => {
  lake = await openTechstoreLake();
  const { engine } = lake;
  await writeRows(engine, orders, fixtureOrders);
  await writeRows(engine, customers, [
    { customer_id: 1, name: 'A', email: 'a@example.com', country: 'US', age: 30, signup_date: '2024-01-01', marketing_opt_in: true },
  ]);
  const ev = (event_id: number, session_id: number, timestamp: string, event_type: string) => ({ event_id, session_id, timestamp, event_type });
  await writeRows(engine, events, [
    ev(1, 1, '2025-01-05T10:00:00', 'page_view'),
    ev(2, 1, '2025-01-05T10:01:00', 'page_view'),
    ev(3, 1, '2025-01-05T10:02:00', 'add_to_cart'),
    ev(4, 1, '2025-01-05T10:05:00', 'checkout'),
    ev(5, 1, '2025-01-05T10:06:00', 'purchase'),
    ev(6, 2, '2025-01-31T23:59:59', 'page_view'),
    ev(7, 2, '2025-02-01T00:00:01', 'page_view'), // same session, next month: counted in both months
    ev(8, 3, '2025-02-10T12:00:00', 'page_view'),
    ev(9, 3, '2025-02-10T12:01:00', 'add_to_cart'),
    ev(10, 3, '2025-02-10T12:02:00', 'add_to_cart'),
  ]);
  await engine.runAll();
});

afterAll(async () => {
  await lake.dispose();
});

describe('kpi_monthly', () => {
  it('revenue, distinct buyers, average ticket and month-over-month change by calendar month', async () => {
    const rows = await lake.engine.queryAll('SELECT * FROM kpi_monthly ORDER BY year, month');
    expect(rows).toEqual([
      // 175.55 / 3 = 58.5166… → 58.52
      { year: 2025, month: 1, revenue_usd: '175.55', orders: 3, customers: 2, avg_ticket_usd: '58.52', revenue_mom_pct: null },
      // (200 - 175.55) / 175.55 = 13.927…% → 13.9
      { year: 2025, month: 2, revenue_usd: '200.00', orders: 1, customers: 1, avg_ticket_usd: '200.00', revenue_mom_pct: 13.9 },
      // March had no orders: no previous month to compare with
      { year: 2025, month: 4, revenue_usd: '100.00', orders: 2, customers: 2, avg_ticket_usd: '50.00', revenue_mom_pct: null },
      { year: 2025, month: 5, revenue_usd: '75.00', orders: 1, customers: 1, avg_ticket_usd: '75.00', revenue_mom_pct: -25 },
    ]);
  });
});

describe('funnel_monthly', () => {
  it('counts distinct sessions and events per stage and month', async () => {
    const rows = await lake.engine.queryAll('SELECT * FROM funnel_monthly ORDER BY year, month, stage');
    expect(rows).toEqual([
      { year: 2025, month: 1, stage: 'add_to_cart', sessions: 1, events: 1 },
      { year: 2025, month: 1, stage: 'checkout', sessions: 1, events: 1 },
      { year: 2025, month: 1, stage: 'page_view', sessions: 2, events: 3 },
      { year: 2025, month: 1, stage: 'purchase', sessions: 1, events: 1 },
      { year: 2025, month: 2, stage: 'add_to_cart', sessions: 1, events: 2 },
      { year: 2025, month: 2, stage: 'page_view', sessions: 2, events: 2 },
    ]);
  });
});

describe('breakdowns', () => {
  it('by country, source and device', async () => {
    const { engine } = lake;
    expect(await engine.queryAll('SELECT country, revenue_usd, orders FROM breakdown_country_monthly WHERE month = 1 ORDER BY country')).toEqual([
      { country: 'CO', revenue_usd: '25.55', orders: 1 },
      { country: 'US', revenue_usd: '150.00', orders: 2 },
    ]);
    expect(await engine.queryAll('SELECT source, revenue_usd, orders FROM breakdown_source_monthly WHERE month = 1 ORDER BY source')).toEqual([
      { source: 'organic', revenue_usd: '100.00', orders: 1 },
      { source: 'paid', revenue_usd: '75.55', orders: 2 },
    ]);
    expect(await engine.queryAll('SELECT device, revenue_usd, orders FROM breakdown_device_monthly WHERE month = 1 ORDER BY device')).toEqual([
      { device: 'desktop', revenue_usd: '50.00', orders: 1 },
      { device: 'mobile', revenue_usd: '125.55', orders: 2 },
    ]);
    const all = await engine.queryAll('SELECT sum(revenue_usd) AS r, sum(orders) AS n FROM breakdown_country_monthly');
    expect(all).toEqual([{ r: '550.55', n: 7n }]);
  });

  it('by ISO weekday (1 = Monday) and hour of day', async () => {
    const rows = await lake.engine.queryAll('SELECT weekday, hour, revenue_usd, orders FROM breakdown_hour_weekday_monthly WHERE month = 1 ORDER BY weekday, hour');
    expect(rows).toEqual([
      { weekday: 1, hour: 23, revenue_usd: '75.55', orders: 2 },
      { weekday: 7, hour: 10, revenue_usd: '100.00', orders: 1 },
    ]);
    // 2025-04-01 is a Tuesday, 2025-04-30 a Wednesday, 2025-05-15 a Thursday.
    const later = await lake.engine.queryAll('SELECT month, weekday, hour FROM breakdown_hour_weekday_monthly WHERE month > 3 ORDER BY month, weekday');
    expect(later).toEqual([
      { month: 4, weekday: 2, hour: 0 },
      { month: 4, weekday: 3, hour: 23 },
      { month: 5, weekday: 4, hour: 12 },
    ]);
  });
});

describe('kpi_monthly at exact half-cent and half-tenth ties', () => {
  // Found by the recomputation on the real data (2020-09: USD 63,838.33 over 458 orders = 139.385
  // exactly). Through DOUBLE, `round(revenue / orders, 2)` and `round(100 * Δ / prev, 1)` land on
  // either side of a tie depending on binary representation error (2.01 / 2 → 1.00, 243.75 % → 243.7);
  // the model divides whole cents instead, which is exact: a tie is then an exactly representable x.5.
  let ties: TechstoreLake;
  beforeAll(async () => {
    ties = await openTechstoreLake();
    const at = (order_id: number, order_time: string, total_usd: string) => ({ ...order, order_id, customer_id: order_id, order_time, total_usd, subtotal_usd: total_usd });
    await writeRows(ties.engine, orders, [
      at(1, '2025-01-10T10:00:00', '4.64'),
      at(2, '2025-02-10T10:00:00', '15.95'),
      at(3, '2025-03-10T10:00:00', '1.00'),
      at(4, '2025-03-11T10:00:00', '1.01'),
      ...Array.from({ length: 458 }, (_, k) => at(10 + k, '2025-04-15T12:00:00', k === 0 ? '137.10' : '139.39')),
    ]);
    await ties.engine.runAll(['fact_orders_enriched', 'kpi_monthly']);
  });
  afterAll(async () => {
    await ties.dispose();
  });

  it('rounds the average ticket half up to the cent and the change half away from zero to one decimal, exactly', async () => {
    expect(await ties.engine.queryAll('SELECT month, revenue_usd, orders, avg_ticket_usd, revenue_mom_pct FROM kpi_monthly ORDER BY month')).toEqual([
      { month: 1, revenue_usd: '4.64', orders: 1, avg_ticket_usd: '4.64', revenue_mom_pct: null },
      // (15.95 - 4.64) / 4.64 = 243.75 % → 243.8
      { month: 2, revenue_usd: '15.95', orders: 1, avg_ticket_usd: '15.95', revenue_mom_pct: 243.8 },
      // 2.01 / 2 = 1.005 → 1.01
      { month: 3, revenue_usd: '2.01', orders: 2, avg_ticket_usd: '1.01', revenue_mom_pct: -87.4 },
      // 63,838.33 / 458 = 139.385 → 139.39
      { month: 4, revenue_usd: '63838.33', orders: 458, avg_ticket_usd: '139.39', revenue_mom_pct: 3175936.3 },
    ]);
  });
});
