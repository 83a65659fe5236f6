/**
 * `fact_orders_enriched`: orders with their customer, partitioned by year and month of order_time.
 *
 * @module
 */
import { col, defineTable } from '@lakeblocks/core';
import { defineModel } from '@lakeblocks/transform';
import { DEVICES, SOURCES } from '../tables.js';


/**
 * Orders left-joined to customers (an order whose customer is missing is kept with null customer
 * columns).
 *
 * @example
 * ```ts
 * factOrdersEnriched.output.partitionKeys.map((k) => k.name); // ['year', 'month']
 * ```
 */
export const factOrdersEnriched = defineModel({
  output: defineTable({
    name: 'fact_orders_enriched',
    description: 'One row per order, with the buying customer.',
    columns: {
      order_id: col.int().describe('Order'),
      customer_id: col.int().describe('Buying customer'),
      order_time: col.timestamp().describe('When the order was placed'),
      order_date: col.date().describe('Day of order_time'),
      total_usd: col.decimal(12, 2).describe('Order total after discount, USD'),
      discount_pct: col.int().describe('Discount, percent'),
      order_country: col.string({ maxLength: 2 }).describe('ISO-2 country of the order'),
      device: col.enum(DEVICES).describe('Device used'),
      source: col.enum(SOURCES).describe('Traffic source (channel)'),
      age: col.int().nullable().describe("Customer's age (null: customer missing)"),
      customer_country: col.string({ maxLength: 2 }).nullable().describe("Customer's country"),
      marketing_opt_in: col.boolean().nullable().describe('Customer accepted marketing e-mails'),
    },
    primaryKey: ['order_id'],
    partitioning: { kind: 'time', column: 'order_time', granularity: 'month' },
  }),
  writeMode: 'overwrite_partitions',
  // A month of orders is stored under orders' year=/month= folders (both derived from order_time):
  // rebuilding one month reads those days only; customers is a dimension, read whole.
  inputPartitions: { orders: { year: 'year', month: 'month' } },
  sql: `
SELECT
  o.order_id, o.customer_id, o.order_time, CAST(o.order_time AS DATE) AS order_date,
  o.total_usd, o.discount_pct, o.country AS order_country, o.device, o.source,
  c.age, c.country AS customer_country, c.marketing_opt_in
FROM {{ ref('orders') }} AS o
LEFT JOIN {{ ref('customers') }} AS c ON c.customer_id = o.customer_id`,
});
