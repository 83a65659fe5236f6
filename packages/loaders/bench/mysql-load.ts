// `pnpm --filter @lakeblocks/loaders bench`: rows per second loading TechStore-shaped events into MariaDB,
// side by side: the loader's INSERT path, its LOAD DATA path, 200-row INSERT batches (awswrangler's default
// chunk) and a plain `LOAD DATA LOCAL INFILE` of the same rows from a CSV file (the baseline).
// Env: LAKEBLOCKS_MYSQL_URL (database included; default the test database), BENCH_ROWS (default 760,958).
// The events are generated in memory as Arrow batches (no Parquet reader in this package yet).
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { col, defineTable, toArrowSchema, toMySqlCreateTable } from '@lakeblocks/core';
import { MySqlLoader } from '@lakeblocks/loaders/mysql';
import { makeData, RecordBatch, Struct, vectorFromArray, type Data } from 'apache-arrow';
import { createPool } from 'mysql2/promise';

const events = defineTable({
  name: 'bench_events',
  columns: {
    event_id: col.int(),
    session_id: col.int(),
    timestamp: col.timestamp(),
    event_type: col.enum(['page_view', 'add_to_cart', 'checkout', 'purchase']),
    product_id: col.int().nullable(),
    qty: col.int().nullable(),
    cart_size: col.int().nullable(),
    payment: col.enum(['card', 'paypal', 'wallet', 'cod']).nullable(),
    discount_pct: col.double().nullable(),
    amount_usd: col.decimal(12, 2).nullable(),
  },
  primaryKey: ['event_id'],
});

const TYPES = ['page_view', 'page_view', 'page_view', 'page_view', 'add_to_cart', 'checkout', 'purchase'] as const;

function makeBatch(from: number, count: number): { batch: RecordBatch; csv: string } {
  const ids = Int32Array.from({ length: count }, (_, k) => from + k);
  const type = Array.from(ids, (i) => TYPES[i % TYPES.length] as string);
  const product = Array.from(ids, (i, k) => (type[k] === 'page_view' || type[k] === 'add_to_cart' ? 1 + (i % 1_197) : null));
  const qty = Array.from(ids, (i, k) => (type[k] === 'add_to_cart' ? 1 + (i % 3) : null));
  const cart = Array.from(ids, (i, k) => (type[k] === 'checkout' ? 1 + (i % 5) : null));
  const payment = Array.from(ids, (i, k) => (type[k] === 'purchase' ? (['card', 'paypal', 'wallet', 'cod'][i % 4] as string) : null));
  const discount = Array.from(ids, (i, k) => (type[k] === 'purchase' ? (i % 5) * 5 : null));
  const cents = Array.from(ids, (i, k) => (type[k] === 'purchase' ? 1_000 + ((i * 7_919) % 50_000) : null));
  const micros = BigInt64Array.from(ids, (i) => 1_577_836_800_000_000n + BigInt(i) * 250_000_000n);
  const words = new Uint32Array(count * 4);
  const valid = new Uint8Array(Math.ceil(count / 8));
  cents.forEach((c, k) => {
    if (c === null) return;
    words[k * 4] = c;
    valid[k >> 3]! |= 1 << (k & 7);
  });
  const schema = toArrowSchema(events);
  const f = (name: string) => schema.fields.find((x) => x.name === name)!.type;
  const children: Data[] = [
    vectorFromArray(ids).data[0]!,
    vectorFromArray(Int32Array.from(ids, (i) => 1 + Math.floor(i / 6))).data[0]!,
    makeData({ type: f('timestamp'), length: count, data: micros }),
    vectorFromArray(type, f('event_type')).data[0]!,
    vectorFromArray(product, f('product_id')).data[0]!,
    vectorFromArray(qty, f('qty')).data[0]!,
    vectorFromArray(cart, f('cart_size')).data[0]!,
    vectorFromArray(payment, f('payment')).data[0]!,
    vectorFromArray(discount, f('discount_pct')).data[0]!,
    makeData({ type: f('amount_usd'), length: count, data: words, nullBitmap: valid }),
  ];
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: count, children, nullCount: 0 }));
  const n = (v: unknown) => (v === null ? '\\N' : String(v));
  let csv = '';
  for (let k = 0; k < count; k++) {
    const ts = new Date(Number(micros[k]! / 1000n)).toISOString().replace('T', ' ').replace('Z', '');
    const amount = cents[k] === null ? '\\N' : `${Math.floor(cents[k]! / 100)}.${String(cents[k]! % 100).padStart(2, '0')}`;
    csv += `${ids[k]},${1 + Math.floor(ids[k]! / 6)},${ts},${type[k]},${n(product[k])},${n(qty[k])},${n(cart[k])},${n(payment[k])},${n(discount[k])},${amount}\n`;
  }
  return { batch, csv };
}

async function main(): Promise<void> {
  const total = Number(process.env.BENCH_ROWS ?? 760_958);
  const url = process.env.LAKEBLOCKS_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/lakeblocks_loaders_test';
  const pool = createPool({ uri: url, timezone: 'Z', connectTimeout: 5_000, connectionLimit: 2 });
  const dir = await mkdtemp(join(tmpdir(), 'lakeblocks-bench-'));
  const csvPath = join(dir, 'events.csv');
  const batches: RecordBatch[] = [];
  const csvParts: string[] = [];
  for (let at = 0; at < total; at += 50_000) {
    const { batch, csv } = makeBatch(at, Math.min(50_000, total - at));
    batches.push(batch);
    csvParts.push(csv);
  }
  await writeFile(csvPath, csvParts.join(''));
  csvParts.length = 0;

  const table = 'bench_events';
  const fresh = async () => {
    await pool.query(`DROP TABLE IF EXISTS \`${table}\``);
    await pool.query(toMySqlCreateTable(events, { tableName: table }));
  };
  const results: { name: string; seconds: number; rows: number }[] = [];
  const time = async (name: string, fn: () => Promise<void>) => {
    await fresh();
    const started = performance.now();
    await fn();
    const seconds = (performance.now() - started) / 1000;
    const [[{ n }]] = (await pool.query(`SELECT COUNT(*) AS n FROM \`${table}\``)) as unknown as [[{ n: number }]];
    if (n !== total) throw new Error(`${name} loaded ${n} rows, expected ${total}`);
    results.push({ name, seconds, rows: n });
    console.log(`${name.padEnd(44)} ${seconds.toFixed(2).padStart(7)} s ${Math.round(n / seconds).toLocaleString('en-US').padStart(10)} rows/s`);
  };
  try {
    console.log(`${total.toLocaleString('en-US')} events`);
    await time('plain LOAD DATA LOCAL INFILE (CSV file)', async () => {
      const conn = await pool.getConnection();
      try {
        await conn.query({
          sql: `LOAD DATA LOCAL INFILE 'events.csv' INTO TABLE \`${table}\` FIELDS TERMINATED BY ',' LINES TERMINATED BY '\\n'`,
          infileStreamFactory: () => createReadStream(csvPath),
        });
      } finally {
        conn.release();
      }
    });
    const loader = new MySqlLoader(pool);
    await time('MySqlLoader method load-data (Arrow)', async () => {
      await loader.load(events, batches, { mode: 'append', tableName: table, createTable: false, method: 'load-data' });
    });
    await time('MySqlLoader INSERT, sized by bytes (Arrow)', async () => {
      await loader.load(events, batches, { mode: 'append', tableName: table, createTable: false });
    });
    await time('MySqlLoader INSERT, 200-row batches (Arrow)', async () => {
      await new MySqlLoader(pool, { maxRowsPerStatement: 200 }).load(events, batches, { mode: 'append', tableName: table, createTable: false });
    });
    const base = results[0]!;
    for (const r of results.slice(1)) console.log(`${r.name}: ${((base.seconds / r.seconds) * 100).toFixed(0)}% of plain LOAD DATA's rate`);
  } finally {
    await pool.query(`DROP TABLE IF EXISTS \`${table}\``).catch(() => undefined);
    await pool.end();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
