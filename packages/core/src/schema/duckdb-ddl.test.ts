import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreError } from '../errors/core-error.js';
import { col } from './column.js';
import { defineTable } from './define-table.js';
import { toDuckDbCreateTable, toDuckDbParquetView } from './duckdb-ddl.js';
import { allTypes } from './fixtures/all-types.js';
import { orders } from './fixtures/techstore-orders.js';

const ORDERS_DDL = [
  'CREATE TABLE IF NOT EXISTS "orders" (',
  '  "order_id" INTEGER NOT NULL,',
  '  "customer_id" INTEGER NOT NULL,',
  '  "order_time" TIMESTAMP NOT NULL,',
  '  "payment_method" VARCHAR NOT NULL,',
  '  "discount_pct" INTEGER NOT NULL,',
  '  "subtotal_usd" DECIMAL(12,2) NOT NULL,',
  '  "total_usd" DECIMAL(12,2) NOT NULL,',
  '  "country" VARCHAR NOT NULL,',
  '  "device" VARCHAR,',
  '  "source" VARCHAR NOT NULL,',
  '  PRIMARY KEY ("order_id"),',
  "  CHECK (\"payment_method\" IN ('card', 'paypal', 'wallet', 'cod')),",
  '  CHECK (length("country") <= 2),',
  "  CHECK (\"device\" IN ('mobile', 'desktop', 'tablet')),",
  "  CHECK (\"source\" IN ('organic', 'direct', 'paid', 'social', 'email', 'referral'))",
  ');',
].join('\n');

const ORDER_VALUES = "(1, 13917, TIMESTAMP '2025-01-31 23:07:42', 'card', 20, 107.15, 85.72, 'PL', 'desktop', 'organic')";

describe('toDuckDbCreateTable (text)', () => {
  it('orders: golden DDL', () => {
    expect(toDuckDbCreateTable(orders, { comments: false })).toBe(ORDERS_DDL);
  });

  it('orders: comments, escaped', () => {
    const ddl = toDuckDbCreateTable(orders);
    expect(ddl.startsWith(ORDERS_DDL)).toBe(true);
    expect(ddl).toContain(`\nCOMMENT ON TABLE "orders" IS 'One row per order placed in the store. Totals are after the order''s discount.';`);
    expect(ddl).toContain(`\nCOMMENT ON COLUMN "orders"."order_id" IS 'Order identifier';`);
  });

  it('options: table name, partition columns, plain CREATE TABLE', () => {
    const ddl = toDuckDbCreateTable(orders, { tableName: 'orders_copy', includePartitionColumns: true, ifNotExists: false, comments: false });
    expect(ddl.startsWith('CREATE TABLE "orders_copy" (')).toBe(true);
    expect(ddl).toContain('  "source" VARCHAR NOT NULL,\n  "year" INTEGER NOT NULL,\n  "month" INTEGER NOT NULL,\n  "day" INTEGER NOT NULL,\n  PRIMARY KEY');
    expect(() => toDuckDbCreateTable(orders, { tableName: 'x"; DROP TABLE orders; --' })).toThrow(CoreError);
  });

  it('Parquet view: explicit column order and typed partition keys', () => {
    expect(toDuckDbParquetView(orders, { location: "/lake/it's/orders/" })).toBe(
      [
        'CREATE OR REPLACE VIEW "orders" AS',
        'SELECT "order_id", "customer_id", "order_time", "payment_method", "discount_pct", "subtotal_usd", "total_usd", "country", "device", "source", "year", "month", "day"',
        "FROM read_parquet('/lake/it''s/orders/**/*.parquet', hive_partitioning = true, hive_types = {'year': INTEGER, 'month': INTEGER, 'day': INTEGER});",
      ].join('\n'),
    );
    const plain = defineTable({ name: 'products', columns: { product_id: col.int() } });
    expect(toDuckDbParquetView(plain, { location: 's3://b/p', viewName: 'p', orReplace: false, unionByName: true })).toBe(
      "CREATE VIEW \"p\" AS\nSELECT \"product_id\"\nFROM read_parquet('s3://b/p/**/*.parquet', hive_partitioning = false, union_by_name = true);",
    );
    expect(() => toDuckDbParquetView(orders, { location: '' })).toThrow(/location is needed/);
  });
});

describe('DuckDB executes the DDL', () => {
  let instance: DuckDBInstance;
  let db: DuckDBConnection;
  let dir: string;

  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    db = await instance.connect();
    dir = await mkdtemp(join(tmpdir(), 'lakeblocks-schema-'));
    await mkdir(join(dir, 'processed'));
  });
  afterAll(async () => {
    db.closeSync();
    instance.closeSync();
    await rm(dir, { recursive: true, force: true });
  });

  const rows = async (sql: string) => (await db.runAndReadAll(sql)).getRowObjectsJson();

  it('orders table: created, commented, constrained; a row goes in and comes back', async () => {
    await db.run(toDuckDbCreateTable(orders));
    await db.run(toDuckDbCreateTable(orders)); // IF NOT EXISTS: idempotent
    expect(await rows(`SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = 'orders' ORDER BY ordinal_position`)).toEqual([
      { column_name: 'order_id', data_type: 'INTEGER', is_nullable: 'NO' },
      { column_name: 'customer_id', data_type: 'INTEGER', is_nullable: 'NO' },
      { column_name: 'order_time', data_type: 'TIMESTAMP', is_nullable: 'NO' },
      { column_name: 'payment_method', data_type: 'VARCHAR', is_nullable: 'NO' },
      { column_name: 'discount_pct', data_type: 'INTEGER', is_nullable: 'NO' },
      { column_name: 'subtotal_usd', data_type: 'DECIMAL(12,2)', is_nullable: 'NO' },
      { column_name: 'total_usd', data_type: 'DECIMAL(12,2)', is_nullable: 'NO' },
      { column_name: 'country', data_type: 'VARCHAR', is_nullable: 'NO' },
      { column_name: 'device', data_type: 'VARCHAR', is_nullable: 'YES' },
      { column_name: 'source', data_type: 'VARCHAR', is_nullable: 'NO' },
    ]);
    expect(await rows(`SELECT comment FROM duckdb_tables() WHERE table_name = 'orders'`)).toEqual([
      { comment: "One row per order placed in the store. Totals are after the order's discount." },
    ]);
    expect(await rows(`SELECT comment FROM duckdb_columns() WHERE table_name = 'orders' AND column_name = 'order_id'`)).toEqual([
      { comment: 'Order identifier' },
    ]);

    await db.run(`INSERT INTO orders VALUES ${ORDER_VALUES}`);
    await db.run(`INSERT INTO orders VALUES (2, 1022, TIMESTAMP '2024-02-19 01:17:50', 'card', 0, 116.17, 116.17, 'FR', NULL, 'organic')`);
    expect(await rows(`SELECT * FROM orders ORDER BY order_id`)).toEqual([
      {
        order_id: 1, customer_id: 13917, order_time: '2025-01-31 23:07:42', payment_method: 'card', discount_pct: 20,
        subtotal_usd: '107.15', total_usd: '85.72', country: 'PL', device: 'desktop', source: 'organic',
      },
      {
        order_id: 2, customer_id: 1022, order_time: '2024-02-19 01:17:50', payment_method: 'card', discount_pct: 0,
        subtotal_usd: '116.17', total_usd: '116.17', country: 'FR', device: null, source: 'organic',
      },
    ]);
  });

  it('orders table: constraints reject what validation rejects', async () => {
    await expect(db.run(`INSERT INTO orders VALUES ${ORDER_VALUES}`)).rejects.toThrow(/[Dd]uplicate key|PRIMARY KEY|unique/);
    await expect(db.run(`INSERT INTO orders VALUES (3, NULL, TIMESTAMP '2025-01-01 00:00:00', 'card', 0, 1, 1, 'PL', NULL, 'organic')`)).rejects.toThrow(/NOT NULL/);
    await expect(db.run(`INSERT INTO orders VALUES (3, 1, TIMESTAMP '2025-01-01 00:00:00', 'bitcoin', 0, 1, 1, 'PL', NULL, 'organic')`)).rejects.toThrow(/CHECK/);
    await expect(db.run(`INSERT INTO orders VALUES (3, 1, TIMESTAMP '2025-01-01 00:00:00', 'card', 0, 1, 1, 'POL', NULL, 'organic')`)).rejects.toThrow(/CHECK/);
    await expect(db.run(`INSERT INTO orders VALUES (3, 1, TIMESTAMP '2025-01-01 00:00:00', 'card', 0, 123456789012.5, 1, 'PL', NULL, 'organic')`)).rejects.toThrow();
  });

  it('every column type: the all_types DDL runs (with partition columns as row columns)', async () => {
    await db.run(toDuckDbCreateTable(allTypes));
    await db.run(
      `INSERT INTO all_types VALUES ('A', -5, 9007199254740993, NULL, '1234567890123456789012345678.0123456789', NULL, 'ES', true, DATE '2024-02-29', NULL, 'north')`,
    );
    expect(await rows(`SELECT n_big, amount, signup_date, flag FROM all_types`)).toEqual([
      { n_big: '9007199254740993', amount: '1234567890123456789012345678.0123456789', signup_date: '2024-02-29', flag: true },
    ]);
  });

  it('Parquet view over a Hive-partitioned dataset written by DuckDB: keys typed INTEGER, columns typed as declared', async () => {
    const location = join(dir, 'processed', 'orders');
    await db.run(
      `COPY (SELECT *, year(order_time)::INTEGER AS year, month(order_time)::INTEGER AS month, day(order_time)::INTEGER AS day FROM orders)
       TO '${location}' (FORMAT parquet, PARTITION_BY (year, month, day))`,
    );
    expect(await readdir(join(location, 'year=2025', 'month=1'))).toEqual(['day=31']);

    await db.run(toDuckDbParquetView(orders, { location, viewName: 'orders_processed' }));
    const described = await rows(`DESCRIBE orders_processed`);
    expect(described.map((r) => [r['column_name'], r['column_type']])).toEqual([
      ['order_id', 'INTEGER'],
      ['customer_id', 'INTEGER'],
      ['order_time', 'TIMESTAMP'],
      ['payment_method', 'VARCHAR'],
      ['discount_pct', 'INTEGER'],
      ['subtotal_usd', 'DECIMAL(12,2)'],
      ['total_usd', 'DECIMAL(12,2)'],
      ['country', 'VARCHAR'],
      ['device', 'VARCHAR'],
      ['source', 'VARCHAR'],
      ['year', 'INTEGER'],
      ['month', 'INTEGER'],
      ['day', 'INTEGER'],
    ]);
    expect(await rows(`SELECT order_id, total_usd, year, month, day FROM orders_processed ORDER BY order_id`)).toEqual([
      { order_id: 1, total_usd: '85.72', year: 2025, month: 1, day: 31 },
      { order_id: 2, total_usd: '116.17', year: 2024, month: 2, day: 19 },
    ]);
    // partition pruning works on the typed keys
    expect(await rows(`SELECT count(*)::INTEGER AS n FROM orders_processed WHERE year = 2024 AND month = 2`)).toEqual([{ n: 1 }]);
  });

  it('Parquet view with columns partitioning: string and date keys keep their types', async () => {
    const location = join(dir, 'processed', 'all_types');
    await db.run(`COPY (SELECT * FROM all_types) TO '${location}' (FORMAT parquet, PARTITION_BY (region, signup_date))`);
    await db.run(toDuckDbParquetView(allTypes, { location, viewName: 'all_types_files' }));
    const types = Object.fromEntries((await rows(`DESCRIBE all_types_files`)).map((r) => [r['column_name'], r['column_type']]));
    expect(types).toMatchObject({ region: 'VARCHAR', signup_date: 'DATE', n_big: 'BIGINT', amount: 'DECIMAL(38,10)', flag: 'BOOLEAN' });
    expect(await rows(`SELECT region, signup_date FROM all_types_files`)).toEqual([{ region: 'north', signup_date: '2024-02-29' }]);
  });
});
