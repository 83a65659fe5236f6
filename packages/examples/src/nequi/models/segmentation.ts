/**
 * Segmentation features: monthly spend per client, spend per client and MCC category, and one row
 * of features per client (age and income bands, activity, top category).
 *
 * @module
 */
import { col, defineTable } from '@lakeblocks/core';
import { defineModel } from '@lakeblocks/transform';
import { GENDERS } from '../tables.js';
import { AGE_BANDS, bandSql, INCOME_BANDS } from './bands.js';
import { MCC_CATEGORIES } from './mcc-categories.js';

/**
 * Per client and calendar month (partitioned by year and month, `overwrite_partitions`):
 * transactions, spend (positive amounts), refunds (as a positive amount) and net amount.
 *
 * @example
 * ```ts
 * clientMonthlySpend.output.partitionKeys.map((k) => k.name); // ['year', 'month']
 * ```
 */
export const clientMonthlySpend = defineModel({
  output: defineTable({
    name: 'client_monthly_spend',
    description: 'Per client and month: transactions, spend, refunds and net amount.',
    columns: {
      client_id: col.int().describe('Client'),
      transactions: col.int().describe('Transactions in the month'),
      spend: col.decimal(14, 2).describe('Sum of positive amounts, USD'),
      refund_amount: col.decimal(14, 2).describe('Sum of refunds, as a positive number, USD'),
      net_amount: col.decimal(14, 2).describe('Sum of all amounts (spend - refunds), USD'),
      year: col.int().describe('Year (partition key)'),
      month: col.int().describe('Month, 1-12 (partition key)'),
    },
    primaryKey: ['client_id', 'year', 'month'],
    partitioning: { kind: 'columns', columns: ['year', 'month'] },
  }),
  writeMode: 'overwrite_partitions',
  sql: `
SELECT
  client_id, count(*) AS transactions,
  sum(CASE WHEN amount > 0 THEN amount ELSE 0 END) AS spend,
  sum(CASE WHEN amount < 0 THEN -amount ELSE 0 END) AS refund_amount,
  sum(amount) AS net_amount,
  year, month
FROM {{ ref('transactions_enriched') }}
GROUP BY client_id, year, month`,
});

/**
 * Per client and MCC category: transactions, spend (positive amounts) and the category's share of
 * the client's spend (4 decimals; null when the client spent nothing).
 *
 * @example
 * ```ts
 * clientCategorySpend.inputs; // ['transactions_enriched']
 * ```
 */
export const clientCategorySpend = defineModel({
  output: defineTable({
    name: 'client_category_spend',
    description: 'Per client and merchant category: transactions, spend and share of the client\'s spend.',
    columns: {
      client_id: col.int().describe('Client'),
      mcc_category: col.enum(MCC_CATEGORIES).describe('Spending category'),
      transactions: col.int().describe('Transactions in the category'),
      spend: col.decimal(14, 2).describe('Sum of positive amounts, USD'),
      share_of_spend: col.double().nullable().describe("spend / the client's total spend, 4 decimals"),
    },
    primaryKey: ['client_id', 'mcc_category'],
  }),
  sql: `
WITH by_category AS (
  SELECT client_id, mcc_category, count(*) AS transactions, sum(CASE WHEN amount > 0 THEN amount ELSE 0 END) AS spend
  FROM {{ ref('transactions_enriched') }}
  GROUP BY client_id, mcc_category
)
SELECT
  client_id, mcc_category, transactions, spend,
  round(CAST(spend AS DOUBLE) / CAST(nullif(sum(spend) OVER (PARTITION BY client_id), 0) AS DOUBLE), 4) AS share_of_spend
FROM by_category`,
});

/**
 * One row of segmentation features per client (every user): age and age band, gender, yearly
 * income and income band (`./bands.ts`), active months, total spend, average monthly spend, and the
 * category with the highest spend (ties: first by name; null without spend).
 *
 * @example
 * ```ts
 * clientSegments.inputs; // ['users', 'client_monthly_spend', 'client_category_spend']
 * ```
 */
export const clientSegments = defineModel({
  output: defineTable({
    name: 'client_segments',
    description: 'Segmentation features per client: age and income bands, monthly spend and top spending category.',
    columns: {
      client_id: col.int().describe('Client'),
      current_age: col.int().describe('Age in years'),
      age_band: col.enum(AGE_BANDS.map((b) => b.label) as [string, ...string[]]).describe('Age band'),
      gender: col.enum(GENDERS).describe('Gender'),
      yearly_income: col.decimal(12, 2).describe('Yearly income, USD'),
      income_band: col.enum(INCOME_BANDS.map((b) => b.label) as [string, ...string[]]).describe('Yearly income band'),
      active_months: col.int().describe('Months with at least one transaction'),
      total_spend: col.decimal(14, 2).describe('Sum of positive amounts, USD'),
      avg_monthly_spend: col.double().nullable().describe('total_spend / active_months, 2 decimals (null: no activity)'),
      top_mcc_category: col.enum(MCC_CATEGORIES).nullable().describe('Category with the highest spend'),
    },
    primaryKey: ['client_id'],
  }),
  sql: `
WITH monthly AS (
  SELECT client_id, count(*) AS active_months, sum(spend) AS total_spend
  FROM {{ ref('client_monthly_spend') }}
  GROUP BY client_id
),
ranked AS (
  SELECT client_id, mcc_category, row_number() OVER (PARTITION BY client_id ORDER BY spend DESC, mcc_category) AS rank_in_client
  FROM {{ ref('client_category_spend') }}
  WHERE spend > 0
)
SELECT
  u.user_id AS client_id, u.current_age, ${bandSql(AGE_BANDS, 'u.current_age')} AS age_band, u.gender,
  u.yearly_income, ${bandSql(INCOME_BANDS, 'u.yearly_income')} AS income_band,
  coalesce(m.active_months, 0) AS active_months,
  coalesce(m.total_spend, 0) AS total_spend,
  round(CAST(m.total_spend AS DOUBLE) / CAST(nullif(m.active_months, 0) AS DOUBLE), 2) AS avg_monthly_spend,
  r.mcc_category AS top_mcc_category
FROM {{ ref('users') }} AS u
LEFT JOIN monthly AS m ON m.client_id = u.user_id
LEFT JOIN ranked AS r ON r.client_id = u.user_id AND r.rank_in_client = 1`,
});
