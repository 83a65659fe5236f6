/**
 * Checks a TechStore dataset directory against the real data's invariants (used by the tests, and
 * handy after `generate`): amounts reconcile, one purchase event per order matching the order and
 * its session, event fields set only on their event types, numbers in events written as floats.
 *
 * @module
 */
import { join } from 'node:path';
import { readCsvRecords } from './csv-io.js';
import { cents, isRoundedTotal } from './format.js';

/**
 * What {@link checkTechstoreDataset} found.
 *
 * @example
 * ```ts
 * const { problems, rows } = await checkTechstoreDataset('./data');
 * ```
 */
export interface DatasetCheck {
  /** Rows per table file read. */
  rows: Record<string, number>;
  /** Events per event_type. */
  eventTypes: Record<string, number>;
  /** Up to 50 broken invariants, described. */
  problems: string[];
}

const FLOAT = /^\d+\.\d+$/;

/**
 * Reads `<dir>/<table>.csv` for the seven tables (orders, order_items, sessions and events may
 * come from different directories: pass `dirs`) and checks the invariants.
 *
 * @example
 * ```ts
 * const check = await checkTechstoreDataset({ orders: '/work/shared/data/techstore', events: '/tmp/gen' });
 * expect(check.problems).toEqual([]);
 * ```
 */
export async function checkTechstoreDataset(dirs: string | Partial<Record<'orders' | 'order_items' | 'sessions' | 'events', string>>): Promise<DatasetCheck> {
  const dirOf = (t: 'orders' | 'order_items' | 'sessions' | 'events') => (typeof dirs === 'string' ? dirs : (dirs[t] ?? ''));
  const problems: string[] = [];
  const problem = (text: string) => {
    if (problems.length < 50) problems.push(text);
  };
  const rows: Record<string, number> = {};

  const lineSums = new Map<number, number>();
  rows['order_items'] = 0;
  for await (const r of readCsvRecords(join(dirOf('order_items'), 'order_items.csv'))) {
    rows['order_items']++;
    const unit = cents(r['unit_price_usd'] ?? '');
    const line = cents(r['line_total_usd'] ?? '');
    if (unit * Number(r['quantity']) !== line) problem(`order_items: order ${r['order_id']} product ${r['product_id']}: line_total ${r['line_total_usd']} ≠ unit × quantity`);
    const id = Number(r['order_id']);
    lineSums.set(id, (lineSums.get(id) ?? 0) + line);
  }

  interface O { customer: string; time: string; payment: string; discount: number; total: string; country: string; device: string; source: string; purchases: number }
  const orders = new Map<number, O>();
  const byAmountKey = new Map<string, number[]>();
  rows['orders'] = 0;
  for await (const r of readCsvRecords(join(dirOf('orders'), 'orders.csv'))) {
    rows['orders']++;
    const id = Number(r['order_id']);
    const subtotal = cents(r['subtotal_usd'] ?? '');
    const discount = Number(r['discount_pct']);
    if (lineSums.get(id) !== subtotal) problem(`orders: order ${id}: subtotal ${r['subtotal_usd']} ≠ sum of its lines`);
    if (!isRoundedTotal(subtotal, discount, cents(r['total_usd'] ?? ''))) problem(`orders: order ${id}: total ${r['total_usd']} ≠ round(subtotal × (1 − discount/100), 2)`);
    orders.set(id, { customer: r['customer_id'] ?? '', time: r['order_time'] ?? '', payment: r['payment_method'] ?? '', discount, total: r['total_usd'] ?? '', country: r['country'] ?? '', device: r['device'] ?? '', source: r['source'] ?? '', purchases: 0 });
    const key = `${r['customer_id']}|${r['order_time']}`;
    byAmountKey.set(key, [...(byAmountKey.get(key) ?? []), id]);
  }

  const sessions = new Map<number, { customer: string; device: string; source: string; country: string }>();
  rows['sessions'] = 0;
  for await (const r of readCsvRecords(join(dirOf('sessions'), 'sessions.csv'))) {
    rows['sessions']++;
    sessions.set(Number(r['session_id']), { customer: r['customer_id'] ?? '', device: r['device'] ?? '', source: r['source'] ?? '', country: r['country'] ?? '' });
  }

  const eventTypes: Record<string, number> = {};
  const only: Record<string, readonly string[]> = {
    page_view: ['product_id'],
    add_to_cart: ['product_id', 'qty'],
    checkout: ['cart_size'],
    purchase: ['payment', 'discount_pct', 'amount_usd'],
  };
  const optional = ['product_id', 'qty', 'cart_size', 'payment', 'discount_pct', 'amount_usd'];
  rows['events'] = 0;
  for await (const r of readCsvRecords(join(dirOf('events'), 'events.csv'))) {
    rows['events']++;
    const type = r['event_type'] ?? '';
    eventTypes[type] = (eventTypes[type] ?? 0) + 1;
    const set = only[type];
    if (!set) {
      problem(`events: event ${r['event_id']}: unknown event_type ${type}`);
      continue;
    }
    for (const column of optional) {
      const value = r[column] ?? '';
      if (set.includes(column) !== (value !== '')) problem(`events: event ${r['event_id']} (${type}): ${column} ${value === '' ? 'missing' : `set to ${value}`}`);
      else if (value !== '' && ['product_id', 'qty', 'cart_size', 'discount_pct'].includes(column) && !FLOAT.test(value)) problem(`events: event ${r['event_id']}: ${column} ${value} not written as a float`);
    }
    if (type !== 'purchase') continue;
    const session = sessions.get(Number(r['session_id']));
    if (!session) {
      problem(`events: purchase ${r['event_id']}: session ${r['session_id']} does not exist`);
      continue;
    }
    const candidates = byAmountKey.get(`${session.customer}|${r['timestamp']}`) ?? [];
    const match = candidates
      .map((id) => orders.get(id) as O)
      .find((o) => o.purchases === 0 && o.total === r['amount_usd'] && o.payment === r['payment'] && `${o.discount}.0` === r['discount_pct'] && o.device === session.device && o.source === session.source && o.country === session.country);
    if (!match) problem(`events: purchase ${r['event_id']} matches no order of customer ${session.customer} at ${r['timestamp']} (amount, payment, discount, device, source, country)`);
    else match.purchases++;
  }
  let unmatched = 0;
  for (const o of orders.values()) if (o.purchases !== 1) unmatched++;
  if (unmatched > 0) problem(`${unmatched} order(s) without exactly one purchase event`);
  return { rows, eventTypes, problems };
}
