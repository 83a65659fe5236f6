/**
 * The Arrow schema of a table (apache-arrow `Schema` / `Field`), for the Parquet writer and the
 * record batches exchanged between blocks.
 *
 * @example
 * ```ts
 * const fileSchema = toArrowSchema(orders);                                    // what goes inside the files
 * const datasetSchema = toArrowSchema(orders, { includePartitionColumns: true }); // + year, month, day (Int32)
 * ```
 *
 * @module
 */
import { Field, Schema } from 'apache-arrow';
import { lakeViewColumns } from './ddl-columns.js';
import type { AnyTable } from './table.js';
import { toArrowType } from './type-mapping.js';

/**
 * Options of {@link toArrowSchema}.
 *
 * @example
 * ```ts
 * const options: ArrowSchemaOptions = { includePartitionColumns: true };
 * ```
 */
export interface ArrowSchemaOptions {
  /**
   * Append the partition keys (time keys as non-null `Int32`, `columns` keys with their type) after
   * the file columns, as a query engine shows the dataset. Default `false`: the schema of the
   * Parquet files, which never contain partition columns.
   */
  includePartitionColumns?: boolean;
}

/**
 * The Arrow schema of a table: one field per file column (types per `TYPE-MAPPING.md`,
 * `nullable` as declared, the description in field metadata under `description`).
 *
 * @example
 * ```ts
 * const schema = toArrowSchema(orders);
 * schema.fields.find((f) => f.name === 'order_time')?.type.toString(); // 'Timestamp<MICROSECOND>'
 * ```
 */
export function toArrowSchema(table: AnyTable, options: ArrowSchemaOptions = {}): Schema {
  const fields = lakeViewColumns(table, options.includePartitionColumns ?? false).map(
    (c) =>
      new Field(
        c.name,
        toArrowType(c.type),
        c.nullable,
        c.description === undefined ? null : new Map([['description', c.description]]),
      ),
  );
  return new Schema(fields);
}
