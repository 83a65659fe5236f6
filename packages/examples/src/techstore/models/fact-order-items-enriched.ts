/**
 * `fact_order_items_enriched`: one row per distinct (order_id, product_id), partitioned by the
 * order's year.
 *
 * @module
 */
import { col, defineTable } from '@lakeblocks/core';
import { defineModel } from '@lakeblocks/transform';
import { CATEGORIES } from '../tables.js';

/**
 * Order lines grouped by (order_id, product_id) — repeated pairs are real and both count in the
 * subtotal, so quantity and line total are summed (unit price is the same within a pair) —, joined
 * to orders for the year and left-joined to products (a line whose product is missing is kept, with
 * null category, prices and profits). `profit_per_unit = unit_price_usd - cost_usd`,
 * `total_profit = line_total_usd - cost_usd * quantity`. Partitioned by `year` (a column moved into
 * the path: the table has no time column of its own).
 *
 * @example
 * ```ts
 * factOrderItemsEnriched.inputs; // ['order_items', 'orders', 'products']
 * ```
 */
export const factOrderItemsEnriched = defineModel({
  output: defineTable({
    name: 'fact_order_items_enriched',
    description: 'Order lines, one per (order_id, product_id), with product data and profit.',
    columns: {
      order_id: col.int().describe('Order'),
      product_id: col.int().describe('Product'),
      quantity: col.int().describe('Units (summed over repeated lines)'),
      unit_price_usd: col.decimal(12, 2).describe('Unit price paid, USD'),
      line_total_usd: col.decimal(12, 2).describe('Line total (summed over repeated lines), USD'),
      category: col.enum(CATEGORIES).nullable().describe('Product category (null: product missing)'),
      price_usd: col.decimal(12, 2).nullable().describe('List price, USD'),
      cost_usd: col.decimal(12, 2).nullable().describe('Unit cost, USD'),
      profit_per_unit: col.decimal(12, 2).nullable().describe('unit_price_usd - cost_usd, USD'),
      total_profit: col.decimal(12, 2).nullable().describe('line_total_usd - cost_usd * quantity, USD'),
      year: col.int().describe('Year of the order (partition key)'),
    },
    primaryKey: ['order_id', 'product_id'],
    partitioning: { kind: 'columns', columns: ['year'] },
  }),
  writeMode: 'overwrite_partitions',
  // The year comes from the joined order (an inner join): a year's lines need only that year's
  // orders; order_items (not partitioned) and products are read whole.
  inputPartitions: { orders: { year: 'year' } },
  sql: `
WITH lines AS (
  SELECT order_id, product_id, max(unit_price_usd) AS unit_price_usd, sum(quantity) AS quantity, sum(line_total_usd) AS line_total_usd
  FROM {{ ref('order_items') }}
  GROUP BY order_id, product_id
)
SELECT
  l.order_id, l.product_id, l.quantity, l.unit_price_usd, l.line_total_usd,
  p.category, p.price_usd, p.cost_usd,
  l.unit_price_usd - p.cost_usd AS profit_per_unit,
  l.line_total_usd - p.cost_usd * l.quantity AS total_profit,
  year(o.order_time) AS year
FROM lines AS l
JOIN {{ ref('orders') }} AS o ON o.order_id = l.order_id
LEFT JOIN {{ ref('products') }} AS p ON p.product_id = l.product_id`,
});
