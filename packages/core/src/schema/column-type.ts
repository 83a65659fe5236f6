/**
 * The logical column types of a lake table, as plain data.
 *
 * A {@link ColumnType} is what a column builder (`col.int()`, `col.decimal(12, 2)` …) records; every
 * target (TS type, zod validation, Arrow, Hive/Glue/Athena, DuckDB, MySQL) is derived from it by
 * the mapping in `type-mapping.ts` (see `TYPE-MAPPING.md` beside this file).
 *
 * @example
 * ```ts
 * const t: ColumnType = { kind: 'decimal', precision: 12, scale: 2 };
 * formatColumnType(t); // 'decimal(12,2)'
 * ```
 *
 * @module
 */

/**
 * One logical column type.
 *
 * - `int`: 32-bit signed integer.
 * - `bigint`: 64-bit signed integer (TS `bigint`).
 * - `double`: 64-bit IEEE float, finite.
 * - `decimal`: exact decimal with `precision` total digits (1..38) and `scale` digits after the point (0..precision).
 * - `string`: UTF-8 text, optionally at most `maxLength` characters (Unicode code points).
 * - `boolean`.
 * - `date`: calendar date without time zone (TS `'YYYY-MM-DD'`).
 * - `timestamp`: date and time without time zone, microsecond unit (TS `Date`, read as UTC wall clock).
 * - `enum`: one of a fixed list of strings.
 *
 * @example
 * ```ts
 * const country: ColumnType = { kind: 'string', maxLength: 2 };
 * ```
 */
export type ColumnType =
  | { readonly kind: 'int' }
  | { readonly kind: 'bigint' }
  | { readonly kind: 'double' }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'string'; readonly maxLength?: number | undefined }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'date' }
  | { readonly kind: 'timestamp' }
  | { readonly kind: 'enum'; readonly values: readonly string[] };

/**
 * The discriminant of a {@link ColumnType}.
 *
 * @example
 * ```ts
 * const kind: ColumnKind = 'timestamp';
 * ```
 */
export type ColumnKind = ColumnType['kind'];

/**
 * The {@link ColumnType} variant of one kind.
 *
 * @example
 * ```ts
 * const d: ColumnTypeOf<'decimal'> = { kind: 'decimal', precision: 10, scale: 2 };
 * ```
 */
export type ColumnTypeOf<K extends ColumnKind> = Extract<ColumnType, { readonly kind: K }>;

/**
 * Largest decimal precision every target supports (Arrow Decimal128, Hive, DuckDB).
 *
 * @example
 * ```ts
 * col.decimal(MAX_DECIMAL_PRECISION, 10); // the widest decimal defineTable accepts
 * ```
 */
export const MAX_DECIMAL_PRECISION = 38;

/**
 * A short, human-readable spelling of a column type, used in messages and the data dictionary.
 *
 * @example
 * ```ts
 * formatColumnType({ kind: 'string', maxLength: 2 });              // 'string(2)'
 * formatColumnType({ kind: 'enum', values: ['card', 'paypal'] });   // 'enum(card|paypal)'
 * ```
 */
export function formatColumnType(type: ColumnType): string {
  switch (type.kind) {
    case 'decimal':
      return `decimal(${type.precision},${type.scale})`;
    case 'string':
      return type.maxLength === undefined ? 'string' : `string(${type.maxLength})`;
    case 'enum':
      return `enum(${type.values.join('|')})`;
    default:
      return type.kind;
  }
}
