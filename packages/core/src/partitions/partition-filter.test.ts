import { describe, expect, it } from 'vitest';
import { matchesPartitionFilter, parsePartitionFilter } from './partition-filter.js';

const months = Array.from({ length: 24 }, (_, i) => ({ year: String(2024 + Math.floor(i / 12)), month: String((i % 12) + 1) }));

describe('partition pruning', () => {
  it('prunes with year = 2025 and month >= 10 comparing numbers, not text', () => {
    const kept = months.filter((v) => matchesPartitionFilter(v, { year: 2025, month: { gte: 10 } }));
    expect(kept).toEqual([
      { year: '2025', month: '10' },
      { year: '2025', month: '11' },
      { year: '2025', month: '12' },
    ]);
  });

  it('parses SQL-like filters into the same structure', () => {
    expect(parsePartitionFilter('year = 2025 and month >= 10')).toEqual({ year: { eq: 2025 }, month: { gte: 10 } });
    expect(parsePartitionFilter("country in ('US', 'CO') AND year <> 2020")).toEqual({ country: { in: ['US', 'CO'] }, year: { ne: 2020 } });
    expect(parsePartitionFilter("name = 'O''Brien'")).toEqual({ name: { eq: "O'Brien" } });
    expect(parsePartitionFilter('month > 3 and month <= 6')).toEqual({ month: { gt: 3, lte: 6 } });
  });

  it('applies every operator', () => {
    const v = { year: '2025', country: 'CO', region: null };
    expect(matchesPartitionFilter(v, parsePartitionFilter('year != 2024'))).toBe(true);
    expect(matchesPartitionFilter(v, parsePartitionFilter('year < 2025'))).toBe(false);
    expect(matchesPartitionFilter(v, parsePartitionFilter('year <= 2025'))).toBe(true);
    expect(matchesPartitionFilter(v, parsePartitionFilter('year > 2024 and country = \'CO\''))).toBe(true);
    expect(matchesPartitionFilter(v, parsePartitionFilter("country in ('US', 'BR')"))).toBe(false);
    expect(matchesPartitionFilter(v, parsePartitionFilter('region = null'))).toBe(true);
    expect(matchesPartitionFilter(v, { region: { gte: 'a' } })).toBe(false);
  });

  it('compares quoted literals as text and numbers as numbers', () => {
    expect(matchesPartitionFilter({ code: '7' }, parsePartitionFilter("code = '007'"))).toBe(false);
    expect(matchesPartitionFilter({ code: '007' }, parsePartitionFilter("code = '007'"))).toBe(true);
    expect(matchesPartitionFilter({ code: '007' }, parsePartitionFilter('code = 7'))).toBe(true);
    expect(matchesPartitionFilter({ month: '9' }, parsePartitionFilter('month < 10'))).toBe(true);
  });

  it('never matches a key the partition does not have (typos select nothing)', () => {
    expect(matchesPartitionFilter({ year: '2025' }, { yaer: 2025 })).toBe(false);
  });

  it('refuses malformed filters naming the column', () => {
    expect(() => parsePartitionFilter('year = ')).toThrow(/column 8/);
    expect(() => parsePartitionFilter('year 2025')).toThrow(/expected an operator/);
    expect(() => parsePartitionFilter('year = 2025 or month = 1')).toThrow(/expected AND/);
    expect(() => parsePartitionFilter("year = 1; DROP TABLE x")).toThrow(/column 9/);
    expect(() => parsePartitionFilter('month > null')).toThrow(/needs a value/);
  });
});

describe('repeated conditions on one key', () => {
  it('refuses a repeated operator instead of letting the later one silently widen the selection', () => {
    // `month >= 10 and month >= 1` used to become `month >= 1` (every month) and
    // `year = 2024 and year = 2025` to become `year = 2025`, instead of nothing.
    expect(() => parsePartitionFilter('month >= 10 and month >= 1')).toThrow(/month.*>=.*more than once/);
    expect(() => parsePartitionFilter('year = 2024 and year = 2025')).toThrow(/year.*more than once/);
    expect(() => parsePartitionFilter("c in ('a') and c in ('b')")).toThrow(/more than once/);
    // `=` and `==` are the same operator.
    expect(() => parsePartitionFilter('year = 2024 and year == 2024')).toThrow(/more than once/);
  });

  it('still combines different operators on one key', () => {
    expect(parsePartitionFilter('month >= 3 and month < 7 and month != 5')).toEqual({ month: { gte: 3, lt: 7, ne: 5 } });
  });
});
