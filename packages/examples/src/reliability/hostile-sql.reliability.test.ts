/**
 * SQL in identifiers and values, property-based (fast-check), against the real engines: core's
 * quoting helpers (`duckDbString`, `duckDbIdentifier` on DuckDB; `mySqlString`, `backtickIdentifier`
 * on MariaDB) and the MySQL loader (`MySqlLoader.load`, INSERT and LOAD DATA) with hostile values.
 * Each value either is refused with InvalidArgument or comes back byte for byte; no statement ever
 * runs what a value smuggled in (a canary table must never appear). Needs MariaDB on
 * 127.0.0.1:3306 (database lakeblocks_examples_test, tables prefixed `rel_`).
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { CoreError, backtickIdentifier, col, defineTable, duckDbIdentifier, duckDbString, mySqlString } from '@lakeblocks/core';
import { LoadersError } from '@lakeblocks/loaders';
import { MySqlLoader } from '@lakeblocks/loaders/mysql';
import { createConnection, createPool, type Connection, type Pool, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuck } from './lake-inspect.js';

const DATABASE = 'lakeblocks_examples_test';
const PREFIX = `rel_${Date.now().toString(36)}_${randomBytes(2).toString('hex')}_`;
const CANARY = `${PREFIX}pwned`;
const url = new URL(process.env.LAKEBLOCKS_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/');
url.pathname = `/${DATABASE}`;

const isWellFormed = (s: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
/** Injection attempts, mixed with arbitrary text. */
const attack = fc.constantFrom(
  "'",
  "''",
  '\\',
  "\\'",
  '"',
  '`',
  '``',
  ';',
  '--',
  '-- ',
  '#',
  '/*',
  '*/',
  '\u0000',
  '\n',
  '\r\n',
  '\u001a',
  '%',
  '_',
  '?',
  '$1',
  `'); CREATE TABLE ${CANARY} (x INT); -- `,
  `"; CREATE TABLE ${CANARY} (x INT); --`,
  `\`; CREATE TABLE ${CANARY} (x INT); #`,
  "', 666), (999, 0x696e6a, 999) -- ",
  '\\0',
  '\\n',
  'NULL',
  '\\N',
);
const hostile = fc
  .array(fc.oneof({ weight: 2, arbitrary: attack }, { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) }), { minLength: 1, maxLength: 6 })
  .map((parts) => parts.join(''))
  .filter(isWellFormed);

const tally: Record<string, number> = {};
const bump = (k: string) => (tally[k] = (tally[k] ?? 0) + 1);

let admin: Connection;
beforeAll(async () => {
  admin = await createConnection({ uri: url.toString(), connectTimeout: 5_000, timezone: 'Z' });
});
afterAll(async () => {
  console.info(`[reliability] hostile SQL: ${JSON.stringify(tally)}`);
  if (!admin) return;
  const [tables] = await admin.query<RowDataPacket[]>('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ? AND table_name LIKE ?', [
    DATABASE,
    `${PREFIX.replace(/_/g, '\\_')}%`,
  ]);
  for (const { t } of tables as { t: string }[]) await admin.query(`DROP TABLE IF EXISTS \`${t}\``);
  await admin.end();
});

async function canaryExists(): Promise<boolean> {
  const [rows] = await admin.query<RowDataPacket[]>('SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?', [DATABASE, CANARY]);
  return rows.length > 0;
}

describe('core quoting helpers on the real engines', () => {
  it('duckDbString and duckDbIdentifier: DuckDB reads back exactly the value and the column name', async () => {
    const duck = await openDuck();
    try {
      await fc.assert(
        fc.asyncProperty(hostile, async (value) => {
          let sql: string;
          try {
            sql = `SELECT ${duckDbString(value)} AS ${duckDbIdentifier(value)}`;
          } catch (error) {
            bump('duckdb refused');
            expect(error).toBeInstanceOf(CoreError);
            expect(value === '' || value.includes('\u0000')).toBe(true); // an empty identifier, or NUL

            return;
          }
          bump('duckdb quoted');
          const reader = await duck.conn.runAndReadAll(sql);
          expect(reader.columnNames()).toEqual([value]);
          expect(reader.getRowsJson()).toEqual([[value]]);
        }),
        { numRuns: 300, seed: 3 },
      );
    } finally {
      duck.close();
    }
  });

  it('mySqlString and backtickIdentifier: MariaDB (default sql_mode) reads back exactly the value; no canary table', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async (value) => {
        let literal: string;
        try {
          literal = mySqlString(value);
        } catch (error) {
          bump('mysql refused');
          expect(error).toBeInstanceOf(CoreError);
          expect(value).toContain('\u0000');
          return;
        }
        bump('mysql quoted');
        const [rows] = await admin.query<RowDataPacket[]>(`SELECT ${literal} AS v`);
        expect((rows[0] as { v: string }).v).toBe(value);
        // As an identifier: MariaDB creates exactly that name, or refuses the name itself (too
        // long, trailing space, newline …) — never a syntax error, which would mean the quoting broke.
        const name = `${PREFIX}${[...value].slice(0, 40).join('')}`;
        try {
          await admin.query(`CREATE TABLE ${backtickIdentifier(name)} (x INT)`);
        } catch (error) {
          bump('mysql identifiers refused by the server');
          expect((error as { code?: string }).code, String(error)).toMatch(/^(ER_WRONG_TABLE_NAME|ER_TOO_LONG_IDENT|ER_INVALID_CHARACTER_STRING|ER_CANT_CREATE_TABLE)$/);
          return;
        }
        const [found] = await admin.query<RowDataPacket[]>('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ? AND table_name = ?', [DATABASE, name]);
        expect(found).toHaveLength(1);
        await admin.query(`DROP TABLE ${backtickIdentifier(name)}`);
        bump('mysql identifiers created exactly');
      }),
      { numRuns: 150, seed: 5 },
    );
    expect(await canaryExists()).toBe(false);
  });
});

const notes = defineTable({ name: 'notes', columns: { id: col.int(), note: col.string().nullable(), n: col.int() }, primaryKey: ['id'] });

async function loadAndReadBack(pool: Pool, table: string, values: string[], method: 'insert' | 'load-data') {
  const rows = values.map((note, i) => ({ id: i + 1, note, n: i + 1 }));
  const result = await new MySqlLoader(pool).load(notes, rows, { mode: 'replace', tableName: table, method });
  const [back] = await pool.query<RowDataPacket[]>(`SELECT id, note, n FROM ${backtickIdentifier(table)} ORDER BY id`);
  return { result, rows, back: back.map((r) => ({ id: r.id as number, note: r.note as string, n: r.n as number })) };
}

describe('MySqlLoader with hostile values', () => {
  let pool: Pool;
  beforeAll(() => {
    pool = createPool({ uri: url.toString(), timezone: 'Z', connectTimeout: 5_000, connectionLimit: 2 });
  });
  afterAll(() => pool?.end());

  it.each(['insert', 'load-data'] as const)('%s: every hostile value comes back byte for byte; no canary table', async (method) => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(hostile, { minLength: 1, maxLength: 25 }), async (values) => {
        const table = `${PREFIX}${method === 'insert' ? 'ins' : 'ld'}_${++run}`;
        const { result, rows, back } = await loadAndReadBack(pool, table, values, method);
        bump(`loader ${method} rows`);
        expect(result.rows).toBe(rows.length);
        expect(back).toEqual(rows);
        await admin.query(`DROP TABLE ${backtickIdentifier(table)}`);
      }),
      { numRuns: 12, seed: 9 },
    );
    expect(await canaryExists()).toBe(false);
  });

  it('refuses hostile table names before sending anything', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async (suffix) => {
        const error = await new MySqlLoader(pool).load(notes, [{ id: 1, note: 'x', n: 1 }], { mode: 'append', tableName: `${PREFIX}${suffix}` }).then(
          () => undefined,
          (e: unknown) => e,
        );
        if (/^[a-z0-9_]*$/.test(suffix)) return; // a plain name is fine
        bump('loader table names refused');
        expect(error).toBeInstanceOf(LoadersError);
        expect((error as LoadersError)._tag).toBe('InvalidArgument');
      }),
      { numRuns: 100, seed: 13 },
    );
    expect(await canaryExists()).toBe(false);
  });

  // Found by this suite: mysql2's client-side escaping writes `'` as `\'` and LOAD DATA doubles
  // backslashes, which a session in sql_mode NO_BACKSLASH_ESCAPES (a common RDS parameter-group
  // setting) reads differently — a value could end its literal and add rows. The loader now switches
  // that mode off on its session for the load and restores it on release.
  it.each(['insert', 'load-data'] as const)('%s under sql_mode NO_BACKSLASH_ESCAPES: values come back byte for byte, nothing injected', async (method) => {
    const nbe = createPool({ uri: url.toString(), timezone: 'Z', connectTimeout: 5_000, connectionLimit: 1 });
    nbe.on('connection', (c: { query(sql: string): unknown }) => {
      c.query("SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_BACKSLASH_ESCAPES')");
    });
    try {
      const { back, rows } = await loadAndReadBack(nbe, `${PREFIX}nbe_${method.replace('-', '')}`, ['plain', '\\', "', 666), (999, 0x696e6a, 999) -- ", 'four'], method);
      expect(back).toEqual(rows);
      // The pool's one connection went back with its own sql_mode.
      const [mode] = (await nbe.query('SELECT @@SESSION.sql_mode AS m')) as unknown as [{ m: string }[]];
      expect(mode[0]?.m).toContain('NO_BACKSLASH_ESCAPES');
    } finally {
      await nbe.end();
    }
  });
});
