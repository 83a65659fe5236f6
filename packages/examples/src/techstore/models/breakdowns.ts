/**
 * Business question 3 — behaviour by country, channel, device and time of day: monthly revenue and
 * orders broken down by one dimension of the order.
 *
 * @module
 */
import { col, defineTable } from '@lakeblocks/core';
import { defineModel } from '@lakeblocks/transform';
import { DEVICES, SOURCES } from '../tables.js';

const measures = {
  revenue_usd: col.decimal(14, 2).describe('Sum of total_usd, USD'),
  orders: col.int().describe('Orders placed'),
};

/**
 * Monthly revenue and orders by the order's country.
 *
 * @example
 * ```ts
 * breakdownCountryMonthly.name; // 'breakdown_country_monthly'
 * ```
 */
export const breakdownCountryMonthly = defineModel({
  output: defineTable({
    name: 'breakdown_country_monthly',
    description: 'Monthly revenue and orders by country of the order.',
    columns: { year: col.int(), month: col.int(), country: col.string({ maxLength: 2 }).describe('ISO-2 country of the order'), ...measures },
    primaryKey: ['year', 'month', 'country'],
  }),
  sql: `
SELECT year, month, order_country AS country, sum(total_usd) AS revenue_usd, count(*) AS orders
FROM {{ ref('fact_orders_enriched') }}
GROUP BY year, month, order_country`,
});

/**
 * Monthly revenue and orders by traffic source (channel).
 *
 * @example
 * ```ts
 * breakdownSourceMonthly.name; // 'breakdown_source_monthly'
 * ```
 */
export const breakdownSourceMonthly = defineModel({
  output: defineTable({
    name: 'breakdown_source_monthly',
    description: 'Monthly revenue and orders by traffic source (channel).',
    columns: { year: col.int(), month: col.int(), source: col.enum(SOURCES).describe('Traffic source'), ...measures },
    primaryKey: ['year', 'month', 'source'],
  }),
  sql: `
SELECT year, month, source, sum(total_usd) AS revenue_usd, count(*) AS orders
FROM {{ ref('fact_orders_enriched') }}
GROUP BY year, month, source`,
});

/**
 * Monthly revenue and orders by device.
 *
 * @example
 * ```ts
 * breakdownDeviceMonthly.name; // 'breakdown_device_monthly'
 * ```
 */
export const breakdownDeviceMonthly = defineModel({
  output: defineTable({
    name: 'breakdown_device_monthly',
    description: 'Monthly revenue and orders by device.',
    columns: { year: col.int(), month: col.int(), device: col.enum(DEVICES).describe('Device used'), ...measures },
    primaryKey: ['year', 'month', 'device'],
  }),
  sql: `
SELECT year, month, device, sum(total_usd) AS revenue_usd, count(*) AS orders
FROM {{ ref('fact_orders_enriched') }}
GROUP BY year, month, device`,
});

/**
 * Monthly revenue and orders by ISO weekday (1 = Monday … 7 = Sunday) and hour of day (0-23) of
 * the order time. The weekday is computed as days since Monday 1970-01-05 modulo 7, which DuckDB
 * and Athena evaluate identically (their `dow` functions disagree: DuckDB counts from Sunday = 0).
 *
 * @example
 * ```ts
 * breakdownHourWeekdayMonthly.name; // 'breakdown_hour_weekday_monthly'
 * ```
 */
export const breakdownHourWeekdayMonthly = defineModel({
  output: defineTable({
    name: 'breakdown_hour_weekday_monthly',
    description: 'Monthly revenue and orders by ISO weekday and hour of day.',
    columns: {
      year: col.int(),
      month: col.int(),
      weekday: col.int().describe('ISO weekday: 1 = Monday … 7 = Sunday'),
      hour: col.int().describe('Hour of day, 0-23'),
      ...measures,
    },
    primaryKey: ['year', 'month', 'weekday', 'hour'],
  }),
  sql: `
WITH timed AS (
  SELECT year, month, (((date_diff('day', DATE '1970-01-05', order_date) % 7) + 7) % 7) + 1 AS weekday, hour(order_time) AS hour, total_usd
  FROM {{ ref('fact_orders_enriched') }}
)
SELECT year, month, weekday, hour, sum(total_usd) AS revenue_usd, count(*) AS orders
FROM timed
GROUP BY year, month, weekday, hour`,
});
