/**
 * Turning lake values (Arrow cells or `RowOf<T>` fields) into mysql2 query parameters, column
 * kind by column kind, and estimating how many bytes each adds to a statement. Exactness rules:
 * decimals travel as strings (never through a float), bigints as decimal strings, timestamps as
 * `'YYYY-MM-DD hh:mm:ss.ffffff'` UTC wall-clock text (microseconds kept from Arrow), dates as
 * `'YYYY-MM-DD'`, booleans as 1 / 0.
 *
 * @example
 * ```ts
 * toMySqlParam({ kind: 'timestamp' }, new Date('2025-01-31T12:00:00.5Z')); // '2025-01-31 12:00:00.500'
 * toMySqlParam({ kind: 'decimal', precision: 12, scale: 2 }, '19.99');      // '19.99'
 * ```
 *
 * @module
 */
import type { ColumnType } from '@lakeblocks/core';
import { LoadersError } from '../errors/loaders-error.js';

/**
 * A value as mysql2 receives it.
 *
 * @example
 * ```ts
 * const params: MySqlParam[] = [1, '19.99', '2025-01-31 12:00:00.000', null];
 * ```
 */
export type MySqlParam = string | number | null;

const DECIMAL = /^-?\d+(\.\d+)?$/;
const INTEGER = /^-?\d+$/;

/**
 * `date` as `'YYYY-MM-DD hh:mm:ss.sss'` (UTC wall clock).
 *
 * @example
 * ```ts
 * formatUtcDateTime(new Date(0)); // '1970-01-01 00:00:00.000'
 * ```
 */
export function formatUtcDateTime(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

/**
 * One value converted for a column of `type`; throws `InvalidArgument` for a value of the wrong
 * kind (the message names the kind, never the value of another column).
 *
 * @example
 * ```ts
 * toMySqlParam({ kind: 'bigint' }, 9007199254740993n); // '9007199254740993'
 * toMySqlParam({ kind: 'boolean' }, true);             // 1
 * ```
 */
export function toMySqlParam(type: ColumnType, value: unknown): MySqlParam {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case 'int':
    case 'double':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      if (typeof value === 'bigint') return Number(value);
      break;
    case 'bigint':
      if (typeof value === 'bigint') return value.toString();
      if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
      if (typeof value === 'string' && INTEGER.test(value)) return value;
      break;
    case 'decimal':
      if (typeof value === 'string' && DECIMAL.test(value)) return checkDecimalText(value, type.precision, type.scale);
      if (typeof value === 'number' && Number.isFinite(value)) return checkDecimalText(value.toFixed(type.scale), type.precision, type.scale);
      if (typeof value === 'bigint') return checkDecimalText(value.toString(), type.precision, type.scale);
      break;
    case 'string':
    case 'enum':
      if (typeof value === 'string') return value;
      break;
    case 'boolean':
      if (typeof value === 'boolean') return value ? 1 : 0;
      if (value === 0 || value === 1) return value;
      break;
    case 'date':
      if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
      if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().slice(0, 10);
      if (typeof value === 'number' && Number.isFinite(value)) return new Date(value).toISOString().slice(0, 10);
      break;
    case 'timestamp':
      if (value instanceof Date && !Number.isNaN(value.getTime())) return formatUtcDateTime(value);
      if (typeof value === 'number' && Number.isFinite(value)) return formatUtcDateTime(new Date(value));
      if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?$/.test(value)) return value.replace('T', ' ');
      break;
  }
  throw new LoadersError('InvalidArgument', `expected a ${type.kind} value, got ${describe(value)}`);
}

/**
 * `text` (a plain decimal: `-?\d+(\.\d+)?`) when `DECIMAL(precision, scale)` holds it exactly;
 * otherwise `InvalidArgument` — MySQL would round extra decimal places with only a note (even in
 * strict mode), silently changing money. Trailing zeros beyond the scale are fine. The message
 * does not repeat the value.
 *
 * @example
 * ```ts
 * checkDecimalText('19.990', 12, 2); // '19.990'
 * checkDecimalText('19.999', 12, 2); // throws: 3 decimal places, DECIMAL(12,2) keeps 2
 * ```
 */
export function checkDecimalText(text: string, precision: number, scale: number): string {
  const body = text.startsWith('-') ? text.slice(1) : text;
  const dot = body.indexOf('.');
  const fraction = dot < 0 ? '' : body.slice(dot + 1).replace(/0+$/, '');
  if (fraction.length > scale) {
    throw new LoadersError('InvalidArgument', `a decimal with ${fraction.length} decimal places does not fit DECIMAL(${precision},${scale}) exactly (MySQL would round it): round it first`);
  }
  const integer = (dot < 0 ? body : body.slice(0, dot)).replace(/^0+/, '');
  if (integer.length > precision - scale) {
    throw new LoadersError('InvalidArgument', `a decimal with ${integer.length} integer digits does not fit DECIMAL(${precision},${scale})`);
  }
  return text;
}

function describe(value: unknown): string {
  if (value instanceof Date) return 'an invalid Date';
  if (typeof value === 'number') return `the number ${value}`;
  return `a value of type ${typeof value}`;
}

/**
 * Upper bound of the bytes `value` adds to a statement once escaped by mysql2 (quotes, doubled
 * backslashes and quotes, UTF-8), plus the separating `, `.
 *
 * @example
 * ```ts
 * paramBytes("it's"); // 9: quotes, escaped quote, separator
 * ```
 */
export function paramBytes(value: MySqlParam): number {
  if (value === null) return 6;
  if (typeof value === 'number') return 26;
  let escapes = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 39 || c === 92 || c === 34 || c === 0 || c === 10 || c === 13 || c === 8 || c === 9 || c === 26) escapes++;
  }
  return Buffer.byteLength(value, 'utf8') + escapes + 4;
}
