// Issue 5's done-when: every curated TechStore table loads into MariaDB with exact row counts, and a
// second load leaves counts and content unchanged. The curated Parquet is read independently by DuckDB.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { LocalStorage, type AnyTable } from '@lakeblocks/core';
import { connectTestMySql, type TestMySql } from '@lakeblocks/core/testing';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { techstoreModels } from '../models/index.js';
import { testLakeRoot } from '../testing/techstore-lake.js';
import { loadCuratedToMySql, parseMySqlUrl } from './mysql-load.js';
import { runTechstore } from './run-techstore.js';

interface Content {
  rows: number;
  /** Per column: an exact aggregate (sums in cents, epoch µs, days, lengths). */
  sums: Record<string, string | null>;
  /** md5 over the sorted primary keys. */
  keys: string;
}

const q = (name: string) => `\`${name}\``;
const dq = (name: string) => `"${name}"`;

/** Per column an exact aggregate expression, for DuckDB and for MySQL (doubles rounded to 6 places). */
function aggregates(table: AnyTable): { name: string; duck: string; my: string }[] {
  return table.columns.map((c) => {
    const d = dq(c.name);
    const m = q(c.name);
    switch (c.type.kind) {
      case 'int':
      case 'bigint':
        return { name: c.name, duck: `sum(${d})::HUGEINT::VARCHAR`, my: `CAST(SUM(${m}) AS CHAR)` };
      case 'decimal':
        return { name: c.name, duck: `(sum(${d}) * ${10 ** c.type.scale})::HUGEINT::VARCHAR`, my: `CAST(CAST(SUM(${m}) * ${10 ** c.type.scale} AS DECIMAL(38,0)) AS CHAR)` };
      case 'double':
        return { name: c.name, duck: `round(sum(${d}), 6)::DECIMAL(38,6)::VARCHAR`, my: `CAST(CAST(ROUND(SUM(${m}), 6) AS DECIMAL(38,6)) AS CHAR)` };
      case 'timestamp':
        return { name: c.name, duck: `sum(epoch_us(${d}))::HUGEINT::VARCHAR`, my: `CAST(SUM(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', ${m})) AS CHAR)` };
      case 'date':
        return { name: c.name, duck: `sum(${d} - DATE '1970-01-01')::HUGEINT::VARCHAR`, my: `CAST(SUM(DATEDIFF(${m}, '1970-01-01')) AS CHAR)` };
      case 'boolean':
        return { name: c.name, duck: `(count(${d})::VARCHAR || ':' || count(*) FILTER (WHERE ${d})::VARCHAR)`, my: `CONCAT(COUNT(${m}), ':', SUM(${m} <> 0))` };
      default:
        return { name: c.name, duck: `(count(${d})::VARCHAR || ':' || sum(length(${d}))::VARCHAR)`, my: `CONCAT(COUNT(${m}), ':', SUM(CHAR_LENGTH(${m})))` };
    }
  });
}

function keyHash(rows: Record<string, unknown>[], table: AnyTable): string {
  const keys = table.primaryKey.length > 0 ? table.primaryKey : table.columns.map((c) => c.name);
  const lines = rows.map((r) => keys.map((k) => String(r[k])).join('\u0001')).sort();
  return `${lines.length}:${createHash('md5').update(lines.join('\n')).digest('hex')}`;
}

async function duckContent(duck: DuckDBConnection, lakeDir: string, table: AnyTable): Promise<Content> {
  const src = `read_parquet('${join(lakeDir, 'curated', table.name)}/**/*.parquet', hive_partitioning = true)`;
  const aggs = aggregates(table);
  const [row] = (await duck.runAndReadAll(`SELECT count(*)::INTEGER AS n, ${aggs.map((a, i) => `${a.duck} AS a${i}`).join(', ')} FROM ${src}`)).getRowObjectsJson();
  const keys = table.primaryKey.length > 0 ? table.primaryKey : table.columns.map((c) => c.name);
  const keyRows = (await duck.runAndReadAll(`SELECT ${keys.map((k) => `${dq(k)}::VARCHAR AS ${dq(k)}`).join(', ')} FROM ${src}`)).getRowObjectsJson();
  return {
    rows: Number(row!.n),
    sums: Object.fromEntries(aggs.map((a, i) => [a.name, (row![`a${i}`] as string | null) ?? null])),
    keys: keyHash(keyRows as Record<string, unknown>[], table),
  };
}

async function mysqlContent(db: TestMySql, target: string, table: AnyTable): Promise<Content> {
  const aggs = aggregates(table);
  const [[row]] = await db.pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n, ${aggs.map((a, i) => `${a.my} AS a${i}`).join(', ')} FROM ${q(target)}`);
  const keys = table.primaryKey.length > 0 ? table.primaryKey : table.columns.map((c) => c.name);
  const [keyRows] = await db.pool.query<RowDataPacket[]>(`SELECT ${keys.map((k) => `CAST(${q(k)} AS CHAR) AS ${q(k)}`).join(', ')} FROM ${q(target)}`);
  return {
    rows: Number(row!.n),
    sums: Object.fromEntries(aggs.map((a, i) => [a.name, row![`a${i}`] === null ? null : String(row![`a${i}`])])),
    keys: keyHash(keyRows, table),
  };
}

describe('curated TechStore tables into MariaDB', () => {
  let lakeDir: string;
  let db: TestMySql;
  let duck: DuckDBConnection;
  let expected: Map<string, Content>;

  beforeAll(async () => {
    db = await connectTestMySql({ database: 'lakeblocks_examples_test' });
    lakeDir = await mkdtemp(join(testLakeRoot(), 'techstore-mysql-'));
    await runTechstore({ lakeDir, scale: 0.01, seed: 'mysql', durable: false, tmpDir: testLakeRoot() });
    duck = await (await DuckDBInstance.create(':memory:')).connect();
    expected = new Map();
    for (const m of techstoreModels) expected.set(m.output.name, await duckContent(duck, lakeDir, m.output));
  }, 240_000);

  afterAll(async () => {
    duck?.closeSync();
    await db?.close();
    if (lakeDir) await rm(lakeDir, { recursive: true, force: true });
  });

  it('loads every curated table with exact counts and content, and a second load changes nothing', async () => {
    const storage = new LocalStorage(lakeDir, { durable: false });
    for (const round of [1, 2]) {
      const loads = await loadCuratedToMySql({ storage, pool: db.pool, tablePrefix: db.tablePrefix, queryTimeoutMs: 60_000 });
      expect(loads.map((l) => l.table)).toEqual(techstoreModels.map((m) => m.output.name));
      for (const m of techstoreModels) {
        const want = expected.get(m.output.name)!;
        expect(want.rows, `${m.output.name} is empty in the curated lake`).toBeGreaterThan(0);
        expect(loads.find((l) => l.table === m.output.name)!.rows, `${m.output.name} rows loaded (round ${round})`).toBe(want.rows);
        expect(await mysqlContent(db, `${db.tablePrefix}${m.output.name}`, m.output), `${m.output.name} in MariaDB (round ${round})`).toEqual(want);
      }
    }
  }, 240_000);

  it('rejects a bad URL without printing the password', () => {
    expect(() => parseMySqlUrl('postgres://u:s3cret@h/db')).toThrow(/u:\*\*\*@h\/db: the scheme must be mysql:\/\//);
    expect(() => parseMySqlUrl('mysql://u:s3cret@h:3306/')).toThrow(/name a database/);
    expect(() => parseMySqlUrl('not a url')).toThrow(/not a URL/);
    for (const url of ['postgres://u:s3cret@h/db', 'mysql://u:s3cret@h:3306/']) {
      try {
        parseMySqlUrl(url);
      } catch (error) {
        expect((error as Error).message).not.toContain('s3cret');
      }
    }
  });

  it('fails the run within seconds naming the mysql-load step when the server is unreachable, without the password', async () => {
    const started = Date.now();
    const error = await runTechstore({ lakeDir, durable: false, mysql: { url: 'mysql://root:s3cret@127.0.0.1:1/x', connectTimeoutMs: 2_000 } }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toMatch(/mysql-load/);
    expect(error!.message.split('\n')).toHaveLength(1);
    expect(error!.message).not.toContain('s3cret');
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);
});
