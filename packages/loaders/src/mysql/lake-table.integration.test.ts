// readLakeTable over a Hive-partitioned Parquet dataset written by DuckDB (an independent writer), and
// loadLakeTable into the real MariaDB (database lakeblocks_loaders_test).
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { LocalStorage, col, defineTable } from '@lakeblocks/core';
import { DataType, TimeUnit, type RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestMySql } from '@lakeblocks/core/testing';
import { createPool, type RowDataPacket } from 'mysql2/promise';
import { arrowColumnReaders } from './arrow-rows.js';
import { loadLakeTable, readLakeTable } from './lake-table.js';
import { MySqlLoader } from './mysql-loader.js';

const payments = defineTable({
  name: 'payments',
  columns: {
    payment_id: col.int(),
    paid_at: col.timestamp(),
    amount_usd: col.decimal(12, 2),
    big_amount: col.decimal(30, 6).nullable(),
    note: col.string().nullable(),
  },
  primaryKey: ['payment_id'],
  partitioning: { kind: 'time', column: 'paid_at', granularity: 'month' },
});

const ROWS = [
  [1, '2024-12-31 23:59:59.999999', '0.01', '123456789012345678901234.123456', 'first'],
  [2, '2025-01-01 00:00:00.000001', '-99999.99', null, null],
  [3, '2025-01-15 12:34:56.123456', '1234567890.12', '-0.000001', "it's"],
  [4, '2025-02-28 08:00:00', '0.00', '0', 'ünïcödé'],
] as const;

let root: string;
let storage: LocalStorage;

async function readAll(filter?: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  const names = [...payments.columns.map((c) => c.name)];
  const batches: RecordBatch[] = [];
  for await (const batch of readLakeTable(storage, payments, filter === undefined ? { layer: 'curated' } : { layer: 'curated', filter })) batches.push(batch);
  for (const batch of batches) {
    const readers = arrowColumnReaders(batch, payments.columns, payments.name);
    for (let i = 0; i < batch.numRows; i++) {
      const row: Record<string, unknown> = {};
      names.forEach((n, c) => (row[n] = readers[c]!(i)));
      row.year = batch.getChild('year')?.get(i);
      row.month = batch.getChild('month')?.get(i);
      rows.push(row);
    }
  }
  return rows.sort((a, b) => (a.payment_id as number) - (b.payment_id as number));
}

describe('readLakeTable', () => {
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'lb-lake-read-'));
    storage = new LocalStorage(root);
    await mkdir(join(root, 'curated'), { recursive: true });
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    const values = ROWS.map(
      ([id, at, amount, big, note]) =>
        `(${id}, TIMESTAMP '${at}', ${amount}::DECIMAL(12,2), ${big === null ? 'NULL' : `'${big}'::DECIMAL(30,6)`}, ${note === null ? 'NULL' : `'${note.replace(/'/g, "''")}'`})`,
    );
    await duck.run(`CREATE TABLE p AS SELECT *, year(paid_at)::INTEGER AS year, month(paid_at)::INTEGER AS month FROM (VALUES ${values.join(', ')}) t(payment_id, paid_at, amount_usd, big_amount, note)`);
    await duck.run(`COPY p TO '${join(root, 'curated', 'payments')}' (FORMAT parquet, PARTITION_BY (year, month))`);
    // Not data files: ignored.
    await storage.put('curated/payments/year=2025/month=1/_SUCCESS', Buffer.from(''));
    duck.closeSync();
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads every row with exact timestamps, decimals, nulls and typed partition columns from the path', async () => {
    const rows = await readAll();
    expect(rows).toEqual([
      { payment_id: 1, paid_at: '2024-12-31 23:59:59.999999', amount_usd: '0.01', big_amount: '123456789012345678901234.123456', note: 'first', year: 2024, month: 12 },
      { payment_id: 2, paid_at: '2025-01-01 00:00:00.000001', amount_usd: '-99999.99', big_amount: null, note: null, year: 2025, month: 1 },
      { payment_id: 3, paid_at: '2025-01-15 12:34:56.123456', amount_usd: '1234567890.12', big_amount: '-0.000001', note: "it's", year: 2025, month: 1 },
      { payment_id: 4, paid_at: '2025-02-28 08:00:00.000000', amount_usd: '0.00', big_amount: '0.000000', note: 'ünïcödé', year: 2025, month: 2 },
    ]);
  });

  it('types the columns: Int32 partition keys, µs timestamps, Decimal128', async () => {
    for await (const batch of readLakeTable(storage, payments, { layer: 'curated', filter: 'year = 2025 and month = 2' })) {
      expect(DataType.isInt(batch.schema.fields.find((f) => f.name === 'year')!.type)).toBe(true);
      expect(batch.getChild('year')!.type.bitWidth).toBe(32);
      const ts = batch.schema.fields.find((f) => f.name === 'paid_at')!.type;
      expect(DataType.isTimestamp(ts) && ts.unit).toBe(TimeUnit.MICROSECOND);
      expect(DataType.isDecimal(batch.schema.fields.find((f) => f.name === 'amount_usd')!.type)).toBe(true);
    }
  });

  it('prunes partitions with a filter before reading files', async () => {
    const files: string[] = [];
    for await (const _ of readLakeTable(storage, payments, { layer: 'curated', filter: 'year = 2025 and month >= 2', onFile: (f) => files.push(f.key) })) void _;
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^curated\/payments\/year=2025\/month=2\/.*\.parquet$/);
    expect((await readAll('year = 2024')).map((r) => r.payment_id)).toEqual([1]);
  });

  it('reads nothing for a table with no files', async () => {
    const empty = defineTable({ name: 'nothing_here', columns: { id: col.int() } });
    const batches: RecordBatch[] = [];
    for await (const batch of readLakeTable(storage, empty, { layer: 'processed' })) batches.push(batch);
    expect(batches).toEqual([]);
  });

  it('loads into MariaDB exactly with loadLakeTable (replace by default); a second load leaves the same rows', async () => {
    const db = await connectTestMySql({ database: 'lakeblocks_loaders_test' });
    const url = new URL(process.env.LAKEBLOCKS_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/');
    url.pathname = `/${db.database}`;
    const pool = createPool({ uri: url.toString(), timezone: 'Z', dateStrings: true, connectTimeout: 5_000, connectionLimit: 2 });
    try {
      const tableName = `${db.tablePrefix}payments`;
      const read = async () =>
        (await pool.query<RowDataPacket[]>(`SELECT payment_id, paid_at, CAST(amount_usd AS CHAR) AS amount_usd, CAST(big_amount AS CHAR) AS big_amount, note FROM \`${tableName}\` ORDER BY payment_id`))[0];
      for (const round of [1, 2]) {
        const result = await loadLakeTable(new MySqlLoader(pool), storage, payments, { layer: 'curated', tableName });
        expect(result).toMatchObject({ mode: 'replace', rows: 4 });
        expect(await read(), `round ${round}`).toEqual(ROWS.map(([id, at, amount, big, note]) => ({
          payment_id: id,
          paid_at: at.includes('.') ? at : `${at}.000000`,
          amount_usd: amount,
          big_amount: big === null ? null : big === '0' ? '0.000000' : big,
          note,
        })));
      }
      const partial = await loadLakeTable(new MySqlLoader(pool), storage, payments, { layer: 'curated', tableName, filter: 'year = 2025', mode: 'replace' });
      expect(partial.rows).toBe(3);
    } finally {
      await pool.end();
      await db.close();
    }
  });
});
