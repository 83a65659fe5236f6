/**
 * The seven processed TechStore tables, declared once (see `/work/shared/data/techstore/README.md`
 * for the data). Column names are the CSV headers; timestamps are ISO wall-clock times (UTC).
 *
 * Money (`*_usd`) is `decimal(12, 2)`: the source values are exact cents, and the curated layer must
 * reproduce independent recomputations to the cent (sums over 59,053 lines, order subtotals). A
 * DECIMAL column keeps every sum exact in DuckDB and Athena and maps to Parquet DECIMAL, Glue
 * `decimal(12,2)` and MySQL `DECIMAL(12,2)`; a double would need rounding at every step and drift in
 * long sums. The TS value is an exact string (`'85.72'`).
 *
 * products and order_items have no time column and are unpartitioned; the others are partitioned
 * `year/month/day` by their time column.
 *
 * @example
 * ```ts
 * import { techstoreTables, orders } from './tables.js';
 * orders.partitionKeys.map((k) => k.name); // ['year', 'month', 'day']
 * techstoreTables.length; // 7
 * ```
 *
 * @module
 */
import { col, defineTable } from '@lakeblocks/core';

const money = () => col.decimal(12, 2);

/**
 * Payment methods of orders and purchase events.
 *
 * @example
 * ```ts
 * PAYMENT_METHODS.includes('cod'); // true
 * ```
 */
export const PAYMENT_METHODS = ['card', 'paypal', 'wallet', 'cod'] as const;
/**
 * Devices of orders and sessions.
 *
 * @example
 * ```ts
 * DEVICES.length; // 3
 * ```
 */
export const DEVICES = ['mobile', 'desktop', 'tablet'] as const;
/**
 * Traffic sources (channels) of orders and sessions.
 *
 * @example
 * ```ts
 * SOURCES[0]; // 'organic'
 * ```
 */
export const SOURCES = ['organic', 'direct', 'paid', 'social', 'email', 'referral'] as const;
/**
 * Event types, in funnel order.
 *
 * @example
 * ```ts
 * EVENT_TYPES.indexOf('checkout'); // 2
 * ```
 */
export const EVENT_TYPES = ['page_view', 'add_to_cart', 'checkout', 'purchase'] as const;
/**
 * Product categories.
 *
 * @example
 * ```ts
 * CATEGORIES.length; // 7
 * ```
 */
export const CATEGORIES = ['Beauty', 'Books', 'Electronics', 'Fashion', 'Home & Kitchen', 'Sports', 'Toys'] as const;

/**
 * One row per order.
 *
 * @example
 * ```ts
 * orders.column('total_usd').type; // { kind: 'decimal', precision: 12, scale: 2 }
 * ```
 */
export const orders = defineTable({
  name: 'orders',
  description: 'One row per order placed in the store.',
  columns: {
    order_id: col.int().describe('Order identifier'),
    customer_id: col.int().describe('Buying customer'),
    order_time: col.timestamp().describe('When the order was placed (UTC wall clock)'),
    payment_method: col.enum(PAYMENT_METHODS).describe('How the order was paid'),
    discount_pct: col.int().describe('Discount applied, percent (0, 5, 10, 15, 20)'),
    subtotal_usd: money().describe('Sum of the line totals, USD'),
    total_usd: money().describe('subtotal_usd after discount, rounded to the cent, USD'),
    country: col.string({ maxLength: 2 }).describe('ISO-2 country of the order'),
    device: col.enum(DEVICES).describe('Device used'),
    source: col.enum(SOURCES).describe('Traffic source (channel)'),
  },
  primaryKey: ['order_id'],
  partitioning: { kind: 'time', column: 'order_time', granularity: 'day' },
});

/**
 * One row per order line. Not unique by (order_id, product_id): 110 pairs repeat, and both lines
 * count in the order subtotal, so the curated fact groups them.
 *
 * @example
 * ```ts
 * orderItems.partitionKeys; // []
 * ```
 */
export const orderItems = defineTable({
  name: 'order_items',
  description: 'One row per order line (some (order_id, product_id) pairs repeat).',
  columns: {
    order_id: col.int().describe('Order of the line'),
    product_id: col.int().describe('Product bought'),
    unit_price_usd: money().describe('Unit price paid, USD'),
    quantity: col.int().describe('Units bought'),
    line_total_usd: money().describe('unit_price_usd * quantity, USD'),
  },
});

/**
 * The product catalogue.
 *
 * @example
 * ```ts
 * products.primaryKey; // ['product_id']
 * ```
 */
export const products = defineTable({
  name: 'products',
  description: 'The product catalogue.',
  columns: {
    product_id: col.int().describe('Product identifier'),
    category: col.enum(CATEGORIES).describe('Product category'),
    name: col.string().describe('Product name'),
    price_usd: money().describe('List price, USD'),
    cost_usd: money().describe('Unit cost, USD'),
    margin_usd: money().describe('price_usd - cost_usd, USD'),
  },
  primaryKey: ['product_id'],
});

/**
 * Product reviews (some point at products that do not exist).
 *
 * @example
 * ```ts
 * reviews.timeColumn; // 'review_time'
 * ```
 */
export const reviews = defineTable({
  name: 'reviews',
  description: 'Product reviews left after an order.',
  columns: {
    review_id: col.int().describe('Review identifier'),
    order_id: col.int().describe('Reviewed order'),
    product_id: col.int().describe('Reviewed product (may be missing from products)'),
    rating: col.int().describe('Stars, 1 to 5'),
    review_text: col.string().nullable().describe('Free text'),
    review_time: col.timestamp().describe('When the review was left (always midnight)'),
  },
  primaryKey: ['review_id'],
  partitioning: { kind: 'time', column: 'review_time', granularity: 'day' },
});

/**
 * Customers, partitioned by signup day.
 *
 * @example
 * ```ts
 * customers.column('signup_date').type.kind; // 'date'
 * ```
 */
export const customers = defineTable({
  name: 'customers',
  description: 'Registered customers.',
  columns: {
    customer_id: col.int().describe('Customer identifier'),
    name: col.string().describe('Full name'),
    email: col.string().describe('E-mail address'),
    country: col.string({ maxLength: 2 }).describe('ISO-2 country of residence'),
    age: col.int().describe('Age in years'),
    signup_date: col.date().describe('Day the customer signed up'),
    marketing_opt_in: col.boolean().describe('Accepted marketing e-mails'),
  },
  primaryKey: ['customer_id'],
  partitioning: { kind: 'time', column: 'signup_date', granularity: 'day' },
});

/**
 * Browsing sessions.
 *
 * @example
 * ```ts
 * sessions.timeColumn; // 'start_time'
 * ```
 */
export const sessions = defineTable({
  name: 'sessions',
  description: 'Browsing sessions of customers.',
  columns: {
    session_id: col.int().describe('Session identifier'),
    customer_id: col.int().describe('Customer browsing'),
    start_time: col.timestamp().describe('Session start (UTC wall clock)'),
    device: col.enum(DEVICES).describe('Device used'),
    source: col.enum(SOURCES).describe('Traffic source (channel)'),
    country: col.string({ maxLength: 2 }).describe('ISO-2 country'),
  },
  primaryKey: ['session_id'],
  partitioning: { kind: 'time', column: 'start_time', granularity: 'day' },
});

/**
 * Funnel events. `product_id` is set on page_view and add_to_cart, `qty` on add_to_cart, `cart_size`
 * on checkout, `payment`, `discount_pct` and `amount_usd` on purchase.
 *
 * @example
 * ```ts
 * events.column('amount_usd').nullable; // true
 * ```
 */
export const events = defineTable({
  name: 'events',
  description: 'Funnel events of sessions: page_view → add_to_cart → checkout → purchase.',
  columns: {
    event_id: col.int().describe('Event identifier'),
    session_id: col.int().describe('Session of the event'),
    timestamp: col.timestamp().describe('When the event happened (UTC wall clock)'),
    event_type: col.enum(EVENT_TYPES).describe('Funnel stage'),
    product_id: col.int().nullable().describe('Product viewed or added (page_view, add_to_cart)'),
    qty: col.int().nullable().describe('Units added (add_to_cart)'),
    cart_size: col.int().nullable().describe('Items in the cart (checkout)'),
    payment: col.enum(PAYMENT_METHODS).nullable().describe('Payment method (purchase)'),
    discount_pct: col.int().nullable().describe('Discount, percent (purchase)'),
    amount_usd: money().nullable().describe('Amount paid = the order total_usd (purchase)'),
  },
  primaryKey: ['event_id'],
  partitioning: { kind: 'time', column: 'timestamp', granularity: 'day' },
});

/**
 * All seven processed tables.
 *
 * @example
 * ```ts
 * techstoreTables.map((t) => t.name); // ['orders', 'order_items', 'products', 'reviews', 'customers', 'sessions', 'events']
 * ```
 */
export const techstoreTables = [orders, orderItems, products, reviews, customers, sessions, events] as const;
