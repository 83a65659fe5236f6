import { describe, expect, it } from 'vitest';
import type { ColumnType } from '@lakeblocks/core';
import { BUILTIN_COERCIONS } from './coercions.js';
import { ParseFailure, rangeParserFor, valueParserFor } from './value-parsers.js';

const INPUTS = [
  '0', '7', '-7', '+7', '-0', '007', '101.0', '101.', '101.00', '101.5', '.5', '5.', '-.5', '1e3', ' 1', '1 ', '',
  '2147483647', '2147483648', '-2147483648', '-2147483649', '12345678901', '99999999999.0',
  '$-77.00', '$77', '-$77.00', '$-$77', '$.5', '$5.', '$1,234.50', '$ 5', '+$5', '$', '-', '$-', '12.345', '12.340', '0.10',
  '9999999999.99', '99999999999.99', '0000000000000000001.5', '1.0000000000000000', '123456789012345.6',
  '2025-01-31 23:07:42', '2025-01-31T23:07:42', '2025-02-30 00:00:00', '2025-01-31 24:00:00', '2025-01-31 23:07', '2025-01-31',
  '2024-02-29', '0000-01-01', '1970-01-01 00:00:00', 'page_view', 'checkout', 'Page_view', 'page_view ',
];

const TYPES: [ColumnType, 'none' | 'integral-float' | 'money'][] = [
  [{ kind: 'int' }, 'none'],
  [{ kind: 'int' }, 'integral-float'],
  [{ kind: 'decimal', precision: 12, scale: 2 }, 'none'],
  [{ kind: 'decimal', precision: 12, scale: 2 }, 'money'],
  [{ kind: 'decimal', precision: 10, scale: 0 }, 'money'],
  [{ kind: 'decimal', precision: 18, scale: 4 }, 'none'],
  [{ kind: 'timestamp' }, 'none'],
  [{ kind: 'date' }, 'none'],
  [{ kind: 'enum', values: ['page_view', 'checkout'] }, 'none'],
];

describe('range parsers', () => {
  it.each(TYPES)('decide only what the string path decides, identically: %o %s', (type, coercion) => {
    const fast = rangeParserFor(type, coercion)!;
    const parse = valueParserFor(type);
    const coerce = coercion === 'none' ? undefined : BUILTIN_COERCIONS[coercion];
    let decided = 0;
    for (const text of INPUTS) {
      // Embedded in other text, as in a decoded chunk.
      const s = `x,${text},y`;
      const v = fast(s, 2, 2 + text.length);
      if (v === undefined) continue;
      decided++;
      const coerced = coerce === undefined ? text : coerce(text);
      expect(typeof coerced, `${text}: coercion fails on the string path`).toBe('string');
      const expected = parse(coerced as string);
      expect(expected instanceof ParseFailure ? expected.error : expected, JSON.stringify(text)).toStrictEqual(v);
    }
    expect(decided).toBeGreaterThan(0);
  });

  it('timestamps: the day kept from the previous value never leaks into the next one', () => {
    const fast = rangeParserFor({ kind: 'timestamp' }, 'none')!;
    const parse = valueParserFor({ kind: 'timestamp' });
    const sequence = [
      '2025-02-28 10:00:00', '2025-02-28 23:59:59', '2025-02-29 00:00:00', '2025-02-28 00:00:00', '2024-02-29 12:00:00',
      '2024-02-29 24:00:00', '2024-02-29 12:60:00', '2024-02-29T12:00:61', '2024-03-01 00:00:00', '2024-03-01 0a:00:00',
      '2024-0a-01 00:00:00', '1970-01-01 00:00:00', '1969-12-31 23:59:59', '9999-12-31 23:59:59', '0001-01-01 00:00:00',
      '2024-03-01 00:00:00', '2024/03/01 00:00:00', '2024-03-01_00:00:00', '2024-03-01 00-00:00',
    ];
    for (const order of [sequence, [...sequence].reverse()]) {
      for (const text of order) {
        const v = fast(`,${text},`, 1, 1 + text.length);
        const expected = parse(text);
        if (v === undefined) continue;
        expect(expected instanceof ParseFailure ? expected.error : expected, text).toStrictEqual(v);
      }
    }
    expect(fast('2025-02-29 00:00:00', 0, 19)).toBeUndefined();
    expect(fast('2025-02-28 23:59:59', 0, 19)).toBe(Date.UTC(2025, 1, 28, 23, 59, 59) * 1000);
    expect(fast('2025-03-01 00:00:00', 0, 19)).toBe(Date.UTC(2025, 2, 1) * 1000);
  });
});
