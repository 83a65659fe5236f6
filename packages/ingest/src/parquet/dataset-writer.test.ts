import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStorage, col, defineTable } from '@lakeblocks/core';
import { defineCleaning } from '../cleaning/cleaning-rules.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readCsvBatches, type PartitionedBatch } from '../csv/read-csv.js';
import { openDuckDb, parquetScan } from '../testing/duckdb.js';
import { techstoreCleaning } from '../testing/techstore-tables.js';
import { ParquetDatasetWriter, sourceDigest, type DatasetWriterOptions } from './dataset-writer.js';
import { arrowParquetEncoder } from './arrow-parquet-encoder.js';
import { hyparquetEncoder, loadParquetWasm, parquetWasmEncoder } from './parquet-encoder.js';

const TECHSTORE = join(import.meta.dirname, '../../../../../shared/data/techstore');
const orders = techstoreCleaning.find((c) => c.table.name === 'orders')!;
const events = techstoreCleaning.find((c) => c.table.name === 'events')!;
const HEADER = 'order_id,customer_id,order_time,payment_method,discount_pct,subtotal_usd,total_usd,country,device,source\n';
const row = (id: number, day: number, total = '1.50') => `${id},7,2025-01-${String(day).padStart(2, '0')}T10:00:00,card,0,${total},${total},PL,mobile,direct\n`;

let dir: string;
let storage: LocalStorage;
let db: Awaited<ReturnType<typeof openDuckDb>>;
beforeAll(async () => {
  db = await openDuckDb();
});
afterAll(() => db.close());
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ingest-parquet-'));
  storage = new LocalStorage(join(dir, 'lake'), { durable: false });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function* text(csv: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(csv);
}

function batches(csv: string, file = 'in.csv', batchRows?: number): AsyncIterable<PartitionedBatch> {
  return readCsvBatches(text(csv), { cleaning: orders, file, groupByPartition: true, ...(batchRows ? { batchRows } : {}) });
}

async function writeRun(inputs: [string, string][], options: DatasetWriterOptions & { batchRows?: number } = {}) {
  const writer = new ParquetDatasetWriter(storage, orders.table, options);
  try {
    for (const [source, csv] of inputs) await writer.write(source, batches(csv, source, options.batchRows));
    return await writer.commit();
  } finally {
    await writer.close();
  }
}

async function keys(prefix = 'processed/'): Promise<string[]> {
  const out: string[] = [];
  for await (const o of storage.listAll(prefix)) out.push(o.key);
  return out;
}

const scan = () => parquetScan(storage.uri('processed/orders'));

describe('ParquetDatasetWriter', () => {
  it('writes Hive partitions (unpadded, partition columns only in the path) that DuckDB reads with the right types', async () => {
    const result = await writeRun([['raw/orders/b1/orders.csv', HEADER + row(1, 1, '107.15') + row(2, 1) + row(3, 31, '-77.00')]]);
    const digest = sourceDigest('raw/orders/b1/orders.csv');
    expect(result.files.map((f) => f.key).sort()).toEqual([
      `processed/orders/year=2025/month=1/day=1/part-${digest}-00000.parquet`,
      `processed/orders/year=2025/month=1/day=31/part-${digest}-00000.parquet`,
    ]);
    expect(result.rows).toBe(3);
    const types = Object.fromEntries(
      (await db.query(`DESCRIBE SELECT * FROM ${scan()}`)).map((r) => [r.column_name, r.column_type]),
    );
    expect(types).toMatchObject({ order_id: 'INTEGER', order_time: 'TIMESTAMP', total_usd: 'DECIMAL(12,2)', payment_method: 'VARCHAR' });
    expect(Object.keys(types)).toEqual(expect.arrayContaining(['year', 'month', 'day']));
    // Inside the files: no partition columns.
    const fileCols = (await db.query(`DESCRIBE SELECT * FROM ${parquetScan(storage.uri('processed/orders'), false)}`)).map((r) => r.column_name);
    expect(fileCols).not.toContain('year');
    const rows = await db.query(`SELECT order_id, CAST(order_time AS VARCHAR) AS t, CAST(total_usd AS VARCHAR) AS total, year, month, day FROM ${scan()} ORDER BY order_id`);
    expect(rows).toEqual([
      { order_id: 1, t: '2025-01-01 10:00:00', total: '107.15', year: '2025', month: '1', day: '1' },
      { order_id: 2, t: '2025-01-01 10:00:00', total: '1.50', year: '2025', month: '1', day: '1' },
      { order_id: 3, t: '2025-01-31 10:00:00', total: '-77.00', year: '2025', month: '1', day: '31' },
    ]);
  });

  it('append: rerunning an input replaces its files (deterministic names), another input adds files', async () => {
    await writeRun([['raw/orders/b1/a.csv', HEADER + row(1, 1) + row(2, 2)]]);
    const first = await keys();
    await writeRun([['raw/orders/b1/a.csv', HEADER + row(1, 1) + row(2, 2)]]);
    expect(await keys()).toEqual(first);
    await writeRun([['raw/orders/b2/b.csv', HEADER + row(3, 1)]]);
    expect((await keys()).length).toBe(3);
    expect(await db.query(`SELECT count(*)::INT AS n FROM ${scan()}`)).toEqual([{ n: 3 }]);
  });

  it('append: a rerun that writes fewer parts in a partition deletes the stale ones', async () => {
    const many = HEADER + Array.from({ length: 30 }, (_, i) => row(i + 1, 1)).join('');
    await writeRun([['raw/orders/b1/a.csv', many]], { maxBufferedRows: 10, batchRows: 5 });
    expect((await keys()).length).toBeGreaterThan(1);
    await writeRun([['raw/orders/b1/a.csv', many]]);
    expect((await keys()).length).toBe(1);
    expect(await db.query(`SELECT count(*)::INT AS n FROM ${scan()}`)).toEqual([{ n: 30 }]);
  });

  it('append: a replaced input that no longer covers a partition leaves nothing of its earlier run there', async () => {
    await writeRun([['raw/orders/b1/a.csv', HEADER + row(1, 1) + row(2, 2) + row(3, 31)]]);
    await writeRun([['raw/orders/b2/b.csv', HEADER + row(9, 2)]]);
    // The corrected a.csv covers day 1 only: its day-2 and day-31 files go, b.csv's day-2 file stays.
    const result = await writeRun([['raw/orders/b1/a.csv', HEADER + row(1, 1)]]);
    expect(result.deleted.map((k) => k.replace(/part-.*/, '')).sort()).toEqual(['processed/orders/year=2025/month=1/day=2/', 'processed/orders/year=2025/month=1/day=31/']);
    expect(await db.query(`SELECT order_id, day FROM ${scan()} ORDER BY order_id`)).toEqual([
      { order_id: 1, day: '1' },
      { order_id: 9, day: '2' },
    ]);
  });

  it('a failed write of an input keeps its earlier files, even when the caller still commits', async () => {
    await writeRun([['raw/orders/b1/a.csv', HEADER + row(1, 1) + row(2, 2)]]);
    const before = await keys();
    const writer = new ParquetDatasetWriter(storage, orders.table, {});
    try {
      const broken = HEADER + row(3, 3) + '4,1,"never closed\n';
      await expect(writer.write('raw/orders/b1/a.csv', batches(broken, 'raw/orders/b1/a.csv'))).rejects.toThrow();
      const result = await writer.commit();
      expect(result.deleted).toEqual([]);
    } finally {
      await writer.close();
    }
    expect(await keys()).toEqual(before);
  });

  it('overwrite_partitions replaces only the partitions written; overwrite replaces the table', async () => {
    await writeRun([['raw/orders/b1/a.csv', HEADER + row(1, 1) + row(2, 2)]]);
    const result = await writeRun([['raw/orders/b2/b.csv', HEADER + row(10, 1)]], { mode: 'overwrite_partitions' });
    expect(result.deleted).toHaveLength(1);
    expect(await db.query(`SELECT order_id, day FROM ${scan()} ORDER BY order_id`)).toEqual([
      { order_id: 2, day: '2' },
      { order_id: 10, day: '1' },
    ]);
    await writeRun([['raw/orders/b3/c.csv', HEADER + row(20, 3)]], { mode: 'overwrite' });
    expect(await db.query(`SELECT order_id FROM ${scan()}`)).toEqual([{ order_id: 20 }]);
    expect((await keys()).length).toBe(1);
  });

  it('publishes nothing of an input that fails half-way (unterminated quote after many rows)', async () => {
    const good = Array.from({ length: 50 }, (_, i) => row(i + 1, (i % 5) + 1)).join('');
    const writer = new ParquetDatasetWriter(storage, orders.table, { maxBufferedRows: 5 });
    const failed = writer.write('raw/orders/b1/bad.csv', readCsvBatches(text(`${HEADER}${good}99,"oops\n${good}`), { cleaning: orders, file: 'bad.csv', groupByPartition: true, batchRows: 4 }));
    await expect(failed).rejects.toMatchObject({ _tag: 'CsvMalformed', context: { file: 'bad.csv', line: 52 } });
    expect(await keys()).toEqual([]);
    await writer.close();
  });

  it('honours the row-group size', async () => {
    const many = HEADER + Array.from({ length: 1000 }, (_, i) => row(i + 1, 1)).join('');
    const { files } = await writeRun([['raw/orders/b1/a.csv', many]], { rowGroupSize: 100 });
    const meta = await db.query(`SELECT count(DISTINCT row_group_id)::INT AS groups FROM parquet_metadata('${storage.uri(files[0]!.key)}')`);
    expect(meta).toEqual([{ groups: 10 }]);
  });

  it('writes the same dataset with the parquet-wasm encoder', async () => {
    await loadParquetWasm();
    await writeRun([['raw/orders/b1/a.csv', HEADER + row(1, 1, '107.15') + row(2, 2)]], { encoder: parquetWasmEncoder });
    expect(await db.query(`SELECT order_id, CAST(total_usd AS VARCHAR) AS t, typeof(order_time) AS tt FROM ${scan()} ORDER BY 1`)).toEqual([
      { order_id: 1, t: '107.15', tt: 'TIMESTAMP' },
      { order_id: 2, t: '1.50', tt: 'TIMESTAMP' },
    ]);
  });

  it('with encode workers writes the same data as without, and publishes nothing of an input that fails', async () => {
    // 3 partitions of 300 rows (→ workers) and one of 10 (→ inline hyparquet-writer).
    const csv = HEADER + Array.from({ length: 910 }, (_, i) => row(i + 1, i < 900 ? (i % 3) + 1 : 9, `${i}.25`)).join('');
    const sum = async () => db.query(`SELECT count(*)::INT AS n, sum(total_usd)::VARCHAR AS total, count(DISTINCT day)::INT AS days FROM ${scan()}`);
    const inline = await writeRun([['raw/orders/b1/a.csv', csv]]);
    const expected = await sum();
    await rm(join(dir, 'lake'), { recursive: true, force: true });
    const pooled = await writeRun([['raw/orders/b1/a.csv', csv]], { workers: 1, maxBufferedRows: 200 });
    expect(await sum()).toEqual(expected);
    expect(expected).toEqual([{ n: 910, total: '413822.50', days: 4 }]);
    expect(pooled.files.map((f) => f.key).sort()).toEqual(inline.files.map((f) => f.key).sort());
    await rm(join(dir, 'lake'), { recursive: true, force: true });
    const writer = new ParquetDatasetWriter(storage, orders.table, { workers: 1, maxBufferedRows: 100 });
    const failed = writer.write('raw/orders/b1/bad.csv', readCsvBatches(text(`${csv}99,"oops\n`), { cleaning: orders, file: 'bad.csv', groupByPartition: true }));
    await expect(failed).rejects.toMatchObject({ _tag: 'CsvMalformed' });
    expect(await keys()).toEqual([]);
    await writer.close();
  });

  it('keeps nulls of nullable columns (events)', async () => {
    const writer = new ParquetDatasetWriter(storage, events.table);
    const csv =
      'event_id,session_id,timestamp,event_type,product_id,qty,cart_size,payment,discount_pct,amount_usd\n' +
      '1,10,2025-11-02T08:16:00,page_view,101.0,,,,,\n2,10,2025-11-02T08:20:00,purchase,,,,card,10.0,45.00\n';
    await writer.write('e.csv', readCsvBatches(text(csv), { cleaning: events, file: 'e.csv', groupByPartition: true }));
    await writer.commit();
    await writer.close();
    const rows = await db.query(`SELECT event_id, product_id, payment, CAST(amount_usd AS VARCHAR) AS amount FROM ${parquetScan(storage.uri('processed/events'))} ORDER BY 1`);
    expect(rows).toEqual([
      { event_id: 1, product_id: 101, payment: null, amount: null },
      { event_id: 2, product_id: null, payment: 'card', amount: '45.00' },
    ]);
  });
});

describe('ParquetDatasetWriter: extreme values round-trip through both encoders', () => {
  const t = defineTable({
    name: 'extremes',
    columns: {
      id: col.int(),
      big: col.bigint(),
      small_dec: col.decimal(5, 2),
      wide_dec: col.decimal(38, 10),
      ts: col.timestamp(),
      d: col.date(),
      ok: col.boolean().nullable(),
      x: col.double(),
      note: col.string().nullable(),
    },
  });
  const csv =
    'id,big,small_dec,wide_dec,ts,d,ok,x,note\n' +
    '1,-9223372036854775808,-999.99,-1234567890123456789012345678.0123456789,1969-12-31T23:59:59.000001,0001-01-01,true,-1.5e300,Müller 👍\n' +
    '2,9223372036854775807,999.99,9999999999999999999999999999.9999999999,9999-12-31 23:59:59.999999,9999-12-31,,0,\n' +
    '3,0,-0.01,0,2255-06-05T23:47:34,1970-01-01,false,3.25,"a,""b"""\n';
  const expected = [
    { id: 1, big: '-9223372036854775808', s: '-999.99', w: '-1234567890123456789012345678.0123456789', ts: '1969-12-31 23:59:59.000001', d: '0001-01-01', ok: true, x: -1.5e300, note: 'Müller 👍' },
    { id: 2, big: '9223372036854775807', s: '999.99', w: '9999999999999999999999999999.9999999999', ts: '9999-12-31 23:59:59.999999', d: '9999-12-31', ok: null, x: 0, note: null },
    { id: 3, big: '0', s: '-0.01', w: '0.0000000000', ts: '2255-06-05 23:47:34', d: '1970-01-01', ok: false, x: 3.25, note: 'a,"b"' },
  ];
  it.each([
    ['lakeblocks', () => arrowParquetEncoder],
    ['hyparquet-writer', () => hyparquetEncoder],
    ['parquet-wasm', () => parquetWasmEncoder],
  ])('%s', async (_name, encoder) => {
    await loadParquetWasm();
    const writer = new ParquetDatasetWriter(storage, t, { encoder: encoder() });
    await writer.write('x.csv', readCsvBatches(text(csv), { cleaning: t, file: 'x.csv' }));
    await writer.commit();
    await writer.close();
    const rows = await db.query(
      `SELECT id, big::VARCHAR AS big, small_dec::VARCHAR AS s, wide_dec::VARCHAR AS w, ts::VARCHAR AS ts, d::VARCHAR AS d, ok, x, note
       FROM ${parquetScan(storage.uri('processed/extremes'))} ORDER BY id`,
    );
    expect(rows).toEqual(expected);
  });

  // Arrow JS slices fixed-width value and offset buffers but not validity bitmaps or boolean bits:
  // an encoder reading values at `offset + i` would write the wrong rows of a sliced batch.
  it.each([
    ['lakeblocks', () => arrowParquetEncoder],
    ['hyparquet-writer', () => hyparquetEncoder],
    ['parquet-wasm', () => parquetWasmEncoder],
  ])('%s encodes sliced batches (non-zero Arrow offsets) correctly', async (_name, encoder) => {
    await loadParquetWasm();
    const parts: PartitionedBatch[] = [];
    for await (const part of readCsvBatches(text(csv), { cleaning: t, file: 'x.csv' })) parts.push(part);
    const sliced = parts.map((p) => p.batch.slice(1));
    expect(sliced[0]!.getChildAt(0)!.data[0]!.offset).toBe(1);
    const path = join(dir, 'sliced.parquet');
    await writeFile(path, encoder().encode(t, sliced));
    const rows = await db.query(
      `SELECT id, big::VARCHAR AS big, small_dec::VARCHAR AS s, wide_dec::VARCHAR AS w, ts::VARCHAR AS ts, d::VARCHAR AS d, ok, x, note
       FROM read_parquet('${path}') ORDER BY id`,
    );
    expect(rows).toEqual(expected.slice(1));
  });
});

describe('ParquetDatasetWriter with column partitioning', () => {
  it('moves the partition column into the path (Hive-escaped) and out of the files', async () => {
    const t = defineTable({
      name: 'visits',
      columns: { id: col.int(), country: col.string(), n: col.int() },
      partitioning: { kind: 'columns', columns: ['country'] },
    });
    const writer = new ParquetDatasetWriter(storage, t);
    await writer.write('v.csv', readCsvBatches(text('id,country,n\n1,PL,5\n2,US,6\n3,PL,7\n4,a/b,8\n'), { cleaning: t, file: 'v.csv', groupByPartition: true }));
    const { files } = await writer.commit();
    await writer.close();
    expect(files.map((f) => f.key.replace(/part-.*$/, '')).sort()).toEqual([
      'processed/visits/country=PL/',
      'processed/visits/country=US/',
      'processed/visits/country=a%2Fb/',
    ]);
    const inFile = (await db.query(`DESCRIBE SELECT * FROM ${parquetScan(storage.uri('processed/visits'), false)}`)).map((r) => r.column_name);
    expect(inFile).toEqual(['id', 'n']);
    expect(await db.query(`SELECT id, country FROM ${parquetScan(storage.uri('processed/visits'))} ORDER BY id`)).toEqual([
      { id: 1, country: 'PL' },
      { id: 2, country: 'US' },
      { id: 3, country: 'PL' },
      { id: 4, country: 'a/b' },
    ]);
  });
});

describe.skipIf(!existsSync(join(TECHSTORE, 'orders.csv')))('ParquetDatasetWriter on the real TechStore orders', () => {
  // Monthly partitions (70 files) rather than daily (2,131): each LocalStorage put costs ~2 ms of
  // file-system calls here, and day placement is covered by the fixtures above.
  const ordersByMonth = defineTable({ name: 'orders', columns: orders.table.shape, primaryKey: ['order_id'], partitioning: { kind: 'time', column: 'order_time', granularity: 'month' } });
  it('lands every row, partitioned by month, with values equal to DuckDB reading the CSV itself', async () => {
    const path = join(TECHSTORE, 'orders.csv');
    const writer = new ParquetDatasetWriter(storage, ordersByMonth);
    const cleaning = defineCleaning(ordersByMonth, orders.rules);
    await writer.write('raw/orders/b0/orders.csv', readCsvBatches(createReadStream(path), { cleaning, file: path, groupByPartition: true }));
    const result = await writer.commit();
    await writer.close();
    expect(result.rows).toBe(33_580);
    const dirs = await readdir(storage.uri('processed/orders'), { recursive: true });
    expect(dirs.filter((d) => d.endsWith('.parquet')).length).toBe(result.files.length);
    const [fromParquet] = await db.query(
      `SELECT count(*)::INT AS n, CAST(sum(total_usd) AS VARCHAR) AS total, min(order_time)::VARCHAR AS first, count(DISTINCT (year, month))::INT AS months,
              count(DISTINCT CAST(order_time AS DATE))::INT AS days, count(*) FILTER (WHERE year <> year(order_time) OR month <> month(order_time))::INT AS misplaced
       FROM ${scan()}`,
    );
    const [fromCsv] = await db.query(
      `SELECT count(*)::INT AS n, CAST(sum(CAST(total_usd AS DECIMAL(12,2))) AS VARCHAR) AS total, min(order_time)::VARCHAR AS first,
              count(DISTINCT date_trunc('month', order_time))::INT AS months, count(DISTINCT CAST(order_time AS DATE))::INT AS days, 0 AS misplaced
       FROM read_csv('${path}', header = true)`,
    );
    expect(fromParquet).toEqual(fromCsv);
    expect(fromParquet).toMatchObject({ n: 33_580, misplaced: 0 });
  });
});
