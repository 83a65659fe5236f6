/**
 * The one mapping from logical column types to every target. Every DDL, Arrow schema, Glue
 * column and data dictionary in this module reads its types from here (one record per kind, no
 * `if (target === …)` branches elsewhere).
 *
 * | column | TS type | validation | Arrow | Hive / Glue / Athena | DuckDB | MySQL |
 * |---|---|---|---|---|---|---|
 * | `col.int()` | `number` | integer in [-2^31, 2^31-1] | `Int32` | `int` | `INTEGER` | `INT` |
 * | `col.bigint()` | `bigint` | integer in [-2^63, 2^63-1] | `Int64` | `bigint` | `BIGINT` | `BIGINT` |
 * | `col.double()` | `number` | finite (no NaN, ±Infinity) | `Float64` | `double` | `DOUBLE` | `DOUBLE` |
 * | `col.decimal(p, s)` | `string` `'-123.45'` | ≤ p−s integer digits, ≤ s fraction digits, no rounding | `Decimal(p, s)` (128-bit) | `decimal(p,s)` | `DECIMAL(p,s)` | `DECIMAL(p,s)` |
 * | `col.string()` | `string` | — | `Utf8` | `string` | `VARCHAR` | `TEXT`; `VARCHAR(255)` in a primary key |
 * | `col.string({ maxLength: n })` | `string` | ≤ n code points | `Utf8` | `string` | `VARCHAR` + `CHECK (length(c) <= n)` | `VARCHAR(n)` (`TEXT` above 16383) |
 * | `col.boolean()` | `boolean` | — | `Bool` | `boolean` | `BOOLEAN` | `BOOLEAN` (= `TINYINT(1)`) |
 * | `col.date()` | `string` `'YYYY-MM-DD'` | real calendar date, 0001..9999 | `DateDay` (date32) | `date` | `DATE` | `DATE` |
 * | `col.timestamp()` | `Date` (UTC wall clock) | valid `Date`, years 0001..9999 | `Timestamp(MICROSECOND)`, no time zone | `timestamp` | `TIMESTAMP` | `DATETIME(6)` |
 * | `col.enum([...])` | union of the literals | one of the values | `Utf8` | `string` | `VARCHAR` + `CHECK (c IN (…))` | `VARCHAR(longest)` + `CHECK (c IN (…))` |
 * | `.nullable()` | `T \| null` | `null` accepted | `nullable: true` | (Hive columns are always nullable) | no `NOT NULL` | `NULL` |
 *
 * Non-null columns are `nullable: false` in Arrow and `NOT NULL` in DuckDB and MySQL DDL. String
 * and enum primary-key columns get `COLLATE utf8mb4_bin` in MySQL so that keys compare exactly as
 * in the lake (the default collations are case- and accent-insensitive).
 *
 * @example
 * ```ts
 * const t: ColumnType = { kind: 'decimal', precision: 12, scale: 2 };
 * toHiveType(t);   // 'decimal(12,2)'
 * toDuckDbType(t); // 'DECIMAL(12,2)'
 * toMySqlType(t);  // 'DECIMAL(12,2)'
 * toArrowType(t);  // Decimal { precision: 12, scale: 2, bitWidth: 128 }
 * ```
 *
 * @module
 */
import { Bool, DateDay, Decimal, Float64, Int32, Int64, TimestampMicrosecond, Utf8 } from 'apache-arrow';
import type { DataType } from 'apache-arrow';
import type { ColumnKind, ColumnTypeOf, ColumnType } from './column-type.js';
import { codePointLength } from './value-checks.js';

/**
 * Longest `VARCHAR(n)` emitted for MySQL (utf8mb4: 4 bytes a character, 65,535-byte row limit); longer strings become `TEXT`.
 *
 * @example
 * ```ts
 * toMySqlType({ kind: 'string', maxLength: MYSQL_MAX_VARCHAR + 1 }); // 'TEXT'
 * ```
 */
export const MYSQL_MAX_VARCHAR = 16383;

/**
 * `VARCHAR` length used for a MySQL primary-key string column without `maxLength`.
 *
 * @example
 * ```ts
 * toMySqlType({ kind: 'string' }, { primaryKey: true }); // `VARCHAR(${MYSQL_KEY_VARCHAR})`
 * ```
 */
export const MYSQL_KEY_VARCHAR = 255;

/**
 * Context a target type may depend on.
 *
 * @example
 * ```ts
 * toMySqlType({ kind: 'string' }, { primaryKey: true }); // 'VARCHAR(255)'
 * ```
 */
export interface TypeContext {
  /** The column is part of the primary key (MySQL cannot index `TEXT` without a prefix length). */
  primaryKey?: boolean;
}

/** What one logical kind becomes on each target. */
interface TypeTargets<K extends ColumnKind> {
  ts: (type: ColumnTypeOf<K>) => string;
  arrow: (type: ColumnTypeOf<K>) => DataType;
  hive: (type: ColumnTypeOf<K>) => string;
  duckdb: (type: ColumnTypeOf<K>) => string;
  mysql: (type: ColumnTypeOf<K>, context: TypeContext) => string;
}

const mysqlString = (maxLength: number | undefined, context: TypeContext): string => {
  if (maxLength === undefined) return context.primaryKey === true ? `VARCHAR(${MYSQL_KEY_VARCHAR})` : 'TEXT';
  return maxLength <= MYSQL_MAX_VARCHAR ? `VARCHAR(${maxLength})` : 'TEXT';
};

const TARGETS: { readonly [K in ColumnKind]: TypeTargets<K> } = {
  int: { ts: () => 'number', arrow: () => new Int32(), hive: () => 'int', duckdb: () => 'INTEGER', mysql: () => 'INT' },
  bigint: { ts: () => 'bigint', arrow: () => new Int64(), hive: () => 'bigint', duckdb: () => 'BIGINT', mysql: () => 'BIGINT' },
  double: { ts: () => 'number', arrow: () => new Float64(), hive: () => 'double', duckdb: () => 'DOUBLE', mysql: () => 'DOUBLE' },
  decimal: {
    ts: () => 'string',
    arrow: (t) => new Decimal(t.scale, t.precision, 128),
    hive: (t) => `decimal(${t.precision},${t.scale})`,
    duckdb: (t) => `DECIMAL(${t.precision},${t.scale})`,
    mysql: (t) => `DECIMAL(${t.precision},${t.scale})`,
  },
  string: {
    ts: () => 'string',
    arrow: () => new Utf8(),
    hive: () => 'string',
    duckdb: () => 'VARCHAR',
    mysql: (t, context) => mysqlString(t.maxLength, context),
  },
  boolean: { ts: () => 'boolean', arrow: () => new Bool(), hive: () => 'boolean', duckdb: () => 'BOOLEAN', mysql: () => 'BOOLEAN' },
  date: { ts: () => 'string', arrow: () => new DateDay(), hive: () => 'date', duckdb: () => 'DATE', mysql: () => 'DATE' },
  timestamp: {
    ts: () => 'Date',
    arrow: () => new TimestampMicrosecond(null),
    hive: () => 'timestamp',
    duckdb: () => 'TIMESTAMP',
    mysql: () => 'DATETIME(6)',
  },
  enum: {
    ts: (t) => t.values.map((v) => JSON.stringify(v)).join(' | '),
    arrow: () => new Utf8(),
    hive: () => 'string',
    duckdb: () => 'VARCHAR',
    mysql: (t) => `VARCHAR(${Math.max(1, ...t.values.map(codePointLength))})`,
  },
};

function targetsOf<K extends ColumnKind>(type: ColumnTypeOf<K>): TypeTargets<K> {
  return TARGETS[type.kind as K];
}

/**
 * The TS type of a column's values, spelled as TS source (for docs and generated code).
 *
 * @example
 * ```ts
 * tsTypeName({ kind: 'enum', values: ['a', 'b'] }); // '"a" | "b"'
 * ```
 */
export function tsTypeName(type: ColumnType): string {
  return targetsOf(type).ts(type);
}

/**
 * The apache-arrow data type of a column (a fresh instance).
 *
 * @example
 * ```ts
 * toArrowType({ kind: 'timestamp' }); // TimestampMicrosecond, no time zone
 * ```
 */
export function toArrowType(type: ColumnType): DataType {
  return targetsOf(type).arrow(type);
}

/**
 * The Hive type of a column: the type of Glue `Column.Type` and of Athena DDL.
 *
 * @example
 * ```ts
 * toHiveType({ kind: 'int' }); // 'int'
 * ```
 */
export function toHiveType(type: ColumnType): string {
  return targetsOf(type).hive(type);
}

/**
 * The DuckDB type of a column.
 *
 * @example
 * ```ts
 * toDuckDbType({ kind: 'timestamp' }); // 'TIMESTAMP'
 * ```
 */
export function toDuckDbType(type: ColumnType): string {
  return targetsOf(type).duckdb(type);
}

/**
 * The MySQL / MariaDB type of a column.
 *
 * @example
 * ```ts
 * toMySqlType({ kind: 'string', maxLength: 2 });        // 'VARCHAR(2)'
 * toMySqlType({ kind: 'string' });                      // 'TEXT'
 * toMySqlType({ kind: 'string' }, { primaryKey: true }); // 'VARCHAR(255)'
 * ```
 */
export function toMySqlType(type: ColumnType, context: TypeContext = {}): string {
  return targetsOf(type).mysql(type, context);
}
