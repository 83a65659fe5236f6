import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { col } from './column.js';
import { defineTable } from './define-table.js';
import { allTypes } from './fixtures/all-types.js';
import { orders, sampleOrder } from './fixtures/techstore-orders.js';
import { toMySqlCreateTable } from './mysql-ddl.js';

/** Real MariaDB on 127.0.0.1:3306 (DESIGN decision 9). */
const DATABASE = 'lakeblocks_core_test';
const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

describe('MySQL DDL executed by MariaDB', () => {
  let conn: Connection;
  const created: string[] = [];

  beforeAll(async () => {
    const admin = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '', connectTimeout: 5000 });
    try {
      await admin.query(`CREATE DATABASE IF NOT EXISTS \`${DATABASE}\` CHARACTER SET utf8mb4`);
    } finally {
      await admin.end();
    }
    conn = await createConnection({
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
      password: '',
      database: DATABASE,
      connectTimeout: 5000,
      timezone: 'Z', // DATETIME holds the naive (UTC wall clock) value
    });
  });

  afterAll(async () => {
    if (conn === undefined) return;
    try {
      for (const name of created) await conn.query(`DROP TABLE IF EXISTS \`${name}\``);
    } finally {
      await conn.end();
    }
  });

  async function create(sql: string, name: string): Promise<void> {
    created.push(name);
    await conn.query(sql);
  }

  it('orders: the table is created with the declared types, nullability, key and comments', async () => {
    const name = `orders_${suffix}`;
    await create(toMySqlCreateTable(orders, { tableName: name, includePartitionColumns: true }), name);
    await conn.query(toMySqlCreateTable(orders, { tableName: name, includePartitionColumns: true })); // IF NOT EXISTS

    const [columns] = await conn.query<RowDataPacket[]>(
      `SELECT column_name AS name, column_type AS type, is_nullable AS nullable, column_key AS k, column_comment AS comment
       FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position`,
      [DATABASE, name],
    );
    expect(columns.map((c) => [c['name'], c['type'], c['nullable'], c['k']])).toEqual([
      ['order_id', 'int(11)', 'NO', 'PRI'],
      ['customer_id', 'int(11)', 'NO', ''],
      ['order_time', 'datetime(6)', 'NO', ''],
      ['payment_method', 'varchar(6)', 'NO', ''],
      ['discount_pct', 'int(11)', 'NO', ''],
      ['subtotal_usd', 'decimal(12,2)', 'NO', ''],
      ['total_usd', 'decimal(12,2)', 'NO', ''],
      ['country', 'varchar(2)', 'NO', ''],
      ['device', 'varchar(7)', 'YES', ''],
      ['source', 'varchar(8)', 'NO', ''],
      ['year', 'int(11)', 'NO', ''],
      ['month', 'int(11)', 'NO', ''],
      ['day', 'int(11)', 'NO', ''],
    ]);
    expect(columns[0]?.['comment']).toBe('Order identifier');
    const [tables] = await conn.query<RowDataPacket[]>(
      'SELECT table_comment AS comment, engine FROM information_schema.tables WHERE table_schema = ? AND table_name = ?',
      [DATABASE, name],
    );
    expect(tables[0]).toEqual({ comment: "One row per order placed in the store. Totals are after the order's discount.", engine: 'InnoDB' });
  });

  it('orders: a validated row goes in and comes back unchanged', async () => {
    const name = `orders_${suffix}`;
    const row = orders.parse(sampleOrder);
    const values = orders.columns.map((c) => row[c.name as keyof typeof row]);
    await conn.query(`INSERT INTO \`${name}\` (${orders.columns.map((c) => `\`${c.name}\``).join(', ')}, year, month, day) VALUES (?, 2025, 1, 31)`, [values]);
    const [back] = await conn.query<RowDataPacket[]>(`SELECT * FROM \`${name}\``);
    expect(back).toHaveLength(1);
    const { year, month, day, ...stored } = back[0] as Record<string, unknown>;
    expect([year, month, day]).toEqual([2025, 1, 31]);
    expect(stored).toEqual({ ...sampleOrder }); // DECIMAL comes back as the same exact string, DATETIME as the same Date
    expect(orders.safeParse(stored).success).toBe(true);
  });

  it('orders: the server enforces key, NOT NULL and enum CHECK', async () => {
    const name = `orders_${suffix}`;
    const insert = (values: unknown[]) =>
      conn.query(`INSERT INTO \`${name}\` (${orders.columns.map((c) => `\`${c.name}\``).join(', ')}, year, month, day) VALUES (?, 2025, 1, 1)`, [values]);
    const base = orders.columns.map((c) => sampleOrder[c.name as keyof typeof sampleOrder]);
    await expect(insert(base)).rejects.toThrow(/Duplicate entry/);
    await expect(insert([2, null, ...base.slice(2)])).rejects.toThrow(/cannot be null/);
    await expect(insert([3, 1, base[2], 'cash', ...base.slice(4)])).rejects.toThrow(/CONSTRAINT|check/i);
    await expect(insert([4, 1, base[2], 'card', 0, '1.00', '1.00', 'POL', null, 'organic'])).rejects.toThrow(/too long/i);
    await insert([5, 1, base[2], 'card', 0, '1.00', '1.00', 'PL', null, 'organic']); // null device is fine
  });

  it('every type, string primary key compared exactly (binary collation)', async () => {
    const name = `all_types_${suffix}`;
    await create(toMySqlCreateTable(allTypes, { tableName: name }), name);
    const insert = (code: string) =>
      conn.query(`INSERT INTO \`${name}\` VALUES (?, -5, 9007199254740993, NULL, '1234567890123456789012345678.0123456789', NULL, 'ES', TRUE, '2024-02-29', NULL, 'north')`, [code]);
    await insert('abc');
    await insert('ABC'); // distinct keys in the lake, distinct here too
    await insert('ábc');
    const [back] = await conn.query<RowDataPacket[]>({ sql: `SELECT code, n_big, amount, signup_date FROM \`${name}\` ORDER BY code`, supportBigNumbers: true, bigNumberStrings: true, dateStrings: true });
    expect(back.map((r) => r['code'])).toEqual(['ABC', 'abc', 'ábc']);
    expect(back[0]).toMatchObject({ n_big: '9007199254740993', amount: '1234567890123456789012345678.0123456789', signup_date: '2024-02-29' });
  });

  it('comments with quotes and backslashes survive the round trip', async () => {
    const name = `notes_${suffix}`;
    const notes = defineTable({ name: 'notes', description: "O'Brien's \\ notes", columns: { id: col.int(), body: col.string().describe("it's C:\\tmp; DROP TABLE x; --") }, primaryKey: ['id'] });
    await create(toMySqlCreateTable(notes, { tableName: name }), name);
    const [cols] = await conn.query<RowDataPacket[]>(
      'SELECT column_comment AS c FROM information_schema.columns WHERE table_schema = ? AND table_name = ? AND column_name = ?',
      [DATABASE, name, 'body'],
    );
    expect(cols[0]?.['c']).toBe("it's C:\\tmp; DROP TABLE x; --");
    const [tables] = await conn.query<RowDataPacket[]>('SELECT table_comment AS c FROM information_schema.tables WHERE table_schema = ? AND table_name = ?', [DATABASE, name]);
    expect(tables[0]?.['c']).toBe("O'Brien's \\ notes");
  });
});
