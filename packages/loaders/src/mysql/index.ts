/**
 * `@lakeblocks/loaders/mysql`: the MySQL / MariaDB (RDS) loader over a mysql2/promise pool (the
 * optional peer `mysql2`, passed in by you; never imported here).
 *
 * @example
 * ```ts
 * import { createPool } from 'mysql2/promise';
 * import { MySqlLoader } from '@lakeblocks/loaders/mysql';
 * const loader = new MySqlLoader(createPool({ uri: process.env.DATABASE_URL, connectTimeout: 10_000 }));
 * await loader.load(orders, batches, { mode: 'upsert' });
 * ```
 *
 * @module
 */
export { MySqlLoader, MYSQL_MAX_PLACEHOLDERS } from './mysql-loader.js';
export type {
  MySqlLoaderOptions,
  LoadOptions,
  LoadMode,
  LoadResult,
  LoadRow,
  LoadSource,
  TransactionScope,
  MySqlConnectionLike,
  MySqlPoolLike,
} from './mysql-loader.js';
export { classifyLoaderMysqlError } from './mysql-errors.js';
export { toMySqlParam, paramBytes, formatUtcDateTime } from './row-values.js';
export type { MySqlParam } from './row-values.js';
export { arrowColumnReaders, decimalWordsToString, formatEpochDay, timestampToString } from './arrow-rows.js';
export type { ColumnReader } from './arrow-rows.js';
export { readLakeTable, loadLakeTable } from './lake-table.js';
export type { ReadLakeTableOptions, LoadLakeTableOptions } from './lake-table.js';
