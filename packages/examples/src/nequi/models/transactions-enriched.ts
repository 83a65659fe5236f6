/**
 * `transactions_enriched`: every transaction with its merchant category, card and client, partitioned
 * by year and month of `transaction_time`.
 *
 * @module
 */
import { col, defineTable } from '@lakeblocks/core';
import { defineModel } from '@lakeblocks/transform';
import { CARD_BRANDS, CARD_TYPES, USE_CHIP } from '../tables.js';
import { MCC_CATEGORIES, mccCategorySql } from './mcc-categories.js';

/**
 * Transactions left-joined to mcc_codes, cards and users — a transaction whose card, client or code
 * is missing (e.g. its card was rejected by cleaning) is kept with nulls there, never dropped.
 * `is_refund = amount < 0`, `has_error = errors IS NOT NULL`; `mcc_category` from the code range
 * (`./mcc-categories.ts`). `overwrite_partitions`: a new monthly batch rebuilds only its months.
 *
 * @example
 * ```ts
 * transactionsEnriched.inputs; // ['transactions', 'mcc_codes', 'cards', 'users']
 * ```
 */
export const transactionsEnriched = defineModel({
  output: defineTable({
    name: 'transactions_enriched',
    description: 'Transactions with the merchant category, the card (brand, type, limit) and the client (age, income, debt, credit score).',
    columns: {
      transaction_id: col.int().describe('Transaction'),
      transaction_time: col.timestamp().describe('When it happened'),
      transaction_date: col.date().describe('Day of transaction_time'),
      client_id: col.int().describe('Client'),
      card_id: col.int().describe('Card used'),
      amount: col.decimal(12, 2).describe('Amount, USD (negative: refund)'),
      is_refund: col.boolean().describe('amount < 0'),
      use_chip: col.enum(USE_CHIP).describe('Swipe, Chip or Online Transaction'),
      merchant_id: col.int().describe('Merchant'),
      merchant_city: col.string().describe('Merchant city (ONLINE for online merchants)'),
      merchant_state: col.string().describe("US state, foreign country, or 'desconocido'"),
      zip: col.string({ maxLength: 5 }).nullable().describe('Merchant ZIP code'),
      mcc: col.int().describe('Merchant category code'),
      mcc_description: col.string().nullable().describe('Description of the code (null: code unknown)'),
      mcc_category: col.enum(MCC_CATEGORIES).describe('Spending category of the code range'),
      errors: col.string().nullable().describe('Comma-separated errors, null when none'),
      has_error: col.boolean().describe('The transaction reported at least one error'),
      card_brand: col.enum(CARD_BRANDS).nullable().describe('Card brand (null: card missing)'),
      card_type: col.enum(CARD_TYPES).nullable().describe('Card type'),
      credit_limit: col.decimal(12, 2).nullable().describe('Credit limit of the card, USD'),
      card_on_dark_web: col.boolean().nullable().describe('The card was seen on the dark web'),
      client_age: col.int().nullable().describe("Client's current age (null: client missing)"),
      yearly_income: col.decimal(12, 2).nullable().describe("Client's yearly income, USD"),
      total_debt: col.decimal(12, 2).nullable().describe("Client's total debt, USD"),
      credit_score: col.int().nullable().describe("Client's credit score"),
    },
    primaryKey: ['transaction_id'],
    partitioning: { kind: 'time', column: 'transaction_time', granularity: 'month' },
  }),
  writeMode: 'overwrite_partitions',
  sql: `
SELECT
  t.transaction_id, t.transaction_time, CAST(t.transaction_time AS DATE) AS transaction_date,
  t.client_id, t.card_id, t.amount, t.amount < 0 AS is_refund, t.use_chip,
  t.merchant_id, t.merchant_city, t.merchant_state, t.zip,
  t.mcc, m.description AS mcc_description, ${mccCategorySql('t.mcc')} AS mcc_category,
  t.errors, t.errors IS NOT NULL AS has_error,
  c.card_brand, c.card_type, c.credit_limit, c.card_on_dark_web,
  u.current_age AS client_age, u.yearly_income, u.total_debt, u.credit_score
FROM {{ ref('transactions') }} AS t
LEFT JOIN {{ ref('mcc_codes') }} AS m ON m.mcc = t.mcc
LEFT JOIN {{ ref('cards') }} AS c ON c.card_id = t.card_id
LEFT JOIN {{ ref('users') }} AS u ON u.user_id = t.client_id`,
});
