/**
 * The TechStore tables as `@lakeblocks/core` definitions, with their cleaning rules: fixtures for
 * ingest's tests and examples (the application's own definitions live in `@lakeblocks/examples`).
 *
 * @module
 */
import { col, defineTable, type AnyTable } from '@lakeblocks/core';
import { defineCleaning, type TableCleaning } from '../cleaning/cleaning-rules.js';

const payment = ['card', 'paypal', 'wallet', 'cod'] as const;
const device = ['mobile', 'desktop', 'tablet'] as const;
const source = ['organic', 'direct', 'paid', 'social', 'email', 'referral'] as const;

/**
 * orders: one row per order, partitioned by day of `order_time`.
 *
 * @example
 * ```ts
 * orders.columns.map((c) => c.name);
 * ```
 */
export const orders = defineTable({
  name: 'orders',
  columns: {
    order_id: col.int(),
    customer_id: col.int(),
    order_time: col.timestamp(),
    payment_method: col.enum(payment),
    discount_pct: col.int(),
    subtotal_usd: col.decimal(12, 2),
    total_usd: col.decimal(12, 2),
    country: col.string({ maxLength: 2 }),
    device: col.enum(device),
    source: col.enum(source),
  },
  primaryKey: ['order_id'],
  partitioning: { kind: 'time', column: 'order_time', granularity: 'day' },
});

/**
 * order_items: lines of orders; (order_id, product_id) repeats legitimately, so no primary key.
 *
 * @example
 * ```ts
 * orderItems.columns.map((c) => c.name);
 * ```
 */
export const orderItems = defineTable({
  name: 'order_items',
  columns: {
    order_id: col.int(),
    product_id: col.int(),
    unit_price_usd: col.decimal(12, 2),
    quantity: col.int(),
    line_total_usd: col.decimal(12, 2),
  },
});

/**
 * products.
 *
 * @example
 * ```ts
 * products.columns.map((c) => c.name);
 * ```
 */
export const products = defineTable({
  name: 'products',
  columns: {
    product_id: col.int(),
    category: col.string(),
    name: col.string(),
    price_usd: col.decimal(12, 2),
    cost_usd: col.decimal(12, 2),
    margin_usd: col.decimal(12, 2),
  },
  primaryKey: ['product_id'],
});

/**
 * reviews, partitioned by day of `review_time`.
 *
 * @example
 * ```ts
 * reviews.columns.map((c) => c.name);
 * ```
 */
export const reviews = defineTable({
  name: 'reviews',
  columns: {
    review_id: col.int(),
    order_id: col.int(),
    product_id: col.int(),
    rating: col.int(),
    review_text: col.string().nullable(),
    review_time: col.timestamp(),
  },
  primaryKey: ['review_id'],
  partitioning: { kind: 'time', column: 'review_time', granularity: 'day' },
});

/**
 * customers, partitioned by day of `signup_date`.
 *
 * @example
 * ```ts
 * customers.columns.map((c) => c.name);
 * ```
 */
export const customers = defineTable({
  name: 'customers',
  columns: {
    customer_id: col.int(),
    name: col.string(),
    email: col.string(),
    country: col.string({ maxLength: 2 }),
    age: col.int(),
    signup_date: col.date(),
    marketing_opt_in: col.boolean(),
  },
  primaryKey: ['customer_id'],
  partitioning: { kind: 'time', column: 'signup_date', granularity: 'day' },
});

/**
 * sessions, partitioned by day of `start_time`.
 *
 * @example
 * ```ts
 * sessions.columns.map((c) => c.name);
 * ```
 */
export const sessions = defineTable({
  name: 'sessions',
  columns: {
    session_id: col.int(),
    customer_id: col.int(),
    start_time: col.timestamp(),
    device: col.enum(device),
    source: col.enum(source),
    country: col.string({ maxLength: 2 }),
  },
  primaryKey: ['session_id'],
  partitioning: { kind: 'time', column: 'start_time', granularity: 'day' },
});

/**
 * events, partitioned by day of `timestamp`; numbers are written as floats (`101.0`).
 *
 * @example
 * ```ts
 * events.columns.map((c) => c.name);
 * ```
 */
export const events = defineTable({
  name: 'events',
  columns: {
    event_id: col.int(),
    session_id: col.int(),
    timestamp: col.timestamp(),
    event_type: col.enum(['page_view', 'add_to_cart', 'checkout', 'purchase']),
    product_id: col.int().nullable(),
    qty: col.int().nullable(),
    cart_size: col.int().nullable(),
    payment: col.enum(payment).nullable(),
    discount_pct: col.int().nullable(),
    amount_usd: col.decimal(12, 2).nullable(),
  },
  primaryKey: ['event_id'],
  partitioning: { kind: 'time', column: 'timestamp', granularity: 'day' },
});

/**
 * Every TechStore table.
 *
 * @example
 * ```ts
 * await uploadFile(storage, path, { tables: techstoreTables, batch: '2025-12' });
 * ```
 */
export const techstoreTables: readonly AnyTable[] = [orders, orderItems, products, reviews, customers, sessions, events];

/**
 * The TechStore cleaning rules: ints written as floats are accepted everywhere; keys are deduplicated.
 *
 * @example
 * ```ts
 * await runRawToProcessed({ storage, tables: techstoreCleaning });
 * ```
 */
export const techstoreCleaning: readonly TableCleaning[] = techstoreTables.map((t) =>
  defineCleaning(t, { coerceKinds: { int: 'integral-float' }, dedupe: t.primaryKey.length > 0 ? 'keep-first' : 'none' }),
);
