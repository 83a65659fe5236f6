import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStorage } from '@lakeblocks/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineCleaning } from '../cleaning/cleaning-rules.js';
import { IngestError } from '../errors/ingest-error.js';
import { customers, events, orderItems, orders, products, reviews, sessions, techstoreTables } from '../testing/techstore-tables.js';
import { tableForFileName, unsafeNameReason } from './table-for-file.js';
import { uploadFile, uploadStream } from './upload-file.js';

const TECHSTORE = join(import.meta.dirname, '../../../../../shared/data/techstore');
const ORDERS_HEADER = 'order_id,customer_id,order_time,payment_method,discount_pct,subtotal_usd,total_usd,country,device,source';
const ORDER_ROW = '1,13917,2025-01-31T23:07:42,card,20,107.15,85.72,PL,desktop,organic';

let dir: string;
let storage: LocalStorage;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ingest-upload-'));
  storage = new LocalStorage(join(dir, 'lake'), { durable: false });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string | Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

async function rawKeys(): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of storage.listAll('raw/')) keys.push(o.key);
  return keys;
}

async function refusal(path: string, options: Partial<Parameters<typeof uploadFile>[2]> = {}): Promise<IngestError> {
  const error = await uploadFile(storage, path, { tables: techstoreTables, batch: 'b1', ...options }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IngestError);
  expect(await rawKeys()).toEqual([]); // nothing of a refused file reaches raw/
  return error as IngestError;
}

describe('tableForFileName', () => {
  const tables = [orders, orderItems, products, reviews, customers, sessions, events];
  it.each([
    ['events_2025_12.csv', 'events'],
    ['customers_next_month.csv', 'customers'],
    ['order_items_x.csv', 'order_items'],
    ['orders.csv', 'orders'],
    ['Orders_November_2025.CSV', 'orders'],
    ['orders2025.csv', 'orders'],
  ])('%s → %s', (name, table) => expect(tableForFileName(name, tables)?.name).toBe(table));
  it.each(['ordersheet.csv', 'event.csv', 'x_orders.csv'])('%s → none', (name) => expect(tableForFileName(name, tables)).toBeUndefined());
  it('refuses names that could escape the lake', () => {
    for (const name of ['../orders.csv', 'a/orders.csv', '/etc/orders.csv', 'C:orders.csv', 'orders..csv', '.orders.csv', 'ord\u0000ers.csv']) {
      expect(unsafeNameReason(name), name).toBeDefined();
    }
  });
});

describe('uploadFile', () => {
  it('copies an accepted file byte for byte to raw/<table>/<batch>/<file> (BOM, CRLF, non-ASCII, quotes kept)', async () => {
    const content = `\uFEFF${ORDERS_HEADER}\r\n${ORDER_ROW}\r\n2,1,2025-01-31T23:07:42,card,0,1.00,1.00,"PL",desktop,organic\r\n`;
    const path = await file('orders_2025_12.csv', content);
    const result = await uploadFile(storage, path, { tables: techstoreTables, batch: '2025-12' });
    expect(result).toMatchObject({ table: 'orders', key: 'raw/orders/2025-12/orders_2025_12.csv', rows: 2, bytes: Buffer.byteLength(content) });
    expect(Buffer.from(await storage.get(result.key)).equals(await readFile(path))).toBe(true);
  });

  it('accepts a header in another order, case and spacing', async () => {
    const header = ' Source,DEVICE,country ,total_usd,subtotal_usd,discount_pct,payment_method,order_time,customer_id,Order_ID';
    const path = await file('orders_x.csv', `${header}\norganic,desktop,PL,85.72,107.15,20,card,2025-01-31T23:07:42,13917,1\n`);
    await expect(uploadFile(storage, path, { tables: techstoreTables, batch: 'b1' })).resolves.toMatchObject({ table: 'orders' });
  });

  it('honours the renames of cleaning rules in the header check', async () => {
    const cleaning = defineCleaning(orderItems, { rename: { qty: 'quantity' } });
    const path = await file('order_items_r.csv', 'order_id,product_id,unit_price_usd,qty,line_total_usd\n1,2,3.00,1,3.00\n');
    await expect(uploadFile(storage, path, { tables: [cleaning], batch: 'b1' })).resolves.toMatchObject({ table: 'order_items' });
    await expect(uploadFile(storage, path, { tables: [orderItems], batch: 'b2' })).rejects.toThrow(/missing column\(s\) quantity; extra column\(s\) qty/);
  });

  it('refuses a wrong extension, an unknown table, an unsafe name and a too-large file', async () => {
    expect((await refusal(await file('orders.txt', 'x'))).context.reason).toBe('extension');
    const unknown = await refusal(await file('invoices_2025.csv', 'x'));
    expect(unknown.context.reason).toBe('unknown-table');
    expect(unknown.message).toMatch(/Refused invoices_2025\.csv: the name does not start with a known table name/);
    const path = await file('orders_ok.csv', `${ORDERS_HEADER}\n${ORDER_ROW}\n`);
    expect((await refusal(path, { name: '../orders.csv' })).context.reason).toBe('unsafe-name');
    expect((await refusal(path, { maxBytes: 10 })).message).toMatch(/exceeds the limit of 10 bytes/);
  });

  it('refuses empty, header-only and BOM-only files', async () => {
    expect((await refusal(await file('orders_empty.csv', ''))).context.reason).toBe('empty');
    expect((await refusal(await file('orders_bom.csv', '\uFEFF'))).context.reason).toBe('empty');
    expect((await refusal(await file('orders_header.csv', `${ORDERS_HEADER}\r\n`))).context.reason).toBe('header-only');
  });

  it('names missing, extra and repeated columns', async () => {
    const e = await refusal(await file('orders_bad.csv', `order_id,customer_id,order_time,payment,discount_pct,subtotal_usd,total_usd,country,device,source,source\n1\n`));
    expect(e.context.reason).toBe('header-mismatch');
    expect(e.message).toMatch(/missing column\(s\) payment_method; extra column\(s\) payment; repeated column\(s\) source/);
  });

  it('refuses Latin-1 and UTF-16 with the byte offset and line, never mangling them', async () => {
    const latin1 = Buffer.from(`${ORDERS_HEADER}\n${ORDER_ROW}\n3,1,2025-01-31T23:07:42,card,0,1.00,1.00,PL,desktop,organic M\xfcller\n`, 'latin1');
    const e = await refusal(await file('orders_latin1.csv', latin1));
    expect(e.context).toMatchObject({ reason: 'encoding', line: 3, offset: latin1.indexOf(0xfc) });
    expect(e.message).toMatch(/^Refused orders_latin1\.csv: Not valid UTF-8: invalid byte 0xFC/);
    const utf16 = await refusal(await file('orders_utf16.csv', Buffer.from(`\uFEFF${ORDERS_HEADER}\n`, 'utf16le')));
    expect(utf16.message).toMatch(/UTF-16/);
  });

  it('refuses a file whose quote is never closed, naming the line', async () => {
    const e = await refusal(await file('orders_quote.csv', `${ORDERS_HEADER}\n${ORDER_ROW}\n2,"1,2025\n${ORDER_ROW}\n`));
    expect(e.context).toMatchObject({ reason: 'malformed-csv', line: 3 });
  });

  it('uploads a stream (a refusal mid-stream leaves nothing behind)', async () => {
    async function* body(): AsyncGenerator<Uint8Array> {
      yield Buffer.from(`${ORDERS_HEADER}\n${ORDER_ROW}\n`);
      yield Buffer.from('\xff\n', 'latin1');
    }
    await expect(uploadStream(storage, 'orders_s.csv', body(), { tables: techstoreTables, batch: 'b1' })).rejects.toMatchObject({
      _tag: 'UploadRefused',
      context: { reason: 'encoding', line: 3 },
    });
    expect(await rawKeys()).toEqual([]);
    const { readdir } = await import('node:fs/promises');
    const leftovers = existsSync(storage.root) ? await readdir(storage.root, { recursive: true }) : [];
    expect(leftovers.filter((f) => f.endsWith('.tmp') || f.endsWith('.csv'))).toEqual([]);
  });
});

describe.skipIf(!existsSync(join(TECHSTORE, 'batches')))('uploadFile on the real TechStore monthly batches', () => {
  it('accepts every file of batches/2025-11 and 2025-12 and places it by table', async () => {
    const { readdir } = await import('node:fs/promises');
    for (const batch of ['2025-11', '2025-12']) {
      for (const name of await readdir(join(TECHSTORE, 'batches', batch))) {
        const result = await uploadFile(storage, join(TECHSTORE, 'batches', batch, name), { tables: techstoreTables, batch });
        expect(result.key).toBe(`raw/${result.table}/${batch}/${name}`);
        expect(name.startsWith(result.table)).toBe(true);
      }
    }
    expect((await rawKeys()).length).toBe(10);
  });
});
