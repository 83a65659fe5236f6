import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { col, defineTable, type AnyTable } from '@lakeblocks/core';
import { tableFromIPC, type RecordBatch } from 'apache-arrow';
import fc from 'fast-check';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineCleaning, type TableCleaning } from '../cleaning/cleaning-rules.js';
import { readCsvBatches } from '../csv/read-csv.js';
import { openDuckDb } from '../testing/duckdb.js';
import { techstoreCleaning } from '../testing/techstore-tables.js';
import { arrowParquetEncoder, encodeArrowParquet } from './arrow-parquet-encoder.js';
import { loadParquetWasm, parquetWasmEncoder } from './parquet-encoder.js';

const TECHSTORE = join(import.meta.dirname, '../../../../../shared/data/techstore');
const SEED = process.env.ARROW_PARQUET_SEED === 'random' ? undefined : Number(process.env.ARROW_PARQUET_SEED ?? 20261122);
const RUNS = Number(process.env.ARROW_PARQUET_RUNS ?? 40);

let dir: string;
let db: Awaited<ReturnType<typeof openDuckDb>>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arrow-parquet-'));
  db = await openDuckDb();
  await loadParquetWasm();
});
afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

/** The reader's batches of `csv` (empty or blank strings in non-null columns are rejected: `allowRejects` lets the random tables have them). */
async function batchesOf(table: AnyTable | TableCleaning, csv: string, batchRows: number, allowRejects = false): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  const rejects: string[] = [];
  async function* text() {
    yield Buffer.from(csv);
  }
  for await (const part of readCsvBatches(text(), { cleaning: table, file: 'gen.csv', batchRows, onReject: (r) => rejects.push(`${r.line}: ${r.reason}`) })) out.push(part.batch);
  if (!allowRejects) expect(rejects).toEqual([]);
  return out;
}

let files = 0;
async function fileOf(bytes: Uint8Array): Promise<string> {
  const path = join(dir, `f${files++}.parquet`);
  await writeFile(path, bytes);
  return path;
}

const rowsOf = async (path: string) => (await db.connection.runAndReadAll(`SELECT * FROM read_parquet('${path}')`)).getRowsJson();
const typesOf = async (path: string) => (await db.connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path}')`)).getRowsJson().map((r) => `${r[0]} ${r[1]}`);

/** Ours and parquet-wasm (arrow-rs) encode the same batches; DuckDB must read the same rows and types from both. */
async function expectSameAsOracle(table: AnyTable, batches: RecordBatch[], options: { rowGroupSize?: number; pageBytes?: number } = {}): Promise<string> {
  const ours = await fileOf(encodeArrowParquet(table, batches, options));
  const oracle = await fileOf(parquetWasmEncoder.encode(table, batches));
  expect(await typesOf(ours)).toEqual(await typesOf(oracle));
  expect(await rowsOf(ours)).toEqual(await rowsOf(oracle));
  return ours;
}

/**
 * Checks every column chunk's statistics against the rows of its row group: null count, and
 * min/max as DuckDB prints them (when written).
 */
async function expectTrueStatistics(path: string, table: AnyTable): Promise<void> {
  const meta = (await db.connection.runAndReadAll(
    `SELECT row_group_id, row_group_num_rows, path_in_schema, stats_min_value, stats_max_value, stats_null_count FROM parquet_metadata('${path}') ORDER BY row_group_id, column_id`,
  )).getRowObjectsJson();
  let first = 0;
  const groups = new Map<number, number>();
  for (const m of meta) if (!groups.has(Number(m.row_group_id))) groups.set(Number(m.row_group_id), Number(m.row_group_num_rows));
  const starts = new Map<number, number>();
  for (const [id, rows] of [...groups].sort((a, b) => a[0] - b[0])) {
    starts.set(id, first);
    first += rows;
  }
  for (const m of meta) {
    const c = table.fileColumns.find((x) => x.name === m.path_in_schema)!;
    const start = starts.get(Number(m.row_group_id))!;
    const q = `SELECT min("${c.name}")::VARCHAR AS lo, max("${c.name}")::VARCHAR AS hi, count(*) - count("${c.name}") AS nulls
      FROM read_parquet('${path}', file_row_number = true) WHERE file_row_number >= ${start} AND file_row_number < ${start + Number(m.row_group_num_rows)}`;
    const [truth] = (await db.connection.runAndReadAll(q)).getRowObjectsJson();
    expect(Number(m.stats_null_count), `${c.name} null count`).toBe(Number(truth!.nulls));
    if (m.stats_min_value !== null) {
      const same = (stat: unknown, value: unknown) => (c.type.kind === 'double' ? Number(stat) === Number(value) : stat === value);
      expect(same(m.stats_min_value, truth!.lo), `${c.name} min ${String(m.stats_min_value)} vs ${String(truth!.lo)}`).toBe(true);
      expect(same(m.stats_max_value, truth!.hi), `${c.name} max ${String(m.stats_max_value)} vs ${String(truth!.hi)}`).toBe(true);
    }
  }
}

// ---------------------------------------------------------------- random tables

const KINDS = ['int', 'bigint', 'double', 'dec5', 'dec18', 'dec38', 'string', 'enum', 'boolean', 'date', 'timestamp'] as const;
type Kind = (typeof KINDS)[number];

function columnOf(kind: Kind, nullable: boolean) {
  const c =
    kind === 'int' ? col.int()
    : kind === 'bigint' ? col.bigint()
    : kind === 'double' ? col.double()
    : kind === 'dec5' ? col.decimal(5, 2)
    : kind === 'dec18' ? col.decimal(18, 4)
    : kind === 'dec38' ? col.decimal(38, 10)
    : kind === 'string' ? col.string()
    : kind === 'enum' ? col.enum(['alpha', 'beta', 'gamma', 'ñandú 👍'])
    : kind === 'boolean' ? col.boolean()
    : kind === 'date' ? col.date()
    : col.timestamp();
  return nullable ? c.nullable() : c;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const decimalText = (digits: number, scale: number) =>
  fc.bigInt({ min: -(10n ** BigInt(digits)) + 1n, max: 10n ** BigInt(digits) - 1n }).map((v) => {
    const abs = (v < 0n ? -v : v).toString().padStart(scale + 1, '0');
    return `${v < 0n ? '-' : ''}${abs.slice(0, abs.length - scale)}.${abs.slice(abs.length - scale)}`;
  });
const csvQuote = (s: string) => `"${s.replace(/"/g, '""')}"`;
const textArb = fc.oneof(
  fc.constantFrom('a', 'b', 'same', 'Müller', '', ' x'),
  fc.string({ unit: fc.constantFrom(...'abcXYZ09 ,"\n-éß中😀'), maxLength: 12 }),
  fc.string({ unit: fc.constantFrom('a', 'b', 'é'), minLength: 250, maxLength: 300 }),
);

/** A CSV cell of the kind, or '' (null) for nullable columns; pools of repeated values exercise dictionaries. */
function cellArb(kind: Kind): fc.Arbitrary<string> {
  switch (kind) {
    case 'int':
      return fc.oneof(fc.integer({ min: -5, max: 5 }), fc.integer({ min: -2147483648, max: 2147483647 })).map(String);
    case 'bigint':
      return fc.oneof(fc.bigInt({ min: -3n, max: 3n }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })).map(String);
    case 'double':
      return fc.oneof(fc.constantFrom(0, 1.5, -2.25, 1e300, -1e-300), fc.double({ noNaN: true, noDefaultInfinity: true })).map((x) => (Object.is(x, -0) ? '0' : String(x)));
    case 'dec5':
      return decimalText(5, 2);
    case 'dec18':
      return decimalText(18, 4);
    case 'dec38':
      return decimalText(38, 10);
    case 'string':
      return textArb.map(csvQuote);
    case 'enum':
      return fc.constantFrom('alpha', 'beta', 'gamma', 'ñandú 👍');
    case 'boolean':
      return fc.constantFrom('true', 'false');
    case 'date':
      return fc.oneof(fc.constantFrom('2025-01-31', '1970-01-01'), fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)));
    case 'timestamp':
      return fc
        .tuple(fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), fc.integer({ min: 0, max: 999_999 }))
        .map(([d, micros]) => `${d.toISOString().slice(0, 19)}.${pad(micros, 6)}`);
  }
}

const tableArb = fc
  .uniqueArray(fc.record({ kind: fc.constantFrom(...KINDS), nullable: fc.boolean() }), { minLength: 1, maxLength: 6, selector: (c) => c.kind })
  .chain((cols) =>
    fc.record({
      cols: fc.constant(cols),
      rows: fc.array(fc.tuple(...cols.map((c) => (c.nullable ? fc.oneof({ weight: 1, arbitrary: fc.constant('') }, { weight: 3, arbitrary: cellArb(c.kind) }) : cellArb(c.kind)))), { minLength: 1, maxLength: 120 }),
      batchRows: fc.integer({ min: 1, max: 50 }),
      slice: fc.boolean(),
      rowGroupSize: fc.integer({ min: 1, max: 150 }),
      pageBytes: fc.integer({ min: 1, max: 2048 }),
    }),
  );

describe('encodeArrowParquet', () => {
  it('writes what parquet-wasm writes, as DuckDB reads it, with true statistics: random tables of every column kind', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(tableArb, async ({ cols, rows, batchRows, slice, rowGroupSize, pageBytes }) => {
        const table = defineTable({ name: `t${n++}`, columns: Object.fromEntries(cols.map((c) => [`c_${c.kind}`, columnOf(c.kind, c.nullable)])) });
        const csv = `${cols.map((c) => `c_${c.kind}`).join(',')}\n${rows.map((r) => r.join(',')).join('\n')}\n`;
        let batches = await batchesOf(table, csv, batchRows, true);
        // Sliced batches have non-zero Arrow offsets (validity bits indexed from the offset).
        if (slice) batches = batches.map((b) => (b.numRows > 2 ? b.slice(1, b.numRows - 1) : b)).filter((b) => b.numRows > 0);
        if (batches.length === 0) return;
        const path = await expectSameAsOracle(table, batches, { rowGroupSize, pageBytes });
        await expectTrueStatistics(path, table);
      }),
      { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
  }, 120_000);

  it('writes many pages and row groups of a large file (dictionary fallback included) like parquet-wasm', async () => {
    const t = defineTable({
      name: 'large',
      columns: { id: col.int(), name: col.string(), tag: col.enum(['a', 'b', 'c']).nullable(), amount: col.decimal(12, 2).nullable(), at: col.timestamp(), day: col.date(), ok: col.boolean().nullable() },
      primaryKey: ['id'],
    });
    const lines = ['id,name,tag,amount,at,day,ok'];
    for (let i = 0; i < 30_000; i++) {
      lines.push(
        `${i},${i % 4 === 0 ? `shared-${i % 7}` : `user-${i}`},${i % 5 === 0 ? '' : 'abc'[i % 3]},${i % 11 === 0 ? '' : `${(i * 37) % 100000}.${pad(i % 100, 2)}`},2025-01-${pad(1 + (i % 28), 2)}T${pad(i % 24, 2)}:00:00,20${pad(10 + (i % 15), 2)}-0${1 + (i % 9)}-1${i % 10},${i % 13 === 0 ? '' : i % 2 === 0}`,
      );
    }
    const batches = await batchesOf(t, `${lines.join('\n')}\n`, 7_000);
    const path = await expectSameAsOracle(t, batches, { rowGroupSize: 12_000, pageBytes: 16_384 });
    await expectTrueStatistics(path, t);
    const [shape] = (await db.connection.runAndReadAll(
      `SELECT count(DISTINCT row_group_id) AS groups, count(*) FILTER (WHERE stats_min_value IS NOT NULL AND stats_max_value IS NOT NULL) AS with_min_max,
         bool_and(encodings LIKE '%RLE_DICTIONARY%') FILTER (WHERE path_in_schema IN ('tag', 'day')) AS dictionary, bool_or(encodings LIKE '%DICTIONARY%') FILTER (WHERE path_in_schema IN ('id', 'at', 'amount')) AS dictionary_on_keys,
         bool_or(encodings LIKE '%DICTIONARY%') FILTER (WHERE path_in_schema = 'name') AS dictionary_on_distinct
       FROM parquet_metadata('${path}')`,
    )).getRowObjectsJson();
    // 3 row groups; min/max on every one of the 7 columns of each; dictionaries where they pay, none on keys, timestamps and
    // numbers, and none on names that are mostly distinct (the build gave up and wrote PLAIN).
    expect(shape).toEqual({ groups: '3', with_min_max: '21', dictionary: true, dictionary_on_keys: false, dictionary_on_distinct: false });
  });

  it('is read by hyparquet and by arrow-rs (parquet-wasm) too: metadata, row count and values', async () => {
    const events = techstoreCleaning.find((c) => c.table.name === 'events')!;
    const csv =
      'event_id,session_id,timestamp,event_type,product_id,qty,cart_size,payment,discount_pct,amount_usd\n' +
      '1,10,2025-01-31T10:00:00,page_view,,,,,,\n' +
      '2,10,2025-01-31 10:01:00,purchase,5,2,3,card,10,45.50\n' +
      '3,11,2025-02-01T00:00:00.123456,add_to_cart,7,1,1,,,\n';
    const batches = await batchesOf(events, csv, 2);
    const bytes = arrowParquetEncoder.encode(events.table, batches);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    expect(Number(parquetMetadata(buffer).num_rows)).toBe(3);
    const rows = await parquetReadObjects({ file: buffer });
    expect(rows.map((r) => [r.event_id, r.event_type, r.product_id, r.payment, String(r.amount_usd)])).toEqual([
      [1, 'page_view', null, null, 'null'],
      [2, 'purchase', 5, 'card', '45.5'],
      [3, 'add_to_cart', 7, null, 'null'],
    ]);
    expect((rows[2]!.timestamp as Date).toISOString()).toBe('2025-02-01T00:00:00.123Z');
    // arrow-rs reads it back into Arrow with the same schema the batches had.
    const wasm = await import('parquet-wasm');
    const back = tableFromIPC(wasm.readParquet(bytes).intoIPCStream());
    expect(back.numRows).toBe(3);
    expect(back.schema.fields.map((f) => `${f.name}:${String(f.type)}:${f.nullable}`)).toEqual(batches[0]!.schema.fields.map((f) => `${f.name}:${String(f.type)}:${f.nullable}`));
    expect([...back.getChild('amount_usd')!].map((v) => (v === null ? null : String(v)))).toEqual([null, String([...batches[0]!.getChild('amount_usd')!][1]), null]);
    expect([...back.getChild('event_type')!]).toEqual(['page_view', 'purchase', 'add_to_cart']);
  });

  it('dictionary-encodes a column of mostly empty strings (the empty string hashes like any other)', async () => {
    const t = defineTable({ name: 'notes', columns: { id: col.int(), note: col.string().nullable() } });
    const cleaning = defineCleaning(t, { nullTokens: ['NULL'] });
    const lines = ['id,note'];
    for (let i = 0; i < 2_000; i++) lines.push(`${i},${i % 10 === 0 ? 'x' : i % 7 === 0 ? 'NULL' : ''}`);
    const batches = await batchesOf(cleaning, `${lines.join('\n')}\n`, 500);
    const path = await expectSameAsOracle(t, batches);
    const [note] = (await db.connection.runAndReadAll(`SELECT encodings, total_uncompressed_size AS size FROM parquet_metadata('${path}') WHERE path_in_schema = 'note'`)).getRowObjectsJson();
    expect(String(note!.encodings)).toContain('RLE_DICTIONARY');
    // 1,700-odd empty strings as PLAIN would be ~7 KB before compression; a 2-entry dictionary's indices ~300 bytes.
    expect(Number(note!.size)).toBeLessThan(1_500);
  });

  it('refuses a null in a column declared not nullable', () => {
    const t = defineTable({ name: 'strict', columns: { id: col.int(), x: col.int() } });
    const loose = defineTable({ name: 'strict', columns: { id: col.int(), x: col.int().nullable() } });
    return batchesOf(loose, 'id,x\n1,5\n2,\n', 10).then((batches) => {
      expect(() => arrowParquetEncoder.encode(t, batches)).toThrow(/"x" is not nullable but holds 1 null/);
    });
  });

  describe.skipIf(!existsSync(join(TECHSTORE, 'orders.csv')))('on the real TechStore tables', () => {
    it.each(techstoreCleaning.map((c) => c.table.name).filter((name) => existsSync(join(TECHSTORE, `${name}.csv`))))('%s', async (name) => {
      const cleaning = techstoreCleaning.find((c) => c.table.name === name)!;
      const batches: RecordBatch[] = [];
      const path = join(TECHSTORE, `${name}.csv`);
      for await (const part of readCsvBatches(createReadStream(path), { cleaning, file: path })) batches.push(part.batch);
      const ours = await expectSameAsOracle(cleaning.table, batches, { rowGroupSize: 20_000 });
      await expectTrueStatistics(ours, cleaning.table);
    });
  });
});
