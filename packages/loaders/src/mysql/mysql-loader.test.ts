import { col, defineTable, type AnyTable } from '@lakeblocks/core';
import type { MySqlConnectionLike, MySqlPoolLike } from '@lakeblocks/core/mysql';
import { DateDay, Decimal, Field, makeData, RecordBatch, Schema, Struct, TimeUnit, TimestampMicrosecond, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { LoadersError } from '../errors/loaders-error.js';
import { arrowColumnReaders, decimalWordsToString, formatEpochDay, timestampToString } from './arrow-rows.js';
import { MySqlLoader } from './mysql-loader.js';
import { paramBytes, toMySqlParam } from './row-values.js';
import { lineItems, makeRows } from './test-fixtures.js';

interface Sent {
  conn: number;
  sql: string;
  values: unknown[] | undefined;
  timeout: number | undefined;
}

/** A structural pool whose INSERTs fail as scripted. */
function fakePool(script: { failInsert?: (n: number) => unknown; hang?: boolean; sqlMode?: string } = {}) {
  const sent: Sent[] = [];
  const destroyed: number[] = [];
  let connections = 0;
  let inserts = 0;
  const pool: MySqlPoolLike = {
    async getConnection(): Promise<MySqlConnectionLike> {
      const id = ++connections;
      return {
        async query(options) {
          // The sql_mode check on every connection taken is answered here and, unless the test sets a
          // mode, left out of `sent` so the statement lists below stay about the load itself.
          if (options.sql === 'SELECT @@SESSION.sql_mode AS sql_mode') {
            if (script.sqlMode !== undefined) sent.push({ conn: id, sql: options.sql, values: options.values, timeout: options.timeout });
            return [[{ sql_mode: script.sqlMode ?? 'STRICT_TRANS_TABLES' }], []];
          }
          sent.push({ conn: id, sql: options.sql, values: options.values, timeout: options.timeout });
          if (options.sql.startsWith('SELECT @@SESSION.max_allowed_packet')) return [[{ max_allowed_packet: 16 * 1024 * 1024 }], []];
          if (options.sql.startsWith('INSERT')) {
            if (script.hang) return new Promise(() => undefined);
            const failure = script.failInsert?.(++inserts);
            if (failure !== undefined) throw failure;
          }
          return [{ affectedRows: 1 }, []];
        },
        beginTransaction: async () => undefined,
        commit: async () => undefined,
        rollback: async () => undefined,
        release: () => undefined,
        destroy: () => destroyed.push(id),
      };
    },
  };
  return { pool, sent, destroyed, connections: () => connections };
}

const lost = () => Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true });

describe('MySqlLoader statements', () => {
  it('creates the table, quotes identifiers and parameterises every value (upsert)', async () => {
    const { pool, sent } = fakePool();
    await new MySqlLoader(pool).load(lineItems, makeRows(0, 2), { mode: 'upsert', tableName: 'items' });
    expect(sent.map((s) => s.sql.split('\n')[0])).toEqual([
      'SELECT @@SESSION.max_allowed_packet AS max_allowed_packet',
      'CREATE TABLE IF NOT EXISTS `items` (',
      'INSERT INTO `items` (`item_id`, `order_ref`, `price_usd`, `weight`, `sold_at`, `ship_day`, `gift`, `note`, `channel`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE `order_ref` = VALUES(`order_ref`), `price_usd` = VALUES(`price_usd`), `weight` = VALUES(`weight`), `sold_at` = VALUES(`sold_at`), `ship_day` = VALUES(`ship_day`), `gift` = VALUES(`gift`), `note` = VALUES(`note`), `channel` = VALUES(`channel`)',
    ]);
    const insert = sent[2]!;
    expect(insert.values?.slice(0, 9)).toEqual([0, '9007199254740993', '0.05', 0, '2025-01-01 00:00:00.000', null, 1, null, 'app']);
    expect(insert.timeout).toBe(120_000);
    expect(insert.sql).not.toContain('DROP TABLE x');
  });

  it('switches NO_BACKSLASH_ESCAPES off for the load (escaped values would inject SQL) and restores the session mode on release', async () => {
    const { pool, sent } = fakePool({ sqlMode: 'STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES,NO_ENGINE_SUBSTITUTION' });
    await new MySqlLoader(pool).load(lineItems, makeRows(0, 1), { mode: 'append', tableName: 'items' });
    const sql = sent.map((s) => s.sql.split('\n')[0]);
    expect(sql.slice(0, 2)).toEqual(['SELECT @@SESSION.sql_mode AS sql_mode', "SET SESSION sql_mode = 'STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION'"]);
    expect(sql.at(-1)).toBe("SET SESSION sql_mode = 'STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES,NO_ENGINE_SUBSTITUTION'");
    expect(sql.filter((s) => s?.startsWith('INSERT'))).toHaveLength(1);
  });

  it('refuses to load when a NO_BACKSLASH_ESCAPES session reports a mode it cannot restore safely', async () => {
    const { pool } = fakePool({ sqlMode: "NO_BACKSLASH_ESCAPES,X'; DROP TABLE t; --" });
    await expect(new MySqlLoader(pool).load(lineItems, makeRows(0, 1), { mode: 'append', tableName: 'items' })).rejects.toThrow(/refusing to send escaped values with NO_BACKSLASH_ESCAPES/);
  });

  it('replace loads a staging table of its own and swaps it in with one RENAME', async () => {
    const { pool, sent } = fakePool();
    await new MySqlLoader(pool).load(lineItems, makeRows(0, 1), { mode: 'replace', tableName: 'items' });
    const token = /`items__lb_stage_([0-9a-f]{10})`/.exec(sent[2]!.sql)?.[1];
    expect(token).toBeDefined();
    expect(sent.map((s) => s.sql.split(' (')[0]?.split('\n')[0])).toEqual([
      // Stages of killed loads of this table (older than a day) are dropped first.
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE ? ESCAPE '!' AND create_time < NOW() - INTERVAL ? SECOND",
      'SELECT @@SESSION.max_allowed_packet AS max_allowed_packet',
      `CREATE TABLE IF NOT EXISTS \`items__lb_stage_${token}\``,
      `INSERT INTO \`items__lb_stage_${token}\``,
      'CREATE TABLE IF NOT EXISTS `items`',
      `RENAME TABLE \`items\` TO \`items__lb_old_${token}\`, \`items__lb_stage_${token}\` TO \`items\``,
      `DROP TABLE IF EXISTS \`items__lb_old_${token}\``,
    ]);
    // Another load stages under another name.
    const second = fakePool();
    await new MySqlLoader(second.pool).load(lineItems, makeRows(0, 1), { mode: 'replace', tableName: 'items' });
    expect(second.sent[2]!.sql).not.toContain(token);
  });

  it('keeps stage names within 64 characters for the longest table names', async () => {
    const { pool, sent } = fakePool();
    const long = 'a'.repeat(64);
    await new MySqlLoader(pool).load(lineItems, makeRows(0, 1), { mode: 'replace', tableName: long });
    const names = sent.flatMap((s) => [...s.sql.matchAll(/`([^`]+)`/g)].map((m) => m[1]!)).filter((n) => n.includes('__lb_'));
    expect(names.length).toBeGreaterThan(0);
    for (const n of names) expect(n.length).toBeLessThanOrEqual(64);
    expect(new Set(names.filter((n) => n.includes('__lb_stage_'))).size).toBe(1);
  });

  it('upsert through LOAD DATA stages keyed by load order (not the table key) and merges with INSERT … SELECT … ON DUPLICATE KEY UPDATE, never REPLACE', async () => {
    const { pool, sent } = fakePool();
    await new MySqlLoader(pool).load(lineItems, makeRows(0, 1), { mode: 'upsert', tableName: 'items', method: 'load-data' }).catch(() => undefined);
    const sql = sent.map((s) => s.sql);
    const stage = /`(items__lb_stage_[0-9a-f]{10})`/.exec(sql.find((s) => s.includes('__lb_stage_'))!)?.[1];
    const create = sql.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS \`${stage}\``))!;
    expect(create).toContain('PRIMARY KEY (`__lb_seq`)'); // repeated source keys stay, numbered in load order
    expect(create).not.toContain('PRIMARY KEY (`item_id`)');
    expect(create).toContain('`item_id` INT NOT NULL');
    expect(sql.some((s) => /REPLACE/.test(s))).toBe(false);
    expect(sql.find((s) => s.startsWith('LOAD DATA'))).toContain(`INTO TABLE \`${stage}\``);
    expect(sql).toContain(`DROP TABLE IF EXISTS \`${stage}\``); // the fake server does not run LOAD DATA: the load fails, the stage is dropped
  });

  it('keeps each statement under the 65,535-placeholder cap', async () => {
    const columns = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`c${i}`, col.int()]));
    const wide: AnyTable = defineTable({ name: 'wide', columns });
    const rows = Array.from({ length: 2_000 }, (_, r) => Object.fromEntries(Object.keys(columns).map((c) => [c, r])));
    const { pool, sent } = fakePool();
    const result = await new MySqlLoader(pool, { maxStatementBytes: 64 * 1024 * 1024, maxAllowedPacket: 64 * 1024 * 1024, maxRowsPerStatement: 1e6 }).load(
      wide,
      rows,
      { mode: 'append' },
    );
    const inserts = sent.filter((s) => s.sql.startsWith('INSERT'));
    expect(inserts.map((s) => s.values?.length)).toEqual([65_500, 65_500, 65_500, 3_500]);
    expect(result).toMatchObject({ rows: 2_000, statements: 4 });
  });

  it('retries a lost connection on a fresh one when the mode is idempotent (upsert)', async () => {
    const { pool, sent, destroyed } = fakePool({ failInsert: (n) => (n === 1 ? lost() : undefined) });
    const result = await new MySqlLoader(pool, { baseDelayMs: 1 }).load(lineItems, makeRows(0, 3), { mode: 'upsert', tableName: 'items' });
    expect(result.rows).toBe(3);
    const inserts = sent.filter((s) => s.sql.startsWith('INSERT'));
    expect(inserts.map((s) => s.conn)).toEqual([1, 2]);
    expect(destroyed).toEqual([1]);
  });

  it('never retries an append statement: its outcome is unknown', async () => {
    const { pool, sent } = fakePool({ failInsert: (n) => (n === 1 ? lost() : undefined) });
    const error = (await new MySqlLoader(pool, { baseDelayMs: 1 }).load(lineItems, makeRows(0, 3), { mode: 'append', tableName: 'items' }).catch((e: unknown) => e)) as LoadersError;
    expect(error).toBeInstanceOf(LoadersError);
    expect(error._tag).toBe('ConnectionFailed');
    expect(error.message).toMatch(/load into items \(append, after 0 rows in 0 statements\) failed: Connection lost/);
    expect(sent.filter((s) => s.sql.startsWith('INSERT'))).toHaveLength(1);
  });

  it('times out a statement that never answers, and destroys its connection', async () => {
    const { pool, destroyed } = fakePool({ hang: true });
    const started = Date.now();
    const error = (await new MySqlLoader(pool, { queryTimeoutMs: 30, attempts: 1 }).load(lineItems, makeRows(0, 1), { mode: 'append', tableName: 'items' }).catch((e: unknown) => e)) as LoadersError;
    expect(error._tag).toBe('Timeout');
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(destroyed).toContain(1);
  });
});

describe('MySqlLoader LOAD DATA bounds', () => {
  it('bounds COMMIT and ROLLBACK of a LOAD DATA chunk: a server that never answers gives Timeout, not a hang', async () => {
    const destroyed: number[] = [];
    let connections = 0;
    const pool: MySqlPoolLike = {
      async getConnection(): Promise<MySqlConnectionLike> {
        const id = ++connections;
        return {
          async query(options: { sql: string; infileStreamFactory?: (path: string) => NodeJS.ReadableStream }) {
            if (options.sql.startsWith('SELECT @@SESSION.max_allowed_packet')) return [[{ max_allowed_packet: 16 * 1024 * 1024 }], []];
            if (options.sql.startsWith('LOAD DATA')) {
              let lines = 0;
              for await (const chunk of options.infileStreamFactory!('x')) lines += String(chunk).split('\n').length - 1;
              return [{ affectedRows: lines, warningStatus: 0 }, []];
            }
            return [{ affectedRows: 0 }, []];
          },
          beginTransaction: async () => undefined,
          commit: () => new Promise<void>(() => undefined), // the server never answers
          rollback: () => new Promise<void>(() => undefined),
          release: () => undefined,
          destroy: () => destroyed.push(id),
        } as MySqlConnectionLike;
      },
    };
    const started = Date.now();
    const error = (await new MySqlLoader(pool, { queryTimeoutMs: 50, connectTimeoutMs: 50, attempts: 1 })
      .load(lineItems, makeRows(0, 3), { mode: 'append', tableName: 'items', method: 'load-data' })
      .catch((e: unknown) => e)) as LoadersError;
    expect(error).toBeInstanceOf(LoadersError);
    expect(error._tag).toBe('Timeout');
    expect(error.message).toMatch(/COMMIT on items/);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(destroyed).toContain(1);
  }, 10_000);
});

describe('value conversion', () => {
  it('converts exactly and rejects wrong kinds', () => {
    expect(toMySqlParam({ kind: 'decimal', precision: 38, scale: 2 }, '12345678901234567890123456789012345.67')).toBe('12345678901234567890123456789012345.67');
    expect(toMySqlParam({ kind: 'bigint' }, -9_223_372_036_854_775_808n)).toBe('-9223372036854775808');
    expect(toMySqlParam({ kind: 'date' }, '2025-01-31')).toBe('2025-01-31');
    expect(toMySqlParam({ kind: 'timestamp' }, new Date('2025-01-31T23:59:59.999Z'))).toBe('2025-01-31 23:59:59.999');
    expect(() => toMySqlParam({ kind: 'int' }, '1')).toThrow(/expected a int value, got a value of type string/);
    expect(() => toMySqlParam({ kind: 'double' }, NaN)).toThrow(/got the number NaN/);
    expect(paramBytes("a'b")).toBe(8);
    expect(paramBytes('é')).toBe(6);
  });

  it('reads Arrow decimals and timestamps exactly', () => {
    const minus = new Uint32Array([(-12345 >>> 0), 0xffffffff, 0xffffffff, 0xffffffff]);
    expect(decimalWordsToString(minus, 0, 4, 2)).toBe('-123.45');
    expect(decimalWordsToString(new Uint32Array([5, 0, 0, 0]), 0, 4, 3)).toBe('0.005');
    expect(decimalWordsToString(new Uint32Array([0, 1, 0, 0]), 0, 4, 0)).toBe('4294967296');
    expect(timestampToString(1_738_326_896_123_456n, TimeUnit.MICROSECOND)).toBe('2025-01-31 12:34:56.123456');
    expect(timestampToString(-1n, TimeUnit.MICROSECOND)).toBe('1969-12-31 23:59:59.999999');
    expect(timestampToString(1_738_326_896_123_456_789n, TimeUnit.NANOSECOND)).toBe('2025-01-31 12:34:56.123456');
    expect(timestampToString(951_782_400_000_001n, TimeUnit.MICROSECOND)).toBe('2000-02-29 00:00:00.000001');
    expect(timestampToString(-62_135_596_800_000_000n, TimeUnit.MICROSECOND)).toBe('0001-01-01 00:00:00.000000');
    expect(timestampToString(253_402_300_799_999_999n, TimeUnit.MICROSECOND)).toBe('9999-12-31 23:59:59.999999');
    // Every day of four centuries against the native calendar.
    for (let day = -719_162; day < 2_932_896; day += 97) {
      expect(formatEpochDay(day)).toBe(new Date(day * 86_400_000).toISOString().slice(0, 10).replace(/^\+0*(\d{4})/, '$1'));
    }
  });

  it('reads sliced Arrow batches (non-zero offset) at the right rows', () => {
    // RecordBatch.slice keeps the validity bitmap and bumps data.offset, but the value buffers are
    // already cut: indexing them with offset + i read the wrong rows (or past the end → 1970).
    const days = [Date.UTC(2020, 0, 1), Date.UTC(2021, 0, 1), Date.UTC(2022, 0, 1)].map((ms) => new Date(ms));
    const micros = BigInt64Array.from([1n, 2_000_000n, 3_000_000n]);
    const words = new Uint32Array([100, 0, 0, 0, 200, 0, 0, 0, 300, 0, 0, 0]);
    const type = new Struct([
      new Field('d', new DateDay(), true),
      new Field('t', new TimestampMicrosecond(), true),
      new Field('m', new Decimal(2, 12, 128), true),
    ]);
    const children = [
      vectorFromArray(days, new DateDay()).data[0]!,
      makeData({ type: new TimestampMicrosecond(), length: 3, data: micros }),
      makeData({ type: new Decimal(2, 12, 128), length: 3, data: words }),
    ];
    const batch = new RecordBatch(new Schema(type.children), makeData({ type, length: 3, nullCount: 0, children }));
    const sliced = batch.slice(1, 3);
    const columns = defineTable({ name: 's', columns: { d: col.date(), t: col.timestamp(), m: col.decimal(12, 2) } }).columns;
    const readers = arrowColumnReaders(sliced, columns, 's');
    expect([0, 1].map((i) => readers.map((read) => read(i)))).toEqual([
      ['2021-01-01', '1970-01-01 00:00:02.000000', '2.00'],
      ['2022-01-01', '1970-01-01 00:00:03.000000', '3.00'],
    ]);
  });

  it('refuses decimals the column would round or overflow instead of letting MySQL round them with a note', () => {
    const money = { kind: 'decimal', precision: 12, scale: 2 } as const;
    expect(toMySqlParam(money, '19.990')).toBe('19.990');
    expect(toMySqlParam(money, '-0000000123.40')).toBe('-0000000123.40');
    expect(() => toMySqlParam(money, '19.999')).toThrow(/3 decimal places does not fit DECIMAL\(12,2\)/);
    expect(() => toMySqlParam(money, '12345678901.5')).toThrow(/11 integer digits does not fit DECIMAL\(12,2\)/);
    expect(() => toMySqlParam(money, 0.125)).not.toThrow(); // a number is rounded by toFixed, as documented
    // An Arrow Decimal(38,4) batch into a DECIMAL(12,2) column: exact values pass, a rounded one is refused.
    const type = new Struct([new Field('m', new Decimal(4, 38, 128), true)]);
    const words = new Uint32Array([199_900, 0, 0, 0, 199_990, 0, 0, 0]); // 19.9900, 19.9990
    const batch = new RecordBatch(new Schema(type.children), makeData({ type, length: 2, nullCount: 0, children: [makeData({ type: new Decimal(4, 38, 128), length: 2, data: words })] }));
    const [read] = arrowColumnReaders(batch, defineTable({ name: 'm', columns: { m: col.decimal(12, 2) } }).columns, 'm');
    expect(read!(0)).toBe('19.9900');
    expect(() => read!(1)).toThrow(/4 decimal places|3 decimal places/);
  });
});
