import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { col, defineTable } from '@lakeblocks/core';
import { describe, expect, it } from 'vitest';
import { defineCleaning } from '../cleaning/cleaning-rules.js';
import { IngestError } from '../errors/ingest-error.js';
import type { RejectedRow } from '../rejects/rejected-row.js';
import { techstoreCleaning } from '../testing/techstore-tables.js';
import { readCsvBatches, type PartitionedBatch, type ReadCsvOptions } from './read-csv.js';

const TECHSTORE = join(import.meta.dirname, '../../../../../shared/data/techstore');

async function* bytes(text: string | Uint8Array, chunk = 7): AsyncGenerator<Uint8Array> {
  const b = typeof text === 'string' ? Buffer.from(text) : text;
  for (let i = 0; i < b.length; i += chunk) yield b.subarray(i, i + chunk);
}

async function read(text: string | Uint8Array, options: Omit<ReadCsvOptions, 'file' | 'onReject'> & { file?: string }) {
  const rejects: RejectedRow[] = [];
  const reader = readCsvBatches(bytes(text), { file: 'in.csv', ...options, onReject: (r) => rejects.push(r) });
  const batches: PartitionedBatch[] = [];
  for await (const b of reader) batches.push(b);
  const rows = batches.flatMap((b) => b.batch.toArray().map((r) => r.toJSON() as Record<string, unknown>));
  return { batches, rows, rejects, stats: reader.stats };
}

const users = defineTable({
  name: 'users',
  columns: {
    id: col.int(),
    current_age: col.int(),
    retirement_age: col.int(),
    yearly_income: col.decimal(12, 2),
    credit_score: col.int(),
    gender: col.enum(['Female', 'Male']),
  },
  primaryKey: ['id'],
});
const usersCleaning = defineCleaning(users, {
  coerce: { yearly_income: 'money' },
  dedupe: 'keep-first',
  checks: [
    {
      name: 'age-before-retirement',
      columns: ['current_age', 'retirement_age'],
      test: (u) => u.current_age <= u.retirement_age,
      message: 'current_age is greater than retirement_age',
    },
  ],
});

const cards = defineTable({
  name: 'cards',
  columns: {
    id: col.int(),
    card_type: col.enum(['Credit', 'Debit', 'Debit (Prepaid)', 'desconocido']),
    expires: col.date(),
    has_chip: col.boolean(),
    credit_limit: col.decimal(12, 2),
    num_cards_issued: col.int(),
  },
  primaryKey: ['id'],
});

describe('readCsvBatches: typing and cleaning', () => {
  it('types every column by the table schema (timestamps with or without T, decimals exact, booleans)', async () => {
    const { rows, stats, rejects } = await read(
      '\uFEFFevent_id,session_id,timestamp,event_type,product_id,qty,cart_size,payment,discount_pct,amount_usd\r\n' +
        '1,10,2025-11-02T08:16:00,page_view,101.0,,,,,\r\n' +
        '2,10,2025-11-02 08:17:12.5,purchase,,,,card,10.0,"45.00"\r\n',
      { cleaning: techstoreCleaning.find((c) => c.table.name === 'events')! },
    );
    expect(rejects).toEqual([]);
    expect(stats).toMatchObject({ rowsIn: 2, rowsOut: 2, rowsRejected: 0 });
    expect(rows[0]).toMatchObject({ event_id: 1, product_id: 101, qty: null, payment: null, amount_usd: null });
    expect(rows[0]?.timestamp).toBe(Date.UTC(2025, 10, 2, 8, 16));
    expect(rows[1]).toMatchObject({ event_type: 'purchase', payment: 'card', discount_pct: 10, product_id: null });
    expect(rows[1]?.timestamp).toBe(Date.UTC(2025, 10, 2, 8, 17, 12, 500));
  });

  it('applies the Nequi rules: $ money, MM/YYYY, YES/NO, defaults, dedupe, logical checks — rejecting with reasons', async () => {
    const { rows, rejects, stats } = await read(
      'id,current_age,retirement_age,yearly_income,credit_score,gender\n' +
        '825,53,66,$59696,787,Female\n' +
        '826,70,66,$10,700,Male\n' + // check fails
        '825,40,66,$1,700,Female\n' + // duplicate id
        '827,30,66,$-77.00,700,Male\n' +
        '828,30,66,59$,700,Male\n' + // not money
        ',30,66,$1,700,Male\n', // missing primary key
      { cleaning: usersCleaning },
    );
    expect(rows.map((r) => [r.id, String(r.yearly_income)])).toHaveLength(2);
    expect(stats).toMatchObject({ rowsIn: 6, rowsOut: 2, rowsRejected: 4 });
    expect(rejects.map((r) => [r.line, r.column, r.reason])).toEqual([
      [3, 'current_age|retirement_age', 'current_age is greater than retirement_age'],
      [4, 'id', 'duplicate primary key id=825 (the first occurrence is kept)'],
      [6, 'yearly_income', 'expected decimal(12,2), got "59$"'],
      [7, 'id', 'missing primary key value'],
    ]);
    expect(rejects[0]?.rawRecord).toBe('826,70,66,$10,700,Male');

    const cardsResult = await read(
      'id,card_type,expires,has_chip,credit_limit,num_cards_issued\n4524,,12/2022,YES,$24295,2\n4525,Debit,13/2022,NO,$1,2\n',
      {
        cleaning: defineCleaning(cards, {
          coerce: { expires: 'month-year', has_chip: 'yes-no', credit_limit: 'money' },
          defaults: { card_type: 'desconocido' },
        }),
      },
    );
    expect(cardsResult.rows).toHaveLength(1);
    expect(cardsResult.rows[0]).toMatchObject({ id: 4524, card_type: 'desconocido', has_chip: true, expires: Date.UTC(2022, 11, 1) });
    expect(cardsResult.rejects[0]).toMatchObject({ line: 3, column: 'expires', reason: 'no month 13 in "13/2022"' });
  });

  it('rejects a malformed corpus row by row, never dropping or altering one: rows_in = rows_out + rows_rejected', async () => {
    const text = [
      'order_id,customer_id,order_time,payment_method,discount_pct,subtotal_usd,total_usd,country,device,source',
      '1,13917,2025-01-31T23:07:42,card,20,107.15,85.72,PL,desktop,organic',
      '2,1022,2024-02-19T01:17:50,card,0,116.17,116.17,FR,tablet', // too few fields
      '3,1022,2024-02-19T01:17:50,card,0,116.17,116.17,FR,tablet,organic,extra', // too many
      '4,1022,31/01/2025,card,0,116.17,116.17,FR,tablet,organic', // bad date
      '5,1022,2024-02-30T01:17:50,card,0,116.17,116.17,FR,tablet,organic', // no such day
      '6,1022,2024-02-19T01:17:50,bitcoin,0,116.17,116.17,FR,tablet,organic', // enum
      '7,1022,2024-02-19T01:17:50,card,0,1.005,116.17,FR,tablet,organic', // decimal scale
      '8,1022,2024-02-19T01:17:50,card,abc,116.17,116.17,FR,tablet,organic', // bad int
      'order_id,customer_id,order_time,payment_method,discount_pct,subtotal_usd,total_usd,country,device,source', // repeated header
      '9,1022,2024-02-19T01:17:50,card,0,116.17,116.17,F\u0001R,tablet,organic', // control char
      '10,1022,2024-02-19T01:17:50,card,0,116.17,116.17,"FR"x,tablet,organic', // text after quote
      '11,1022,2024-02-19T01:17:50,card,0,116.17,116.17,FRA,tablet,organic', // too long
      '12,1022,2024-02-19 01:17:50,card,0,116.17,116.17,FR,tablet,organic',
      '',
    ].join('\n');
    const { rows, rejects, stats } = await read(text, { cleaning: techstoreCleaning.find((c) => c.table.name === 'orders')! });
    expect(rows.map((r) => r.order_id)).toEqual([1, 12]);
    expect(stats.rowsIn).toBe(13);
    expect(stats.rowsIn).toBe(stats.rowsOut + stats.rowsRejected);
    expect(rejects.map((r) => [r.line, r.column, r.reason.replace(/,? got .*$/, '')])).toEqual([
      [3, '', 'expected 10 fields, found 9'],
      [4, '', 'expected 10 fields, found 11'],
      [5, 'order_time', 'expected a timestamp YYYY-MM-DD[T ]HH:MM:SS'],
      [6, 'order_time', 'expected a timestamp YYYY-MM-DD[T ]HH:MM:SS'],
      [7, 'payment_method', 'expected one of card|paypal|wallet|cod'],
      [8, 'subtotal_usd', 'decimal(12,2) allows 2 digit(s) after the point'],
      [9, 'discount_pct', 'expected int'],
      [10, '', 'repeated header row'],
      [11, 'country', 'control character U+0001 in text'],
      [12, 'country', 'malformed CSV: text after the closing quote of field 8'],
      [13, 'country', 'longer than 2 character(s): "FRA"'],
    ]);
    // The raw record is kept exactly.
    expect(rejects[9]?.rawRecord).toBe('10,1022,2024-02-19T01:17:50,card,0,116.17,116.17,"FR"x,tablet,organic');
  });

  it('fails the file on a header that does not match, an empty file and an unterminated quote', async () => {
    const cleaning = techstoreCleaning.find((c) => c.table.name === 'order_items')!;
    await expect(read('order_id,product_id,price\n1,2,3\n', { cleaning })).rejects.toThrow(
      /unknown column\(s\) "price"; missing column\(s\) "unit_price_usd", "quantity", "line_total_usd"/,
    );
    await expect(read('', { cleaning })).rejects.toMatchObject({ _tag: 'CsvMalformed', context: { reason: 'empty' } });
    const broken = 'order_id,product_id,unit_price_usd,quantity,line_total_usd\n1,2,3,1,3\n2,"2,3,1,3\n3,2,3,1,3\n';
    const error = await read(broken, { cleaning }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IngestError);
    expect((error as IngestError).context).toMatchObject({ file: 'in.csv', line: 3, column: 3, reason: 'unterminated-quote' });
  });

  it('accepts normalised header names in any order and with renames', async () => {
    const { rows } = await read(' Quantity ,ORDER_ID,product id,Line-Total-USD,unit_price_usd\n2,1,5,20.00,10\n', {
      cleaning: techstoreCleaning.find((c) => c.table.name === 'order_items')!,
    });
    expect(rows[0]).toMatchObject({ order_id: 1, product_id: 5, quantity: 2 });
  });

  it('fills a column absent from the file with its default, or null when nullable', async () => {
    const t = defineTable({ name: 't', columns: { id: col.int(), state: col.string(), zip: col.int().nullable() } });
    const { rows, stats } = await read('id\n1\n2\n', { cleaning: defineCleaning(t, { defaults: { state: 'desconocido' } }) });
    expect(rows).toEqual([
      { id: 1, state: 'desconocido', zip: null },
      { id: 2, state: 'desconocido', zip: null },
    ]);
    expect(stats.rowsOut).toBe(2);
  });
});

describe('readCsvBatches: batching and partitions', () => {
  const orders = techstoreCleaning.find((c) => c.table.name === 'orders')!;
  const header = 'order_id,customer_id,order_time,payment_method,discount_pct,subtotal_usd,total_usd,country,device,source\n';
  const line = (id: number, day: number) => `${id},1,2025-01-${String(day).padStart(2, '0')}T10:00:00,card,0,1.00,1.00,PL,mobile,direct\n`;

  it('emits batches of at most batchRows', async () => {
    const text = header + Array.from({ length: 25 }, (_, i) => line(i + 1, 1)).join('');
    const { batches } = await read(text, { cleaning: orders, batchRows: 10 });
    expect(batches.map((b) => b.batch.numRows)).toEqual([10, 10, 5]);
  });

  it('groups rows by Hive partition, bounded by maxPendingRows', async () => {
    const text = header + Array.from({ length: 30 }, (_, i) => line(i + 1, (i % 3) + 1)).join('');
    const { batches, stats } = await read(text, { cleaning: orders, batchRows: 100, groupByPartition: true, maxPendingRows: 12 });
    expect(stats.rowsOut).toBe(30);
    for (const b of batches) {
      const days = new Set(b.batch.toArray().map((r) => new Date(r.order_time as number).getUTCDate()));
      expect([...days]).toEqual([b.partition.day]);
      expect(b.partitionPath).toBe(`year=2025/month=1/day=${b.partition.day}`);
    }
    expect(batches.reduce((n, b) => n + b.batch.numRows, 0)).toBe(30);
    expect(batches.length).toBeGreaterThan(3);
  });
});

describe.skipIf(!existsSync(TECHSTORE))('readCsvBatches on the real TechStore files', () => {
  it.each([
    ['orders', 33_580],
    ['order_items', 59_163],
    ['products', 1_197],
    ['reviews', 10_780],
    ['customers', 20_000],
  ])('%s: every row is read and typed (%i rows, none rejected)', async (name, expected) => {
    const cleaning = techstoreCleaning.find((c) => c.table.name === name)!;
    const rejects: RejectedRow[] = [];
    const reader = readCsvBatches(createReadStream(join(TECHSTORE, `${name}.csv`)), { cleaning, file: `${name}.csv`, onReject: (r) => rejects.push(r) });
    let rows = 0;
    for await (const { batch } of reader) rows += batch.numRows;
    expect(rejects).toEqual([]);
    expect(rows).toBe(expected);
    expect(reader.stats).toMatchObject({ rowsIn: expected, rowsOut: expected, rowsRejected: 0 });
  });
});
