/**
 * The column lists the DDL generators start from. Two views of a table exist:
 *
 * - **lake view** (Arrow file schema, Glue, Athena, DuckDB Parquet view): the columns stored in the
 *   files, then the partition keys (which live in the path);
 * - **table view** (DuckDB and MySQL `CREATE TABLE`): every row column, plus — on request — the
 *   time-derived partition keys as extra `int` columns.
 *
 * @example
 * ```ts
 * tableViewColumns(orders, true).map((c) => c.name).slice(-3); // ['year', 'month', 'day']
 * ```
 *
 * @module
 */
import type { ColumnType } from './column-type.js';
import type { AnyTable } from './table.js';

/**
 * A column as a DDL generator sees it.
 *
 * @example
 * ```ts
 * const c: DdlColumn = { name: 'year', type: { kind: 'int' }, nullable: false, description: 'Year of order_time (partition key)', isPrimaryKey: false };
 * ```
 */
export interface DdlColumn {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
  readonly description: string | undefined;
  readonly isPrimaryKey: boolean;
}

/**
 * Every row column, then (when `includePartitionColumns`) the time-derived partition keys as
 * non-null `int` columns. `columns`-partitioning keys are row columns and always present.
 *
 * @example
 * ```ts
 * tableViewColumns(orders, false).length; // 10
 * ```
 */
export function tableViewColumns(table: AnyTable, includePartitionColumns: boolean): DdlColumn[] {
  const columns: DdlColumn[] = table.columns.map((c) => ({ ...c }));
  if (includePartitionColumns) {
    for (const key of table.partitionKeys) {
      if (key.derived) columns.push({ name: key.name, type: key.type, nullable: false, description: key.description, isPrimaryKey: false });
    }
  }
  return columns;
}

/**
 * The columns stored in the files, then (when `includePartitionColumns`) every partition key, outermost first.
 *
 * @example
 * ```ts
 * lakeViewColumns(orders, true).map((c) => c.name).slice(-3); // ['year', 'month', 'day']
 * ```
 */
export function lakeViewColumns(table: AnyTable, includePartitionColumns: boolean): DdlColumn[] {
  const columns: DdlColumn[] = table.fileColumns.map((c) => ({ ...c }));
  if (includePartitionColumns) {
    for (const key of table.partitionKeys) {
      columns.push({ name: key.name, type: key.type, nullable: false, description: key.description, isPrimaryKey: false });
    }
  }
  return columns;
}
