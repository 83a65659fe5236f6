/**
 * Pure checks behind the `date`, `decimal` and `string(maxLength)` column validations. They are
 * shared by the zod schemas of the columns and usable on their own (e.g. by a CSV parser).
 *
 * @example
 * ```ts
 * isCalendarDate('2024-02-29'); // true
 * isCalendarDate('2025-02-30'); // false
 * checkDecimal('123.456', 12, 2); // { ok: false, code: 'invalid_format', message: '…' }
 * ```
 *
 * @module
 */

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const DECIMAL_PATTERN = /^-?(\d+)(?:\.(\d+))?$/;

/**
 * Whether `value` is a real calendar date written `YYYY-MM-DD`, between 0001-01-01 and 9999-12-31
 * (proleptic Gregorian calendar, leap years included).
 *
 * @example
 * ```ts
 * isCalendarDate('2025-01-31'); // true
 * isCalendarDate('2023-02-29'); // false (not a leap year)
 * isCalendarDate('2025-1-31');  // false (month must have two digits)
 * ```
 */
export function isCalendarDate(value: string): boolean {
  const m = DATE_PATTERN.exec(value);
  if (m === null) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Outcome of {@link checkDecimal}: `ok`, or the zod-style issue code and a message saying what is wrong.
 *
 * @example
 * ```ts
 * const r: DecimalCheck = checkDecimal('1.5', 4, 1); // { ok: true }
 * ```
 */
export type DecimalCheck = { ok: true } | { ok: false; code: 'invalid_format' | 'too_big'; message: string };

/**
 * Checks that `value` is a plain decimal literal (`-?digits[.digits]`, no exponent, no `+`, no
 * thousands separator) that fits `decimal(precision, scale)` exactly: at most `precision - scale`
 * digits before the point (leading zeros do not count) and at most `scale` digits after it. Nothing
 * is rounded: `'1.005'` does not fit `decimal(10,2)`.
 *
 * - wrong shape or more than `scale` fraction digits → `invalid_format`
 * - more than `precision - scale` integer digits (the value is out of range) → `too_big`
 *
 * @example
 * ```ts
 * checkDecimal('12.34', 12, 2);            // { ok: true }
 * checkDecimal('12.345', 12, 2).ok;        // false, code 'invalid_format'
 * checkDecimal('12345678901.00', 12, 2).ok; // false, code 'too_big'
 * ```
 */
export function checkDecimal(value: string, precision: number, scale: number): DecimalCheck {
  const m = DECIMAL_PATTERN.exec(value);
  if (m === null) {
    return { ok: false, code: 'invalid_format', message: `expected a decimal number like "-123.45", got ${JSON.stringify(value)}` };
  }
  const integerDigits = (m[1] ?? '').replace(/^0+/, '').length;
  const fractionDigits = (m[2] ?? '').length;
  const type = `decimal(${precision},${scale})`;
  if (fractionDigits > scale) {
    return {
      ok: false,
      code: 'invalid_format',
      message: `${type} allows at most ${scale} digit(s) after the point, got ${fractionDigits} in ${JSON.stringify(value)}`,
    };
  }
  if (integerDigits > precision - scale) {
    return {
      ok: false,
      code: 'too_big',
      message: `${type} allows at most ${precision - scale} digit(s) before the point, got ${integerDigits} in ${JSON.stringify(value)}`,
    };
  }
  return { ok: true };
}

/**
 * Number of Unicode code points in `value` — what MySQL `VARCHAR(n)` (utf8mb4) and DuckDB `length()`
 * count, unlike `String.prototype.length` (UTF-16 units; an emoji counts 2).
 *
 * @example
 * ```ts
 * codePointLength('Müller'); // 6
 * codePointLength('👍');     // 1
 * ```
 */
export function codePointLength(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}
