/**
 * `kpi_monthly`: business question 1 — how is the business doing this month?
 *
 * @module
 */
import { col, defineTable } from '@lakeblocks/core';
import { defineModel } from '@lakeblocks/transform';

/**
 * Per calendar month: revenue (sum of `total_usd`, exact), orders, distinct buying customers,
 * average ticket (`revenue / orders`, rounded half up to the cent) and the revenue change against
 * the previous calendar month in percent, one decimal (rounded half away from zero) — null for the
 * first month, and null when the previous calendar month had no orders (the comparison is by
 * calendar, not by "previous row", so a gap never compares two non-adjacent months).
 *
 * Both divisions are exact at ties. DuckDB turns DECIMAL / integer into DOUBLE, and
 * `round(63838.33 / 458, 2)` in DOUBLE lands on either side of the tie 139.385 depending on
 * representation error (`2.01 / 2` gives 1.00). So the model divides whole numbers instead: cents
 * by orders for the ticket, and 1000 × Δcents by previous cents for the change (tenths of a
 * percent). Those are integers far below 2^53, so the quotient is the correctly rounded true value:
 * a tie is exactly x.5 and `round` (half away from zero on both DuckDB and Athena) resolves it; any
 * other quotient is at least 1 / (2 × divisor) from x.5, far above the rounding error. Same SQL on
 * both engines (no DuckDB-only `//`; Trino's integer `/` truncates, so no integer division either).
 *
 * @example
 * ```ts
 * kpiMonthly.inputs; // ['fact_orders_enriched']
 * ```
 */
export const kpiMonthly = defineModel({
  output: defineTable({
    name: 'kpi_monthly',
    description: 'Monthly revenue, orders, buying customers, average ticket and month-over-month change.',
    columns: {
      year: col.int().describe('Year'),
      month: col.int().describe('Month (1-12)'),
      revenue_usd: col.decimal(14, 2).describe('Sum of total_usd, USD'),
      orders: col.int().describe('Orders placed'),
      customers: col.int().describe('Distinct buying customers'),
      avg_ticket_usd: col.decimal(12, 2).describe('revenue_usd / orders, rounded to the cent, USD'),
      revenue_mom_pct: col.double().nullable().describe('Revenue change against the previous calendar month, percent, one decimal'),
    },
    primaryKey: ['year', 'month'],
  }),
  sql: `
WITH monthly AS (
  SELECT year, month, sum(total_usd) AS revenue_usd, count(*) AS orders, count(DISTINCT customer_id) AS customers
  FROM {{ ref('fact_orders_enriched') }}
  GROUP BY year, month
)
SELECT
  m.year, m.month, m.revenue_usd, m.orders, m.customers,
  CAST(round(CAST(m.revenue_usd * 100 AS DOUBLE) / m.orders) / 100 AS DECIMAL(12, 2)) AS avg_ticket_usd,
  round(CAST((m.revenue_usd - p.revenue_usd) * 100000 AS DOUBLE) / CAST(nullif(p.revenue_usd, 0) * 100 AS DOUBLE)) / 10 AS revenue_mom_pct
FROM monthly AS m
LEFT JOIN monthly AS p ON p.year * 12 + p.month = m.year * 12 + m.month - 1`,
});
