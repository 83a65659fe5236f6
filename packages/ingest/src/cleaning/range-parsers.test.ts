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
});
