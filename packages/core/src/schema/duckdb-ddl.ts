/**
 * DuckDB DDL: a `CREATE TABLE` holding rows (NOT NULL, PRIMARY KEY, CHECK for enums and string
 * lengths, comments), and a `CREATE VIEW` over a Hive-partitioned Parquet dataset that gives the
 * partition keys their declared types.
 *
 * @example
 * ```ts
 * await connection.run(toDuckDbCreateTable(orders));
 * await connection.run(toDuckDbParquetView(orders, { location: '/lake/processed/orders' }));
 * ```
 *
 * @module
 */
import { CoreError } from '../errors/core-error.js';
import { lakeViewColumns, tableViewColumns } from './ddl-columns.js';
import type { DdlColumn } from './ddl-columns.js';
import { requireIdentifier } from './identifier.js';
import { duckDbIdentifier, duckDbString } from './sql-text.js';
import type { AnyTable } from './table.js';
import { toDuckDbType } from './type-mapping.js';

/**
 * Options of {@link toDuckDbCreateTable}.
 *
 * @example
 * ```ts
 * const options: DuckDbCreateTableOptions = { tableName: 'orders_staging', includePartitionColumns: true };
 * ```
 */
export interface DuckDbCreateTableOptions {
  /** Name of the created table; default the table's name. Must match `^[a-z_][a-z0-9_]*$`. */
  tableName?: string;
  /** `CREATE TABLE IF NOT EXISTS` (default) rather than `CREATE TABLE`. */
  ifNotExists?: boolean;
  /** Add the time-derived partition keys (`year`, `month`, `day`) as `INTEGER NOT NULL` columns. Default `false`. */
  includePartitionColumns?: boolean;
  /** Emit `COMMENT ON TABLE` / `COMMENT ON COLUMN` statements after the `CREATE TABLE` (default `true`). */
  comments?: boolean;
}

/**
 * `CREATE TABLE` for DuckDB: every row column with its DuckDB type, `NOT NULL` on non-null columns,
 * `PRIMARY KEY`, `CHECK` constraints for enum values and string `maxLength`, then (by default)
 * `COMMENT ON` statements. Several statements separated by `;` — run them with one `connection.run`.
 *
 * @example
 * ```ts
 * toDuckDbCreateTable(orders);
 * // CREATE TABLE IF NOT EXISTS "orders" (
 * //   "order_id" INTEGER NOT NULL,
 * //   …
 * //   PRIMARY KEY ("order_id"),
 * //   CHECK ("payment_method" IN ('card', 'paypal', 'wallet', 'cod')),
 * //   …
 * // );
 * // COMMENT ON TABLE "orders" IS 'One row per order placed in the store.';
 * ```
 */
export function toDuckDbCreateTable(table: AnyTable, options: DuckDbCreateTableOptions = {}): string {
  const name = requireIdentifier(options.tableName ?? table.name, 'tableName', table.name);
  const columns = tableViewColumns(table, options.includePartitionColumns ?? false);
  const lines = columns.map((c) => `  ${duckDbIdentifier(c.name)} ${toDuckDbType(c.type)}${c.nullable ? '' : ' NOT NULL'}`);
  const keys = columns.filter((c) => c.isPrimaryKey);
  if (keys.length > 0) lines.push(`  PRIMARY KEY (${keys.map((c) => duckDbIdentifier(c.name)).join(', ')})`);
  lines.push(...columns.flatMap(checkConstraint).map((check) => `  CHECK (${check})`));

  const ifNotExists = options.ifNotExists ?? true ? 'IF NOT EXISTS ' : '';
  const statements = [`CREATE TABLE ${ifNotExists}${duckDbIdentifier(name)} (\n${lines.join(',\n')}\n);`];
  if (options.comments ?? true) {
    if (table.description !== undefined) {
      statements.push(`COMMENT ON TABLE ${duckDbIdentifier(name)} IS ${duckDbString(table.description)};`);
    }
    for (const c of columns) {
      if (c.description !== undefined) {
        statements.push(`COMMENT ON COLUMN ${duckDbIdentifier(name)}.${duckDbIdentifier(c.name)} IS ${duckDbString(c.description)};`);
      }
    }
  }
  return statements.join('\n');
}

function checkConstraint(column: DdlColumn): string[] {
  const ident = duckDbIdentifier(column.name);
  if (column.type.kind === 'enum') return [`${ident} IN (${column.type.values.map(duckDbString).join(', ')})`];
  if (column.type.kind === 'string' && column.type.maxLength !== undefined) return [`length(${ident}) <= ${column.type.maxLength}`];
  return [];
}

/**
 * Options of {@link toDuckDbParquetView}.
 *
 * @example
 * ```ts
 * const options: DuckDbParquetViewOptions = { location: '/lake/processed/orders', viewName: 'orders_processed' };
 * ```
 */
export interface DuckDbParquetViewOptions {
  /** Directory (or `s3://…` prefix, with DuckDB's httpfs) holding the table's Hive-partitioned Parquet files. */
  location: string;
  /** Name of the view; default the table's name. Must match `^[a-z_][a-z0-9_]*$`. */
  viewName?: string;
  /** `CREATE OR REPLACE VIEW` (default) rather than `CREATE VIEW`. */
  orReplace?: boolean;
  /** Pass `union_by_name = true` so files written before a column was added still read (slower: reads every footer). */
  unionByName?: boolean;
}

/**
 * `CREATE VIEW` over `<location>/**\/*.parquet` with `read_parquet`. The select list names the
 * file columns then the partition keys explicitly (DuckDB would otherwise put Hive keys in an
 * arbitrary order), and `hive_types` gives each key its declared type (`year`, `month`, `day` →
 * `INTEGER`), so no value is guessed from the path. An unpartitioned table reads with
 * `hive_partitioning = false`. DuckDB binds the view at creation: the location must hold at least one file.
 *
 * @example
 * ```ts
 * toDuckDbParquetView(orders, { location: '/lake/processed/orders' });
 * // CREATE OR REPLACE VIEW "orders" AS
 * // SELECT "order_id", …, "year", "month", "day"
 * // FROM read_parquet('/lake/processed/orders/**\/*.parquet', hive_partitioning = true,
 * //   hive_types = {'year': INTEGER, 'month': INTEGER, 'day': INTEGER});
 * ```
 */
export function toDuckDbParquetView(table: AnyTable, options: DuckDbParquetViewOptions): string {
  const name = requireIdentifier(options.viewName ?? table.name, 'viewName', table.name);
  if (typeof options.location !== 'string' || options.location.trim() === '') {
    throw new CoreError('InvalidArgument', `A location is needed for the Parquet view of table "${table.name}"`, {
      context: { table: table.name },
    });
  }
  const location = options.location.replace(/\/+$/, '');
  const columns = lakeViewColumns(table, true);
  const args = [duckDbString(`${location}/**/*.parquet`)];
  if (table.partitionKeys.length > 0) {
    const types = table.partitionKeys.map((k) => `${duckDbString(k.name)}: ${toDuckDbType(k.type)}`);
    args.push('hive_partitioning = true', `hive_types = {${types.join(', ')}}`);
  } else {
    args.push('hive_partitioning = false');
  }
  if (options.unionByName === true) args.push('union_by_name = true');
  const create = options.orReplace ?? true ? 'CREATE OR REPLACE VIEW' : 'CREATE VIEW';
  return [
    `${create} ${duckDbIdentifier(name)} AS`,
    `SELECT ${columns.map((c) => duckDbIdentifier(c.name)).join(', ')}`,
    `FROM read_parquet(${args.join(', ')});`,
  ].join('\n');
}
