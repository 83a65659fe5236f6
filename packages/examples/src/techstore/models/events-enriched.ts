/**
 * `events_enriched`: funnel events with their day, partitioned by year and month.
 *
 * @module
 */
import { col, defineTable } from '@lakeblocks/core';
import { defineModel } from '@lakeblocks/transform';
import { EVENT_TYPES, PAYMENT_METHODS } from '../tables.js';

/**
 * Events with `event_date`, repartitioned from day to month partitions (fewer, larger files for the
 * funnel and behaviour marts).
 *
 * @example
 * ```ts
 * eventsEnriched.inputs; // ['events']
 * ```
 */
export const eventsEnriched = defineModel({
  output: defineTable({
    name: 'events_enriched',
    description: 'Funnel events with their day.',
    columns: {
      event_id: col.int().describe('Event'),
      session_id: col.int().describe('Session'),
      timestamp: col.timestamp().describe('When the event happened'),
      event_date: col.date().describe('Day of timestamp'),
      event_type: col.enum(EVENT_TYPES).describe('Funnel stage'),
      product_id: col.int().nullable().describe('Product (page_view, add_to_cart)'),
      qty: col.int().nullable().describe('Units added (add_to_cart)'),
      cart_size: col.int().nullable().describe('Items in the cart (checkout)'),
      payment: col.enum(PAYMENT_METHODS).nullable().describe('Payment method (purchase)'),
      discount_pct: col.int().nullable().describe('Discount, percent (purchase)'),
      amount_usd: col.decimal(12, 2).nullable().describe('Amount paid, USD (purchase)'),
    },
    primaryKey: ['event_id'],
    partitioning: { kind: 'time', column: 'timestamp', granularity: 'month' },
  }),
  writeMode: 'overwrite_partitions',
  // Both partitionings derive from "timestamp": a month of events_enriched reads that month's days.
  inputPartitions: { events: { year: 'year', month: 'month' } },
  sql: `
SELECT
  e.event_id, e.session_id, e."timestamp", CAST(e."timestamp" AS DATE) AS event_date, e.event_type,
  e.product_id, e.qty, e.cart_size, e.payment, e.discount_pct, e.amount_usd
FROM {{ ref('events') }} AS e`,
});
