/**
 * Generates sessions and their funnel events, consistent with the orders: every order gets one
 * session of its customer, device, source and country, whose last event is the order's purchase
 * (at the order time, with its payment, discount and total). The other sessions stop at checkout,
 * add_to_cart or page_view. Event-type totals are exact; rows stream to disk session by session.
 *
 * @module
 */
import { join } from 'node:path';
import { CsvFileWriter } from './csv-io.js';
import { cartQuantities, devices, sources } from './distributions.js';
import type { CustomerFacts, OrderFact, ProductFacts } from './facts.js';
import { DATA_START, isoSeconds } from './format.js';
import { CustomerPicker, randomTime } from './orders.js';
import { shuffle, spread, type Random } from './random.js';

/**
 * How many sessions and events of each type to generate.
 *
 * @example
 * ```ts
 * const counts: FunnelCounts = { sessions: 120_000, page_view: 539_343, add_to_cart: 143_126, checkout: 44_909 };
 * ```
 */
export interface FunnelCounts {
  sessions: number;
  page_view: number;
  add_to_cart: number;
  checkout: number;
}

/** How far a session goes down the funnel. */
const enum Reach {
  View = 0,
  Cart = 1,
  Checkout = 2,
  Purchase = 3,
}

/**
 * Writes `sessions.csv` and `events.csv`. Purchases = orders (one per order); `counts` gives the
 * rest, and is raised where it could not hold them (every session views a page, every session
 * reaching a stage has one event of each earlier stage).
 *
 * @example
 * ```ts
 * await writeSessionsAndEvents(dir, counts, orders, customers, products, new Random('42/sessions'));
 * ```
 */
export async function writeSessionsAndEvents(
  dir: string,
  counts: FunnelCounts,
  orders: readonly OrderFact[],
  customers: CustomerFacts,
  products: ProductFacts,
  rng: Random,
): Promise<{ sessions: number; events: number; byType: Record<string, number> }> {
  const purchases = orders.length;
  const checkoutOnly = Math.max(0, counts.checkout - purchases);
  const sessionCount = Math.max(counts.sessions, purchases + checkoutOnly);
  const cartOnly = Math.round((sessionCount - purchases - checkoutOnly) * 0.25);
  const carts = purchases + checkoutOnly + cartOnly;

  // Session slots: reach and, for purchases, the order index; then shuffled into id order.
  const reach = new Uint8Array(sessionCount);
  const orderOf = new Int32Array(sessionCount).fill(-1);
  for (let i = 0; i < purchases; i++) {
    reach[i] = Reach.Purchase;
    orderOf[i] = i;
  }
  reach.fill(Reach.Checkout, purchases, purchases + checkoutOnly);
  reach.fill(Reach.Cart, purchases + checkoutOnly, carts);
  const order = shuffle(Int32Array.from({ length: sessionCount }, (_, i) => i), rng);

  const views = new Uint16Array(sessionCount).fill(1);
  spread(views, Math.max(0, counts.page_view - sessionCount), rng);
  const adds = new Uint16Array(sessionCount);
  adds.fill(1, 0, carts);
  spread(adds, Math.max(0, counts.add_to_cart - carts), rng, 65_535, Int32Array.from({ length: carts }, (_, i) => i));

  // Customers for sessions without an order: the given ones, else those of the orders.
  const known: CustomerFacts = customers.ids.length > 0 ? customers : { ids: orders.map((o) => o.customerId), countries: orders.map((o) => o.country), signup: orders.map(() => DATA_START) };
  const picker = new CustomerPicker(known);
  const productIds = products.ids.length > 0 ? products.ids : [1];

  const sessionOut = new CsvFileWriter(join(dir, 'sessions.csv'), 'session_id,customer_id,start_time,device,source,country');
  const eventOut = new CsvFileWriter(join(dir, 'events.csv'), 'event_id,session_id,timestamp,event_type,product_id,qty,cart_size,payment,discount_pct,amount_usd');
  const byType: Record<string, number> = { page_view: 0, add_to_cart: 0, checkout: 0, purchase: 0 };
  let eventId = 0;
  const gaps: number[] = [];
  for (let k = 0; k < sessionCount; k++) {
    const slot = order[k] as number;
    const sessionId = k + 1;
    const r = reach[slot] as Reach;
    const nViews = views[slot] as number;
    const nAdds = adds[slot] as number;
    const nEvents = nViews + nAdds + (r >= Reach.Checkout ? 1 : 0) + (r === Reach.Purchase ? 1 : 0);
    gaps.length = 0;
    let span = 0;
    for (let e = 1; e < nEvents; e++) {
      const gap = rng.between(8, 240);
      gaps.push(gap);
      span += gap;
    }
    const lead = rng.between(2, 60);
    const o = r === Reach.Purchase ? orders[orderOf[slot] as number] : undefined;
    let customerId: number, device: string, source: string, country: string, first: number;
    if (o) {
      ({ customerId, device, source, country } = o);
      first = o.time - span; // the purchase lands exactly at the order time
    } else {
      first = randomTime(rng);
      const c = picker.pick(first, rng);
      customerId = known.ids[c] as number;
      country = known.countries[c] as string;
      device = devices.sample(rng);
      source = sources.sample(rng);
    }
    if (sessionOut.line(`${sessionId},${customerId},${isoSeconds(first - lead)},${device},${source},${country}`)) await sessionOut.flush();

    let t = first;
    let e = 0;
    const next = () => {
      const at = isoSeconds(t);
      t += gaps[e++] ?? 0;
      eventId++;
      return `${eventId},${sessionId},${at}`;
    };
    for (let v = 0; v < nViews; v++) eventOut.line(`${next()},page_view,${rng.pick(productIds)}.0,,,,,`);
    let cartSize = 0;
    for (let a = 0; a < nAdds; a++) {
      const qty = cartQuantities.sample(rng);
      cartSize += qty;
      const product = o && o.products.length > 0 ? (o.products[a % o.products.length] as number) : rng.pick(productIds);
      eventOut.line(`${next()},add_to_cart,${product}.0,${qty}.0,,,,`);
    }
    if (r >= Reach.Checkout) eventOut.line(`${next()},checkout,,,${o && o.units > 0 ? o.units : cartSize}.0,,,`);
    if (o) eventOut.line(`${next()},purchase,,,,${o.payment},${o.discount}.0,${o.total}`);
    byType['page_view'] = (byType['page_view'] ?? 0) + nViews;
    byType['add_to_cart'] = (byType['add_to_cart'] ?? 0) + nAdds;
    if (r >= Reach.Checkout) byType['checkout'] = (byType['checkout'] ?? 0) + 1;
    if (o) byType['purchase'] = (byType['purchase'] ?? 0) + 1;
    if (k % 256 === 0) await Promise.all([eventOut.flush(), sessionOut.flush()]);
  }
  await Promise.all([sessionOut.close(), eventOut.close()]);
  return { sessions: sessionCount, events: eventId, byType };
}
