/**
 * `client_risk_profile`: one row per client with the design's risk indicators.
 *
 * @module
 */
import { col, defineTable } from '@lakeblocks/core';
import { defineModel } from '@lakeblocks/transform';

/**
 * The risk levels of {@link clientRiskProfile}.
 *
 * @example
 * ```ts
 * RISK_LEVELS[2]; // 'high'
 * ```
 */
export const RISK_LEVELS = ['low', 'medium', 'high'] as const;

/**
 * Per client (every user, also one without cards or transactions): credit score, debt-to-income
 * (`total_debt / yearly_income`, 4 decimals; null without income), cards and cards seen on the dark
 * web, total credit limit; over all transactions: count, those with errors and the error rate,
 * refunds (count and amount, as a positive number), spend (sum of positive amounts), months with
 * activity, average monthly spend and spend against limit (`avg_monthly_spend / total_credit_limit`,
 * 4 decimals). Sums are exact decimals; ratios are doubles.
 *
 * `risk_level`: `high` when credit_score < 580, a card is on the dark web, debt_to_income >= 4 or
 * error_rate >= 5 %; else `medium` when credit_score < 670, debt_to_income >= 2 or spend_to_limit
 * >= 0.8; else `low`.
 *
 * @example
 * ```ts
 * clientRiskProfile.inputs; // ['users', 'cards', 'transactions']
 * ```
 */
export const clientRiskProfile = defineModel({
  output: defineTable({
    name: 'client_risk_profile',
    description: 'One row per client: credit score, debt-to-income, dark-web cards, error rate, refunds and spend against limit.',
    columns: {
      client_id: col.int().describe('Client (users.user_id)'),
      credit_score: col.int().describe('Credit score'),
      yearly_income: col.decimal(12, 2).describe('Yearly income, USD'),
      total_debt: col.decimal(12, 2).describe('Total debt, USD'),
      debt_to_income: col.double().nullable().describe('total_debt / yearly_income, 4 decimals (null: no income)'),
      num_cards: col.int().describe('Cards held'),
      cards_on_dark_web: col.int().describe('Cards seen on the dark web'),
      total_credit_limit: col.decimal(14, 2).describe('Sum of the cards\' credit limits, USD'),
      transactions: col.int().describe('Transactions made'),
      error_transactions: col.int().describe('Transactions with at least one error'),
      error_rate: col.double().nullable().describe('error_transactions / transactions, 4 decimals (null: no transactions)'),
      refunds: col.int().describe('Refunds (negative amounts)'),
      refund_amount: col.decimal(14, 2).describe('Sum of refunded amounts, as a positive number, USD'),
      spend: col.decimal(14, 2).describe('Sum of positive amounts, USD'),
      active_months: col.int().describe('Calendar months with at least one transaction'),
      avg_monthly_spend: col.double().nullable().describe('spend / active_months, 2 decimals (null: no activity)'),
      spend_to_limit: col.double().nullable().describe('avg_monthly_spend / total_credit_limit, 4 decimals (null: no limit or no activity)'),
      risk_level: col.enum(RISK_LEVELS).describe('low / medium / high, from the indicators (see the model)'),
    },
    primaryKey: ['client_id'],
  }),
  sql: `
WITH card_stats AS (
  SELECT client_id, count(*) AS num_cards,
    sum(CASE WHEN card_on_dark_web THEN 1 ELSE 0 END) AS cards_on_dark_web,
    sum(credit_limit) AS total_credit_limit
  FROM {{ ref('cards') }}
  GROUP BY client_id
),
tx_stats AS (
  SELECT client_id, count(*) AS transactions,
    sum(CASE WHEN errors IS NOT NULL THEN 1 ELSE 0 END) AS error_transactions,
    sum(CASE WHEN amount < 0 THEN 1 ELSE 0 END) AS refunds,
    sum(CASE WHEN amount < 0 THEN -amount ELSE 0 END) AS refund_amount,
    sum(CASE WHEN amount > 0 THEN amount ELSE 0 END) AS spend,
    count(DISTINCT date_trunc('month', transaction_time)) AS active_months
  FROM {{ ref('transactions') }}
  GROUP BY client_id
),
profile AS (
  SELECT
    u.user_id AS client_id, u.credit_score, u.yearly_income, u.total_debt,
    round(CAST(u.total_debt AS DOUBLE) / CAST(nullif(u.yearly_income, 0) AS DOUBLE), 4) AS debt_to_income,
    coalesce(c.num_cards, 0) AS num_cards,
    coalesce(c.cards_on_dark_web, 0) AS cards_on_dark_web,
    coalesce(c.total_credit_limit, 0) AS total_credit_limit,
    coalesce(t.transactions, 0) AS transactions,
    coalesce(t.error_transactions, 0) AS error_transactions,
    round(CAST(t.error_transactions AS DOUBLE) / CAST(nullif(t.transactions, 0) AS DOUBLE), 4) AS error_rate,
    coalesce(t.refunds, 0) AS refunds,
    coalesce(t.refund_amount, 0) AS refund_amount,
    coalesce(t.spend, 0) AS spend,
    coalesce(t.active_months, 0) AS active_months,
    round(CAST(t.spend AS DOUBLE) / CAST(nullif(t.active_months, 0) AS DOUBLE), 2) AS avg_monthly_spend
  FROM {{ ref('users') }} AS u
  LEFT JOIN card_stats AS c ON c.client_id = u.user_id
  LEFT JOIN tx_stats AS t ON t.client_id = u.user_id
)
SELECT
  p.client_id, p.credit_score, p.yearly_income, p.total_debt, p.debt_to_income,
  p.num_cards, p.cards_on_dark_web, p.total_credit_limit,
  p.transactions, p.error_transactions, p.error_rate,
  p.refunds, p.refund_amount, p.spend, p.active_months, p.avg_monthly_spend,
  round(p.avg_monthly_spend / CAST(nullif(p.total_credit_limit, 0) AS DOUBLE), 4) AS spend_to_limit,
  CASE
    WHEN p.credit_score < 580 OR p.cards_on_dark_web > 0 OR coalesce(p.debt_to_income, 0) >= 4 OR coalesce(p.error_rate, 0) >= 0.05 THEN 'high'
    WHEN p.credit_score < 670 OR coalesce(p.debt_to_income, 0) >= 2
      OR coalesce(round(p.avg_monthly_spend / CAST(nullif(p.total_credit_limit, 0) AS DOUBLE), 4), 0) >= 0.8 THEN 'medium'
    ELSE 'low'
  END AS risk_level
FROM profile AS p`,
});
