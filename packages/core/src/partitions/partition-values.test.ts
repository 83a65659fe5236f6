import { describe, expect, it } from 'vitest';
import { partitionKeyNames } from './partition-spec.js';
import { partitionValuesOf, timePartitionValues } from './partition-values.js';

describe('partition values', () => {
  it('derives unpadded year/month/day from naive ISO timestamps as UTC', () => {
    expect(timePartitionValues('2025-01-31T23:07:42', 'day')).toEqual({ year: 2025, month: 1, day: 31 });
    expect(timePartitionValues('2025-01-31 23:59:59.999', 'day')).toEqual({ year: 2025, month: 1, day: 31 });
    expect(timePartitionValues('2024-02-29', 'month')).toEqual({ year: 2024, month: 2 });
    expect(timePartitionValues(new Date(Date.UTC(2025, 9, 1, 0, 0, 0)), 'year')).toEqual({ year: 2025 });
    expect(timePartitionValues(Date.UTC(2020, 0, 1), 'day')).toEqual({ year: 2020, month: 1, day: 1 });
  });

  it('refuses impossible dates and garbage', () => {
    expect(() => timePartitionValues('2025-02-30', 'day')).toThrow(/no such calendar date/);
    expect(() => timePartitionValues('31/01/2025', 'day')).toThrow(/not an ISO date/);
    expect(() => timePartitionValues('2025-01-31T25:99:00', 'day')).toThrow(/invalid time/);
    expect(() => timePartitionValues(new Date(Number.NaN), 'day')).toThrow(/invalid Date/);
  });

  it('takes values from a row for each kind of spec', () => {
    expect(partitionValuesOf({ kind: 'none' }, { a: 1 })).toEqual({});
    expect(partitionValuesOf({ kind: 'time', column: 'order_time', granularity: 'month' }, { order_time: new Date(Date.UTC(2025, 11, 31, 23)) })).toEqual({ year: 2025, month: 12 });
    expect(partitionValuesOf({ kind: 'columns', columns: ['country', 'year'] }, { country: 'CO', year: 2025, x: 1 })).toEqual({ country: 'CO', year: 2025 });
  });

  it('names the column when a row cannot be placed', () => {
    expect(() => partitionValuesOf({ kind: 'time', column: 'order_time', granularity: 'day' }, { order_time: null })).toThrow(/order_time/);
    expect(() => partitionValuesOf({ kind: 'columns', columns: ['country'] }, {})).toThrow(/country/);
  });

  it('lists key names outermost first', () => {
    expect(partitionKeyNames({ kind: 'time', column: 't', granularity: 'day' })).toEqual(['year', 'month', 'day']);
    expect(partitionKeyNames({ kind: 'columns', columns: ['a', 'b'] })).toEqual(['a', 'b']);
    expect(partitionKeyNames({ kind: 'none' })).toEqual([]);
  });
});

describe('partition values from zoned text', () => {
  it('places a timestamp with an explicit offset or Z by its UTC instant, like a Date', () => {
    // 23:07 in Bogotá (UTC-5) is 04:07 the next day in UTC.
    expect(timePartitionValues('2025-01-31T23:07:42-05:00', 'day')).toEqual({ year: 2025, month: 2, day: 1 });
    expect(timePartitionValues('2025-01-31T23:07:42-05:00', 'day')).toEqual(
      timePartitionValues(new Date('2025-01-31T23:07:42-05:00'), 'day'),
    );
    expect(timePartitionValues('2025-01-01T00:30:00+01:00', 'year')).toEqual({ year: 2024 });
    expect(timePartitionValues('2025-01-31 23:07:42+0530', 'day')).toEqual({ year: 2025, month: 1, day: 31 });
    expect(timePartitionValues('2025-01-31T23:07:42Z', 'day')).toEqual({ year: 2025, month: 1, day: 31 });
    expect(timePartitionValues('2025-01-31T23:07:42.5z', 'day')).toEqual({ year: 2025, month: 1, day: 31 });
  });

  it('refuses an impossible offset', () => {
    expect(() => timePartitionValues('2025-01-31T23:07:42+25:00', 'day')).toThrow(/invalid/);
  });
});

describe('partition values of early years', () => {
  it('keeps years below 100 with an offset', () => {
    expect(timePartitionValues('0050-06-01T01:00:00+02:00', 'day')).toEqual({ year: 50, month: 5, day: 31 });
  });
});
