/**
 * The two SQL dialects models render to: DuckDB (local) and Athena engine v3 (Trino). Both quote
 * identifiers with double quotes and strings with single quotes; they differ in type names.
 *
 * @module
 */
import { toDuckDbType, type ColumnType } from '@lakeblocks/core';
import { duckDbIdentifier, duckDbString } from '@lakeblocks/core';

/**
 * What rendering needs to know about an engine's SQL.
 *
 * @example
 * ```ts
 * athenaDialect.type({ kind: 'string' }); // 'VARCHAR'
 * duckDbDialect.identifier('order_id');   // '"order_id"'
 * ```
 */
export interface SqlDialect {
  readonly name: 'duckdb' | 'athena';
  /** A quoted identifier. */
  identifier(name: string): string;
  /** A string literal. */
  string(value: string): string;
  /** The type name used in `CAST(… AS <type>)`. */
  type(type: ColumnType): string;
}

/**
 * Double-quotes an identifier, doubling embedded quotes (core's `duckDbIdentifier`: the same rule
 * holds in DuckDB and Trino).
 *
 * @example
 * ```ts
 * quoteIdentifier('year'); // '"year"'
 * ```
 */
export const quoteIdentifier: (name: string) => string = duckDbIdentifier;

/**
 * A single-quoted SQL string literal, `'` doubled (core's `duckDbString`; Trino reads it the same way).
 *
 * @example
 * ```ts
 * quoteString("O'Brien"); // "'O''Brien'"
 * ```
 */
export const quoteString: (value: string) => string = duckDbString;

/**
 * The Athena (Trino) DML type of a column type: `INTEGER`, `BIGINT`, `DOUBLE`, `DECIMAL(p,s)`,
 * `VARCHAR`, `BOOLEAN`, `DATE`, `TIMESTAMP`.
 *
 * @example
 * ```ts
 * toAthenaSqlType({ kind: 'decimal', precision: 12, scale: 2 }); // 'DECIMAL(12,2)'
 * ```
 */
export function toAthenaSqlType(type: ColumnType): string {
  switch (type.kind) {
    case 'int':
      return 'INTEGER';
    case 'bigint':
      return 'BIGINT';
    case 'double':
      return 'DOUBLE';
    case 'decimal':
      return `DECIMAL(${type.precision},${type.scale})`;
    case 'string':
    case 'enum':
      return 'VARCHAR';
    case 'boolean':
      return 'BOOLEAN';
    case 'date':
      return 'DATE';
    case 'timestamp':
      return 'TIMESTAMP';
  }
}

/**
 * DuckDB's dialect.
 *
 * @example
 * ```ts
 * duckDbDialect.type({ kind: 'int' }); // 'INTEGER'
 * ```
 */
export const duckDbDialect: SqlDialect = Object.freeze({
  name: 'duckdb',
  identifier: quoteIdentifier,
  string: quoteString,
  type: (type: ColumnType) => toDuckDbType(type),
});

/**
 * Athena engine v3 (Trino) dialect, for DML (`SELECT`, CTAS, `INSERT INTO`).
 *
 * @example
 * ```ts
 * athenaDialect.type({ kind: 'timestamp' }); // 'TIMESTAMP'
 * ```
 */
export const athenaDialect: SqlDialect = Object.freeze({
  name: 'athena',
  identifier: quoteIdentifier,
  string: quoteString,
  type: toAthenaSqlType,
});
