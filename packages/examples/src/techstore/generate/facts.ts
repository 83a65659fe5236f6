/**
 * What later tables need to know about earlier ones, whether those were generated or read from
 * real files (`generate --from`): product ids and prices, customer ids and countries, and the
 * order facts sessions and events must agree with. Small tables only; events are never held.
 *
 * @module
 */
import { cents, parseIsoSeconds } from './format.js';
import { readCsvRecords } from './csv-io.js';

/**
 * The product catalogue, as later tables need it.
 *
 * @example
 * ```ts
 * const p: ProductFacts = { ids: [1, 2], priceCents: [57028, 49813] };
 * ```
 */
export interface ProductFacts {
  ids: number[];
  priceCents: number[];
}

/**
 * Customers, as later tables need them.
 *
 * @example
 * ```ts
 * const c: CustomerFacts = { ids: [1], countries: ['JP'], signup: [1599177600] };
 * ```
 */
export interface CustomerFacts {
  ids: number[];
  countries: string[];
  /** Signup day, epoch seconds. */
  signup: number[];
}

/**
 * One order, as reviews, sessions and events need it.
 *
 * @example
 * ```ts
 * const o: OrderFact = { id: 1, customerId: 13917, time: 1738364862, payment: 'card', discount: 20, total: '85.72', country: 'PL', device: 'desktop', source: 'organic', products: [226] };
 * ```
 */
export interface OrderFact {
  id: number;
  customerId: number;
  /** order_time, epoch seconds (UTC wall clock). */
  time: number;
  payment: string;
  discount: number;
  /** total_usd exactly as written in the orders file. */
  total: string;
  country: string;
  device: string;
  source: string;
  /** Products of its lines (empty when order_items is unknown). */
  products: number[];
  /** Units over its lines (0 when order_items is unknown). */
  units: number;
}

function need(row: Record<string, string>, column: string, file: string): string {
  const value = row[column];
  if (value === undefined) throw new Error(`${file}: no column "${column}"`);
  return value;
}

/**
 * Reads product facts from products CSV files.
 *
 * @example
 * ```ts
 * const products = await loadProducts(['/work/shared/data/techstore/products.csv']);
 * ```
 */
export async function loadProducts(paths: readonly string[]): Promise<ProductFacts> {
  const facts: ProductFacts = { ids: [], priceCents: [] };
  for (const path of paths) {
    for await (const row of readCsvRecords(path)) {
      facts.ids.push(Number(need(row, 'product_id', path)));
      facts.priceCents.push(cents(need(row, 'price_usd', path)));
    }
  }
  return facts;
}

/**
 * Reads customer facts from customers CSV files.
 *
 * @example
 * ```ts
 * const customers = await loadCustomers(['/work/shared/data/techstore/customers.csv']);
 * ```
 */
export async function loadCustomers(paths: readonly string[]): Promise<CustomerFacts> {
  const facts: CustomerFacts = { ids: [], countries: [], signup: [] };
  for (const path of paths) {
    for await (const row of readCsvRecords(path)) {
      facts.ids.push(Number(need(row, 'customer_id', path)));
      facts.countries.push(need(row, 'country', path));
      facts.signup.push(parseIsoSeconds(need(row, 'signup_date', path)));
    }
  }
  return facts;
}

/**
 * Reads order facts from orders CSV files, with their lines' products when order_items files are given.
 *
 * @example
 * ```ts
 * const orders = await loadOrders(['orders.csv'], ['order_items.csv']);
 * ```
 */
export async function loadOrders(paths: readonly string[], itemPaths: readonly string[] = []): Promise<OrderFact[]> {
  const orders: OrderFact[] = [];
  const byId = new Map<number, OrderFact>();
  for (const path of paths) {
    for await (const row of readCsvRecords(path)) {
      const order: OrderFact = {
        id: Number(need(row, 'order_id', path)),
        customerId: Number(need(row, 'customer_id', path)),
        time: parseIsoSeconds(need(row, 'order_time', path)),
        payment: need(row, 'payment_method', path),
        discount: Number(need(row, 'discount_pct', path)),
        total: need(row, 'total_usd', path),
        country: need(row, 'country', path),
        device: need(row, 'device', path),
        source: need(row, 'source', path),
        products: [],
        units: 0,
      };
      orders.push(order);
      byId.set(order.id, order);
    }
  }
  for (const path of itemPaths) {
    for await (const row of readCsvRecords(path)) {
      const order = byId.get(Number(need(row, 'order_id', path)));
      if (!order) continue;
      order.products.push(Number(need(row, 'product_id', path)));
      order.units += Number(need(row, 'quantity', path));
    }
  }
  return orders;
}
