import { CoreError } from '../errors/core-error.js';
import type { PartitionSpec, PartitionValues, TimeGranularity } from './partition-spec.js';

/** `YYYY-MM-DD`, optionally followed by a time of day and a zone (`Z`, `+05:30`, `-0500`, `+05`). */
const ISO_TEXT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * Partition values (`year`, `month`, `day`, unpadded integers, UTC) for a point in time. Accepts a
 * `Date`, epoch milliseconds, or an ISO text (`2025-01-31`, `2025-01-31T23:07:42`,
 * `2025-01-31 23:07:42`); a text without zone is read as UTC, so a naive timestamp lands in the
 * partition its digits say, while a text with a zone (`Z`, `-05:00`) names an instant and lands in
 * the partition of its UTC date, exactly as the equivalent `Date` does.
 *
 * @example
 * ```ts
 * timePartitionValues('2025-01-31T23:07:42', 'day'); // { year: 2025, month: 1, day: 31 }
 * timePartitionValues(new Date(Date.UTC(2025, 9, 1)), 'month'); // { year: 2025, month: 10 }
 * ```
 */
export function timePartitionValues(time: Date | number | string, granularity: TimeGranularity): PartitionValues {
  let year: number;
  let month: number;
  let day: number;
  if (typeof time === 'string') {
    const m = ISO_TEXT.exec(time);
    if (!m) throw new CoreError('InvalidArgument', `Cannot derive partitions from ${JSON.stringify(time)}: not an ISO date or timestamp`);
    year = Number(m[1]);
    month = Number(m[2]);
    day = Number(m[3]);
    const check = new Date(Date.UTC(year, month - 1, day));
    if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
      throw new CoreError('InvalidArgument', `Cannot derive partitions from ${JSON.stringify(time)}: no such calendar date`);
    }
    const [hour, minute, second] = [m[4], m[5], m[6]].map((v) => Number(v ?? 0)) as [number, number, number];
    if (hour > 23 || minute > 59 || second > 59) {
      throw new CoreError('InvalidArgument', `Cannot derive partitions from ${JSON.stringify(time)}: invalid time of day`);
    }
    const zone = m[8];
    if (zone !== undefined && zone.toUpperCase() !== 'Z') {
      // An explicit offset names an instant: place it by its UTC date, as a Date would be placed.
      const digits = zone.slice(1).replace(':', '');
      const offsetHours = Number(digits.slice(0, 2));
      const offsetMinutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
      if (offsetHours > 23 || offsetMinutes > 59) {
        throw new CoreError('InvalidArgument', `Cannot derive partitions from ${JSON.stringify(time)}: invalid UTC offset`);
      }
      const sign = zone.startsWith('-') ? -1 : 1;
      const utc = new Date(0);
      utc.setUTCFullYear(year, month - 1, day); // not Date.UTC, which maps years 0-99 to 1900-1999
      utc.setUTCHours(hour, minute - sign * (offsetHours * 60 + offsetMinutes), second);
      year = utc.getUTCFullYear();
      month = utc.getUTCMonth() + 1;
      day = utc.getUTCDate();
    }
  } else {
    const date = typeof time === 'number' ? new Date(time) : time;
    if (Number.isNaN(date.getTime())) throw new CoreError('InvalidArgument', 'Cannot derive partitions from an invalid Date');
    year = date.getUTCFullYear();
    month = date.getUTCMonth() + 1;
    day = date.getUTCDate();
  }
  if (granularity === 'year') return { year };
  if (granularity === 'month') return { year, month };
  return { year, month, day };
}

/**
 * The partition values of a row under a spec: derived from the time column for `time`
 * partitioning, copied from the row for `columns` partitioning, `{}` for `none`. A missing or null
 * value is an error naming the column (a row must know where it belongs).
 *
 * @example
 * ```ts
 * const spec = { kind: 'time', column: 'order_time', granularity: 'day' } as const;
 * partitionValuesOf(spec, { order_id: 1, order_time: '2025-01-31T23:07:42' });
 * // { year: 2025, month: 1, day: 31 }
 * ```
 */
export function partitionValuesOf(spec: PartitionSpec, row: Record<string, unknown>): PartitionValues {
  switch (spec.kind) {
    case 'none':
      return {};
    case 'time': {
      const value = row[spec.column];
      if (value === null || value === undefined) {
        throw new CoreError('InvalidArgument', `Row has no value in time column ${spec.column}`, {
          context: { partition: spec.column },
        });
      }
      if (!(value instanceof Date) && typeof value !== 'string' && typeof value !== 'number') {
        throw new CoreError('InvalidArgument', `Time column ${spec.column} holds a ${typeof value}, not a date`);
      }
      return timePartitionValues(value, spec.granularity);
    }
    case 'columns': {
      const values: PartitionValues = {};
      for (const column of spec.columns) {
        const value = row[column];
        if (value === null || value === undefined) {
          throw new CoreError('InvalidArgument', `Row has no value in partition column ${column}`, {
            context: { partition: column },
          });
        }
        values[column] = typeof value === 'bigint' ? value.toString() : value instanceof Date ? value.toISOString().slice(0, 10) : (value as string | number);
      }
      return values;
    }
  }
}
