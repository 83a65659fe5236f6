import { col, defineTable } from '@lakeblocks/core';
import { describe, expect, it } from 'vitest';
import { IngestError } from '../errors/ingest-error.js';
import { defineCleaning } from './cleaning-rules.js';
import { normalizeColumnName } from './column-names.js';
import { BUILTIN_COERCIONS, resolveCoercions } from './coercions.js';
import { civilFromEpochDay, epochDay, ParseFailure, valueParserFor, type ParseOutcome } from './value-parsers.js';

const err = (r: ParseOutcome): string | undefined => (r instanceof ParseFailure ? r.error : undefined);

describe('coercions', () => {
  it.each([
    ['integral-float', '101.0', '101'],
    ['integral-float', '-7.00', '-7'],
    ['integral-float', '42', '42'],
    ['money', '$-77.00', '-77.00'],
    ['money', '-$77.00', '-77.00'],
    ['money', '$29278', '29278'],
    ['money', '$1,234.50', '1234.50'],
    ['money', '12.5', '12.5'],
    ['month-year', '12/2022', '2022-12-01'],
    ['month-year', '9/2002', '2002-09-01'],
    ['yes-no', 'YES', 'true'],
    ['yes-no', 'No', 'false'],
    ['date-from-timestamp', '2010-01-01 00:01:00', '2010-01-01'],
  ] as const)('%s: %s → %s', (name, input, output) => expect(BUILTIN_COERCIONS[name](input)).toBe(output));

  it('fails with a reason instead of guessing', () => {
    expect(BUILTIN_COERCIONS['integral-float']('101.5')).toEqual({ error: 'not an integral number: "101.5"' });
    expect(BUILTIN_COERCIONS['month-year']('13/2022')).toEqual({ error: 'no month 13 in "13/2022"' });
    expect(BUILTIN_COERCIONS.money('$1.2.3')).toEqual({ error: 'not a money amount: "$1.2.3"' });
  });

  it('chains coercions in order', () => {
    expect(resolveCoercions(['money', 'integral-float'])?.('$12.00')).toBe('12');
    expect(resolveCoercions([(t) => t.replace('USD ', ''), 'money'])?.('USD $5')).toBe('5');
  });
});

describe('value parsers', () => {
  it('parse each kind strictly', () => {
    expect(valueParserFor({ kind: 'int' })('-12')).toEqual(-12);
    expect(err(valueParserFor({ kind: 'int' })('2147483648'))).toMatch(/out of range/);
    expect(err(valueParserFor({ kind: 'int' })('101.0'))).toMatch(/expected int/);
    expect(valueParserFor({ kind: 'bigint' })('9007199254740993')).toEqual(9007199254740993n);
    expect(valueParserFor({ kind: 'double' })('1e3')).toEqual(1000);
    expect(err(valueParserFor({ kind: 'double' })('NaN'))).toBeDefined();
    const dec = valueParserFor({ kind: 'decimal', precision: 5, scale: 2 });
    expect(dec('-1.5')).toBe(-150);
    expect(dec('235.0')).toBe(23500);
    expect(dec('.5')).toBe(50);
    expect(dec('-0.00')).toBe(0);
    // Beyond 15 digits the unscaled value is a bigint, exact.
    expect(valueParserFor({ kind: 'decimal', precision: 38, scale: 10 })('-12345678901234567890.0123456789')).toBe(-123456789012345678900123456789n);
    expect(err(dec('1.005'))).toMatch(/2 digit\(s\) after the point/);
    expect(err(dec('1000.00'))).toMatch(/3 digit\(s\) before the point/);
    expect(err(dec('1e2'))).toBeDefined();
    expect(valueParserFor({ kind: 'boolean' })('True')).toEqual(true);
    expect(err(valueParserFor({ kind: 'boolean' })('yes'))).toBeDefined();
    expect(valueParserFor({ kind: 'date' })('2024-02-29')).toEqual(epochDay(2024, 2, 29));
    expect(err(valueParserFor({ kind: 'date' })('2023-02-29'))).toBeDefined();
    expect(err(valueParserFor({ kind: 'enum', values: ['a', 'b'] })('c'))).toBe('expected one of a|b, got "c"');
    expect(valueParserFor({ kind: 'string', maxLength: 6 })('Müller')).toEqual('Müller');
    expect(err(valueParserFor({ kind: 'string' })('a\u0000b'))).toBe('control character U+0000 in text');
  });

  it('parses timestamps with or without T, fractions, Z; refuses impossible times', () => {
    const ts = valueParserFor({ kind: 'timestamp' });
    const micros = (iso: string) => Date.parse(iso) * 1000;
    expect(ts('2025-01-31T23:07:42')).toEqual(micros('2025-01-31T23:07:42Z'));
    expect(ts('2025-01-31 23:07:42')).toEqual(micros('2025-01-31T23:07:42Z'));
    expect(ts('2025-01-31T23:07:42.123456Z')).toEqual(micros('2025-01-31T23:07:42Z') + 123456);
    expect(ts('2025-01-31')).toEqual(micros('2025-01-31T00:00:00Z'));
    expect(ts('1969-12-31T23:59:59')).toEqual(-1_000_000);
    // Past 2^53 µs (year 2255) the value is a bigint, exact.
    expect(ts('9999-12-31T23:59:59.999999')).toBe(BigInt(Date.parse('9999-12-31T23:59:59Z')) * 1000n + 999999n);
    expect(err(ts('2025-01-31T24:00:00'))).toBeDefined();
    expect(err(ts('2025-01-31T10:00:00+02:00'))).toBeDefined();
  });

  it('epochDay and civilFromEpochDay are inverse over the whole range', () => {
    for (const [y, m, d] of [[1970, 1, 1], [2000, 2, 29], [1, 1, 1], [9999, 12, 31], [1969, 12, 31], [2025, 10, 31]] as const) {
      const day = epochDay(y, m, d)!;
      expect(day).toBe(new Date(0).setUTCFullYear(y, m - 1, d) / 86_400_000);
      expect(civilFromEpochDay(day)).toEqual({ year: y, month: m, day: d });
    }
    expect(epochDay(2025, 1, 31)).toBe(Date.UTC(2025, 0, 31) / 86_400_000);
    expect(epochDay(1, 1, 1)).toBe(-719162);
  });
});

describe('column names and rule checks', () => {
  it('normalises header names', () => {
    expect(normalizeColumnName('\uFEFF Unit Price-USD ')).toBe('unit_price_usd');
    expect(normalizeColumnName('ORDER_ID')).toBe('order_id');
  });

  it('defineCleaning refuses rules naming unknown columns, and dedupe without a primary key', () => {
    const t = defineTable({ name: 't', columns: { a: col.int(), b: col.string() } });
    const bad = () =>
      defineCleaning(t, {
        // @ts-expect-error unknown column
        coerce: { c: 'money' },
        // @ts-expect-error unknown column
        defaults: { d: 'x' },
        dedupe: 'keep-first',
      });
    expect(bad).toThrow(IngestError);
    expect(bad).toThrow(/coerce names unknown column "c"; defaults names unknown column "d"; dedupe "keep-first" needs a primary key/);
  });
});
