/**
 * Table schemas: define a table once (`defineTable` + `col`), derive everything else — row type,
 * validation, partition keys, Arrow schema, Glue columns, DuckDB / Athena / MySQL DDL, data
 * dictionary. Type mapping: see `TYPE-MAPPING.md`.
 *
 * @example
 * ```ts
 * import { defineTable, col, toArrowSchema, toMySqlCreateTable, type RowOf } from '@lakeblocks/core';
 * const products = defineTable({ name: 'products', columns: { product_id: col.int(), name: col.string() }, primaryKey: ['product_id'] });
 * type Product = RowOf<typeof products>;
 * toMySqlCreateTable(products);
 * ```
 *
 * @module
 */
export { col, Column } from './column.js';
export type { AnyColumn, ColumnValue, StringColumnOptions, ValueOf } from './column.js';
export { formatColumnType, MAX_DECIMAL_PRECISION } from './column-type.js';
export type { ColumnKind, ColumnType, ColumnTypeOf } from './column-type.js';
export { defineTable } from './define-table.js';
export type { AnyTable, ColumnsShape, RowOf, RowShape, Table, TableColumn, TableOptions, TablePartitioning, TableSchema } from './table.js';
export type { PartitionKey } from './partition-keys.js';
export type { RowParseResult, SchemaIssue } from './row-validation.js';
export { IDENTIFIER_PATTERN, isValidIdentifier, MAX_IDENTIFIER_LENGTH } from './identifier.js';
export { checkDecimal, codePointLength, isCalendarDate } from './value-checks.js';
export type { DecimalCheck } from './value-checks.js';
export { toArrowType, toDuckDbType, toHiveType, toMySqlType, tsTypeName } from './type-mapping.js';
export type { TypeContext } from './type-mapping.js';
export { toArrowSchema } from './arrow-schema.js';
export type { ArrowSchemaOptions } from './arrow-schema.js';
export { toGlueColumns, toGluePartitionKeys } from './glue-columns.js';
export type { GlueColumn } from './glue-columns.js';
export { toDuckDbCreateTable, toDuckDbParquetView } from './duckdb-ddl.js';
export type { DuckDbCreateTableOptions, DuckDbParquetViewOptions } from './duckdb-ddl.js';
export { toAthenaCreateTable } from './athena-ddl.js';
export type { AthenaCreateTableOptions, AthenaParquetCompression } from './athena-ddl.js';
export { toMySqlCreateTable } from './mysql-ddl.js';
export type { MySqlCreateTableOptions } from './mysql-ddl.js';
export { toDataDictionary } from './data-dictionary.js';
export type { DataDictionaryOptions } from './data-dictionary.js';
