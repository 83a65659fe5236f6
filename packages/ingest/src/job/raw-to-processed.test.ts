import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStorage, definePipeline } from '@lakeblocks/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDuckDb, parquetScan } from '../testing/duckdb.js';
import { techstoreCleaning, techstoreTables } from '../testing/techstore-tables.js';
import { uploadFile } from '../upload/upload-file.js';
import { rawToProcessedStep, runRawToProcessed } from './raw-to-processed.js';

const BATCHES = join(import.meta.dirname, '../../../../../shared/data/techstore/batches');
const ORDERS_HEADER = 'order_id,customer_id,order_time,payment_method,discount_pct,subtotal_usd,total_usd,country,device,source\n';
const orderRow = (id: number, time = '2025-12-02T09:25:00') => `${id},1,${time},card,10,50.00,45.00,US,mobile,organic\n`;
const ordersOnly = techstoreCleaning.filter((c) => c.table.name === 'orders');

let dir: string;
let storage: LocalStorage;
let db: Awaited<ReturnType<typeof openDuckDb>>;
beforeAll(async () => {
  db = await openDuckDb();
});
afterAll(() => db.close());
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ingest-job-'));
  storage = new LocalStorage(join(dir, 'lake'), { durable: false });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function allKeys(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of storage.listAll(prefix)) keys.push(`${o.key}@${o.etag}`);
  return keys;
}

const count = async (table: string) => (await db.query(`SELECT count(*)::INT AS n FROM ${parquetScan(storage.uri(`processed/${table}`))}`))[0]?.n;

describe('runRawToProcessed', () => {
  it('processes only new raw objects, commits the bookmark, and says so when there is nothing new', async () => {
    await storage.put('raw/orders/b1/orders_a.csv', ORDERS_HEADER + orderRow(1) + orderRow(2, '2025-12-03 10:00:00'));
    const first = await runRawToProcessed({ storage, tables: ordersOnly, runId: 'run-1' });
    expect(first).toMatchObject({ rowsIn: 2, rowsOut: 2, rowsRejected: 0, nothingNew: false });
    expect(first.tables[0]).toMatchObject({ table: 'orders', bookmarkVersion: 1 });
    expect(await count('orders')).toBe(2);

    const before = await allKeys('processed/');
    const second = await runRawToProcessed({ storage, tables: ordersOnly, runId: 'run-2' });
    expect(second.nothingNew).toBe(true);
    expect(second.tables[0]?.message).toMatch(/no new raw objects for orders \(1 already consumed, bookmark version 1\): nothing written/);
    expect(await allKeys('processed/')).toEqual(before);

    await storage.put('raw/orders/b2/orders_b.csv', ORDERS_HEADER + orderRow(3));
    const third = await runRawToProcessed({ storage, tables: ordersOnly, runId: 'run-3' });
    expect(third.tables[0]?.files.map((f) => f.key)).toEqual(['raw/orders/b2/orders_b.csv']);
    expect(await count('orders')).toBe(3);
  });

  it('removes temp files a killed writer left under processed/<table>/ before writing it again; keeps a live one', async () => {
    // An earlier run wrote the table (a table no run of the job ever wrote to has no killed writer to clean up after).
    await storage.put('raw/orders/b0/orders_0.csv', ORDERS_HEADER + orderRow(9, '2025-11-30T08:00:00'));
    await runRawToProcessed({ storage, tables: ordersOnly, runId: 'run-0' });
    const dead = spawnSync(process.execPath, ['-e', '']).pid!; // exited: its pid is free
    const host = createHash('sha1').update(hostname()).digest('hex').slice(0, 8);
    const partition = join(storage.root, 'processed', 'orders', 'year=2025', 'month=12', 'day=2');
    await mkdir(partition, { recursive: true });
    const orphan = join(partition, `.part-x-00000.parquet.0123456789ab.${host}-${dead}.tmp`);
    const live = join(partition, `.part-y-00000.parquet.0123456789ab.${host}-${process.pid}.tmp`);
    await writeFile(orphan, 'half a parquet file');
    await writeFile(live, 'being written');
    await storage.put('raw/orders/b1/orders_a.csv', ORDERS_HEADER + orderRow(1));
    await runRawToProcessed({ storage, tables: ordersOnly, runId: 'run-1' });
    expect(existsSync(orphan)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(await count('orders')).toBe(2);
  });

  it('writes rejects/<table>/<run-id>.csv with line, column and reason; rows_in = rows_out + rows_rejected', async () => {
    await storage.put('raw/orders/b1/orders_a.csv', ORDERS_HEADER + orderRow(1) + '2,1,not-a-time,card,10,50.00,45.00,US,mobile,organic\n' + orderRow(1));
    const result = await runRawToProcessed({ storage, tables: ordersOnly, runId: 'run-r' });
    expect(result).toMatchObject({ rowsIn: 3, rowsOut: 1, rowsRejected: 2 });
    expect(result.tables[0]?.rejectsKey).toBe('rejects/orders/run-r.csv');
    const text = Buffer.from(await storage.get('rejects/orders/run-r.csv')).toString();
    expect(text.split('\r\n')).toEqual([
      'source_file,line,column,reason,raw_record',
      'raw/orders/b1/orders_a.csv,3,order_time,"expected a timestamp YYYY-MM-DD[T ]HH:MM:SS, got ""not-a-time""","2,1,not-a-time,card,10,50.00,45.00,US,mobile,organic"',
      'raw/orders/b1/orders_a.csv,4,order_id,duplicate primary key order_id=1 (the first occurrence is kept),"1,1,2025-12-02T09:25:00,card,10,50.00,45.00,US,mobile,organic"',
      '',
    ]);
    // DuckDB reads the rejects file back as a CSV with the same rows.
    expect(await db.query(`SELECT line::INT AS line, "column" FROM read_csv('${storage.uri('rejects/orders/run-r.csv')}', header = true) ORDER BY line`)).toEqual([
      { line: 3, column: 'order_time' },
      { line: 4, column: 'order_id' },
    ]);
  });

  it('fails on a file that cannot be parsed: nothing of it is published and the bookmark does not move', async () => {
    await storage.put('raw/orders/b1/orders_bad.csv', ORDERS_HEADER + orderRow(1) + '2,"1,2025\n' + orderRow(3));
    await expect(runRawToProcessed({ storage, tables: ordersOnly, runId: 'run-x' })).rejects.toMatchObject({
      _tag: 'CsvMalformed',
      context: { file: 'raw/orders/b1/orders_bad.csv', line: 3 },
    });
    expect(await allKeys('processed/')).toEqual([]);
    expect(await allKeys('rejects/')).toEqual([]);
    // Fixed file (replaced: a new etag) → processed on the next run; the lease was released.
    await storage.put('raw/orders/b1/orders_bad.csv', ORDERS_HEADER + orderRow(1) + orderRow(3));
    expect(await runRawToProcessed({ storage, tables: ordersOnly })).toMatchObject({ rowsOut: 2 });
  });

  it('runs as a pipeline step, with the row counts in the run log', async () => {
    await storage.put('raw/orders/b1/orders_a.csv', ORDERS_HEADER + orderRow(1) + 'x\n');
    const pipeline = definePipeline({ name: 'ingest-test', storage, steps: [rawToProcessedStep({ storage, tables: ordersOnly })] });
    const log = await pipeline.run();
    expect(log.status).toBe('succeeded');
    expect(log.steps[0]).toMatchObject({ rowsIn: 2, rowsOut: 1, rowsRejected: 1 });
    expect(await storage.exists(`_state/runs/${log.runId}.json`)).toBe(true);
    expect(await storage.exists(`rejects/orders/${log.runId}.csv`)).toBe(true);
  });
});

describe.skipIf(!existsSync(BATCHES))('runRawToProcessed on the real TechStore monthly batches', () => {
  it('uploads both batches, lands every row of every table, and a rerun writes nothing', async () => {
    let expected = 0;
    const perTable = new Map<string, number>();
    for (const batch of ['2025-11', '2025-12']) {
      for (const name of await readdir(join(BATCHES, batch))) {
        const up = await uploadFile(storage, join(BATCHES, batch, name), { tables: techstoreTables, batch });
        expected += up.rows;
        perTable.set(up.table, (perTable.get(up.table) ?? 0) + up.rows);
      }
    }
    const result = await runRawToProcessed({ storage, tables: techstoreCleaning });
    expect(result.rowsRejected).toBe(0);
    expect(result.rowsOut).toBe(expected);
    for (const [table, rows] of perTable) expect(await count(table), table).toBe(rows);
    const types = Object.fromEntries(
      (await db.query(`DESCRIBE SELECT * FROM ${parquetScan(storage.uri('processed/events'))}`)).map((r) => [r.column_name, r.column_type]),
    );
    expect(types).toMatchObject({ timestamp: 'TIMESTAMP', product_id: 'INTEGER', amount_usd: 'DECIMAL(12,2)' });
    const rerun = await runRawToProcessed({ storage, tables: techstoreCleaning });
    expect(rerun.nothingNew).toBe(true);
  });
});
