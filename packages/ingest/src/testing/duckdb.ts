/**
 * A DuckDB reader for tests: the independent reader every Parquet output is checked with.
 *
 * @module
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/**
 * An in-memory DuckDB connection with a `query` helper returning JSON-friendly rows
 * (`getRowObjectsJson`: timestamps as ISO text, decimals as text, BIGINT as text).
 *
 * @example
 * ```ts
 * const db = await openDuckDb();
 * const rows = await db.query(`SELECT count(*) AS n FROM read_parquet('x.parquet')`);
 * db.close();
 * ```
 */
export async function openDuckDb(): Promise<{ connection: DuckDBConnection; query: (sql: string) => Promise<Record<string, unknown>[]>; close: () => void }> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  return {
    connection,
    query: async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[],
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/**
 * `read_parquet` over every file of a dataset directory, with Hive partitioning.
 *
 * @example
 * ```ts
 * await db.query(`SELECT count(*) FROM ${parquetScan('/lake/processed/orders')}`);
 * ```
 */
export function parquetScan(directory: string, hive = true): string {
  return `read_parquet('${directory.replace(/'/g, "''")}/**/*.parquet', hive_partitioning = ${hive ? 'true' : 'false'})`;
}
