import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { col, defineTable, type AnyTable, type ColumnType } from '@lakeblocks/core';
import type { DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineCleaning, type CleaningRules, type TableCleaning } from '../cleaning/cleaning-rules.js';
import { BUILTIN_COERCIONS } from '../cleaning/coercions.js';
import { readCsvBatches } from '../csv/read-csv.js';
import { openDuckDb } from '../testing/duckdb.js';
import { techstoreCleaning } from '../testing/techstore-tables.js';
import { compileCleaningSql, REFUSED_ROW_ERROR, type CleaningSql } from './cleaning-sql.js';

/** Property runs: light in CI, more with CLEANING_SQL_RUNS=2000 locally. */
const RUNS = Number(process.env.CLEANING_SQL_RUNS ?? 200);
/** A fixed seed keeps CI deterministic; CLEANING_SQL_SEED=random (or a number) explores other cases. */
const SEED = process.env.CLEANING_SQL_SEED === 'random' ? undefined : Number(process.env.CLEANING_SQL_SEED ?? 20261122);
const seeded = SEED === undefined ? {} : { seed: SEED };

let db: Awaited<ReturnType<typeof openDuckDb>>;
beforeAll(async () => {
  db = await openDuckDb();
});
afterAll(() => db?.close());

// --- the two engines on the same rows --------------------------------------------------------------

/** One row's outcome: `undefined` when rejected, else canonical text per output (columns then partitions). */
type Outcome = (string | null)[] | undefined;

const csvField = (s: string): string => (/[",\r\n]/.test(s) || s === '' ? `"${s.replace(/"/g, '""')}"` : s);

/**
 * The JS engine: `readCsvBatches` over a CSV of `rows` (first field of each row is the row id
 * `r<n>`, kept by every coercion used here). Values are read from the Arrow buffers, exactly.
 */
async function jsOutcomes(cleaning: TableCleaning, header: readonly string[], rows: readonly (readonly string[])[]): Promise<Outcome[]> {
  const text = [header, ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
  const reader = readCsvBatches(
    (async function* () {
      yield Buffer.from(text, 'utf8');
    })(),
    { cleaning, file: 'test.csv', groupByPartition: cleaning.table.partitioning.kind !== 'none' },
  );
  const out: Outcome[] = rows.map(() => undefined);
  const table = cleaning.table;
  for await (const { batch, partition } of reader) {
    for (let i = 0; i < batch.numRows; i++) {
      const values = table.fileColumns.map((c, k) => arrowCell(batch.getChildAt(k)!, i, c.type));
      const rid = values[0]!;
      const n = Number(rid.slice(1));
      out[n] = [...values, ...table.partitionKeys.map((k) => String(partition[k.name]))];
    }
  }
  expect(reader.stats.rowsIn).toBe(rows.length);
  return out;
}

/** A cell of an Arrow column as canonical text (the stored value, from the raw buffers). */
function arrowCell(vector: { data: readonly { values: ArrayBufferView; offset: number; nullBitmap?: Uint8Array | null }[]; isValid(i: number): boolean; get(i: number): unknown }, i: number, type: ColumnType): string | null {
  if (!vector.isValid(i)) return null;
  const data = vector.data[0]!;
  const bytes = new DataView(data.values.buffer, data.values.byteOffset, data.values.byteLength);
  const at = data.offset + i;
  switch (type.kind) {
    case 'int':
    case 'date':
      return String(bytes.getInt32(at * 4, true));
    case 'bigint':
    case 'timestamp':
      return String(bytes.getBigInt64(at * 8, true));
    case 'double':
      return doubleText(bytes.getFloat64(at * 8, true));
    case 'decimal': {
      let x = 0n;
      for (let w = 3; w >= 0; w--) x = (x << 32n) | BigInt(bytes.getUint32(at * 16 + w * 4, true));
      return String(BigInt.asIntN(128, x));
    }
    case 'boolean':
      return String(vector.get(i));
    case 'string':
    case 'enum': {
      // Decoded here: Arrow's own decoding (TextDecoder defaults) drops a leading BOM.
      const offsets = (data as unknown as { valueOffsets: Int32Array }).valueOffsets;
      return utf8.decode((data.values as Uint8Array).subarray(offsets[at]!, offsets[at + 1]!));
    }
  }
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true, fatal: true });

const doubleText = (n: number): string => (Object.is(n, -0) ? '-0' : String(n));

/** The SQL side canonical text of an output column (same spelling as {@link arrowCell}). */
function canonicalSql(name: string, type: ColumnType): string {
  const c = `"${name}"`;
  switch (type.kind) {
    case 'int':
    case 'bigint':
    case 'boolean':
    case 'string':
    case 'enum':
      return `'|' || CAST(${c} AS VARCHAR)`; // '|': node-api's text decoding drops a leading BOM
    case 'double':
      return c; // compared as a JS number
    case 'decimal':
      return `CAST(CAST(replace(CAST(${c} AS VARCHAR), '.', '') AS HUGEINT) AS VARCHAR)`;
    case 'date':
      return `CAST(${c} - DATE '1970-01-01' AS VARCHAR)`;
    case 'timestamp':
      return `CAST(epoch_us(${c}) AS VARCHAR)`;
  }
}

let tableSeq = 0;

/** DuckDB: the compiled SQL over a table of the raw texts (`c0`, `c1`, … VARCHAR). */
async function sqlOutcomes(connection: DuckDBConnection, table: AnyTable, sql: CleaningSql, width: number, rows: readonly (readonly string[])[]): Promise<{ outcomes: Outcome[]; flagged: boolean[] }> {
  const name = `raw_${++tableSeq}`;
  await connection.run(`CREATE TEMP TABLE ${name} (${Array.from({ length: width }, (_, i) => `c${i} VARCHAR`).join(', ')}, rn INTEGER)`);
  const appender = await connection.createAppender(name);
  rows.forEach((r, n) => {
    for (const v of r) appender.appendVarchar(v);
    appender.appendInteger(n);
    appender.endRow();
  });
  appender.closeSync();
  const outputs = [
    ...table.fileColumns.map((c) => canonicalSql(c.name, c.type)),
    ...sql.partitions.map((_, k) => `'|' || CAST("__p${k}" AS VARCHAR)`), // a `columns` key has its column's name
  ];
  // Partition values over the raw text, and (when offered) over the output columns: they must agree.
  const over = (sql.partitionsOverColumns ?? []).map((p) => `'|' || CAST(${p.expr} AS VARCHAR)`);
  const inner = [...sql.columns, ...sql.partitions.map((p, k) => `${p.expr} AS "__p${k}"`)];
  const query = `SELECT rn, __rejected, ${[...outputs, ...over].join(', ')} FROM (SELECT rn, ${sql.rejected} AS __rejected, ${inner.join(', ')} FROM ${name}) ORDER BY rn`;
  const result = await connection.runAndReadAll(query);
  const outcomes: Outcome[] = [];
  const flagged: boolean[] = [];
  const cells = (row: readonly unknown[]): (string | null)[] => row.map((v) => (v === null ? null : typeof v === 'number' ? doubleText(v) : String(v).replace(/^\|/, '')));
  for (const row of result.getRows()) {
    const rejected = row[1] as boolean;
    flagged.push(rejected);
    const values = cells(row.slice(2));
    if (over.length > 0 && !rejected) expect(values.slice(outputs.length)).toEqual(values.slice(outputs.length - over.length, outputs.length));
    outcomes.push(values.slice(0, outputs.length));
  }
  // The strict columns: the same values on the accepted rows, an error on (a sample of) the refused ones.
  const accepted = flagged.flatMap((f, n) => (f ? [] : [n]));
  if (accepted.length > 0) {
    const strict = await connection.runAndReadAll(
      `SELECT ${outputs.join(', ')} FROM (SELECT rn, ${[...sql.strictColumns, ...sql.partitions.map((p, k) => `${p.expr} AS "__p${k}"`)].join(', ')} FROM ${name} WHERE rn IN (${accepted.join(', ')})) ORDER BY rn`,
    );
    expect(strict.getRows().map((r) => cells(r))).toEqual(accepted.map((n) => outcomes[n]));
  }
  for (const n of flagged.flatMap((f, k) => (f ? [k] : [])).slice(0, 4)) {
    await expect(connection.runAndReadAll(`SELECT ${sql.strictColumns.join(', ')} FROM ${name} WHERE rn = ${n}`), `row ${JSON.stringify(rows[n])}`).rejects.toThrow(REFUSED_ROW_ERROR);
  }
  await connection.run(`DROP TABLE ${name}`);
  return { outcomes, flagged };
}

interface Comparison {
  falsePositives: number;
  accepted: number;
}

/** Both engines on `values` in column `v`; fails on any row the SQL accepts with other values than JS (or JS rejects). */
async function compare(cleaning: TableCleaning, values: readonly string[], header: readonly string[] = ['rid', 'v']): Promise<Comparison> {
  const rows = values.map((v, n) => (header.length === 2 ? [`r${n}`, v] : [`r${n}`]));
  const sql = compileCleaningSql(cleaning, header);
  if ('ineligible' in sql) throw new Error(`ineligible: ${sql.ineligible}`);
  const js = await jsOutcomes(cleaning, header, rows);
  const { outcomes, flagged } = await sqlOutcomes(db.connection, cleaning.table, sql, header.length, rows);
  let falsePositives = 0;
  let accepted = 0;
  values.forEach((v, n) => {
    const expected = js[n];
    if (flagged[n]) {
      if (expected !== undefined) falsePositives++;
      return;
    }
    accepted++;
    expect({ value: v, sql: outcomes[n] }).toEqual({ value: v, sql: expected });
  });
  return { falsePositives, accepted };
}

// --- generators ------------------------------------------------------------------------------------

const pad = (n: number, w: number): string => String(n).padStart(w, '0');
const digitsArb = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
const signArb = fc.constantFrom('', '', '-', '+');

/** Pieces that hostile strings are made of: near-misses of every grammar here. */
const PIECES = [
  ...'0123456789', '0', '00', '9', '-', '+', '.', ',', 'e', 'E', 'e5', 'e-3', ' ', '\t', '_', '$', ':', 'T', 'Z', '/', '0x', '0X1F',
  'inf', 'Infinity', 'nan', 'NaN', 'true', 'TRUE', 'False', 'yes', 'Y', 'no', 'N', 'null', 'NULL', 'N/A', '\u00a0', '\ufeff', '\u2028',
  '\u3000', '١', '５', 'ß', 'İ', 'ſ', 'K', 'Σ', 'é', 'e\u0301', '😀', '\u0001', '\u007f', '\n', '\r', '"', "'", '2025', '-01', '-31',
  '-02-29', '-02-30', '12/2022', '13/2022', '0/2021', '1/1999', ' 23:59:59', 'T00:00', ':60', '.123456789', '.9999999', '+00:00',
  '-0000', '+01:00', 'Z', '1,234', ',567', '$-', '-$', 'card', 'paypal', '101.0', '1e400', '9223372036854775808', '2147483648',
];
const soupArb = fc.array(fc.constantFrom(...PIECES), { minLength: 0, maxLength: 7 }).map((a) => a.join(''));

const intTextArb = fc.oneof(
  fc.integer().map(String),
  fc.tuple(signArb, digitsArb(1, 12)).map(([s, d]) => s + d),
  fc.tuple(signArb, digitsArb(1, 12), digitsArb(0, 3)).map(([s, d, f]) => `${s}${d}.${f}`),
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map(String),
  fc.constantFrom('2147483647', '-2147483648', '2147483648', '-2147483649', '9223372036854775807', '-9223372036854775808', '9223372036854775808', '-0', '00000000001', '0000000000000000000000042'),
);
const decimalTextArb = fc.tuple(signArb, digitsArb(0, 22), fc.boolean(), digitsArb(0, 14), digitsArb(0, 3).map((z) => z.replace(/./g, '0'))).map(
  ([s, i, point, f, z]) => `${s}${i}${point ? `.${f}${z}` : ''}`,
);
const doubleTextArb = fc.oneof(
  fc.double().map(String),
  fc.double().map((d) => d.toExponential()),
  fc.tuple(decimalTextArb, fc.constantFrom('', 'e5', 'E-7', 'e+308', 'e309', 'e-400', 'e')).map(([a, b]) => a + b),
  fc.constantFrom('1e400', '-1e400', 'inf', 'nan', '.5', '5.', '-0', '0x10', '1_000.5'),
);
const yearArb = fc.oneof(fc.integer({ min: 0, max: 10000 }), fc.constantFrom(0, 1, 99, 999, 1969, 1970, 2024, 2025, 9999));
const dateTextArb = fc.tuple(yearArb, fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.boolean()).map(
  ([y, m, d, padded]) => (padded ? `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}` : `${y}-${m}-${d}`),
);
const timestampTextArb = fc
  .tuple(
    dateTextArb,
    fc.constantFrom('T', ' ', 't', '  ', ''),
    fc.integer({ min: 0, max: 25 }),
    fc.integer({ min: 0, max: 61 }),
    fc.option(fc.integer({ min: 0, max: 61 })),
    fc.option(digitsArb(0, 10)),
    fc.constantFrom('', '', 'Z', '+00:00', '-0000', '+00', '+01:00', 'z', ' Z'),
    fc.boolean(),
  )
  .map(([date, sep, h, mi, s, frac, zone, withTime]) =>
    withTime ? `${date}${sep}${pad(h, 2)}:${pad(mi, 2)}${s === null ? '' : `:${pad(s, 2)}${frac === null ? '' : `.${frac}`}`}${zone}` : `${date}${zone}`,
  );
const moneyTextArb = fc
  .tuple(signArb, fc.constantFrom('$', '$', '', '$ ', '$\u00a0', '$\t'), signArb, fc.array(fc.oneof(digitsArb(1, 3), fc.constant(',')), { maxLength: 6 }), fc.option(digitsArb(0, 3)))
  .map(([a, d, b, parts, frac]) => `${a}${d}${b}${parts.join('')}${frac === null ? '' : `.${frac}`}`);
const stringTextArb = fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), fc.string({ maxLength: 8 }), soupArb);

/** Wraps a value generator with blanks around it (trim) and hostile soup. */
const withNoise = (arb: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 6, arbitrary: arb },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(' ', '\t', ' \t', '\u00a0', ''), arb, fc.constantFrom(' ', '\t', '', '\n')).map(([a, b, c]) => a + b + c) },
    { weight: 2, arbitrary: soupArb },
    { weight: 1, arbitrary: fc.constantFrom('', 'NULL', 'N/A', ' ', '0') },
  );

const coercionNames = Object.keys(BUILTIN_COERCIONS) as (keyof typeof BUILTIN_COERCIONS)[];

/** A column type with its natural value generator. */
const typeArb: fc.Arbitrary<{ type: ColumnType; values: fc.Arbitrary<string> }> = fc.oneof(
  fc.constant({ type: { kind: 'int' } as ColumnType, values: intTextArb }),
  fc.constant({ type: { kind: 'bigint' } as ColumnType, values: intTextArb }),
  fc.constant({ type: { kind: 'double' } as ColumnType, values: doubleTextArb }),
  fc
    .integer({ min: 1, max: 38 })
    .chain((p) => fc.integer({ min: 0, max: p }).map((s) => ({ type: { kind: 'decimal', precision: p, scale: s } as ColumnType, values: fc.oneof(decimalTextArb, moneyTextArb) }))),
  fc.option(fc.integer({ min: 0, max: 6 })).map((maxLength) => ({ type: { kind: 'string', ...(maxLength === null ? {} : { maxLength }) } as ColumnType, values: stringTextArb })),
  fc.constant({ type: { kind: 'enum', values: ['card', 'paypal', 'TRUE', 'Yes', '0', ''] } as ColumnType, values: fc.oneof(fc.constantFrom('card', 'paypal', 'CARD', 'card ', 'TRUE', 'true', 'Yes', 'y', '0', '', 'NULL'), soupArb) }),
  fc.constant({ type: { kind: 'boolean' } as ColumnType, values: fc.oneof(fc.constantFrom('true', 'false', 'TRUE', 'False', 'tRuE', 'yes', 'n', '1', '0', 'truE ', 'ſ'), soupArb) }),
  fc.constant({ type: { kind: 'date' } as ColumnType, values: fc.oneof(dateTextArb, timestampTextArb, fc.constantFrom('12/2022', '1/2021', '00/2020', '13/2020')) }),
  fc.constant({ type: { kind: 'timestamp' } as ColumnType, values: timestampTextArb }),
);

function column(type: ColumnType, nullable: boolean) {
  const base = (() => {
    switch (type.kind) {
      case 'int':
        return col.int();
      case 'bigint':
        return col.bigint();
      case 'double':
        return col.double();
      case 'decimal':
        return col.decimal(type.precision, type.scale);
      case 'string':
        return col.string(type.maxLength === undefined ? {} : { maxLength: type.maxLength });
      case 'enum':
        return col.enum(type.values as [string, ...string[]]);
      case 'boolean':
        return col.boolean();
      case 'date':
        return col.date();
      case 'timestamp':
        return col.timestamp();
    }
  })();
  return nullable ? base.nullable() : base;
}

const caseArb = typeArb.chain(({ type, values }) =>
  fc.record({
    type: fc.constant(type),
    nullable: fc.boolean(),
    coercions: fc.oneof({ weight: 3, arbitrary: fc.constant([] as string[]) }, { weight: 4, arbitrary: fc.array(fc.constantFrom(...coercionNames), { minLength: 1, maxLength: 2 }) }),
    trim: fc.oneof(fc.constant(undefined), fc.boolean()),
    nullTokens: fc.option(fc.subarray(['', 'NULL', 'N/A', '0', ' ', 'true'], { minLength: 1 })),
    defaultText: fc.option(fc.oneof(values, fc.constantFrom('0', 'desconocido', '2025-01-01', 'true', '$1.00'))),
    values: fc.array(withNoise(values), { minLength: 1, maxLength: 40 }),
    partition: fc.constantFrom('none', 'none', 'time', 'columns'),
  }),
);

interface Case {
  type: ColumnType;
  nullable: boolean;
  coercions: readonly string[];
  trim: boolean | undefined;
  nullTokens: readonly string[] | null;
  defaultText: string | null;
  partition: string;
}

function cleaningOf(c: Case): TableCleaning | undefined {
  const kind = c.type.kind;
  let partitioning: { kind: 'none' } | { kind: 'time'; column: 'v'; granularity: 'day' } | { kind: 'columns'; columns: ['v'] } = { kind: 'none' };
  if (c.partition === 'time' && (kind === 'date' || kind === 'timestamp')) partitioning = { kind: 'time', column: 'v', granularity: 'day' };
  if (c.partition === 'columns' && ['int', 'bigint', 'string', 'enum', 'date'].includes(kind)) partitioning = { kind: 'columns', columns: ['v'] };
  let table: AnyTable;
  try {
    table = defineTable({ name: 't', columns: { rid: col.string(), v: column(c.type, c.nullable) }, partitioning } as never) as AnyTable;
  } catch {
    return undefined; // a combination core refuses (e.g. a nullable time column)
  }
  const rules: CleaningRules = {
    ...(c.coercions.length > 0 ? { coerce: { v: c.coercions as never } } : {}),
    ...(c.trim === undefined ? {} : { trim: c.trim }),
    ...(c.nullTokens === null ? {} : { nullTokens: c.nullTokens }),
    ...(c.defaultText === null ? {} : { defaults: { v: c.defaultText } }),
  };
  return defineCleaning(table, rules as never);
}

// --- tests ------------------------------------------------------------------------------------------

describe('compileCleaningSql: differential against the JS engine', () => {
  it('every kind, coercion chain, null token, default and partitioning: SQL-accepted rows carry the JS values', async () => {
    let falsePositives = 0;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const cleaning = cleaningOf(c);
        if (cleaning === undefined) return;
        const r = await compare(cleaning, c.values);
        falsePositives += r.falsePositives;
        accepted += r.accepted;
      }),
      { numRuns: RUNS, ...seeded },
    );
    // The SQL may refuse what JS accepts, but only for rare spellings: most rows must take the fast path
    // (a speed property, not a correctness one: the equality is asserted inside compare).
    expect(falsePositives).toBeLessThan((accepted + falsePositives) * 0.1);
  }, 600_000);

  it('canonical values of every kind are never refused by the SQL (no false positives on clean data)', async () => {
    const clean: [ColumnType, fc.Arbitrary<string>][] = [
      [{ kind: 'int' }, fc.integer().map(String)],
      [{ kind: 'bigint' }, fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String)],
      [{ kind: 'double' }, fc.double({ noNaN: true, noDefaultInfinity: true }).map(String)],
      [{ kind: 'decimal', precision: 12, scale: 2 }, fc.bigInt({ min: -(10n ** 12n) + 1n, max: 10n ** 12n - 1n }).map((u) => `${u < 0n ? '-' : ''}${(u < 0n ? -u : u) / 100n}.${pad(Number((u < 0n ? -u : u) % 100n), 2)}`)],
      [{ kind: 'date' }, fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10))],
      [{ kind: 'timestamp' }, fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).chain((d) => fc.constantFrom(d.toISOString().slice(0, 19), d.toISOString().slice(0, 19).replace('T', ' '), d.toISOString(), d.toISOString().replace('Z', '123+00:00')))],
      [{ kind: 'string', maxLength: 4 }, fc.string({ maxLength: 4, unit: 'grapheme' }).filter((s) => [...s].length <= 4 && !/[\u0000-\u001f\u007f]/.test(s) && s.trim() === s && s !== '')],
    ];
    for (const [type, arb] of clean) {
      const table = defineTable({ name: 't', columns: { rid: col.string(), v: column(type, false) } } as never) as AnyTable;
      const cleaning = defineCleaning(table, { coerceKinds: { int: 'integral-float' } });
      await fc.assert(
        fc.asyncProperty(fc.array(arb, { minLength: 1, maxLength: 50 }), async (values) => {
          const r = await compare(cleaning, values);
          expect(r.falsePositives).toBe(0);
        }),
        { numRuns: Math.max(10, RUNS / 10), ...seeded },
      );
    }
  }, 600_000);
});

/** One column `v` of `type` with `rules`; `cases`: text → JS value as canonical text, or `undefined` for a reject. */
async function fixed(type: ColumnType, rules: CleaningRules, cases: Record<string, string | null | undefined>, nullable = false): Promise<void> {
  const table = defineTable({ name: 't', columns: { rid: col.string(), v: column(type, nullable) } } as never) as AnyTable;
  const cleaning = defineCleaning(table, rules as never);
  const values = Object.keys(cases);
  const sql = compileCleaningSql(cleaning, ['rid', 'v']);
  if ('ineligible' in sql) throw new Error(sql.ineligible);
  const rows = values.map((v, n) => [`r${n}`, v]);
  const js = await jsOutcomes(cleaning, ['rid', 'v'], rows);
  const { outcomes, flagged } = await sqlOutcomes(db.connection, table, sql, 2, rows);
  values.forEach((v, n) => {
    const want = cases[v];
    // The expectation is what the JS engine does (checked first), and the SQL must agree: same value, or flagged.
    expect({ v, js: js[n]?.[1] }).toEqual({ v, js: want });
    if (want === undefined) expect({ v, flagged: flagged[n] }).toEqual({ v, flagged: true });
    else expect({ v, flagged: flagged[n], sql: outcomes[n]?.[1] }).toEqual({ v, flagged: false, sql: want });
  });
}

describe('compileCleaningSql: fixed cases per rule', () => {
  it('int: the strict grammar, range, trim and integral-float', async () => {
    await fixed({ kind: 'int' }, {}, { '42': '42', ' 42\t': '42', '+7': '7', '-0': '0', '007': '7', '2147483647': '2147483647', '2147483648': undefined, '-2147483649': undefined, '1_000': undefined, '0x10': undefined, '1e5': undefined, '1.0': undefined, '00000000001': undefined, '\u00a042': undefined, '': undefined });
    await fixed({ kind: 'int' }, { coerce: { v: 'integral-float' } }, { '101.0': '101', '101.': '101', '-5.000': '-5', '101.5': undefined, '.0': undefined, '1e2': undefined, '7': '7' });
  });
  it('bigint, double', async () => {
    await fixed({ kind: 'bigint' }, {}, { '9223372036854775807': '9223372036854775807', '9223372036854775808': undefined, '-9223372036854775808': '-9223372036854775808', '+00000000000000000000001': '1', '1.0': undefined });
    await fixed({ kind: 'double' }, {}, { '1.5': '1.5', '.5': '0.5', '5.': '5', '-0': '-0', '1e5': '100000', '1E-400': '0', '1e400': undefined, 'inf': undefined, 'NaN': undefined, '1_0': undefined, '0x10': undefined, '0.1': '0.1', '1.7976931348623157e308': '1.7976931348623157e+308' });
  });
  it('decimal: exact, never rounded, leading and trailing zeros', async () => {
    await fixed({ kind: 'decimal', precision: 12, scale: 2 }, {}, { '107.15': '10715', '107.1': '10710', '107.150': '10715', '107.151': undefined, '1.005': undefined, '-0.00': '0', '.5': '50', '5.': '500', '+5': '500', '0000000000001.5': '150', '9999999999.99': '999999999999', '10000000000': undefined, '1e2': undefined, '1_0': undefined, '.': undefined, '': undefined });
    await fixed({ kind: 'decimal', precision: 38, scale: 10 }, {}, { '1234567890123456789012345678.0123456789': '12345678901234567890123456780123456789', '-0.0000000001': '-1' });
    await fixed({ kind: 'decimal', precision: 3, scale: 3 }, {}, { '0.123': '123', '.1': '100', '1.0': undefined, '0': '0', '00.1000': '100' });
  });
  it('money', async () => {
    await fixed({ kind: 'decimal', precision: 12, scale: 2 }, { coerce: { v: 'money' } }, { '$-77.00': '-7700', '-$77.00': '-7700', '$1,234.50': '123450', '$1,2345': undefined, '$,123': '12300', '$ 5': '500', '$\u00a05': '500', '$\ufeff5': '500', '+$+5': '500', '-$-5': '-500', '$': undefined, '$5.': undefined, '$.5': undefined, '12.5': '1250', '€5': undefined, '$1,234,': undefined });
  });
  it('month-year, yes-no, date-from-timestamp, upper, lower', async () => {
    await fixed({ kind: 'date' }, { coerce: { v: 'month-year' } }, { '12/2022': '19327', '1/2021': '18628', '13/2022': undefined, '0/2022': undefined, '2022-12-01': '19327', '123/2022': undefined });
    await fixed({ kind: 'boolean' }, { coerce: { v: 'yes-no' } }, { YES: 'true', y: 'true', '1': 'true', No: 'false', n: 'false', '0': 'false', TRUE: 'true', 'ſ': undefined, yess: undefined });
    await fixed({ kind: 'date' }, { coerce: { v: 'date-from-timestamp' } }, { '2025-01-31 23:07:42': '20119', '2025-01-31T23:07': '20119', '2025-01-31T23:07:42.5Z': '20119', '2025-01-31T23:07:42+00:00': undefined, '2025-02-30 00:00:00': undefined });
    await fixed({ kind: 'enum', values: ['CARD', 'PAYPAL'] }, { coerce: { v: 'upper' } }, { card: 'CARD', PayPal: 'PAYPAL', cash: undefined });
    await fixed({ kind: 'string' }, { coerce: { v: 'lower' } }, { ABC: 'abc' });
  });
  it('string, enum, boolean, date, timestamp', async () => {
    await fixed({ kind: 'string', maxLength: 2 }, {}, { US: 'US', USA: undefined, 'é': 'é', '😀😀': '😀😀', 'e\u0301e': undefined, 'a\u0001': undefined, 'a\nb': undefined, 'a\tb': undefined, ' a ': 'a' });
    await fixed({ kind: 'string' }, {}, { 'a\nb': 'a\nb', 'a\u007f': undefined, '\u00a0x\u00a0': '\u00a0x\u00a0' });
    await fixed({ kind: 'enum', values: ['card', 'paypal'] }, {}, { card: 'card', ' card': 'card', Card: undefined, '': undefined });
    await fixed({ kind: 'boolean' }, {}, { true: 'true', FALSE: 'false', tRuE: 'true', yes: undefined, '1': undefined });
    await fixed({ kind: 'date' }, {}, { '2025-01-31': '20119', '2024-02-29': '19782', '2025-02-29': undefined, '2025-2-3': undefined, '0000-01-01': undefined, '0000-02-29': undefined, '0001-01-01': '-719162', '9999-12-31': '2932896', '2025-01-31 ': '20119', '2025-01-31T00:00:00': undefined });
    await fixed({ kind: 'timestamp' }, {}, {
      '2025-01-31 23:07:42': '1738364862000000',
      '2025-01-31T23:07:42': '1738364862000000',
      '2025-01-31': '1738281600000000',
      '2025-01-31T23:07': '1738364820000000',
      '2025-01-31 23:07:42.123456789': '1738364862123456',
      '2025-01-31 23:07:42.9999999': '1738364862999999',
      '2025-01-31 23:07:42Z': '1738364862000000',
      '2025-01-31 23:07:42+00:00': '1738364862000000',
      '2025-01-31 23:07:42-0000': '1738364862000000',
      '2025-01-31 23:07:42+01:00': undefined,
      '2025-01-31 24:00:00': undefined,
      '2025-01-31 23:60:00': undefined,
      '2025-01-31 23:07:60': undefined,
      '2025-01-31 23:07:42.': undefined,
      '2025-1-31 23:07:42': undefined,
      '0000-01-01 00:00:00': undefined,
      '0000-01-01T00:00:00': undefined,
      '0000-12-31': undefined,
      '2025-01-31 23:99:00': undefined,
      '2025-01-31 23:00:99': undefined,
    });
  });
  it('null tokens, defaults and nullability', async () => {
    await fixed({ kind: 'int' }, { nullTokens: ['', 'NULL', '0'] }, { NULL: null, ' NULL ': null, '0': null, '': null, '5': '5', null: undefined }, true);
    await fixed({ kind: 'int' }, {}, { '': undefined, '5': '5' }, false);
    await fixed({ kind: 'string' }, { defaults: { v: 'desconocido' } }, { '': 'desconocido', ' ': 'desconocido', x: 'x' }, false);
    await fixed({ kind: 'int' }, { defaults: { v: 'oops' } }, { '': undefined, '5': '5' }, true);
    await fixed({ kind: 'decimal', precision: 12, scale: 2 }, { coerce: { v: 'money' }, defaults: { v: '$1,000.5' } }, { '': '100050', '2': '200' }, true);
    await fixed({ kind: 'int' }, { trim: false }, { ' 5': undefined, '5': '5', ' ': undefined }, true);
  });
});

describe('compileCleaningSql: header handling and eligibility', () => {
  const table = defineTable({
    name: 'h',
    columns: { order_id: col.int(), unit_price: col.decimal(12, 2).nullable(), state: col.string(), note: col.string().nullable() },
    primaryKey: ['order_id'],
  });
  it('normalises and renames header names, in any order; absent columns get their default or null', async () => {
    const cleaning = defineCleaning(table, { rename: { price_usd: 'unit_price' }, defaults: { state: 'desconocido' } });
    const sql = compileCleaningSql(cleaning, ['\uFEFF Price USD ', 'Order-ID']);
    if ('ineligible' in sql) throw new Error(sql.ineligible);
    const rows = await db.query(`SELECT ${sql.columns.join(', ')}, ${sql.rejected} AS rejected FROM (VALUES ('12.50', '7'), ('x', '8')) AS raw(c0, c1)`);
    expect(rows).toEqual([
      { order_id: 7, unit_price: '12.50', state: 'desconocido', note: null, rejected: false },
      { order_id: 8, unit_price: null, state: 'desconocido', note: null, rejected: true },
    ]);
  });
  it('refuses what the JS reader refuses or cannot be proven', () => {
    const ok = defineCleaning(table, { defaults: { state: 'x' } });
    expect(compileCleaningSql(ok, ['order_id', 'state', 'extra'])).toHaveProperty('ineligible');
    expect(compileCleaningSql(ok, ['order_id', 'order_id'])).toHaveProperty('ineligible');
    expect(compileCleaningSql(defineCleaning(table), ['order_id'])).toHaveProperty('ineligible'); // state missing, no default
    expect(compileCleaningSql(ok, ['order_id', 'constructor'])).toHaveProperty('ineligible');
    expect(compileCleaningSql(defineCleaning(table, { checks: [{ name: 'c', columns: ['order_id'], test: () => true }] }), ['order_id', 'state'])).toHaveProperty('ineligible');
    expect(compileCleaningSql(defineCleaning(table, { coerce: { state: (t: string) => t } }), ['order_id', 'state'])).toHaveProperty('ineligible');
    // A built-in passed as a function is still the built-in.
    expect(compileCleaningSql(defineCleaning(table, { coerce: { state: BUILTIN_COERCIONS.upper } }), ['order_id', 'state'])).not.toHaveProperty('ineligible');
    expect(compileCleaningSql(defineCleaning(table, { columnNames: 'exact' }), ['Order_ID', 'state'])).toHaveProperty('ineligible');
  });
  it('compiles every TechStore table (header = its columns)', () => {
    for (const cleaning of techstoreCleaning) {
      const sql = compileCleaningSql(cleaning, cleaning.table.columns.map((c) => c.name));
      expect(sql, cleaning.table.name).not.toHaveProperty('ineligible');
      const compiled = sql as CleaningSql;
      expect(compiled.columns).toHaveLength(cleaning.table.columns.length);
      expect(compiled.partitions.map((p) => p.name)).toEqual(cleaning.table.partitionKeys.map((k) => k.name));
    }
  });
});

/**
 * Micro-benchmark (opt-in: `CLEANING_SQL_BENCH=1`): the events bench file read by DuckDB with
 * explicit types vs `all_varchar` + the compiled SELECT and rejection filter, one thread, every
 * output column consumed by a hash aggregate. Prints the best of `CLEANING_SQL_BENCH_REPS` runs.
 */
describe.skipIf(process.env.CLEANING_SQL_BENCH === undefined)('compileCleaningSql: micro-benchmark', () => {
  it('events-760958.csv: typed read_csv vs all_varchar + compiled SQL', async () => {
    const file = process.env.CLEANING_SQL_BENCH_FILE ?? '/tmp/lakeblocks-bench/events-760958.csv';
    const events = techstoreCleaning.find((c) => c.table.name === 'events')!;
    const cleaning = defineCleaning(events.table, { coerceKinds: { int: 'integral-float' } }); // as bench/datasets.ts
    const header = events.table.columns.map((c) => c.name);
    const sql = compileCleaningSql(cleaning, header);
    if ('ineligible' in sql) throw new Error(sql.ineligible);
    const names = [...events.table.fileColumns.map((c) => c.name), 'year', 'month', 'day'];
    const consume = (from: string) => `SELECT count(*) AS n, ${names.map((n) => `sum(hash("${n}"))`).join(', ')} FROM (${from})`;
    const raw = `(SELECT ${header.map((h, i) => `coalesce("${h}", '') AS c${i}`).join(', ')} FROM read_csv('${file}', header = true, all_varchar = true, allow_quoted_nulls = false, auto_detect = false, columns = {${header.map((h) => `'${h}': 'VARCHAR'`).join(', ')}}))`;
    const variants: Record<string, string> = {
      typed: consume(`SELECT event_id::INTEGER AS event_id, session_id::INTEGER AS session_id, "timestamp", event_type, product_id::INTEGER AS product_id,
          qty::INTEGER AS qty, cart_size::INTEGER AS cart_size, payment, discount_pct::INTEGER AS discount_pct, amount_usd::DECIMAL(12,2) AS amount_usd,
          year("timestamp") AS year, month("timestamp") AS month, day("timestamp") AS day
        FROM read_csv('${file}', header = true, auto_detect = false, columns = {'event_id': 'DOUBLE', 'session_id': 'DOUBLE', 'timestamp': 'TIMESTAMP',
          'event_type': 'VARCHAR', 'product_id': 'DOUBLE', 'qty': 'DOUBLE', 'cart_size': 'DOUBLE', 'payment': 'VARCHAR', 'discount_pct': 'DOUBLE', 'amount_usd': 'VARCHAR'})`),
      varcharOnly: consume(`SELECT ${header.map((h, i) => `c${i} AS "${h}"`).join(', ')}, 1 AS year, 1 AS month, 1 AS day FROM ${raw}`),
      compiledNoFilter: consume(`SELECT ${[...sql.fileColumns, ...sql.partitions.map((p) => `${p.expr} AS "${p.name}"`)].join(', ')} FROM ${raw}`),
      compiled: consume(`SELECT ${[...sql.fileColumns, ...sql.partitions.map((p) => `${p.expr} AS "${p.name}"`)].join(', ')} FROM ${raw} WHERE CASE WHEN ${sql.rejected} THEN error('rejected row') ELSE true END`),
      // Strict columns (an error instead of the filter), partition keys from the typed time column.
      strictLayered: consume(`SELECT *, ${sql.partitionsOverColumns!.map((p) => `${p.expr} AS "${p.name}"`).join(', ')}
        FROM (SELECT ${sql.strictFileColumns.join(', ')} FROM ${raw})`),
      // Partition keys computed from the typed time column in an outer SELECT (partitionsOverColumns).
      compiledLayered: consume(`SELECT *, ${sql.partitionsOverColumns!.map((p) => `${p.expr} AS "${p.name}"`).join(', ')}
        FROM (SELECT ${sql.fileColumns.join(', ')} FROM ${raw} WHERE CASE WHEN ${sql.rejected} THEN error('rejected row') ELSE true END)`),
    };
    const reps = Number(process.env.CLEANING_SQL_BENCH_REPS ?? 3);
    const best: Record<string, number> = {};
    const results: Record<string, unknown> = {};
    for (let r = 0; r < reps; r++) {
      for (const [name, query] of Object.entries(variants)) {
        const t0 = performance.now();
        const rows = await db.query(query);
        const ms = performance.now() - t0;
        best[name] = Math.min(best[name] ?? Infinity, ms);
        results[name] = rows[0]?.n;
      }
    }
    console.log(JSON.stringify({ file, bestMs: Object.fromEntries(Object.entries(best).map(([k, v]) => [k, Math.round(v)])), ratio: +(best.strictLayered! / best.typed!).toFixed(2), rows: results }));
    expect(results.compiled).toBe(results.typed);
  }, 600_000);
});

const TECHSTORE = join(import.meta.dirname, '../../../../../shared/data/techstore');

describe.skipIf(!existsSync(TECHSTORE))('compileCleaningSql on the real TechStore files (DuckDB read_csv all_varchar)', () => {
  it('refuses exactly the rows the JS engine rejects and gives its values for every other row', async () => {
    const batches = join(TECHSTORE, 'batches');
    const files = [
      ...readdirSync(TECHSTORE).map((f) => join(TECHSTORE, f)),
      ...(existsSync(batches) ? readdirSync(batches).flatMap((d) => readdirSync(join(batches, d)).map((f) => join(batches, d, f))) : []),
    ].filter((f) => f.endsWith('.csv'));
    expect(files.length).toBeGreaterThan(0);
    const byLongestName = [...techstoreCleaning].sort((a, b) => b.table.name.length - a.table.name.length);
    for (const path of files) {
      const f = basename(path);
      const base = byLongestName.find((c) => f.startsWith(c.table.name))!;
      // Without dedupe: duplicate keys are the caller's part, not the SQL's.
      const cleaning = defineCleaning(base.table, { coerceKinds: { int: 'integral-float' } });
      const header = readFileSync(path, 'utf8').split(/\r?\n/, 1)[0]!.split(',');
      const sql = compileCleaningSql(cleaning, header);
      if ('ineligible' in sql) throw new Error(sql.ineligible);
      const table = cleaning.table;
      // JS engine: every accepted row, in file order, as canonical text.
      const rejectedLines: number[] = [];
      const reader = readCsvBatches(createReadStream(path), { cleaning, file: f, onReject: (r) => rejectedLines.push(r.line) });
      const js: string[] = [];
      for await (const { batch } of reader) {
        for (let i = 0; i < batch.numRows; i++) js.push(JSON.stringify(table.fileColumns.map((c, k) => arrowCell(batch.getChildAt(k)!, i, c.type))));
      }
      // DuckDB: the compiled SQL over the file read as text.
      const raw = `(SELECT ${header.map((h, i) => `coalesce("${h}", '') AS c${i}`).join(', ')} FROM read_csv('${path}', header = true, all_varchar = true, allow_quoted_nulls = false, auto_detect = false, delim = ',', quote = '"', escape = '"', columns = {${header.map((h) => `'${h}': 'VARCHAR'`).join(', ')}}))`;
      const outputs = table.fileColumns.map((c) => canonicalSql(c.name, c.type));
      const result = await db.connection.runAndReadAll(`SELECT __rejected, ${outputs.join(', ')} FROM (SELECT ${sql.rejected} AS __rejected, ${sql.fileColumns.join(', ')} FROM ${raw})`);
      const rows = result.getRows();
      const flagged = rows.filter((r) => r[0] === true).length;
      const duck = rows.filter((r) => r[0] !== true).map((r) => JSON.stringify(r.slice(1).map((v) => (v === null ? null : typeof v === 'number' ? doubleText(v) : String(v).replace(/^\|/, '')))));
      expect({ f, rowsIn: reader.stats.rowsIn, rejected: reader.stats.rowsRejected }).toEqual({ f, rowsIn: rows.length, rejected: flagged });
      expect(duck).toEqual(js);
    }
  }, 120_000);
});
