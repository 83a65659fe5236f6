// The byte-level LOAD DATA encoder must write exactly what formatting each value read by
// arrowColumnReaders would: checked over many pseudo-random values of every fast-path type, sliced
// batches and the edge cases (negative decimals, pre-1970 and far-future timestamps, escapes, NULLs).
import { col, defineTable, type TableColumn } from '@lakeblocks/core';
import {
  Bool,
  DateDay,
  Decimal,
  Field,
  Float64,
  Int32,
  Int64,
  RecordBatch,
  Schema,
  Struct,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampSecond,
  Utf8,
  makeData,
  vectorFromArray,
  type Data,
  type DataType,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { arrowColumnReaders } from './arrow-rows.js';
import { TsvBuffer, TsvCellError, tsvEncoders, writeTsvRow, writeTsvValues } from './tsv-encoder.js';

const table = defineTable({
  name: 'tsv',
  columns: {
    i32: col.int().nullable(),
    i64: col.bigint().nullable(),
    money: col.decimal(12, 2).nullable(),
    wide: col.decimal(38, 10).nullable(),
    micros: col.timestamp().nullable(),
    millis: col.timestamp().nullable(),
    secs: col.timestamp().nullable(),
    day: col.date().nullable(),
    text: col.string().nullable(),
    kind: col.enum(['a', 'b\tc']).nullable(),
    dbl: col.double().nullable(),
    flag: col.boolean().nullable(),
  },
});

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function decimalData(type: Decimal, values: (bigint | null)[]): Data {
  const words = new Uint32Array(values.length * 4);
  const valid = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v === null) return;
    valid[i >> 3]! |= 1 << (i & 7);
    const n = v < 0n ? (1n << 128n) + v : v;
    for (let w = 0; w < 4; w++) words[i * 4 + w] = Number((n >> BigInt(32 * w)) & 0xffffffffn);
  });
  return makeData({ type, length: values.length, data: words, nullBitmap: valid });
}

function int64Data(type: DataType, values: (bigint | null)[]): Data {
  const valid = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v !== null) valid[i >> 3]! |= 1 << (i & 7);
  });
  return makeData({ type: type as Int64, length: values.length, data: BigInt64Array.from(values, (v) => v ?? 0n), nullBitmap: valid });
}

function makeBatch(rows: number, seed: number): RecordBatch {
  const next = random(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)] as T;
  const maybe = <T>(make: () => T): T | null => (next() < 0.15 ? null : make());
  const big = (bits: number) => {
    let n = 0n;
    for (let b = 0; b < bits; b += 16) n = (n << 16n) | BigInt(Math.floor(next() * 65_536));
    return (n % (1n << BigInt(bits))) * (next() < 0.5 ? -1n : 1n);
  };
  const edgeMicros = [0n, -1n, 1n, -86_400_000_000n, 951_782_400_000_001n, -62_135_596_800_000_000n, 253_402_300_799_999_999n, 4_503_599_627_370_497n];
  const strings = ['', 'plain', "it's", 'tab\there', 'line\nbreak', 'cr\rx', 'back\\slash', 'nul\0byte', 'ünïcödé 😀', '\\N', 'DROP TABLE x; --'];
  const fields = [
    new Field('i32', new Int32(), true),
    new Field('i64', new Int64(), true),
    new Field('money', new Decimal(2, 12, 128), true),
    new Field('wide', new Decimal(10, 38, 128), true),
    new Field('micros', new TimestampMicrosecond(), true),
    new Field('millis', new TimestampMillisecond(), true),
    new Field('secs', new TimestampSecond(), true),
    new Field('day', new DateDay(), true),
    new Field('text', new Utf8(), true),
    new Field('kind', new Utf8(), true),
    new Field('dbl', new Float64(), true),
    new Field('flag', new Bool(), true),
  ];
  const column = <T>(make: () => T) => Array.from({ length: rows }, () => maybe(make));
  const children: Data[] = [
    vectorFromArray(column(() => pick([0, -1, 1, 2_147_483_647, -2_147_483_648, Math.floor((next() - 0.5) * 4e9)])), new Int32()).data[0]!,
    int64Data(new Int64(), column(() => pick([0n, -1n, 9_007_199_254_740_993n, -(2n ** 63n), 2n ** 63n - 1n, big(40), big(62)]))),
    decimalData(new Decimal(2, 12, 128), column(() => pick([0n, -1n, 5n, -5n, 99_999_999_999n, -99_999_999_999n, 2_147_483_648n, big(20), big(36)]))),
    decimalData(new Decimal(10, 38, 128), column(() => pick([0n, -1n, 10n ** 28n - 1n, big(30), big(90)]))),
    int64Data(new TimestampMicrosecond(), column(() => pick([...edgeMicros, 1_577_836_800_000_000n + big(40) * (next() < 0.5 ? -1n : 1n)]))),
    int64Data(new TimestampMillisecond(), column(() => pick([0n, -1n, 1_738_326_896_123n, -62_135_596_800_000n, big(41)]))),
    int64Data(new TimestampSecond(), column(() => pick([0n, -1n, 1_738_326_896n, 4_294_967_297n, -62_135_596_800n]))),
    vectorFromArray(column(() => new Date(pick([0, -1, 1_738_326_896, -62_135_596_800, 253_402_214_400]) * 1000 - (next() < 0.5 ? 0 : 86_400_000)).getTime()).map((ms) => (ms === null ? null : new Date(Math.floor(ms / 86_400_000) * 86_400_000))), new DateDay()).data[0]!,
    vectorFromArray(column(() => pick(strings) + pick(strings)), new Utf8()).data[0]!,
    vectorFromArray(column(() => pick(['a', 'b\tc'])), new Utf8()).data[0]!,
    vectorFromArray(column(() => pick([0, -0.5, 1 / 3, 1e21, -1e-7, 123.25])), new Float64()).data[0]!,
    vectorFromArray(column(() => next() < 0.5), new Bool()).data[0]!,
  ];
  return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: rows, nullCount: 0, children }));
}

/** The reference: each value read by arrowColumnReaders, formatted and escaped one by one. */
function reference(batch: RecordBatch, columns: readonly TableColumn[]): string {
  const readers = arrowColumnReaders(batch, columns, 'tsv');
  const escape: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };
  let text = '';
  for (let i = 0; i < batch.numRows; i++) {
    text += `${readers
      .map((read) => {
        const v = read(i);
        return v === null ? '\\N' : typeof v === 'number' ? String(v) : v.replace(/[\\\t\n\r\0]/g, (ch) => escape[ch]!);
      })
      .join('\t')}\n`;
  }
  return text;
}

function encode(batch: RecordBatch, columns: readonly TableColumn[], initialBytes = 16): string {
  const encoders = tsvEncoders(batch, columns, 'tsv');
  const out = new TsvBuffer(initialBytes);
  const notNull = columns.map(() => false);
  for (let i = 0; i < batch.numRows; i++) expect(writeTsvRow(encoders, i, out, notNull)).toBe(-1);
  return out.take().toString('utf8');
}

describe('tsvEncoders', () => {
  it('writes byte for byte what the general reader formats, over many values of every type', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const batch = makeBatch(500, seed);
      expect(encode(batch, table.columns)).toBe(reference(batch, table.columns));
    }
  });

  it('reads sliced batches at the right rows (values cut, validity offset kept)', () => {
    const batch = makeBatch(300, 99);
    for (const [from, to] of [
      [1, 300],
      [7, 13],
      [123, 290],
    ] as const) {
      const sliced = batch.slice(from, to);
      const text = encode(sliced, table.columns);
      expect(text).toBe(reference(sliced, table.columns));
      expect(text.split('\n').length - 1).toBe(to - from);
    }
  });

  it('writes the known texts of edge values', () => {
    const fields = [new Field('money', new Decimal(2, 12, 128), true), new Field('micros', new TimestampMicrosecond(), true), new Field('text', new Utf8(), true)];
    const children = [
      decimalData(new Decimal(2, 12, 128), [-5n, 1_999n, null, -99_999_999_999n]),
      int64Data(new TimestampMicrosecond(), [-1n, 1_738_326_896_123_456n, 951_782_400_000_001n, null]),
      vectorFromArray(['a\tb', null, 'x\\N', 'ü\n'], new Utf8()).data[0]!,
    ];
    const batch = new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: 4, nullCount: 0, children }));
    const columns = defineTable({ name: 'e', columns: { money: col.decimal(12, 2).nullable(), micros: col.timestamp().nullable(), text: col.string().nullable() } }).columns;
    expect(encode(batch, columns)).toBe(
      ['-0.05\t1969-12-31 23:59:59.999999\ta\\tb', '19.99\t2025-01-31 12:34:56.123456\t\\N', '\\N\t2000-02-29 00:00:00.000001\tx\\\\N', '-999999999.99\t\\N\tü\\n', ''].join('\n'),
    );
  });

  it('reports the first NULL of a NOT NULL column, and names the column of a value it cannot write', () => {
    const batch = makeBatch(50, 3);
    const columns = table.columns;
    const encoders = tsvEncoders(batch, columns, 'tsv');
    const out = new TsvBuffer(64);
    const notNull = columns.map((c) => c.name === 'text');
    const readers = arrowColumnReaders(batch, columns, 'tsv');
    const textColumn = columns.findIndex((c) => c.name === 'text');
    const nullRow = Array.from({ length: 50 }, (_, i) => i).find((i) => readers[textColumn]!(i) === null)!;
    expect(writeTsvRow(encoders, nullRow, out, notNull)).toBe(textColumn);

    const wrong = defineTable({ name: 'w', columns: { text: col.int() } }).columns; // a Utf8 column read as int
    const error = (() => {
      try {
        writeTsvRow(tsvEncoders(batch, wrong, 'w'), batch.getChild('text')!.get(0) === null ? 1 : 0, out, [true]);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(TsvCellError);
    expect((error as TsvCellError).column).toBe(0);
    expect((error as TsvCellError).message).toMatch(/expected a int value/);
  });

  it('writes plain converted values with the same escaping', () => {
    const out = new TsvBuffer(8);
    writeTsvValues([1, "it's\ta\\b", null, '19.99', 'ü'], out);
    expect(out.take().toString('utf8')).toBe("1\tit's\\ta\\\\b\t\\N\t19.99\tü\n");
  });
});
