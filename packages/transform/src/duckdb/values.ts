/**
 * DuckDB values → plain JS values, following core's row types: integers up to 32 bits → `number`,
 * BIGINT/HUGEINT → `bigint`, DOUBLE → `number`, DECIMAL → exact `string` (`'12.30'`), DATE →
 * `'YYYY-MM-DD'`, TIMESTAMP → `Date`, VARCHAR → `string`, BOOLEAN → `boolean`.
 *
 * @module
 */
import {
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampValue,
  DuckDBTimestampTZValue,
  type DuckDBValue,
} from '@duckdb/node-api';

/**
 * A value of a result row.
 *
 * @example
 * ```ts
 * const v: ResultValue = '12.30'; // a DECIMAL(12,2)
 * ```
 */
export type ResultValue = null | boolean | number | bigint | string | Date | ResultValue[] | { [key: string]: ResultValue };

/**
 * A result row keyed by column name.
 *
 * @example
 * ```ts
 * const row: ResultRow = { order_id: 1, total_usd: '99.90', order_time: new Date('2025-01-31T23:07:42Z') };
 * ```
 */
export type ResultRow = Record<string, ResultValue>;

/**
 * Converts one DuckDB value (see the module comment for the mapping).
 *
 * @example
 * ```ts
 * toResultValue(new DuckDBDecimalValue(1230n, 12, 2)); // '12.30'
 * ```
 */
export function toResultValue(value: DuckDBValue): ResultValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string' || typeof value === 'bigint') return value;
  if (value instanceof DuckDBDecimalValue) return value.toString();
  if (value instanceof DuckDBDateValue) return value.toString();
  if (value instanceof DuckDBTimestampValue || value instanceof DuckDBTimestampTZValue) return new Date(Number(value.micros / 1000n));
  if (value instanceof DuckDBTimestampMillisecondsValue) return new Date(Number(value.millis));
  if (value instanceof DuckDBTimestampSecondsValue) return new Date(Number(value.seconds) * 1000);
  if (value instanceof DuckDBTimestampNanosecondsValue) return new Date(Number(value.nanos / 1_000_000n));
  return value.toString();
}

/**
 * Converts a row of DuckDB values.
 *
 * @example
 * ```ts
 * toResultRow({ n: 1, d: new DuckDBDecimalValue(5n, 12, 2) }); // { n: 1, d: '0.05' }
 * ```
 */
export function toResultRow(row: Record<string, DuckDBValue>): ResultRow {
  const out: ResultRow = {};
  for (const [k, v] of Object.entries(row)) out[k] = toResultValue(v);
  return out;
}
