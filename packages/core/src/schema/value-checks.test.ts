import { describe, expect, it } from 'vitest';
import { checkDecimal, codePointLength, isCalendarDate } from './value-checks.js';

describe('isCalendarDate', () => {
  it.each(['2025-01-31', '2024-02-29', '2000-02-29', '0001-01-01', '9999-12-31'])('accepts %s', (d) => {
    expect(isCalendarDate(d)).toBe(true);
  });
  it.each(['2025-02-30', '2023-02-29', '1900-02-29', '2025-04-31', '2025-13-01', '2025-00-10', '2025-01-00', '0000-01-01', '2025-1-31', '2025-01-31T00:00:00', ' 2025-01-31', ''])(
    'rejects %j',
    (d) => {
      expect(isCalendarDate(d)).toBe(false);
    },
  );
});

describe('checkDecimal', () => {
  it.each([
    ['107.15', 12, 2],
    ['-0.5', 12, 2],
    ['0', 12, 2],
    ['0000012.3', 4, 1],
    ['9999999999.99', 12, 2],
    ['12', 2, 0],
  ] as const)('accepts %s in decimal(%i,%i)', (v, p, s) => {
    expect(checkDecimal(v, p, s)).toEqual({ ok: true });
  });

  it('refuses more fraction digits than the scale, without rounding', () => {
    const r = checkDecimal('12.345', 12, 2);
    expect(r).toMatchObject({ ok: false, code: 'invalid_format' });
    expect(r.ok || r.message).toContain('at most 2 digit(s) after the point');
  });

  it('refuses more integer digits than precision - scale', () => {
    const r = checkDecimal('12345678901.00', 12, 2);
    expect(r).toMatchObject({ ok: false, code: 'too_big' });
    expect(r.ok || r.message).toContain('at most 10 digit(s) before the point, got 11');
  });

  it.each(['', '1e3', '+1', '.5', '1.', '1,000.00', 'abc', ' 1', 'NaN'])('refuses the shape %j', (v) => {
    expect(checkDecimal(v, 12, 2)).toMatchObject({ ok: false, code: 'invalid_format' });
  });
});

describe('codePointLength', () => {
  it('counts code points, not UTF-16 units', () => {
    expect(codePointLength('García')).toBe(6);
    expect(codePointLength('👍👍')).toBe(2);
    expect('👍👍'.length).toBe(4);
  });
});
