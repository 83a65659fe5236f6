/**
 * `generate`: a synthetic TechStore dataset with the real schemas, the real counts at scale 1, and
 * its invariants; with `from`, only the tables missing there, consistent with the given ones.
 *
 * @module
 */
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tableForFileName } from '@lakeblocks/ingest';
import { techstoreTables } from '../tables.js';
import { writeCustomers, writeProducts } from './catalog.js';
import { REAL_COUNTS } from './distributions.js';
import { loadCustomers, loadOrders, loadProducts, type CustomerFacts, type OrderFact, type ProductFacts } from './facts.js';
import { readCsvRecords } from './csv-io.js';
import { writeItemsForOrders, writeOrdersAndItems, writeReviews } from './orders.js';
import { Random } from './random.js';
import { writeSessionsAndEvents } from './sessions-events.js';

/** The seven TechStore table names. */
export type TechstoreTableName = (typeof techstoreTables)[number]['name'];

/**
 * Options of {@link generateTechstore}.
 *
 * @example
 * ```ts
 * const options: GenerateOptions = { out: './data', scale: 0.1, seed: '42' };
 * ```
 */
export interface GenerateOptions {
  /** Directory the CSVs are written to (created if missing): `<table>.csv`. */
  out: string;
  /** Size relative to the real dataset (default 1: its exact counts). */
  scale?: number;
  /** Seed (default `'42'`): the same seed and options give the same bytes. */
  seed?: string;
  /** A directory of real tables (`<table>*.csv`); only the missing tables are generated, consistent with these. */
  from?: string;
  /** Called when a table is done. */
  onTable?: (report: GeneratedTable) => void;
}

/**
 * One table of a {@link generateTechstore} result.
 *
 * @example
 * ```ts
 * const t: GeneratedTable = { table: 'events', file: 'data/events.csv', rows: 760_958, generated: true };
 * ```
 */
export interface GeneratedTable {
  table: TechstoreTableName;
  /** The written file (generated tables), or the first given file. */
  file: string;
  /** Rows written (generated tables only; 0 for given ones). */
  rows: number;
  /** `false` when the table was given in `from`. */
  generated: boolean;
}

/**
 * The result of {@link generateTechstore}.
 *
 * @example
 * ```ts
 * const { tables, eventTypes } = await generateTechstore({ out: './data' });
 * ```
 */
export interface GenerateResult {
  tables: GeneratedTable[];
  /** Events by event_type, when events were generated. */
  eventTypes?: Record<string, number>;
}

/**
 * CSV files of a directory grouped by the TechStore table their name starts with (as upload
 * names them: `orders_2025_12.csv` → orders).
 *
 * @example
 * ```ts
 * const files = await tableFiles('/work/shared/data/techstore'); // Map { 'orders' => ['/…/orders.csv'], … }
 * ```
 */
export async function tableFiles(dir: string): Promise<Map<TechstoreTableName, string[]>> {
  const files = new Map<TechstoreTableName, string[]>();
  for (const name of (await readdir(dir)).sort()) {
    if (!/\.csv$/i.test(name)) continue;
    const table = tableForFileName(name, techstoreTables);
    if (!table) continue;
    const list = files.get(table.name) ?? [];
    list.push(join(dir, name));
    files.set(table.name, list);
  }
  return files;
}

/**
 * Generates the TechStore dataset (see the module description).
 *
 * @example
 * ```ts
 * await generateTechstore({ out: '/tmp/ts', scale: 0.01, seed: '7' });
 * await generateTechstore({ out: '/tmp/ts-gen', from: '/work/shared/data/techstore' }); // sessions.csv + events.csv only
 * ```
 */
export async function generateTechstore(options: GenerateOptions): Promise<GenerateResult> {
  const scale = options.scale ?? 1;
  if (!(Number.isFinite(scale) && scale > 0 && scale <= 100)) throw new Error(`--scale must be a number in (0, 100], got ${scale}`);
  const seed = options.seed ?? '42';
  const given = options.from === undefined ? new Map<TechstoreTableName, string[]>() : await tableFiles(options.from);
  const has = (t: TechstoreTableName) => (given.get(t)?.length ?? 0) > 0;
  if (has('order_items') && !has('orders')) throw new Error('order_items is given without orders: orders matching its lines cannot be generated; give orders too');
  if (has('sessions') !== has('events')) {
    throw new Error(`${has('sessions') ? 'sessions' : 'events'} is given without ${has('sessions') ? 'events' : 'sessions'}: they are generated together; give both or neither`);
  }
  await mkdir(options.out, { recursive: true });
  const rng = (table: string) => new Random(`${seed}/${table}`);
  const scaled = (n: number, factor = scale) => Math.max(1, Math.round(n * factor));
  const tables: GeneratedTable[] = [];
  const report = (t: GeneratedTable) => {
    tables.push(t);
    options.onTable?.(t);
  };
  const givenReport = (table: TechstoreTableName) => report({ table, file: given.get(table)?.[0] ?? '', rows: 0, generated: false });
  const file = (table: string) => join(options.out, `${table}.csv`);

  // Orders first when given: they size and constrain everything else.
  let orders: OrderFact[] | undefined;
  if (has('orders')) orders = await loadOrders(given.get('orders') ?? [], given.get('order_items') ?? []);

  let products: ProductFacts;
  if (has('products')) {
    products = await loadProducts(given.get('products') ?? []);
    givenReport('products');
  } else {
    const maxReferenced = Math.max(0, ...(orders ?? []).flatMap((o) => o.products));
    products = await writeProducts(options.out, Math.max(scaled(REAL_COUNTS.products), maxReferenced), rng('products'));
    report({ table: 'products', file: file('products'), rows: products.ids.length, generated: true });
  }

  let customers: CustomerFacts;
  if (has('customers')) {
    customers = await loadCustomers(given.get('customers') ?? []);
    givenReport('customers');
  } else {
    const maxReferenced = (orders ?? []).reduce((m, o) => Math.max(m, o.customerId), 0);
    customers = await writeCustomers(options.out, Math.max(scaled(REAL_COUNTS.customers), maxReferenced), rng('customers'));
    report({ table: 'customers', file: file('customers'), rows: customers.ids.length, generated: true });
  }

  if (orders) {
    givenReport('orders');
    if (has('order_items')) givenReport('order_items');
    else {
      const subtotals = new Map<number, string>();
      for (const path of given.get('orders') ?? []) for await (const row of readCsvRecords(path)) subtotals.set(Number(row['order_id']), row['subtotal_usd'] ?? '');
      await writeItemsForOrders(options.out, orders, subtotals, products, rng('order_items'));
      report({ table: 'order_items', file: file('order_items'), rows: orders.length, generated: true });
    }
  } else {
    const orderCount = scaled(REAL_COUNTS.orders);
    orders = await writeOrdersAndItems(options.out, orderCount, scaled(REAL_COUNTS.order_items), customers, products, rng('orders'));
    report({ table: 'orders', file: file('orders'), rows: orders.length, generated: true });
    report({ table: 'order_items', file: file('order_items'), rows: orders.reduce((n, o) => n + o.products.length, 0), generated: true });
  }

  // Everything downstream of orders scales with the orders actually there.
  const ratio = has('orders') ? orders.length / REAL_COUNTS.orders : scale;
  if (has('reviews')) givenReport('reviews');
  else {
    const count = scaled(REAL_COUNTS.reviews, ratio);
    await writeReviews(options.out, count, orders, products, rng('reviews'));
    report({ table: 'reviews', file: file('reviews'), rows: count, generated: true });
  }

  let eventTypes: Record<string, number> | undefined;
  if (has('sessions')) {
    givenReport('sessions');
    givenReport('events');
  } else {
    const counts = {
      sessions: scaled(REAL_COUNTS.sessions, ratio),
      page_view: scaled(REAL_COUNTS.page_view, ratio),
      add_to_cart: scaled(REAL_COUNTS.add_to_cart, ratio),
      checkout: scaled(REAL_COUNTS.checkout, ratio),
    };
    const result = await writeSessionsAndEvents(options.out, counts, orders, customers, products, rng('sessions'));
    eventTypes = result.byType;
    report({ table: 'sessions', file: file('sessions'), rows: result.sessions, generated: true });
    report({ table: 'events', file: file('events'), rows: result.events, generated: true });
  }
  return eventTypes === undefined ? { tables } : { tables, eventTypes };
}
