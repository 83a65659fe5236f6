/**
 * Generates orders with their lines, lines for given orders, and reviews. Amounts are computed in
 * cents: `line_total = unit_price × quantity`, `subtotal = Σ line_total`,
 * `total = round(subtotal × (1 − discount/100), 2)` — exactly, for every order.
 *
 * @module
 */
import { join } from 'node:path';
import { CsvFileWriter } from './csv-io.js';
import { countries, devices, discounts, hours, payments, quantities, ratings, REVIEW_TEXTS, sources } from './distributions.js';
import type { CustomerFacts, OrderFact, ProductFacts } from './facts.js';
import { cents, csvField, DATA_END, DATA_START, discounted, isoSeconds, money } from './format.js';
import { spread, type Random } from './random.js';

/** Most lines one generated order has. */
const MAX_LINES = 5;

/**
 * A random time between 2020-01-01 and 2025-10-31: days with a mild growth over the years, hours
 * weighted like shop traffic.
 *
 * @example
 * ```ts
 * const t = randomTime(rng); // epoch seconds
 * ```
 */
export function randomTime(rng: Random): number {
  const days = (DATA_END - DATA_START) / 86_400;
  const day = Math.min(days - 1, Math.floor(rng.next() ** 0.85 * days));
  return DATA_START + day * 86_400 + hours.index(rng) * 3600 + rng.int(3600);
}

/**
 * Picks customers who had signed up by a given time (any customer when none had).
 *
 * @example
 * ```ts
 * const picker = new CustomerPicker(customers);
 * const c = picker.pick(randomTime(rng), rng); // an index into customers
 * ```
 */
export class CustomerPicker {
  readonly #order: number[];
  readonly #signups: number[];

  constructor(customers: CustomerFacts) {
    this.#order = customers.ids.map((_, i) => i).sort((a, b) => (customers.signup[a] as number) - (customers.signup[b] as number) || a - b);
    this.#signups = this.#order.map((i) => customers.signup[i] as number);
  }

  /** Index (into the facts' arrays) of a customer signed up at or before `time`. */
  pick(time: number, rng: Random): number {
    let lo = 0;
    let hi = this.#signups.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.#signups[mid] as number) <= time) lo = mid + 1;
      else hi = mid;
    }
    return this.#order[rng.int(lo > 0 ? lo : this.#order.length)] as number;
  }
}

/**
 * Writes `orders.csv` and `order_items.csv`: `orderCount` orders of random customers (placed after
 * their signup, over 2020-01 .. 2025-10 with a mild growth), `lineCount` lines in all (1 to 5 per order), at the products' list prices.
 *
 * @example
 * ```ts
 * const orders = await writeOrdersAndItems(dir, 33_580, 59_163, customers, products, new Random('42/orders'));
 * ```
 */
export async function writeOrdersAndItems(
  dir: string,
  orderCount: number,
  lineCount: number,
  customers: CustomerFacts,
  products: ProductFacts,
  rng: Random,
): Promise<OrderFact[]> {
  if (customers.ids.length === 0 || products.ids.length === 0) throw new Error('orders need at least one customer and one product');
  const lines = new Uint16Array(orderCount).fill(1);
  spread(lines, Math.max(0, lineCount - orderCount), rng, MAX_LINES);
  const orderOut = new CsvFileWriter(join(dir, 'orders.csv'), 'order_id,customer_id,order_time,payment_method,discount_pct,subtotal_usd,total_usd,country,device,source');
  const itemOut = new CsvFileWriter(join(dir, 'order_items.csv'), 'order_id,product_id,unit_price_usd,quantity,line_total_usd');
  const facts: OrderFact[] = [];
  const picker = new CustomerPicker(customers);
  for (let i = 0; i < orderCount; i++) {
    const id = i + 1;
    const time = randomTime(rng);
    const c = picker.pick(time, rng);
    let subtotal = 0;
    let units = 0;
    const bought: number[] = [];
    for (let l = 0; l < (lines[i] as number); l++) {
      const p = rng.int(products.ids.length);
      const unit = products.priceCents[p] as number;
      const quantity = quantities.sample(rng);
      subtotal += unit * quantity;
      units += quantity;
      bought.push(products.ids[p] as number);
      if (itemOut.line(`${id},${products.ids[p]},${money(unit)},${quantity},${money(unit * quantity)}`)) await itemOut.flush();
    }
    const discount = discounts.sample(rng);
    const order: OrderFact = {
      id,
      customerId: customers.ids[c] as number,
      time,
      payment: payments.sample(rng),
      discount,
      total: money(discounted(subtotal, discount)),
      country: rng.next() < 0.9 ? (customers.countries[c] as string) : countries.sample(rng),
      device: devices.sample(rng),
      source: sources.sample(rng),
      products: bought,
      units,
    };
    facts.push(order);
    const line = `${id},${order.customerId},${isoSeconds(time)},${order.payment},${discount},${money(subtotal)},${order.total},${order.country},${order.device},${order.source}`;
    if (orderOut.line(line)) await orderOut.flush();
  }
  await Promise.all([orderOut.close(), itemOut.close()]);
  return facts;
}

/**
 * Writes `order_items.csv` for orders read from files: one line per order, quantity 1 at the
 * order's subtotal, of a random product (so line totals and subtotals reconcile). Fills in each
 * order's `products` and `units`.
 *
 * @example
 * ```ts
 * await writeItemsForOrders(dir, orders, subtotals, products, rng);
 * ```
 */
export async function writeItemsForOrders(dir: string, orders: OrderFact[], subtotals: ReadonlyMap<number, string>, products: ProductFacts, rng: Random): Promise<void> {
  const out = new CsvFileWriter(join(dir, 'order_items.csv'), 'order_id,product_id,unit_price_usd,quantity,line_total_usd');
  for (const order of orders) {
    const product = products.ids.length > 0 ? (products.ids[rng.int(products.ids.length)] as number) : 1;
    const subtotal = money(cents(subtotals.get(order.id) ?? order.total));
    order.products = [product];
    order.units = 1;
    if (out.line(`${order.id},${product},${subtotal},1,${subtotal}`)) await out.flush();
  }
  await out.close();
}

/**
 * Writes `reviews.csv`: `count` reviews of products of random orders, left at midnight 1–30 days
 * after the order (never after the data's end).
 *
 * @example
 * ```ts
 * await writeReviews(dir, 10_780, orders, products, new Random('42/reviews'));
 * ```
 */
export async function writeReviews(dir: string, count: number, orders: readonly OrderFact[], products: ProductFacts, rng: Random): Promise<void> {
  const out = new CsvFileWriter(join(dir, 'reviews.csv'), 'review_id,order_id,product_id,rating,review_text,review_time');
  for (let id = 1; id <= count && orders.length > 0; id++) {
    const order = orders[rng.int(orders.length)] as OrderFact;
    const product = order.products.length > 0 ? rng.pick(order.products) : rng.pick(products.ids.length > 0 ? products.ids : [1]);
    const rating = ratings.sample(rng);
    const day = Math.min(Math.floor(order.time / 86_400) + rng.between(1, 30), Math.floor(DATA_END / 86_400) - 1);
    const text = rng.pick(REVIEW_TEXTS[rating] ?? ['Okay overall.']);
    if (out.line(`${id},${order.id},${product},${rating},${csvField(text)},${isoSeconds(day * 86_400)}`)) await out.flush();
  }
  await out.close();
}
