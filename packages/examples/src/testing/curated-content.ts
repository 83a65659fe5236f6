/**
 * Test helper: the content of a curated table — row count, an exact aggregate per column, and a
 * digest of the sorted keys — read by DuckDB from Parquet and by MySQL from the loaded table, so
 * the two compare with `toEqual`. Shared by the TechStore and Nequi `--mysql` tests.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { AnyTable } from '@lakeblocks/core';
import type { TestMySql } from '@lakeblocks/core/testing';
import type { RowDataPacket } from 'mysql2/promise';

/**
 * What a curated table holds, in a form DuckDB and MySQL compute alike.
 *
 * @example
 * ```ts
 * expect(await mysqlContent(db, 'kpi_monthly', kpiMonthly.output)).toEqual(await duckContent(duck, lakeDir, kpiMonthly.output));
 * ```
 */
export interface Content {
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

/**
 * The content of `table`'s curated Parquet under `<lakeDir>/curated/<table>/` (Hive partitions), by DuckDB.
 *
 * @example
 * ```ts
 * const want = await duckContent(duck, lakeDir, kpiMonthly.output);
 * ```
 */
export async function duckContent(duck: DuckDBConnection, lakeDir: string, table: AnyTable): Promise<Content> {
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

/**
 * The content of MySQL table `target` (loaded from `table`).
 *
 * @example
 * ```ts
 * const got = await mysqlContent(db, 'kpi_monthly', kpiMonthly.output);
 * ```
 */
export async function mysqlContent(db: Pick<TestMySql, 'pool'>, target: string, table: AnyTable): Promise<Content> {
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
