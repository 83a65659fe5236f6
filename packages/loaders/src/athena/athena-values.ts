/**
 * Conversions between JS values and Athena (Trino) text: parsing `GetQueryResults` cells by their
 * `ResultSetMetadata` type into typed JS values, and rendering query parameters as the SQL
 * literals `ExecutionParameters` expects. SDK-free.
 *
 * | Athena type | JS value |
 * |---|---|
 * | `tinyint`, `smallint`, `integer` | `number` |
 * | `bigint` | `bigint` (exact) |
 * | `double`, `float`, `real` | `number` (`NaN`, `±Infinity` kept) |
 * | `decimal` | `string`, exact (`'1234.50'`) |
 * | `boolean` | `boolean` |
 * | `date` | `string` `'YYYY-MM-DD'` (as core's `col.date()`) |
 * | `timestamp` | `Date`, the wall clock read as UTC (as core's `col.timestamp()`) |
 * | `varchar`, `char`, anything else | `string` |
 * | NULL (a cell without `VarCharValue`) | `null` |
 *
 * @example
 * ```ts
 * parseAthenaValue('bigint', '9007199254740993'); // 9007199254740993n
 * athenaLiteral("O'Brien");                        // "'O''Brien'"
 * ```
 *
 * @module
 */
import { LoadersError } from '../errors/loaders-error.js';

/**
 * A typed cell of an Athena result row.
 *
 * @example
 * ```ts
 * const v: AthenaValue = 12n;
 * ```
 */
export type AthenaValue = string | number | bigint | boolean | Date | null;

/**
 * A value usable as an Athena query parameter (`?` in the SQL).
 *
 * @example
 * ```ts
 * const params: AthenaParameter[] = ['CO', 2025, 10n, true, new Date('2025-01-31T00:00:00Z'), null];
 * ```
 */
export type AthenaParameter = string | number | bigint | boolean | Date | null;

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

/**
 * Parses one result cell by its Athena type (see the module table). `undefined` (a NULL cell)
 * becomes `null`.
 *
 * @example
 * ```ts
 * parseAthenaValue('decimal', '0.10');                     // '0.10'
 * parseAthenaValue('timestamp', '2025-01-31 12:00:00.500'); // Date 2025-01-31T12:00:00.500Z
 * ```
 */
export function parseAthenaValue(type: string, text: string | undefined): AthenaValue {
  if (text === undefined) return null;
  const base = type.toLowerCase().replace(/\(.*$/, '').trim();
  switch (base) {
    case 'tinyint':
    case 'smallint':
    case 'integer':
    case 'int':
      return Number(text);
    case 'bigint':
      return BigInt(text);
    case 'double':
    case 'float':
    case 'real':
      return text === 'NaN' ? NaN : text === 'Infinity' ? Infinity : text === '-Infinity' ? -Infinity : Number(text);
    case 'boolean':
      return text === 'true';
    case 'timestamp': {
      const m = TIMESTAMP.exec(text);
      if (m === null) return text;
      const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
      return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms));
    }
    default:
      return text; // decimal (exact), date, varchar, char, json, arrays …
  }
}

/**
 * The SQL literal of a query parameter, as Athena's `ExecutionParameters` wants it: strings
 * quoted (`'` doubled), numbers and bigints as digits, booleans, `Date` as
 * `timestamp 'YYYY-MM-DD hh:mm:ss.sss'` (UTC wall clock), `null` as `NULL`. Throws
 * `InvalidArgument` for non-finite numbers.
 *
 * @example
 * ```ts
 * athenaLiteral('it\'s');                              // "'it''s'"
 * athenaLiteral(new Date('2025-01-31T10:00:00Z'));     // "timestamp '2025-01-31 10:00:00.000'"
 * ```
 */
export function athenaLiteral(value: AthenaParameter): string {
  if (value === null) return 'NULL';
  switch (typeof value) {
    case 'string':
      return `'${value.replaceAll("'", "''")}'`;
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new LoadersError('InvalidArgument', `Athena query parameter ${value} is not a finite number`);
      return String(value);
    default:
      if (value instanceof Date && !Number.isNaN(value.getTime())) return `timestamp '${value.toISOString().replace('T', ' ').replace('Z', '')}'`;
      throw new LoadersError('InvalidArgument', `Unsupported Athena query parameter ${String(value)}`);
  }
}
