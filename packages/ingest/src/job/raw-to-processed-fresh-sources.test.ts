/**
 * The raw → processed job's record of the inputs it may have written (`_state/ingest/<job>.sources.json`):
 * a never-seen raw key skips the writer's listing of the whole table, while a key of a failed run, of
 * a lake from before the record, or a replaced one still gets its earlier files removed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStorage, type ListOptions, type ObjectInfo } from '@lakeblocks/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readCsvBatches } from '../csv/read-csv.js';
import { ParquetDatasetWriter } from '../parquet/dataset-writer.js';
import { openDuckDb, parquetScan } from '../testing/duckdb.js';
import { techstoreCleaning } from '../testing/techstore-tables.js';
import { runRawToProcessed } from './raw-to-processed.js';

const ORDERS_HEADER = 'order_id,customer_id,order_time,payment_method,discount_pct,subtotal_usd,total_usd,country,device,source\n';
const orderRow = (id: number, day: number) => `${id},1,2025-12-0${day}T09:25:00,card,10,50.00,45.00,US,mobile,organic\n`;
const ordersOnly = techstoreCleaning.filter((c) => c.table.name === 'orders');
const orders = ordersOnly[0]!;

/** A LocalStorage that records the prefixes it lists. */
class ListingStorage extends LocalStorage {
  readonly listed: string[] = [];
  override listAll(prefix: string, options?: Omit<ListOptions, 'continuationToken'>): AsyncIterable<ObjectInfo> {
    this.listed.push(prefix);
    return super.listAll(prefix, options);
  }
}

let dir: string;
let storage: ListingStorage;
let db: Awaited<ReturnType<typeof openDuckDb>>;
beforeAll(async () => {
  db = await openDuckDb();
});
afterAll(() => db.close());
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ingest-fresh-'));
  storage = new ListingStorage(join(dir, 'lake'), { durable: false });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function processedKeys(): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of storage.listAll('processed/orders/')) keys.push(o.key);
  return keys;
}
const ids = async () => (await db.query(`SELECT order_id::INT AS id FROM ${parquetScan(storage.uri('processed/orders'))} ORDER BY 1`)).map((r) => r.id);
const days = async () => [...new Set((await processedKeys()).map((k) => /day=(\d+)/.exec(k)?.[1]))].sort();

describe('runRawToProcessed: fresh inputs', () => {
  it('a never-seen raw key is written without listing the table; a replaced one lists it and drops its old files', async () => {
    await storage.put('raw/orders/b1/a.csv', ORDERS_HEADER + orderRow(1, 2));
    await runRawToProcessed({ storage, tables: ordersOnly });
    await storage.put('raw/orders/b2/b.csv', ORDERS_HEADER + orderRow(2, 3));
    storage.listed.length = 0;
    await runRawToProcessed({ storage, tables: ordersOnly });
    expect(storage.listed.filter((p) => p.startsWith('processed/'))).toEqual([]);
    expect(await ids()).toEqual([1, 2]);

    // b.csv replaced by rows of another day: its file of day 3 must go.
    await storage.put('raw/orders/b2/b.csv', ORDERS_HEADER + orderRow(2, 4));
    storage.listed.length = 0;
    await runRawToProcessed({ storage, tables: ordersOnly });
    expect(storage.listed).toContain('processed/orders/');
    expect(await ids()).toEqual([1, 2]);
    expect(await days()).toEqual(['2', '4']);
  });

  it('a raw key of a run that failed before its bookmark commit is not fresh on the rerun, even when replaced meanwhile', async () => {
    await storage.put('raw/orders/b1/a.csv', ORDERS_HEADER + orderRow(1, 2));
    await storage.put('raw/orders/b1/z.csv', ORDERS_HEADER + orderRow(2, 2) + '3,"1,2025\n');
    await expect(runRawToProcessed({ storage, tables: ordersOnly })).rejects.toMatchObject({ _tag: 'CsvMalformed' });
    expect(await days()).toEqual(['2']); // a.csv was published, the bookmark did not move
    await storage.put('raw/orders/b1/a.csv', ORDERS_HEADER + orderRow(1, 5));
    await storage.put('raw/orders/b1/z.csv', ORDERS_HEADER + orderRow(2, 6));
    await runRawToProcessed({ storage, tables: ordersOnly });
    expect(await ids()).toEqual([1, 2]);
    expect(await days()).toEqual(['5', '6']);
  });

  it('a lake without the record: files an earlier writer left for a raw key are found by seeding it from the table', async () => {
    // Files of raw/orders/b1/a.csv written before the record existed (or by a run killed before its commit).
    const writer = new ParquetDatasetWriter(storage, orders.table);
    const stream = new Blob([ORDERS_HEADER + orderRow(1, 2)]).stream();
    await writer.write('raw/orders/b1/a.csv', readCsvBatches(stream, { cleaning: orders, file: 'raw/orders/b1/a.csv', groupByPartition: true }));
    await writer.commit();
    await writer.close();
    await storage.put('raw/orders/b1/a.csv', ORDERS_HEADER + orderRow(1, 7));
    await runRawToProcessed({ storage, tables: ordersOnly });
    expect(await ids()).toEqual([1]);
    expect(await days()).toEqual(['7']);
    expect(JSON.parse(Buffer.from(await storage.get('_state/ingest/raw-to-processed/orders.sources.json')).toString())).toMatchObject({ version: 1, digests: [expect.stringMatching(/^[0-9a-f]{12}$/)] });
  });
});
