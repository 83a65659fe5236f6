/**
 * Glue Data Catalog columns: plain objects of the Glue API `Column` shape (`Name`, `Type`,
 * `Comment`), for `StorageDescriptor.Columns` and `PartitionKeys`. No AWS SDK import: pass them to
 * `CreateTableCommand` / `UpdateTableCommand` as they are.
 *
 * @example
 * ```ts
 * const TableInput = {
 *   Name: orders.name,
 *   PartitionKeys: toGluePartitionKeys(orders),
 *   StorageDescriptor: { Columns: toGlueColumns(orders), Location: 's3://lake/processed/orders/' },
 * };
 * ```
 *
 * @module
 */
import { lakeViewColumns } from './ddl-columns.js';
import type { DdlColumn } from './ddl-columns.js';
import { truncate } from './sql-text.js';
import type { AnyTable } from './table.js';
import { toHiveType } from './type-mapping.js';

/**
 * Glue's limit on `Column.Comment` (characters); longer descriptions are cut.
 *
 * @example
 * ```ts
 * description.length > GLUE_COMMENT_MAX_LENGTH; // would be cut in Glue
 * ```
 */
export const GLUE_COMMENT_MAX_LENGTH = 255;

/**
 * The Glue API `Column` shape.
 *
 * @example
 * ```ts
 * const c: GlueColumn = { Name: 'order_id', Type: 'int', Comment: 'Order identifier' };
 * ```
 */
export interface GlueColumn {
  Name: string;
  /** Hive type: int, bigint, double, decimal(p,s), string, boolean, date, timestamp. */
  Type: string;
  /** The column description, cut to 255 characters; absent when the column has none. */
  Comment?: string;
}

function toGlue(column: DdlColumn): GlueColumn {
  const glue: GlueColumn = { Name: column.name, Type: toHiveType(column.type) };
  if (column.description !== undefined && column.description !== '') {
    glue.Comment = truncate(column.description, GLUE_COMMENT_MAX_LENGTH);
  }
  return glue;
}

/**
 * The storage-descriptor columns: the columns stored inside the Parquet files (no partition columns).
 *
 * @example
 * ```ts
 * toGlueColumns(orders)[0]; // { Name: 'order_id', Type: 'int', Comment: 'Order identifier' }
 * ```
 */
export function toGlueColumns(table: AnyTable): GlueColumn[] {
  return lakeViewColumns(table, false).map(toGlue);
}

/**
 * The partition keys, outermost first (`year`, `month`, `day` are `int`).
 *
 * @example
 * ```ts
 * toGluePartitionKeys(orders).map((k) => `${k.Name}:${k.Type}`); // ['year:int', 'month:int', 'day:int']
 * ```
 */
export function toGluePartitionKeys(table: AnyTable): GlueColumn[] {
  return table.partitionKeys.map((key) =>
    toGlue({ name: key.name, type: key.type, nullable: false, description: key.description, isPrimaryKey: false }),
  );
}
