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

  it('keeps every value when partitions change mid-batch and groups outgrow the sizes seen before', async () => {
    // Day 1 small, day 2 much larger than day 1 (its builders must grow), then day 1 again, then day 3.
    const days = [...Array(5).fill(1), ...Array(300).fill(2), ...Array(40).fill(1), ...Array(7).fill(3)] as number[];
    const text = header + days.map((d, i) => line(i + 1, d)).join('');
    const { batches, stats } = await read(text, { cleaning: orders, batchRows: 128, groupByPartition: true, maxPendingRows: 200 });
    expect(stats.rowsOut).toBe(days.length);
    const seen = new Map<number, number>();
    for (const b of batches) {
      expect(b.batch.numRows).toBeLessThanOrEqual(128);
      for (const r of b.batch.toArray()) {
        expect(new Date(r.order_time as number).getUTCDate()).toBe(b.partition.day);
        seen.set(r.order_id as number, b.partition.day as number);
      }
    }
    expect([...seen].sort((x, y) => x[0] - y[0]).map(([, d]) => d)).toEqual(days);
  });
});

describe('readCsvBatches: the same result whatever the chunk boundaries', () => {
  const notes = defineTable({
    name: 'notes',
    columns: {
      id: col.int(),
      at: col.timestamp(),
      kind: col.enum(['a', 'bb', 'ccc']),
      body: col.string({ maxLength: 10 }).nullable(),
      amount: col.decimal(8, 2).nullable(),
    },
    primaryKey: ['id'],
    partitioning: { kind: 'time', column: 'at', granularity: 'day' },
  });
  const cleaning = defineCleaning(notes, { coerce: { amount: 'money' }, dedupe: 'keep-first' });
  // Quoted fields with and without escapes, multi-byte text (2-, 3- and 4-byte UTF-8), CRLF, a
  // multi-line field, padding to trim, and rejects whose line numbers must not move.
  const text = [
    'id,at,kind,body,amount',
    '1,2025-01-01 10:00:00,a,plain,$1.50',
    '2,2025-01-01 11:00:00,bb,"q, d",2.00',
    '3,2025-01-01T12:00:00,ccc,"say ""hi""",',
    '4,2025-01-02 00:00:00,a,Müller,-3',
    '5,2025-01-02 01:00:00,bb,"two\nlines",4.1',
    '6,2025-01-02 02:00:00,a,  pad\t,5',
    '7,2025-01-02 03:00:00,a,日本語👍,6',
    '8,2025-02-30 03:00:00,a,bad day,7',
    '9,2025-01-03 03:00:00,dd,x,8',
    '10,2025-01-03 04:00:00,a,far too long!,9',
    '4,2025-01-03 05:00:00,a,dup,1',
    '11,2025-01-01 13:00:00,ccc,"",$-0.01',
    '12,2025-01-03 06:00:00,bb,ok,1.234',
  ].join('\r\n');

  async function readIn(chunk: number) {
    const rejects: RejectedRow[] = [];
    const reader = readCsvBatches(bytes(text, chunk), { cleaning, file: 'n.csv', groupByPartition: true, onReject: (r) => rejects.push(r) });
    const rows: Record<string, unknown>[] = [];
    for await (const b of reader) rows.push(...b.batch.toArray().map((r) => ({ ...(r.toJSON() as Record<string, unknown>), day: b.partition.day })));
    rows.sort((x, y) => (x.id as number) - (y.id as number));
    return { rows, rejects: rejects.map((r) => [r.line, r.column, r.reason, r.rawRecord]) };
  }

  it('reads every row and reject identically for chunks of 1 byte to the whole file', async () => {
    const whole = await readIn(1 << 20);
    expect(whole.rows.map((r) => [r.id, r.kind, r.body, r.day])).toEqual([
      [1, 'a', 'plain', 1],
      [2, 'bb', 'q, d', 1],
      [3, 'ccc', 'say "hi"', 1],
      [4, 'a', 'Müller', 2],
      [5, 'bb', 'two\nlines', 2],
      [6, 'a', 'pad', 2],
      [7, 'a', '日本語👍', 2],
      [11, 'ccc', null, 1],
    ]);
    expect(whole.rows.map((r) => String(r.amount))).toEqual(['150', '200', 'null', '-300', '410', '500', '600', '-1']);
    expect(whole.rejects.map(([line, column]) => [line, column])).toEqual([
      [10, 'at'],
      [11, 'kind'],
      [12, 'body'],
      [13, 'id'],
      [15, 'amount'],
    ]);
    for (const size of [1, 2, 3, 5, 8, 13, 64]) expect(await readIn(size)).toEqual(whole);
  });

  it('copies plain string values from the text as the string path would take them', async () => {
    const t = defineTable({
      name: 'texts',
      columns: { id: col.int(), short: col.string({ maxLength: 3 }).nullable(), long: col.string() },
      primaryKey: ['id'],
    });
    const long = 'L'.repeat(70);
    const csv = [
      'id,short,long',
      `1, ab ,${long}`, // trimmed; longer than the copy loop takes
      '2,👍👍👍,"  q, ""x"" "', // 3 code points in 6 UTF-16 units: within maxLength 3; quoted with escapes
      '3,\t,ü', // blank after trimming: null
      '4,abcd,x', // too long
      '5,a\u0001,x', // control character
      '6,a\u007f,x', // DEL
      '7,ok,\ud83d\ude00 é', // non-ASCII copied through the encoder
      '8,"a\tb",y', // a tab inside is data
      '9,,  ', // an empty required value
    ].join('\n');
    for (const trim of [true, false]) {
      const { rows, rejects } = await read(csv, { cleaning: defineCleaning(t, { trim }) });
      const byId = new Map(rows.map((r) => [r.id, [r.short, r.long]]));
      expect(rejects.map((r) => [r.line, r.column, r.reason.slice(0, 24)])).toEqual([
        ...(trim ? [] : [[2, 'short', 'longer than 3 character(']]), // ' ab ' untrimmed is 4 characters
        [5, 'short', 'longer than 3 character('],
        [6, 'short', 'control character U+0001'],
        [7, 'short', 'control character U+007F'],
        ...(trim ? [[10, 'long', 'missing value in a non-n']] : []),
      ]);
      if (trim) expect(byId.get(1)).toEqual(['ab', long]);
      expect(byId.get(2)).toEqual(['👍👍👍', trim ? 'q, "x"' : '  q, "x" ']);
      expect(byId.get(3)).toEqual(trim ? [null, 'ü'] : ['\t', 'ü']);
      expect(byId.get(7)).toEqual(['ok', '\ud83d\ude00 é']);
      expect(byId.get(8)).toEqual(['a\tb', 'y']);
      if (!trim) expect(byId.get(9)).toEqual([null, '  ']);
    }
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
