/**
 * Reading Arrow `RecordBatch`es (apache-arrow 21) column by column into mysql2 parameters,
 * exactly: decimals from their 128/256-bit words to decimal strings, timestamps from their raw
 * 64-bit counts (microseconds kept), 64-bit integers as bigint.
 *
 * @example
 * ```ts
 * const readers = arrowColumnReaders(batch, orders.columns);
 * const firstRow = readers.map((read) => read(0));
 * ```
 *
 * @module
 */
import { DataType, DateUnit, TimeUnit, type Data, type RecordBatch } from 'apache-arrow';
import type { TableColumn } from '@lakeblocks/core';
import { LoadersError } from '../errors/loaders-error.js';
import { checkDecimalText, toMySqlParam, type MySqlParam } from './row-values.js';

/**
 * Reads the value of one column at a row index as a mysql2 parameter.
 *
 * @example
 * ```ts
 * const read: ColumnReader = (i) => i;
 * ```
 */
export type ColumnReader = (row: number) => MySqlParam;

/**
 * A decimal's two's-complement little-endian 32-bit words as an exact decimal string.
 *
 * @example
 * ```ts
 * decimalWordsToString(new Uint32Array([12345, 0, 0, 0]), 0, 4, 2); // '123.45'
 * ```
 */
export function decimalWordsToString(words: Uint32Array, start: number, count: number, scale: number): string {
  // Fast path: the value fits in the low 32-bit word (sign-extended), the common case for money.
  let small = true;
  const high = (words[start] ?? 0) >= 0x80000000 ? 0xffffffff : 0;
  for (let w = 1; w < count; w++) {
    if (words[start + w] !== high) {
      small = false;
      break;
    }
  }
  if (small && scale <= 15) {
    const low = words[start] ?? 0;
    const value = high === 0 ? low : low - 0x100000000;
    const negative = value < 0;
    let digits = String(negative ? -value : value);
    if (scale > 0) {
      digits = digits.padStart(scale + 1, '0');
      digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
    }
    return negative ? `-${digits}` : digits;
  }
  let n = 0n;
  for (let w = count - 1; w >= 0; w--) n = (n << 32n) | BigInt(words[start + w] ?? 0);
  const bits = BigInt(count * 32);
  if (n >> (bits - 1n) === 1n) n -= 1n << bits;
  const negative = n < 0n;
  let digits = (negative ? -n : n).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  return negative ? `-${digits}` : digits;
}

const PAD = (n: number, width = 2) => String(n).padStart(width, '0');
const TWO = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/**
 * Days since 1970-01-01 as `'YYYY-MM-DD'` (proleptic Gregorian, Howard Hinnant's civil-from-days).
 *
 * @example
 * ```ts
 * formatEpochDay(20119); // '2025-01-31'
 * ```
 */
export function formatEpochDay(epochDay: number): string {
  const z = epochDay + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1_460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${year < 1000 ? PAD(year, 4) : year}-${TWO[month]}-${TWO[day]}`;
}

/** Microseconds since the epoch (a safe integer) as `'YYYY-MM-DD hh:mm:ss.ffffff'`. */
function formatMicros(n: number): string {
  let seconds = Math.floor(n / 1_000_000);
  let micro = n - seconds * 1_000_000;
  if (micro < 0) {
    micro += 1_000_000;
    seconds -= 1;
  } else if (micro >= 1_000_000) {
    micro -= 1_000_000;
    seconds += 1;
  }
  const days = Math.floor(seconds / 86_400);
  const sod = seconds - days * 86_400;
  const hh = Math.floor(sod / 3_600);
  const mm = Math.floor((sod - hh * 3_600) / 60);
  const ss = sod - hh * 3_600 - mm * 60;
  const frac = micro < 100_000 ? String(micro).padStart(6, '0') : String(micro);
  return `${formatEpochDay(days)} ${TWO[hh]}:${TWO[mm]}:${TWO[ss]}.${frac}`;
}

/**
 * A raw Arrow timestamp (a count of `unit`s since the epoch) as `'YYYY-MM-DD hh:mm:ss.ffffff'` UTC.
 *
 * @example
 * ```ts
 * timestampToString(1738326896123456n, TimeUnit.MICROSECOND); // '2025-01-31 12:34:56.123456'
 * ```
 */
export function timestampToString(count: bigint, unit: TimeUnit): string {
  const perSecond = unit === TimeUnit.SECOND ? 1n : unit === TimeUnit.MILLISECOND ? 1_000n : unit === TimeUnit.MICROSECOND ? 1_000_000n : 1_000_000_000n;
  const micros = perSecond === 1_000_000n ? count : (count * 1_000_000n) / perSecond;
  // Fast path: microseconds as a safe integer (years 1685..2255), formatted with integer arithmetic.
  if (micros >= -9_007_199_254_740_991n && micros <= 9_007_199_254_740_991n) return formatMicros(Number(micros));
  let seconds = micros / 1_000_000n;
  let fraction = micros % 1_000_000n;
  if (fraction < 0n) {
    fraction += 1_000_000n;
    seconds -= 1n;
  }
  const d = new Date(Number(seconds) * 1000);
  return `${PAD(d.getUTCFullYear(), 4)}-${PAD(d.getUTCMonth() + 1)}-${PAD(d.getUTCDate())} ${PAD(d.getUTCHours())}:${PAD(d.getUTCMinutes())}:${PAD(d.getUTCSeconds())}.${fraction.toString().padStart(6, '0')}`;
}

/**
 * Readers index the value buffers by `i` alone: apache-arrow cuts the value buffers when it slices
 * (`RecordBatch.slice`, `Table.slice`) and only keeps `data.offset` for the validity bitmap, which
 * `getValid` applies itself. Adding `data.offset` again read the wrong rows of a sliced batch.
 */
function rawReader(data: Data, column: TableColumn): ColumnReader | undefined {
  const type = data.type as DataType;
  if (DataType.isDecimal(type) && column.type.kind === 'decimal') {
    const words = data.values as unknown as Uint32Array;
    const count = (type as unknown as { bitWidth: number }).bitWidth / 32;
    const { scale, precision } = type as unknown as { scale: number; precision: number };
    const target = column.type;
    // A batch decimal wider than the column (more decimals or integer digits) is checked value by value.
    if (scale > target.scale || precision - scale > target.precision - target.scale) {
      return (i) => (data.getValid(i) ? checkDecimalText(decimalWordsToString(words, i * count, count, scale), target.precision, target.scale) : null);
    }
    return (i) => (data.getValid(i) ? decimalWordsToString(words, i * count, count, scale) : null);
  }
  if (DataType.isTimestamp(type) && column.type.kind === 'timestamp') {
    const unit = (type as unknown as { unit: TimeUnit }).unit;
    const values = data.values as unknown as BigInt64Array | Int32Array;
    if (values instanceof BigInt64Array) return (i) => (data.getValid(i) ? timestampToString(values[i] ?? 0n, unit) : null);
    return (i) => {
      if (!data.getValid(i)) return null;
      const at = i * 2;
      return timestampToString((BigInt(values[at + 1] ?? 0) << 32n) | BigInt((values[at] ?? 0) >>> 0), unit);
    };
  }
  if (DataType.isDate(type) && column.type.kind === 'date' && (type as unknown as { unit: number }).unit === DateUnit.DAY) {
    const days = data.values as unknown as Int32Array;
    return (i) => (data.getValid(i) ? formatEpochDay(days[i] ?? 0) : null);
  }
  return undefined;
}

/**
 * One reader per column of `columns`, taking the batch column of the same name. Throws
 * `InvalidArgument` when the batch lacks a column, naming it and the batch's columns.
 *
 * @example
 * ```ts
 * const readers = arrowColumnReaders(batch, orders.columns);
 * ```
 */
export function arrowColumnReaders(batch: RecordBatch, columns: readonly TableColumn[], table: string): ColumnReader[] {
  return columns.map((column) => {
    const vector = batch.getChild(column.name);
    if (vector === null) {
      throw new LoadersError(
        'InvalidArgument',
        `Arrow batch for table "${table}" has no column "${column.name}" (it has ${batch.schema.fields.map((f) => f.name).join(', ')})`,
        { context: { table } },
      );
    }
    const data = vector.data[0];
    const raw = data === undefined ? undefined : rawReader(data, column);
    if (raw !== undefined) return raw;
    return (i) => toMySqlParam(column.type, vector.get(i));
  });
}
