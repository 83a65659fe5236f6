/**
 * Benchmark datasets, generated (deterministic, streaming) once into a cache directory outside the
 * repo and reused: the TechStore events shape (760,958 rows over 2,131 days, day partitions) and
 * the Nequi transactions shape (13.3 M rows, 2010-2019, month partitions; formats as in
 * `shared/data/nequi/README.md`: `$-77.00` money, `58523.0` zips, quoted multi-error fields).
 * Each dataset also carries the DuckDB `COPY` statement doing the same work as our reader:
 * the same column types and coercions, the same partitioning.
 */
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { col, defineTable } from '@lakeblocks/core';
import { defineCleaning, type TableCleaning } from '../src/cleaning/cleaning-rules.js';
import { techstoreCleaning } from '../src/testing/techstore-tables.js';

export const cacheDir = process.env.LAKEBLOCKS_BENCH_DIR ?? join(tmpdir(), 'lakeblocks-bench');

export interface BenchDataset {
  name: string;
  rows: number;
  csv: string;
  cleaning: TableCleaning;
  /** DuckDB COPY of the CSV into `out`, same types and partitioning as ours. */
  duckdbCopy: (csv: string, out: string) => string;
  /** A DuckDB expression list over the output (hive columns included) whose aggregate must match between both outputs. */
  fingerprint: string;
  generate: () => Promise<void>;
}

/** Writes lines produced by `line(i)` to `path` (through a temp name, so a killed run leaves no half file). */
async function writeLines(path: string, header: string, rows: number, line: (i: number) => string): Promise<void> {
  if (existsSync(path)) return;
  await mkdir(cacheDir, { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  const out = createWriteStream(temp, { highWaterMark: 1 << 20 });
  out.write(header);
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    chunk += line(i);
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.write(chunk);
  out.end();
  await once(out, 'close');
  await rename(temp, path);
}

const lcg = (seed: number) => () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;

/** TechStore events shape (the generator of the earlier `events-vs-duckdb.ts`, unchanged). */
export function eventsDataset(rows = 760_958): BenchDataset {
  const csv = join(cacheDir, `events-${rows}.csv`);
  const cleaning = techstoreCleaning.find((c) => c.table.name === 'events')!;
  return {
    name: 'events',
    rows,
    csv,
    // Same work as ours minus dedupe (DuckDB's COPY does not dedupe): typed columns, ints written as floats.
    cleaning: defineCleaning(cleaning.table, { coerceKinds: { int: 'integral-float' } }),
    duckdbCopy: (file, out) => `COPY (
        SELECT event_id::INTEGER AS event_id, session_id::INTEGER AS session_id, "timestamp",
          event_type, product_id::INTEGER AS product_id, qty::INTEGER AS qty, cart_size::INTEGER AS cart_size,
          payment, discount_pct::INTEGER AS discount_pct, amount_usd::DECIMAL(12,2) AS amount_usd,
          year("timestamp") AS year, month("timestamp") AS month, day("timestamp") AS day
        FROM read_csv('${file}', header = true, columns = {
          'event_id': 'DOUBLE', 'session_id': 'DOUBLE', 'timestamp': 'TIMESTAMP', 'event_type': 'VARCHAR',
          'product_id': 'DOUBLE', 'qty': 'DOUBLE', 'cart_size': 'DOUBLE', 'payment': 'VARCHAR',
          'discount_pct': 'DOUBLE', 'amount_usd': 'VARCHAR'}))
      TO '${out}' (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (year, month, day))`,
    fingerprint: `count(*), sum(event_id::BIGINT), sum(session_id::BIGINT), sum(epoch_us("timestamp")), sum(hash(event_type)),
      sum(product_id), count(product_id), sum(qty), sum(cart_size), sum(hash(payment)), sum(discount_pct), sum(amount_usd),
      sum(year::INT * 10000 + month::INT * 100 + day::INT), sum(hash(day(timestamp) = day::INT))`,
    generate: async () => {
      const rand = lcg(42);
      const start = Date.UTC(2020, 0, 1);
      const span = 2131 * 86_400_000;
      const types = ['page_view', 'page_view', 'page_view', 'add_to_cart', 'checkout', 'purchase'];
      await writeLines(csv, 'event_id,session_id,timestamp,event_type,product_id,qty,cart_size,payment,discount_pct,amount_usd\n', rows, (i) => {
        const t = new Date(start + Math.floor((i / rows) * span) + Math.floor(rand() * 60_000)).toISOString().slice(0, 19);
        const type = types[Math.floor(rand() * types.length)]!;
        const product = type === 'page_view' || type === 'add_to_cart' ? `${Math.floor(rand() * 1197) + 1}.0` : '';
        const qty = type === 'add_to_cart' ? `${Math.floor(rand() * 3) + 1}.0` : '';
        const cart = type === 'checkout' ? `${Math.floor(rand() * 5) + 1}.0` : '';
        const pay = type === 'purchase' ? 'card' : '';
        const disc = type === 'purchase' ? '10.0' : '';
        const amount = type === 'purchase' ? (rand() * 500).toFixed(2) : '';
        return `${i + 1},${Math.floor(i / 6) + 1},${t},${type},${product},${qty},${cart},${pay},${disc},${amount}\n`;
      });
    },
  };
}

/**
 * The Nequi transactions table as the bench declares it (the examples package owns the real one):
 * month partitions of `date`, money as decimal(12,2), zip as int, missing state → `desconocido`.
 */
export const transactions = defineTable({
  name: 'transactions',
  columns: {
    id: col.int(),
    date: col.timestamp(),
    client_id: col.int(),
    card_id: col.int(),
    amount: col.decimal(12, 2),
    use_chip: col.enum(['Swipe Transaction', 'Chip Transaction', 'Online Transaction']),
    merchant_id: col.int(),
    merchant_city: col.string(),
    merchant_state: col.string(),
    zip: col.int().nullable(),
    mcc: col.int(),
    errors: col.string().nullable(),
  },
  primaryKey: ['id'],
  partitioning: { kind: 'time', column: 'date', granularity: 'month' },
});

const CITIES = ['Beulah', 'Bettendorf', 'Vista', 'Crown Point', 'Harwood', 'Houston', 'La Verne', 'Pearland', 'Rome', 'Saint Louis', 'ONLINE'];
const STATES = ['ND', 'IA', 'CA', 'IN', 'MD', 'TX', 'CA', 'TX', 'Italy', 'MO'];
const ERRORS = ['Insufficient Balance', 'Bad PIN', 'Technical Glitch', 'Bad Card Number', 'Bad Expiration', 'Bad CVV', 'Bad Zipcode', 'Bad PIN,Insufficient Balance', 'Bad Card Number,Bad CVV'];
const MCCS = [5499, 5311, 4829, 5812, 5411, 4121, 5541, 7538, 5912, 5300];

/** Nequi transactions shape: 13,305,915 rows ≈ 1.26 GB by default. */
export function transactionsDataset(rows = 13_305_915): BenchDataset {
  const csv = join(cacheDir, `transactions-${rows}.csv`);
  return {
    name: 'transactions',
    rows,
    csv,
    cleaning: defineCleaning(transactions, {
      coerce: { amount: 'money', zip: 'integral-float' },
      defaults: { merchant_state: 'desconocido' },
    }),
    duckdbCopy: (file, out) => `COPY (
        SELECT id, "date", client_id, card_id, replace(amount, '$', '')::DECIMAL(12,2) AS amount, use_chip, merchant_id,
          merchant_city, coalesce(merchant_state, 'desconocido') AS merchant_state, zip::INTEGER AS zip, mcc, errors,
          year("date") AS year, month("date") AS month
        FROM read_csv('${file}', header = true, columns = {
          'id': 'INTEGER', 'date': 'TIMESTAMP', 'client_id': 'INTEGER', 'card_id': 'INTEGER', 'amount': 'VARCHAR',
          'use_chip': 'VARCHAR', 'merchant_id': 'INTEGER', 'merchant_city': 'VARCHAR', 'merchant_state': 'VARCHAR',
          'zip': 'DOUBLE', 'mcc': 'INTEGER', 'errors': 'VARCHAR'}))
      TO '${out}' (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (year, month))`,
    fingerprint: `count(*), sum(id::BIGINT), sum(epoch_us("date")), sum(client_id), sum(card_id), sum(amount), sum(hash(use_chip)),
      sum(merchant_id), sum(hash(merchant_city)), sum(hash(merchant_state)), sum(zip), count(zip), sum(mcc), sum(hash(errors)), count(errors),
      sum(year::INT * 100 + month::INT), sum(hash(month("date") = month::INT))`,
    generate: async () => {
      const rand = lcg(7);
      const start = Date.UTC(2010, 0, 1);
      const span = Date.UTC(2019, 9, 31) - start;
      const chips = ['Swipe Transaction', 'Chip Transaction', 'Online Transaction'];
      await writeLines(csv, 'id,date,client_id,card_id,amount,use_chip,merchant_id,merchant_city,merchant_state,zip,mcc,errors\n', rows, (i) => {
        const date = new Date(start + Math.floor((i / rows) * span) + Math.floor(rand() * 60) * 1000).toISOString();
        const chip = chips[Math.floor(rand() * 3)]!;
        const k = Math.floor(rand() * 10);
        const online = chip === 'Online Transaction';
        const city = online ? 'ONLINE' : CITIES[k]!;
        const state = online ? '' : STATES[k]!;
        const zip = online || state === 'Italy' ? '' : `${58000 + Math.floor(rand() * 9000)}.0`;
        const cents = Math.floor(rand() * 30000) - 1500;
        const amount = `$${(cents / 100).toFixed(2)}`;
        const e = rand();
        const errors = e < 0.985 ? '' : ERRORS[Math.floor(rand() * ERRORS.length)]!;
        return `${7_475_327 + i},${date.slice(0, 10)} ${date.slice(11, 19)},${Math.floor(rand() * 2000)},${Math.floor(rand() * 6146)},${amount},${chip},${10000 + Math.floor(rand() * 90000)},${city},${state},${zip},${MCCS[k]!},${errors.includes(',') ? `"${errors}"` : errors}\n`;
      });
    },
  };
}
