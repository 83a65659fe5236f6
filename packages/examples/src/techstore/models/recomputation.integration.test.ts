/**
 * Issue 4, "Done when", on TechStore's real data: the lake that `runTechstore` builds (upload →
 * @lakeblocks/ingest → DuckDB models) holds every curated model with exactly the numbers of an
 * independent recomputation, done here in TypeScript from the source CSV files (a tiny CSV reader of
 * its own, money in integer cents as bigint, no ingest and no DuckDB on that side); then the two
 * monthly batches rewrite only the curated partitions they touch, and the result equals a lake built
 * from scratch in one go over the same files.
 *
 * Reads `../shared/data/techstore` beside the repository (`TECHSTORE_DATA` overrides); skipped,
 * saying so, when it is absent.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { DuckDbEngine } from '@lakeblocks/transform/duckdb';
import type { ColumnType } from '@lakeblocks/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTechstore, type RunTechstoreResult } from '../pipeline/run-techstore.js';
import { techstoreTables } from '../tables.js';
import { testLakeRoot } from '../testing/techstore-lake.js';
import { techstoreModels } from './index.js';

/** The repository root: packages/examples/src/techstore/models → five levels up. */
const REPO_ROOT = resolve(import.meta.dirname, '../../../../..');
const DATA = process.env['TECHSTORE_DATA'] ?? resolve(REPO_ROOT, '../shared/data/techstore');
const BATCHES = ['2025-11', '2025-12'].map((b) => join(DATA, 'batches', b));
const present = existsSync(join(DATA, 'orders.csv')) && BATCHES.every((b) => existsSync(b));
if (!present) console.warn(`TechStore real data not found in ${DATA} (../shared/data/techstore beside the repository; set TECHSTORE_DATA): recomputation test skipped`);

const SEED = 'recomputation';

// ---------------------------------------------------------------------------------------------
// The independent side: a CSV reader, exact parsers, and every model recomputed in TypeScript.
// ---------------------------------------------------------------------------------------------

interface Csv {
  header: string[];
  rows: string[][];
}

/** RFC 4180: commas, double-quoted fields with "" escapes and embedded newlines, LF or CRLF. */
function parseCsv(text: string): Csv {
  if (!text.includes('"')) {
    // No quoted field anywhere: every line is its fields.
    const [header, ...data] = text.split(/\r?\n/).map((line) => line.split(','));
    if (!header) throw new Error('empty CSV');
    return { header, rows: data.filter((r) => !(r.length === 1 && r[0] === '')) };
  }
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */ && field === '') {
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new Error('unterminated quoted field');
        field += text.slice(i, q);
        if (text.charCodeAt(q + 1) === 34) {
          field += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
    } else if (c === 44 /* , */) {
      row.push(field);
      field = '';
      i++;
    } else if (c === 10 /* \n */ || c === 13 /* \r */) {
      row.push(field);
      field = '';
      rows.push(row);
      row = [];
      i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
    } else {
      // Plain run up to the next delimiter.
      let j = i;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 44 || d === 10 || d === 13) break;
        j++;
      }
      field += text.slice(i, j);
      i = j;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  const [header, ...data] = rows;
  if (!header) throw new Error('empty CSV');
  return { header, rows: data.filter((r) => !(r.length === 1 && r[0] === '')) };
}

/** Parsed files, by path: the recomputation reads each source file once. */
const parsed = new Map<string, Record<string, string>[]>();

/** Rows of several CSV files with the same header, as objects. */
async function readTable(files: readonly string[]): Promise<Record<string, string>[]> {
  const out: Record<string, string>[] = [];
  for (const file of files) {
    let rows = parsed.get(file);
    if (!rows) {
      const csv = parseCsv((await readFile(file, 'utf8')).replace(/^\uFEFF/, ''));
      rows = csv.rows.map((r) => {
        if (r.length !== csv.header.length) throw new Error(`${file}: ${r.length} fields, header has ${csv.header.length}`);
        const o: Record<string, string> = {};
        csv.header.forEach((h, k) => (o[h] = r[k] as string));
        return o;
      });
      parsed.set(file, rows);
    }
    for (const r of rows) out.push(r);
  }
  return out;
}

/** Keeps the first row of each key, as the ingest cleaning does (`dedupe: 'keep-first'`). */
function keepFirst(rows: Record<string, string>[], key: string): Record<string, string>[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const k = r[key] as string;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** An integer written as `101` or `101.0`; empty → null. */
function int(text: string | undefined): number | null {
  if (text === undefined || text === '') return null;
  const m = /^(-?\d+)(?:\.0*)?$/.exec(text);
  if (!m) throw new Error(`not an integer: ${text}`);
  return Number(m[1]);
}
function intNN(text: string | undefined): number {
  const v = int(text);
  if (v === null) throw new Error('missing integer');
  return v;
}

/** Exact cents of a money text (`85.72`, `101.0`, `-3.5`); empty → null. */
function cents(text: string | undefined): bigint | null {
  if (text === undefined || text === '') return null;
  const m = /^(-?)(\d+)(?:\.(\d{0,2}))?$/.exec(text);
  if (!m) throw new Error(`not money to the cent: ${text}`);
  const v = BigInt(m[2] as string) * 100n + BigInt(((m[3] ?? '') + '00').slice(0, 2));
  return m[1] === '-' ? -v : v;
}
function centsNN(text: string | undefined): bigint {
  const v = cents(text);
  if (v === null) throw new Error('missing money');
  return v;
}

/** Cents as the DECIMAL text DuckDB returns (`'85.72'`, `'-0.05'`). */
function money(c: bigint | null): string | null {
  if (c === null) return null;
  const a = c < 0n ? -c : c;
  return `${c < 0n ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
}

/** a / b rounded half away from zero (b > 0). */
function divRound(a: bigint, b: bigint): bigint {
  return a >= 0n ? (2n * a + b) / (2n * b) : -((-2n * a + b) / (2n * b));
}

/** `YYYY-MM-DDTHH:MM:SS` of an ISO wall-clock text. */
function timestamp(text: string | undefined): string {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text ?? '');
  if (!m) throw new Error(`not a timestamp: ${String(text)}`);
  return `${m[1]}T${m[2]}:${m[3]}:${m[4] ?? '00'}`;
}
const ymOf = (ts: string): [number, number] => [Number(ts.slice(0, 4)), Number(ts.slice(5, 7))];
/** ISO weekday (1 = Monday … 7 = Sunday) of a `YYYY-MM-DD…` text. */
const isoWeekday = (ts: string): number => ((new Date(Date.UTC(Number(ts.slice(0, 4)), Number(ts.slice(5, 7)) - 1, Number(ts.slice(8, 10)))).getUTCDay() + 6) % 7) + 1;
/** `True` / `False` (any case); empty → null. */
function bool(text: string | undefined): boolean | null {
  if (text === undefined || text === '') return null;
  if (/^true$/i.test(text)) return true;
  if (/^false$/i.test(text)) return false;
  throw new Error(`not a boolean: ${text}`);
}

type Value = string | number | boolean | null;
/** Expected rows of one model: natural key → the whole row as JSON (values in {@link COLUMNS} order). */
type Expected = Map<string, string>;

/** The contract columns of each model (issue 4), partition keys last, and the natural key. */
const COLUMNS: Record<string, { columns: string[]; key: string[] }> = {
  fact_order_items_enriched: { columns: ['order_id', 'product_id', 'quantity', 'unit_price_usd', 'line_total_usd', 'category', 'price_usd', 'cost_usd', 'profit_per_unit', 'total_profit', 'year'], key: ['order_id', 'product_id'] },
  fact_orders_enriched: { columns: ['order_id', 'customer_id', 'order_time', 'order_date', 'total_usd', 'discount_pct', 'order_country', 'device', 'source', 'age', 'customer_country', 'marketing_opt_in', 'year', 'month'], key: ['order_id'] },
  events_enriched: { columns: ['event_id', 'session_id', 'timestamp', 'event_date', 'event_type', 'product_id', 'qty', 'cart_size', 'payment', 'discount_pct', 'amount_usd', 'year', 'month'], key: ['event_id'] },
  kpi_monthly: { columns: ['year', 'month', 'revenue_usd', 'orders', 'customers', 'avg_ticket_usd', 'revenue_mom_pct'], key: ['year', 'month'] },
  funnel_monthly: { columns: ['year', 'month', 'stage', 'sessions', 'events'], key: ['year', 'month', 'stage'] },
  breakdown_country_monthly: { columns: ['year', 'month', 'country', 'revenue_usd', 'orders'], key: ['year', 'month', 'country'] },
  breakdown_source_monthly: { columns: ['year', 'month', 'source', 'revenue_usd', 'orders'], key: ['year', 'month', 'source'] },
  breakdown_device_monthly: { columns: ['year', 'month', 'device', 'revenue_usd', 'orders'], key: ['year', 'month', 'device'] },
  breakdown_hour_weekday_monthly: { columns: ['year', 'month', 'weekday', 'hour', 'revenue_usd', 'orders'], key: ['year', 'month', 'weekday', 'hour'] },
};
const keyOf = (model: string, row: Value[]): string => {
  const { columns, key } = COLUMNS[model] as { columns: string[]; key: string[] };
  return key.map((k) => String(row[columns.indexOf(k)])).join('|');
};

/** The source CSV files of each table. */
type Sources = Record<'orders' | 'order_items' | 'products' | 'customers' | 'events', string[]>;

interface Recomputed {
  models: Record<string, Expected>;
  /** Rows of each model (events_enriched: all of them, even when `models` holds only some months). */
  rows: Record<string, number>;
}

/** Each order's `year-month` and customer (the incremental check's scope). */
async function orderIndex(files: readonly string[]): Promise<Map<number, { ym: string; customer: number }>> {
  const index = new Map<number, { ym: string; customer: number }>();
  for (const o of keepFirst(await readTable(files), 'order_id')) index.set(intNN(o['order_id']), { ym: ymOf(timestamp(o['order_time'])).join('-'), customer: intNN(o['customer_id']) });
  return index;
}

/**
 * Every model, recomputed from the source files. With `eventMonths` (`'2025-11'`…), events_enriched
 * holds only the rows of those months (funnel_monthly is still computed from every event).
 */
async function recompute(src: Sources, options: { eventMonths?: ReadonlySet<string> } = {}): Promise<Recomputed> {
  const orders = keepFirst(await readTable(src.orders), 'order_id');
  const customers = new Map(keepFirst(await readTable(src.customers), 'customer_id').map((c) => [intNN(c['customer_id']), c]));
  const products = new Map(keepFirst(await readTable(src.products), 'product_id').map((p) => [intNN(p['product_id']), p]));
  const items = await readTable(src.order_items);
  const models: Record<string, Expected> = {};
  const put = (model: string, row: Value[]) => {
    const m = (models[model] ??= new Map());
    const k = keyOf(model, row);
    if (m.has(k)) throw new Error(`${model}: duplicate expected key ${k}`);
    m.set(k, JSON.stringify(row));
  };

  // fact_orders_enriched, and the marts' per-order inputs.
  const orderYear = new Map<number, number>();
  interface Acc {
    revenue: bigint;
    orders: number;
  }
  const kpi = new Map<string, { revenue: bigint; orders: number; buyers: Set<number> }>();
  const breakdown: Record<string, Map<string, Acc & { key: Value[] }>> = { country: new Map(), source: new Map(), device: new Map(), hour_weekday: new Map() };
  const add = (dim: string, key: Value[], total: bigint) => {
    const m = breakdown[dim] as Map<string, Acc & { key: Value[] }>;
    const k = key.join('|');
    const a = m.get(k) ?? { key, revenue: 0n, orders: 0 };
    a.revenue += total;
    a.orders += 1;
    m.set(k, a);
  };
  for (const o of orders) {
    const id = intNN(o['order_id']);
    const customerId = intNN(o['customer_id']);
    const ts = timestamp(o['order_time']);
    const [y, m] = ymOf(ts);
    const total = centsNN(o['total_usd']);
    const c = customers.get(customerId);
    orderYear.set(id, y);
    put('fact_orders_enriched', [
      id, customerId, ts, ts.slice(0, 10), money(total), intNN(o['discount_pct']), o['country'] as string, o['device'] as string, o['source'] as string,
      c ? intNN(c['age']) : null, c ? (c['country'] as string) : null, c ? bool(c['marketing_opt_in']) : null, y, m,
    ]);
    const k = kpi.get(`${y}-${m}`) ?? { revenue: 0n, orders: 0, buyers: new Set<number>() };
    k.revenue += total;
    k.orders += 1;
    k.buyers.add(customerId);
    kpi.set(`${y}-${m}`, k);
    add('country', [y, m, o['country'] as string], total);
    add('source', [y, m, o['source'] as string], total);
    add('device', [y, m, o['device'] as string], total);
    add('hour_weekday', [y, m, isoWeekday(ts), Number(ts.slice(11, 13))], total);
  }

  // kpi_monthly: avg ticket = revenue cents / orders, half up; MoM % = 100 (r - r_prev) / r_prev to one
  // decimal (half away from zero), null without a previous calendar month (first month, or a gap).
  for (const [ym, k] of kpi) {
    const [y, m] = ym.split('-').map(Number) as [number, number];
    const prevKey = m === 1 ? `${y - 1}-12` : `${y}-${m - 1}`;
    const prev = kpi.get(prevKey)?.revenue;
    const mom = prev === undefined || prev === 0n ? null : Number(divRound((k.revenue - prev) * 1000n, prev)) / 10;
    put('kpi_monthly', [y, m, money(k.revenue), k.orders, k.buyers.size, money(divRound(k.revenue, BigInt(k.orders))), mom]);
  }
  for (const [dim, m] of Object.entries(breakdown)) for (const a of m.values()) put(`breakdown_${dim}_monthly`, [...a.key, money(a.revenue), a.orders]);

  // fact_order_items_enriched: lines grouped by (order_id, product_id), inner join orders, left join products.
  const lines = new Map<string, { orderId: number; productId: number; unit: bigint; quantity: number; total: bigint }>();
  for (const it of items) {
    const orderId = intNN(it['order_id']);
    const productId = intNN(it['product_id']);
    const k = `${orderId}|${productId}`;
    const unit = centsNN(it['unit_price_usd']);
    const l = lines.get(k) ?? { orderId, productId, unit, quantity: 0, total: 0n };
    if (unit > l.unit) l.unit = unit; // max(unit_price_usd); the same within a pair in the real data
    l.quantity += intNN(it['quantity']);
    l.total += centsNN(it['line_total_usd']);
    lines.set(k, l);
  }
  for (const l of lines.values()) {
    const year = orderYear.get(l.orderId);
    if (year === undefined) continue;
    const p = products.get(l.productId);
    const cost = p ? centsNN(p['cost_usd']) : null;
    put('fact_order_items_enriched', [
      l.orderId, l.productId, l.quantity, money(l.unit), money(l.total), p ? (p['category'] as string) : null, p ? money(centsNN(p['price_usd'])) : null, money(cost),
      cost === null ? null : money(l.unit - cost), cost === null ? null : money(l.total - cost * BigInt(l.quantity)), year,
    ]);
  }

  // events_enriched and funnel_monthly.
  const funnel = new Map<string, { sessions: Set<number>; events: number }>();
  let eventRows = 0;
  for (const e of keepFirst(await readTable(src.events), 'event_id')) {
    const ts = timestamp(e['timestamp']);
    const [y, m] = ymOf(ts);
    const sessionId = intNN(e['session_id']);
    const type = e['event_type'] as string;
    eventRows++;
    if (!options.eventMonths || options.eventMonths.has(`${y}-${m}`)) put('events_enriched', [
      intNN(e['event_id']), sessionId, ts, ts.slice(0, 10), type, int(e['product_id']), int(e['qty']), int(e['cart_size']),
      e['payment'] === '' ? null : (e['payment'] as string), int(e['discount_pct']), money(cents(e['amount_usd'])), y, m,
    ]);
    const k = `${y}|${m}|${type}`;
    const f = funnel.get(k) ?? { sessions: new Set<number>(), events: 0 };
    f.sessions.add(sessionId);
    f.events += 1;
    funnel.set(k, f);
  }
  for (const [k, f] of funnel) {
    const [y, m, stage] = k.split('|') as [string, string, string];
    put('funnel_monthly', [Number(y), Number(m), stage, f.sessions.size, f.events]);
  }
  const rows = Object.fromEntries(Object.entries(models).map(([name, m]) => [name, m.size]));
  rows['events_enriched'] = eventRows;
  return { models, rows };
}

// ---------------------------------------------------------------------------------------------
// The lake side: curated Parquet read back through the DuckDB engine.
// ---------------------------------------------------------------------------------------------

/** DuckDB results in the recomputation's terms: timestamps as wall-clock text, BIGINT as number. */
function norm(v: unknown): Value {
  if (v instanceof Date) return v.toISOString().slice(0, 19);
  if (typeof v === 'bigint') return Number(v);
  return v as Value;
}

/** Compares every row of a curated model with the recomputation; returns what differs (empty when equal). */
async function diffModel(engine: DuckDbEngine, model: string, expected: Expected, where?: string): Promise<{ rows: number; diffs: string[] }> {
  const { columns } = COLUMNS[model] as { columns: string[] };
  const left = new Map(expected); // rows not met yet
  const diffs: string[] = [];
  let rows = 0;
  let more = 0;
  const note = (text: string) => (diffs.length < 8 ? diffs.push(text) : more++);
  for await (const chunk of engine.query(`SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM "${model}"${where ? ` WHERE ${where}` : ''}`)) {
    for (const r of chunk) {
      rows++;
      const actual = columns.map((c) => norm(r[c]));
      const k = keyOf(model, actual);
      const want = left.get(k);
      left.delete(k);
      if (want === undefined) note(`${expected.has(k) ? 'duplicate' : 'unexpected'} row ${JSON.stringify(actual)}`);
      else if (want !== JSON.stringify(actual)) note(`row ${k}: lake ${JSON.stringify(actual)} ≠ recomputed ${want}`);
    }
  }
  for (const want of left.values()) note(`missing row ${want}`);
  if (more > 0) diffs.push(`… and ${more} more`);
  return { rows, diffs };
}

/** Every model of the lake equals the recomputation (events_enriched: only `eventMonths`, when given). */
async function expectLakeEquals(lakeDir: string, expected: Recomputed, options: { eventMonths?: ReadonlySet<string> } = {}): Promise<void> {
  const engine = await DuckDbEngine.create({ lakeDir, tables: techstoreTables, models: techstoreModels, threads: 2 });
  try {
    for (const m of techstoreModels) {
      const want = expected.models[m.name] ?? new Map();
      const months = m.name === 'events_enriched' && options.eventMonths ? [...options.eventMonths].map((ym) => ym.split('-').map(Number) as [number, number]) : undefined;
      const where = months ? `year * 100 + month IN (${months.map(([y, mo]) => y * 100 + mo).join(', ')})` : undefined;
      const { rows, diffs } = await diffModel(engine, m.name, want, where);
      expect(diffs, m.name).toEqual([]);
      expect(rows, m.name).toBe(want.size);
    }
  } finally {
    engine.close();
  }
}

interface FileState {
  ino: number;
  mtimeMs: number;
  sha256: string;
}
/** Every file under curated/, with inode, mtime and content digest. */
async function snapshotCurated(lakeDir: string): Promise<Map<string, FileState>> {
  const files = new Map<string, FileState>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else {
        const s = await stat(path);
        files.set(relative(join(lakeDir, 'curated'), path), { ino: s.ino, mtimeMs: s.mtimeMs, sha256: createHash('sha256').update(await readFile(path)).digest('hex') });
      }
    }
  };
  await walk(join(lakeDir, 'curated'));
  return files;
}
/** `model` and `k=v/…` partition of a curated file path (`''` for an unpartitioned model). */
function partitionOf(path: string): { model: string; partition: string } {
  const [model, ...rest] = path.split('/');
  return { model: model as string, partition: rest.filter((s) => /^[^=]+=/.test(s)).join('/') };
}

// ---------------------------------------------------------------------------------------------

const csvIn = async (dir: string, table: string): Promise<string[]> =>
  (await readdir(dir))
    .filter((n) => n.toLowerCase().startsWith(table) && /\.csv$/i.test(n) && !/[a-z]/i.test(n.charAt(table.length)))
    .sort()
    .map((n) => join(dir, n));

describe.skipIf(!present)('TechStore models on the lake ingest builds from the real data, against an independent recomputation', () => {
  let root: string;
  let lakeA: string;
  let generatedEvents: string;
  let generatedSessions: string;
  const sources: Sources = { orders: [], order_items: [], products: [], customers: [], events: [] };
  let first: RunTechstoreResult;
  let recomputed: Recomputed;

  beforeAll(async () => {
    root = await mkdtemp(join(testLakeRoot(), 'techstore-recompute-'));
    lakeA = join(root, 'lake-incremental');
    first = await runTechstore({ lakeDir: lakeA, dataDir: DATA, seed: SEED, durable: false, tmpDir: root });
    // The sessions and events the pipeline generated for the real orders, as uploaded to raw/.
    const rawFile = async (table: string) => {
      const dir = join(lakeA, 'raw', table);
      const [batch, ...others] = await readdir(dir);
      if (!batch || others.length > 0) throw new Error(`expected one generated ${table} batch in ${dir}`);
      const [file] = await readdir(join(dir, batch));
      return join(dir, batch, file as string);
    };
    generatedEvents = await rawFile('events');
    generatedSessions = await rawFile('sessions');
    for (const t of ['orders', 'order_items', 'products', 'customers'] as const) sources[t] = await csvIn(DATA, t);
    sources.events = [generatedEvents];
    recomputed = await recompute(sources);
  }, 240_000);
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('ingests every real row and generates sessions and events for the real orders', () => {
    expect(first.generated).toBe('funnel');
    const ingest = first.runLog.steps.find((s) => s.name === 'raw-to-processed');
    expect(ingest?.rowsRejected).toBe(0);
    expect(ingest?.rowsIn).toBe(ingest?.rowsOut);
    expect(first.curated.mode).toBe('full');
    expect(recomputed.models['fact_order_items_enriched']?.size).toBe(59_053);
    expect(recomputed.models['fact_orders_enriched']?.size).toBe(33_580);
    expect(recomputed.models['kpi_monthly']?.size).toBe(70);
    // The real data has an exact half-cent average ticket: 2020-09, USD 63,838.33 over 458 orders = 139.385.
    expect(recomputed.models['kpi_monthly']?.get('2020|9')).toBe(JSON.stringify([2020, 9, '63838.33', 458, 452, '139.39', 6]));
  });

  it('processed/ holds every CSV row of every table, typed as the table declares (read back with DuckDB)', async () => {
    // The DuckDB type each declared column type must be stored as (written out here, not taken from the engines' mappings).
    const duckDbType = (t: ColumnType): string =>
      t.kind === 'decimal' ? `DECIMAL(${t.precision},${t.scale})` : ({ int: 'INTEGER', bigint: 'BIGINT', double: 'DOUBLE', string: 'VARCHAR', enum: 'VARCHAR', boolean: 'BOOLEAN', date: 'DATE', timestamp: 'TIMESTAMP' } as const)[t.kind];
    const csvOf = async (table: string) => (table === 'events' ? [generatedEvents] : table === 'sessions' ? [generatedSessions] : await csvIn(DATA, table));
    const engine = await DuckDbEngine.create({ lakeDir: lakeA, tables: techstoreTables, threads: 2 });
    try {
      const checked: string[] = [];
      for (const table of techstoreTables) {
        const files = await csvOf(table.name);
        expect(files.length, table.name).toBeGreaterThan(0);
        const csvRows = (await readTable(files)).length;
        const glob = `'${join(lakeA, 'processed', table.name)}/**/*.parquet'`;
        const [count] = await engine.queryAll(`SELECT count(*) AS n FROM read_parquet(${glob}, hive_partitioning = true)`);
        expect(count?.['n'], `${table.name}: processed rows = CSV rows`).toBe(BigInt(csvRows));
        // The files hold exactly the declared row columns (partition keys only in the path), with the declared types.
        const described = await engine.queryAll(`DESCRIBE SELECT * FROM read_parquet(${glob}, hive_partitioning = false)`);
        expect(described.map((d) => `${String(d['column_name'])} ${String(d['column_type'])}`), table.name).toEqual(table.fileColumns.map((c) => `${c.name} ${duckDbType(c.type)}`));
        checked.push(`${table.name} ${csvRows}`);
      }
      expect(checked).toHaveLength(7);
    } finally {
      engine.close();
    }
  }, 120_000);

  it('every model equals the recomputation, row by row and value by value (money to the cent)', async () => {
    await expectLakeEquals(lakeA, recomputed);
  }, 120_000);

  it('each monthly batch rewrites only the curated partitions it touches; then the lake equals the recomputation and a from-scratch build', async () => {
    const eventMonths = new Set<string>();
    for (const batch of BATCHES) {
      const before = await snapshotCurated(lakeA);
      const ordersBefore = await orderIndex(sources.orders);
      for (const t of ['orders', 'customers', 'events'] as const) sources[t].push(...(await csvIn(batch, t)));
      expect(await csvIn(batch, 'order_items')).toEqual([]);
      const result = await runTechstore({ lakeDir: lakeA, dataDir: batch, durable: false, tmpDir: root });
      expect(result.generated, batch).toBeUndefined();
      expect(result.curated.mode, batch).toBe('incremental');
      expect(result.runLog.steps.find((s) => s.name === 'raw-to-processed')?.rowsRejected, batch).toBe(0);
      const ordersAfter = await orderIndex(sources.orders);

      // The partitions the batch touches, from the batch files alone: the months of its orders and
      // events, the months of the orders of its customers, the years of its orders (order lines join
      // orders for the year); the marts are unpartitioned and always rebuilt.
      const touched: Record<string, Set<string>> = { fact_orders_enriched: new Set(), events_enriched: new Set(), fact_order_items_enriched: new Set() };
      const monthKey = (ym: string) => `year=${ym.split('-')[0]}/month=${ym.split('-')[1]}`;
      for (const o of await readTable(await csvIn(batch, 'orders'))) {
        const ym = ymOf(timestamp(o['order_time'])).join('-');
        touched['fact_orders_enriched']?.add(monthKey(ym));
        touched['fact_order_items_enriched']?.add(`year=${ym.split('-')[0]}`);
        expect(ordersBefore.has(intNN(o['order_id'])), 'a batch order id is new').toBe(false);
      }
      for (const e of await readTable(await csvIn(batch, 'events'))) {
        const ym = ymOf(timestamp(e['timestamp'])).join('-');
        touched['events_enriched']?.add(monthKey(ym));
        eventMonths.add(ym);
      }
      const newCustomers = new Set((await readTable(await csvIn(batch, 'customers'))).map((c) => intNN(c['customer_id'])));
      for (const { ym, customer } of ordersAfter.values()) if (newCustomers.has(customer)) touched['fact_orders_enriched']?.add(monthKey(ym));

      const scope = Object.fromEntries(result.curated.models.map((m) => [m.model, m.scope]));
      for (const [model, parts] of Object.entries(touched)) expect(scope[model], `${batch}: ${model}`).toEqual([...parts].sort());
      for (const m of techstoreModels.slice(3)) expect(scope[m.name], `${batch}: ${m.name}`).toBe('all');

      const after = await snapshotCurated(lakeA);
      const isTouched = (path: string) => {
        const { model, partition } = partitionOf(path);
        return partition === '' || (touched[model]?.has(partition) ?? false);
      };
      const rewrittenOutside: string[] = [];
      for (const [path, was] of before) {
        if (isTouched(path)) continue;
        const now = after.get(path);
        if (!now || now.ino !== was.ino || now.mtimeMs !== was.mtimeMs || now.sha256 !== was.sha256) rewrittenOutside.push(path);
      }
      for (const path of after.keys()) if (!before.has(path) && !isTouched(path)) rewrittenOutside.push(path);
      expect(rewrittenOutside, `${batch}: curated files outside the touched partitions`).toEqual([]);
      // The touched fact partitions were rewritten (new files).
      for (const [model, parts] of Object.entries(touched)) {
        for (const p of parts) {
          const files = [...after.entries()].filter(([path]) => partitionOf(path).model === model && partitionOf(path).partition === p);
          expect(files.length, `${batch}: ${model}/${p}`).toBeGreaterThan(0);
          expect(files.some(([path, s]) => before.get(path)?.ino !== s.ino), `${batch}: ${model}/${p} rewritten`).toBe(true);
        }
      }
    }
    // Every model against the recomputation again. events_enriched only in the months the batches
    // touched: its other partitions were just shown byte-identical to the ones checked above.
    recomputed = await recompute(sources, { eventMonths });
    expect(recomputed.models['events_enriched']?.size).toBeGreaterThan(0);
    await expectLakeEquals(lakeA, recomputed, { eventMonths });

    // From scratch: one run over the main files, the generated sessions and events, and both batches.
    const all = join(root, 'all-files');
    await mkdir(all);
    for (const dir of [DATA, ...BATCHES]) for (const n of (await readdir(dir)).filter((f) => /\.csv$/i.test(f))) await copyFile(join(dir, n), join(all, n));
    await copyFile(generatedEvents, join(all, 'events.csv'));
    await copyFile(generatedSessions, join(all, 'sessions.csv'));
    const lakeB = join(root, 'lake-scratch');
    const scratch = await runTechstore({ lakeDir: lakeB, dataDir: all, durable: false, tmpDir: root });
    expect(scratch.generated).toBeUndefined();
    expect(scratch.curated.mode).toBe('full');
    const engine = await DuckDbEngine.create({ lakeDir: lakeA, tables: techstoreTables, models: techstoreModels, threads: 2 });
    try {
      for (const m of techstoreModels) {
        const cols = (COLUMNS[m.name]?.columns ?? []).map((c) => `"${c}"`).join(', ');
        const read = (lake: string) => `read_parquet('${join(lake, 'curated', m.name)}/**/*.parquet', hive_partitioning = true)`;
        const [d] = await engine.queryAll(`SELECT
          (SELECT count(*) FROM ${read(lakeA)}) AS incremental,
          (SELECT count(*) FROM ${read(lakeB)}) AS scratch,
          (SELECT count(*) FROM (SELECT ${cols} FROM ${read(lakeA)} EXCEPT ALL SELECT ${cols} FROM ${read(lakeB)})) AS only_incremental,
          (SELECT count(*) FROM (SELECT ${cols} FROM ${read(lakeB)} EXCEPT ALL SELECT ${cols} FROM ${read(lakeA)})) AS only_scratch`);
        const n = BigInt(recomputed.rows[m.name] ?? -1);
        expect(d, m.name).toEqual({ incremental: n, scratch: n, only_incremental: 0n, only_scratch: 0n });
      }
    } finally {
      engine.close();
    }
  }, 300_000);
});
