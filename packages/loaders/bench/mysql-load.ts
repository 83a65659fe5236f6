// `pnpm --filter @lakeblocks/loaders bench`: rows per second loading TechStore-shaped events from Parquet into
// MariaDB, side by side in one run:
//   (a) readLakeTable (Parquet -> Arrow, parquet-wasm) -> MySqlLoader `method: 'load-data'` (the fast path),
//   (b) a plain `LOAD DATA LOCAL INFILE` of the same rows from a CSV file (the baseline),
//   (c) 200-row multi-row INSERT batches (awswrangler's default chunk) of the same Arrow batches,
//   plus the loader's byte-sized INSERTs for reference.
// The dataset is written once by DuckDB (an independent writer) as a Hive-partitioned lake table
// (curated/events/year=YYYY/month=M/*.parquet) and as the CSV; after every load the table content is compared with
// the source by a checksum over every column (decimals to the cent, timestamps to the microsecond, NULLs).
// Env: LAKEBLOCKS_MYSQL_URL (database included; default the test database), BENCH_ROWS (default 760,958),
// BENCH_ROUNDS (default 5: each fast path runs this many times, interleaved; best and median reported; the 200-row
// INSERTs run once unless BENCH_SLOW_ROUNDS=1), BENCH_DIR (keep and reuse the dataset there),
// BENCH_PARTITION (`month`, default, or `day`: the partition granularity of the Parquet dataset).
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { LocalStorage, col, defineTable, toMySqlCreateTable } from '@lakeblocks/core';
import { MySqlLoader, readLakeTable } from '@lakeblocks/loaders/mysql';
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import { TsvBuffer, tsvEncoders, writeTsvRow } from '../src/mysql/tsv-encoder.js';

const granularity = process.env.BENCH_PARTITION === 'day' ? 'day' : 'month';

// The TechStore events table (packages/examples/src/techstore/tables.ts), defined here: loaders must not depend on examples.
const events = defineTable({
  name: 'events',
  columns: {
    event_id: col.int(),
    session_id: col.int(),
    timestamp: col.timestamp(),
    event_type: col.enum(['page_view', 'add_to_cart', 'checkout', 'purchase']),
    product_id: col.int().nullable(),
    qty: col.int().nullable(),
    cart_size: col.int().nullable(),
    payment: col.enum(['card', 'paypal', 'wallet', 'cod']).nullable(),
    discount_pct: col.int().nullable(),
    amount_usd: col.decimal(12, 2).nullable(),
  },
  primaryKey: ['event_id'],
  partitioning: { kind: 'time', column: 'timestamp', granularity },
});

/** One row as text, the same in DuckDB and MariaDB; NULL as \N. */
const ROW_TEXT = {
  duck: `concat_ws('|', event_id, session_id, strftime("timestamp", '%Y-%m-%d %H:%M:%S.%f'), event_type, coalesce(product_id::VARCHAR, '\\N'),
    coalesce(qty::VARCHAR, '\\N'), coalesce(cart_size::VARCHAR, '\\N'), coalesce(payment, '\\N'), coalesce(discount_pct::VARCHAR, '\\N'), coalesce(amount_usd::VARCHAR, '\\N'))`,
  maria: `CONCAT_WS('|', event_id, session_id, DATE_FORMAT(\`timestamp\`, '%Y-%m-%d %H:%i:%s.%f'), event_type, COALESCE(product_id, '\\\\N'),
    COALESCE(qty, '\\\\N'), COALESCE(cart_size, '\\\\N'), COALESCE(payment, '\\\\N'), COALESCE(discount_pct, '\\\\N'), COALESCE(CAST(amount_usd AS CHAR), '\\\\N'))`,
};

/**
 * Writes the events (counts by type as in the original TechStore data: 539,343 page views, 143,126 add-to-carts,
 * 44,909 checkouts, 33,580 purchases when BENCH_ROWS is the full 760,958) as Parquet and CSV; returns the checksum.
 */
async function writeDataset(dir: string, total: number): Promise<string> {
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  try {
    await duck.run(`SET threads = 2`);
    const scale = total / 760_958;
    const [pv, ac, co] = [539_343, 143_126, 44_909].map((n) => Math.round(n * scale)) as [number, number, number];
    await duck.run(`CREATE TABLE ev AS
      WITH base AS (SELECT range AS i, row_number() OVER (ORDER BY hash(range, 'type')) - 1 AS r FROM range(${total})),
      typed AS (SELECT i, CASE WHEN r < ${pv} THEN 'page_view' WHEN r < ${pv + ac} THEN 'add_to_cart' WHEN r < ${pv + ac + co} THEN 'checkout' ELSE 'purchase' END AS t FROM base)
      SELECT (i + 1)::INTEGER AS event_id,
        (1 + i * 120000 // ${total})::INTEGER AS session_id,
        TIMESTAMP '2020-01-01 00:00:00' + to_seconds((i * 184000000 // ${total}) + (hash(i, 's') % 60)::BIGINT) AS "timestamp",
        t AS event_type,
        CASE WHEN t IN ('page_view', 'add_to_cart') THEN (1 + (hash(i, 'p') % 1197)::BIGINT)::INTEGER END AS product_id,
        CASE WHEN t = 'add_to_cart' THEN (1 + (hash(i, 'q') % 3)::BIGINT)::INTEGER END AS qty,
        CASE WHEN t = 'checkout' THEN (1 + (hash(i, 'c') % 5)::BIGINT)::INTEGER END AS cart_size,
        CASE WHEN t = 'purchase' THEN (['card', 'paypal', 'wallet', 'cod'])[1 + (hash(i, 'm') % 4)::BIGINT] END AS payment,
        CASE WHEN t = 'purchase' THEN (5 * ((hash(i, 'd') % 5)::BIGINT))::INTEGER END AS discount_pct,
        CASE WHEN t = 'purchase' THEN ((500 + (hash(i, 'a') % 300000)::BIGINT) / 100)::DECIMAL(12, 2) END AS amount_usd
      FROM typed ORDER BY i`);
    const keys = granularity === 'day' ? 'year, month, day' : 'year, month';
    const parts = granularity === 'day' ? ', year("timestamp")::INTEGER AS year, month("timestamp")::INTEGER AS month, day("timestamp")::INTEGER AS day' : ', year("timestamp")::INTEGER AS year, month("timestamp")::INTEGER AS month';
    await duck.run(`COPY (SELECT *${parts} FROM ev ORDER BY event_id) TO '${join(dir, 'lake', 'curated', 'events')}' (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (${keys}))`);
    await duck.run(
      `COPY (SELECT event_id, session_id, strftime("timestamp", '%Y-%m-%d %H:%M:%S.%f') AS ts, event_type, product_id, qty, cart_size, payment, discount_pct, amount_usd
       FROM ev ORDER BY event_id) TO '${join(dir, 'events.csv')}' (FORMAT csv, HEADER false, DELIMITER ',', NULLSTR '\\N', QUOTE '')`,
    );
    const reader = await duck.runAndReadAll(`SELECT count(*)::VARCHAR || ':' || sum(('0x' || left(md5(${ROW_TEXT.duck}), 12))::BIGINT)::VARCHAR AS c FROM ev`);
    return String(reader.getRowObjectsJson()[0]?.c);
  } finally {
    duck.closeSync();
  }
}

/** CPU seconds the MariaDB/MySQL server process has used so far, when it runs on this machine (Linux /proc), else undefined. */
async function serverCpuReader(pool: Pool): Promise<() => number | undefined> {
  try {
    const [rows] = await pool.query<RowDataPacket[]>('SELECT @@pid_file AS f');
    const pid = Number((await readFile(String(rows[0]?.f), 'utf8')).trim());
    if (!Number.isInteger(pid) || !existsSync(`/proc/${pid}/stat`)) return () => undefined;
    return () => {
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
      } catch {
        return undefined;
      }
    };
  } catch {
    return () => undefined;
  }
}

async function filesUnder(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return { files, bytes };
}

async function main(): Promise<void> {
  const total = Number(process.env.BENCH_ROWS ?? 760_958);
  const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 5));
  const url = process.env.LAKEBLOCKS_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/lakeblocks_loaders_test';
  const database = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(database)) throw new Error(`LAKEBLOCKS_MYSQL_URL must name a database (letters, digits, _), got ${JSON.stringify(database)}`);
  const server = new URL(url);
  server.pathname = '/';
  const admin = createPool({ uri: server.toString(), connectTimeout: 5_000, connectionLimit: 1 });
  await admin.query(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4`).finally(() => admin.end());
  const pool = createPool({ uri: url, timezone: 'Z', connectTimeout: 5_000, connectionLimit: 2 });
  const keep = process.env.BENCH_DIR; // reuse (and keep) the dataset there, e.g. while profiling
  const dir = keep ?? (await mkdtemp(join(tmpdir(), 'lakeblocks-bench-')));
  const storage = new LocalStorage(join(dir, 'lake'));
  const csvPath = join(dir, 'events.csv');
  const table = 'bench_events';
  try {
    let started = performance.now();
    const marker = join(dir, `checksum-${total}-${granularity}.txt`);
    let sourceChecksum = keep !== undefined && existsSync(marker) ? await readFile(marker, 'utf8') : undefined;
    if (sourceChecksum === undefined) {
      await rm(join(dir, 'lake'), { recursive: true, force: true });
      await mkdir(join(dir, 'lake', 'curated'), { recursive: true });
      sourceChecksum = await writeDataset(dir, total);
      if (keep !== undefined) await writeFile(marker, sourceChecksum);
    }
    const lake = await filesUnder(join(dir, 'lake'));
    const csvSize = (await stat(csvPath)).size;
    console.log(
      `${total.toLocaleString('en-US')} events: ${lake.files} Parquet files (${(lake.bytes / 1e6).toFixed(1)} MB, partitioned by ${granularity}), CSV ${(csvSize / 1e6).toFixed(1)} MB, written by DuckDB in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    // Decoding alone (no MySQL), to see where the time of (a) goes.
    started = performance.now();
    let decoded = 0;
    for await (const batch of readLakeTable(storage, events, { layer: 'curated' })) decoded += batch.numRows;
    const decodeSeconds = (performance.now() - started) / 1000;
    if (decoded !== total) throw new Error(`readLakeTable read ${decoded} rows, expected ${total}`);
    console.log(`readLakeTable alone (Parquet -> Arrow, no MySQL): ${decodeSeconds.toFixed(2)} s, ${Math.round(total / decodeSeconds).toLocaleString('en-US')} rows/s`);
    // Decoding and writing the LOAD DATA text (what (a) does on the client), still without MySQL.
    started = performance.now();
    let textBytes = 0;
    const out = new TsvBuffer(320 * 1024);
    const notNull = events.columns.map((c) => !c.nullable);
    for await (const batch of readLakeTable(storage, events, { layer: 'curated' })) {
      const encoders = tsvEncoders(batch, events.columns, 'events');
      for (let i = 0; i < batch.numRows; i++) {
        writeTsvRow(encoders, i, out, notNull);
        if (out.pos >= 256 * 1024) textBytes += out.take().length;
      }
    }
    textBytes += out.take().length;
    const encodeSeconds = (performance.now() - started) / 1000;
    console.log(
      `readLakeTable + LOAD DATA text (no MySQL): ${encodeSeconds.toFixed(2)} s, ${Math.round(total / encodeSeconds).toLocaleString('en-US')} rows/s, ${(textBytes / 1e6).toFixed(1)} MB of text`,
    );

    const fresh = async () => {
      await pool.query(`DROP TABLE IF EXISTS \`${table}\``);
      await pool.query(toMySqlCreateTable(events, { tableName: table }));
    };
    const checksum = async (): Promise<string> => {
      const [rows] = await pool.query<RowDataPacket[]>(
        `SELECT CONCAT(COUNT(*), ':', SUM(CAST(CONV(LEFT(MD5(${ROW_TEXT.maria}), 12), 16, 10) AS UNSIGNED))) AS c FROM \`${table}\``,
      );
      return String(rows[0]?.c);
    };
    const loader = new MySqlLoader(pool);
    const paths: { name: string; run: () => Promise<void> }[] = [
      {
        name: '(b) plain LOAD DATA LOCAL INFILE (CSV file)',
        run: async () => {
          const conn = await pool.getConnection();
          try {
            await conn.query({
              sql: `LOAD DATA LOCAL INFILE 'events.csv' INTO TABLE \`${table}\` FIELDS TERMINATED BY ',' LINES TERMINATED BY '\\n'`,
              infileStreamFactory: () => createReadStream(csvPath, { highWaterMark: 256 * 1024 }), // the loader's packet size: only the source differs
            });
          } finally {
            conn.release();
          }
        },
      },
      {
        name: '(a) readLakeTable -> MySqlLoader load-data',
        run: async () => {
          await loader.load(events, readLakeTable(storage, events, { layer: 'curated' }), { mode: 'append', tableName: table, createTable: false, method: 'load-data' });
        },
      },
      {
        name: '(c) readLakeTable -> INSERT, 200-row batches',
        run: async () => {
          await new MySqlLoader(pool, { maxRowsPerStatement: 200 }).load(events, readLakeTable(storage, events, { layer: 'curated' }), {
            mode: 'append',
            tableName: table,
            createTable: false,
          });
        },
      },
      {
        name: '    readLakeTable -> INSERT, sized by bytes',
        run: async () => {
          await loader.load(events, readLakeTable(storage, events, { layer: 'curated' }), { mode: 'append', tableName: table, createTable: false });
        },
      },
    ];
    const serverCpu = await serverCpuReader(pool);
    const runs = new Map<string, { seconds: number; clientCpu: number; serverCpu: number | undefined }[]>();
    for (let round = 1; round <= rounds; round++) {
      for (const path of paths) {
        if (round > 1 && path.name.includes('200-row') && process.env.BENCH_SLOW_ROUNDS !== '1') continue; // slow and far from the target: once is enough
        await fresh();
        const server0 = serverCpu();
        const client0 = process.cpuUsage();
        const t0 = performance.now();
        await path.run();
        const seconds = (performance.now() - t0) / 1000;
        const client = process.cpuUsage(client0);
        const server1 = serverCpu();
        const got = await checksum();
        if (got !== sourceChecksum) throw new Error(`${path.name}: table checksum ${got} differs from the source's ${sourceChecksum}`);
        const run = { seconds, clientCpu: (client.user + client.system) / 1e6, serverCpu: server0 === undefined || server1 === undefined ? undefined : server1 - server0 };
        runs.set(path.name, [...(runs.get(path.name) ?? []), run]);
        console.log(
          `round ${round}  ${path.name.padEnd(46)} ${seconds.toFixed(2).padStart(7)} s ${Math.round(total / seconds).toLocaleString('en-US').padStart(10)} rows/s  CPU client ${run.clientCpu.toFixed(2)} s${run.serverCpu === undefined ? '' : `, server ${run.serverCpu.toFixed(2)} s`}  checksum ok`,
        );
      }
    }
    const median = (values: number[]) => {
      const sorted = [...values].sort((x, y) => x - y);
      const mid = Math.floor(sorted.length / 2);
      return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    };
    const summary = (name: string) => {
      const list = runs.get(name)!;
      const cpu = list.map((r) => r.clientCpu + (r.serverCpu ?? 0));
      return { best: Math.min(...list.map((r) => r.seconds)), median: median(list.map((r) => r.seconds)), cpu: median(cpu), n: list.length };
    };
    const base = summary(paths[0]!.name);
    console.log(`\n${rounds} interleaved rounds, checksum ${sourceChecksum} = the source's after every load; rows/s of the best and the median run:`);
    for (const path of paths) {
      const r = summary(path.name);
      console.log(
        `${path.name.padEnd(46)} best ${Math.round(total / r.best).toLocaleString('en-US').padStart(9)} rows/s ${((base.best / r.best) * 100).toFixed(0).padStart(4)}% of (b) | median ${Math.round(total / r.median).toLocaleString('en-US').padStart(9)} rows/s ${((base.median / r.median) * 100).toFixed(0).padStart(4)}% | CPU client+server ${r.cpu.toFixed(2)} s (${r.n} run${r.n > 1 ? 's' : ''})`,
      );
    }
    const a = summary(paths[1]!.name);
    console.log(`\na/b = ${((base.best / a.best) * 100).toFixed(0)}% best, ${((base.median / a.median) * 100).toFixed(0)}% median (target >= 90%)`);
  } finally {
    await pool.query(`DROP TABLE IF EXISTS \`${table}\``).catch(() => undefined);
    await pool.end();
    if (keep === undefined) await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
