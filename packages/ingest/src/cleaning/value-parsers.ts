/**
 * Typed parsers: canonical text → the value stored in Arrow, one per column kind, strict (a
 * spelling they do not accept is a reject with a reason, never a guess). Coercions
 * (`coercions.ts`) run before them to map other spellings onto these.
 *
 * Stored values: `int`/`double` → number; `bigint` → bigint; `decimal` → the unscaled integer
 * (`'107.15'` in decimal(12,2) → `10715`; a number while exact, else a bigint); `string`/`enum` →
 * string; `boolean` → boolean; `date` → days since 1970-01-01; `timestamp` → microseconds since
 * 1970-01-01, UTC wall clock (a number while exact, else a bigint).
 *
 * @module
 */
import type { ColumnType } from '@lakeblocks/core';

/**
 * A value a parser refused, with the reason (allocated only on failure: the success path returns
 * the bare value).
 *
 * @example
 * ```ts
 * const r = valueParserFor({ kind: 'int' })('abc');
 * if (r instanceof ParseFailure) console.log(r.error); // 'expected int, got "abc"'
 * ```
 */
export class ParseFailure {
  constructor(readonly error: string) {}
}

/**
 * A parsed value as stored in Arrow builders (see the module description). Timestamps and
 * decimals are numbers while they fit exactly in a double (|µs| < 2^53, i.e. years up to 2255;
 * unscaled decimals below 2^53), bigints beyond.
 *
 * @example
 * ```ts
 * const v: CellValue = 10715; // 107.15 in a decimal(12,2) column
 * ```
 */
export type CellValue = number | bigint | string | boolean;

/**
 * The outcome of a typed parse: the value, or a {@link ParseFailure}.
 *
 * @example
 * ```ts
 * const r: ParseOutcome = new ParseFailure('expected int, got "abc"');
 * ```
 */
export type ParseOutcome = CellValue | ParseFailure;

/**
 * A parser of one column kind.
 *
 * @example
 * ```ts
 * const p: ValueParser = valueParserFor({ kind: 'int' });
 * p('42'); // 42
 * ```
 */
export type ValueParser = (text: string) => ParseOutcome;

const INT_RE = /^[+-]?\d{1,10}$/;
const BIGINT_RE = /^[+-]?\d+$/;
const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TS_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]00:?00)?$/;
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const quote = (text: string): string => JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);

/**
 * Days since 1970-01-01 of a proleptic Gregorian date, or `undefined` when no such date exists.
 *
 * @example
 * ```ts
 * epochDay(1970, 1, 2); // 1
 * epochDay(2025, 2, 30); // undefined
 * ```
 */
export function epochDay(year: number, month: number, day: number): number | undefined {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  // Howard Hinnant's days_from_civil.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * The civil date of a day count since 1970-01-01 (inverse of {@link epochDay}).
 *
 * @example
 * ```ts
 * civilFromEpochDay(20119); // { year: 2025, month: 1, day: 31 }
 * ```
 */
export function civilFromEpochDay(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/**
 * The strict parser for a column type.
 *
 * @example
 * ```ts
 * valueParserFor({ kind: 'decimal', precision: 12, scale: 2 })('107.1'); // 10710 (unscaled)
 * valueParserFor({ kind: 'timestamp' })('2025-01-31 23:07:42'); // 1738364862000000 (µs)
 * ```
 */
export function valueParserFor(type: ColumnType): ValueParser {
  switch (type.kind) {
    case 'int':
      return (text) => {
        if (!INT_RE.test(text)) return new ParseFailure(BIGINT_RE.test(text) ? `int out of range: ${quote(text)}` : `expected int, got ${quote(text)}`);
        const n = Number(text);
        if (n < -2147483648 || n > 2147483647) return new ParseFailure(`int out of range: ${quote(text)}`);
        return n;
      };
    case 'bigint':
      return (text) => {
        if (!BIGINT_RE.test(text)) return new ParseFailure(`expected bigint, got ${quote(text)}`);
        const n = BigInt(text);
        if (n < -(2n ** 63n) || n >= 2n ** 63n) return new ParseFailure(`bigint out of range: ${quote(text)}`);
        return n;
      };
    case 'double':
      return (text) => {
        if (!FLOAT_RE.test(text)) return new ParseFailure(`expected double, got ${quote(text)}`);
        const n = Number(text);
        if (!Number.isFinite(n)) return new ParseFailure(`double out of range: ${quote(text)}`);
        return n;
      };
    case 'decimal': {
      const { precision, scale } = type;
      const factor = 10n ** BigInt(scale);
      const scaleFactor = 10 ** scale;
      return (text) => {
        // Fast path: plain `-?digits[.digits]` that fits a double exactly, parsed without regex or allocation.
        const fast = fastDecimal(text, scale, precision, scaleFactor);
        if (fast !== undefined) return fast;
        const m = DECIMAL_RE.exec(text);
        const intPart = m?.[2] ?? '';
        const frac = m?.[3] ?? '';
        if (m === null || (intPart === '' && frac === '')) return new ParseFailure(`expected decimal(${precision},${scale}), got ${quote(text)}`);
        const fracTrimmed = frac.replace(/0+$/, '');
        if (fracTrimmed.length > scale) return new ParseFailure(`decimal(${precision},${scale}) allows ${scale} digit(s) after the point, got ${quote(text)}`);
        const intDigits = intPart.replace(/^0+/, '');
        if (intDigits.length > precision - scale) return new ParseFailure(`decimal(${precision},${scale}) allows ${precision - scale} digit(s) before the point, got ${quote(text)}`);
        const fracPadded = fracTrimmed.padEnd(scale, '0');
        if (intDigits.length + scale <= 15) {
          // Exact in a double: no BigInt on the hot path.
          const unscaled = Number(intDigits === '' ? '0' : intDigits) * scaleFactor + (scale === 0 ? 0 : Number(fracPadded));
          return m[1] === '-' && unscaled !== 0 ? -unscaled : unscaled;
        }
        let unscaled = BigInt(intDigits === '' ? '0' : intDigits) * factor + BigInt(fracPadded === '' ? '0' : fracPadded);
        if (m[1] === '-') unscaled = -unscaled;
        return unscaled;
      };
    }
    case 'string': {
      const { maxLength } = type;
      return (text) => {
        if (hasControl(text)) return new ParseFailure(`control character U+${controlCode(text)} in text`);
        if (maxLength !== undefined && text.length > maxLength && [...text].length > maxLength) {
          return new ParseFailure(`longer than ${maxLength} character(s): ${quote(text)}`);
        }
        return text;
      };
    }
    case 'enum': {
      const allowed = new Set(type.values);
      return (text) => (allowed.has(text) ? text : new ParseFailure(`expected one of ${type.values.join('|')}, got ${quote(text)}`));
    }
    case 'boolean':
      return (text) => {
        const t = text.toLowerCase();
        if (t === 'true') return true;
        if (t === 'false') return false;
        return new ParseFailure(`expected boolean true/false, got ${quote(text)}`);
      };
    case 'date':
      return (text) => {
        if (text.length === 10) {
          const day = fastDay(text);
          if (day !== undefined) return day;
        }
        const m = DATE_RE.exec(text);
        const day = m === null ? undefined : epochDay(Number(m[1]), Number(m[2]), Number(m[3]));
        return day === undefined ? new ParseFailure(`expected a date YYYY-MM-DD, got ${quote(text)}`) : day;
      };
    case 'timestamp':
      return (text) => {
        if (text.length === 19) {
          const us = fastTimestamp(text);
          if (us !== undefined) return us;
        }
        const m = TS_RE.exec(text);
        const day = m === null ? undefined : epochDay(Number(m[1]), Number(m[2]), Number(m[3]));
        if (m === null || day === undefined) return new ParseFailure(`expected a timestamp YYYY-MM-DD[T ]HH:MM:SS, got ${quote(text)}`);
        const h = Number(m[4] ?? 0);
        const mi = Number(m[5] ?? 0);
        const s = Number(m[6] ?? 0);
        if (h > 23 || mi > 59 || s > 59) return new ParseFailure(`no such time of day in ${quote(text)}`);
        const micros = Number((m[7] ?? '').padEnd(9, '0').slice(0, 6));
        const seconds = day * 86400 + h * 3600 + mi * 60 + s;
        const us = seconds * 1_000_000 + micros;
        return Number.isSafeInteger(us) ? us : BigInt(seconds) * 1_000_000n + BigInt(micros);
      };
  }
}

const ZERO = 48;

/** Digits `text[from, to)` as a number, or -1 if any is not a digit. */
function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** `YYYY-MM-DD` → epoch day, or `undefined` (then the regex path decides and words the error). */
function fastDay(text: string): number | undefined {
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
  const y = digits(text, 0, 4);
  const m = digits(text, 5, 7);
  const d = digits(text, 8, 10);
  if (y < 0 || m < 0 || d < 0) return undefined;
  return epochDay(y, m, d);
}

/** `YYYY-MM-DD[T ]HH:MM:SS` → epoch µs, or `undefined` (then the regex path decides). */
function fastTimestamp(text: string): number | undefined {
  const sep = text.charCodeAt(10);
  if ((sep !== 84 && sep !== 32) || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
  const day = fastDay(text);
  if (day === undefined) return undefined;
  const h = digits(text, 11, 13);
  const mi = digits(text, 14, 16);
  const s = digits(text, 17, 19);
  if (h < 0 || mi < 0 || s < 0 || h > 23 || mi > 59 || s > 59) return undefined;
  const us = (day * 86400 + h * 3600 + mi * 60 + s) * 1_000_000;
  return Number.isSafeInteger(us) ? us : undefined;
}

/** `-?digits[.digits]` with at most `scale` fraction digits and ≤ 15 digits in all → the unscaled number. */
function fastDecimal(text: string, scale: number, precision: number, scaleFactor: number): number | undefined {
  const n = text.length;
  if (n === 0 || n > 17) return undefined;
  let i = 0;
  let neg = false;
  const c0 = text.charCodeAt(0);
  if (c0 === 45 || c0 === 43) {
    neg = c0 === 45;
    i = 1;
  }
  let intPart = 0;
  let intDigits = 0;
  let significant = false;
  for (; i < n; i++) {
    const d = text.charCodeAt(i) - ZERO;
    if (d === -2) break; // '.'
    if (d < 0 || d > 9) return undefined;
    if (d !== 0) significant = true;
    if (significant) intDigits++;
    intPart = intPart * 10 + d;
  }
  let frac = 0;
  let fracDigits = 0;
  let sawDigit = i > (neg || c0 === 43 ? 1 : 0);
  if (i < n) {
    i++; // skip '.'
    for (; i < n; i++) {
      const d = text.charCodeAt(i) - ZERO;
      if (d < 0 || d > 9) return undefined;
      frac = frac * 10 + d;
      fracDigits++;
      sawDigit = true;
    }
  }
  if (!sawDigit) return undefined;
  // Trailing zeros beyond the scale are fine ('235.0' in scale 0); other excess digits are not: slow path words the error.
  while (fracDigits > scale && frac % 10 === 0) {
    frac /= 10;
    fracDigits--;
  }
  if (fracDigits > scale || intDigits > precision - scale || intDigits + scale > 15) return undefined;
  const unscaled = intPart * scaleFactor + frac * 10 ** (scale - fracDigits);
  return neg && unscaled !== 0 ? -unscaled : unscaled;
}

/** `CONTROL_RE.test(text)`, as a loop for short text (cheaper than the regex there). */
function hasControl(text: string): boolean {
  const n = text.length;
  if (n > 64) return CONTROL_RE.test(text);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 ? c !== 9 && c !== 10 && c !== 13 : c === 127) return true;
  }
  return false;
}

function controlCode(text: string): string {
  const m = CONTROL_RE.exec(text);
  return (m?.[0].charCodeAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
}

/**
 * A parser of `s[start, end)` that decides without making a string: the value, or `undefined`
 * when it cannot tell (then the reader takes the string path: coercion, strict parser, error text).
 * It only accepts text that the string path would turn into the very same value.
 *
 * @example
 * ```ts
 * const p = rangeParserFor({ kind: 'int' }, 'integral-float')!;
 * p('x,101.0,y', 2, 7); // 101
 * ```
 */
export type RangeParser = (s: string, start: number, end: number) => CellValue | undefined;

/** Digits `s[from, to)` as a number, or -1 if any is not a digit. */
function digitsAt(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function dayAt(s: string, a: number): number | undefined {
  if (s.charCodeAt(a + 4) !== 45 || s.charCodeAt(a + 7) !== 45) return undefined;
  const y = digitsAt(s, a, a + 4);
  const m = digitsAt(s, a + 5, a + 7);
  const d = digitsAt(s, a + 8, a + 10);
  if (y < 0 || m < 0 || d < 0) return undefined;
  return epochDay(y, m, d);
}

/**
 * The range parser for a column type under a coercion (`'none'`, `'integral-float'` or `'money'`),
 * or `undefined` when there is none (strings; other coercions).
 *
 * @example
 * ```ts
 * rangeParserFor({ kind: 'timestamp' }, 'none')!('2025-01-31 23:07:42', 0, 19); // 1738364862000000
 * ```
 */
export function rangeParserFor(type: ColumnType, coercion: 'none' | 'integral-float' | 'money'): RangeParser | undefined {
  switch (type.kind) {
    case 'int':
      if (coercion === 'money') return undefined;
      return (s, a, b) => {
        let i = a;
        const neg = s.charCodeAt(i) === 45;
        if (neg) i++;
        let n = 0;
        const first = i;
        for (; i < b; i++) {
          const d = s.charCodeAt(i) - ZERO;
          if (d < 0 || d > 9) break;
          n = n * 10 + d;
        }
        const digits = i - first;
        if (digits === 0 || digits > 10) return undefined;
        if (i < b) {
          // `integral-float`: `101.`, `101.0`, `101.00` → 101; anything else → string path.
          if (coercion !== 'integral-float' || s.charCodeAt(i) !== 46) return undefined;
          for (i++; i < b; i++) if (s.charCodeAt(i) !== ZERO) return undefined;
        }
        if (neg) n = -n;
        return n < -2147483648 || n > 2147483647 || (neg && n === 0) ? undefined : n;
      };
    case 'timestamp': {
      if (coercion !== 'none') return undefined;
      // Timestamps mostly come in runs of one day: the last date's day count is kept, keyed by its digits.
      let lastYmd = -1;
      let lastDay = 0;
      return (s, a, b) => {
        if (b - a !== 19) return undefined;
        const sep = s.charCodeAt(a + 10);
        if ((sep !== 84 && sep !== 32) || s.charCodeAt(a + 4) !== 45 || s.charCodeAt(a + 7) !== 45 || s.charCodeAt(a + 13) !== 58 || s.charCodeAt(a + 16) !== 58) return undefined;
        // The 14 digits, unrolled: `d >>> 0 > 9` is true for anything but a digit.
        const y0 = s.charCodeAt(a) - ZERO;
        const y1 = s.charCodeAt(a + 1) - ZERO;
        const y2 = s.charCodeAt(a + 2) - ZERO;
        const y3 = s.charCodeAt(a + 3) - ZERO;
        const m0 = s.charCodeAt(a + 5) - ZERO;
        const m1 = s.charCodeAt(a + 6) - ZERO;
        const d0 = s.charCodeAt(a + 8) - ZERO;
        const d1 = s.charCodeAt(a + 9) - ZERO;
        const h0 = s.charCodeAt(a + 11) - ZERO;
        const h1 = s.charCodeAt(a + 12) - ZERO;
        const i0 = s.charCodeAt(a + 14) - ZERO;
        const i1 = s.charCodeAt(a + 15) - ZERO;
        const s0 = s.charCodeAt(a + 17) - ZERO;
        const s1 = s.charCodeAt(a + 18) - ZERO;
        if (y0 >>> 0 > 9 || y1 >>> 0 > 9 || y2 >>> 0 > 9 || y3 >>> 0 > 9 || m0 >>> 0 > 9 || m1 >>> 0 > 9 || d0 >>> 0 > 9 || d1 >>> 0 > 9) return undefined;
        if (h0 >>> 0 > 9 || h1 >>> 0 > 9 || i0 >>> 0 > 9 || i1 >>> 0 > 9 || s0 >>> 0 > 9 || s1 >>> 0 > 9) return undefined;
        const y = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
        const m = m0 * 10 + m1;
        const d = d0 * 10 + d1;
        const ymd = y * 10000 + m * 100 + d;
        let day: number | undefined;
        if (ymd === lastYmd) day = lastDay;
        else {
          day = epochDay(y, m, d);
          if (day === undefined) return undefined;
          lastYmd = ymd;
          lastDay = day;
        }
        const h = h0 * 10 + h1;
        const mi = i0 * 10 + i1;
        const sec = s0 * 10 + s1;
        if (h > 23 || mi > 59 || sec > 59) return undefined;
        const us = (day * 86400 + h * 3600 + mi * 60 + sec) * 1_000_000;
        return Number.isSafeInteger(us) ? us : undefined;
      };
    }
    case 'date':
      if (coercion !== 'none') return undefined;
      return (s, a, b) => (b - a === 10 ? dayAt(s, a) : undefined);
    case 'decimal': {
      if (coercion === 'integral-float') return undefined;
      const { precision, scale } = type;
      const scaleFactor = 10 ** scale;
      return (s, a, b) => {
        let i = a;
        let neg = false;
        if (s.charCodeAt(i) === 45) {
          neg = true;
          i++;
        }
        let dollar = false;
        if (coercion === 'money' && s.charCodeAt(i) === 36) {
          // `$-77.00`, `-$77.00`, `$77.00` (one sign at most; thousands separators → string path)
          dollar = true;
          i++;
          if (s.charCodeAt(i) === 45) {
            if (neg) return undefined;
            neg = true;
            i++;
          }
        }
        let intPart = 0;
        let intDigits = 0;
        let significant = false;
        const first = i;
        for (; i < b; i++) {
          const d = s.charCodeAt(i) - ZERO;
          if (d < 0 || d > 9) break;
          if (d !== 0) significant = true;
          if (significant) intDigits++;
          intPart = intPart * 10 + d;
        }
        const intCount = i - first;
        let sawDigit = intCount > 0;
        let frac = 0;
        let fracDigits = 0;
        const point = i < b;
        if (point) {
          if (s.charCodeAt(i) !== 46) return undefined;
          for (i++; i < b; i++) {
            const d = s.charCodeAt(i) - ZERO;
            if (d < 0 || d > 9) return undefined;
            frac = frac * 10 + d;
            fracDigits++;
            sawDigit = true;
          }
        }
        if (!sawDigit || fracDigits > 15) return undefined;
        // The money coercion wants `\d+(\.\d+)?` after the `$`.
        if (dollar && (intCount === 0 || (point && fracDigits === 0))) return undefined;
        while (fracDigits > scale && frac % 10 === 0) {
          frac /= 10;
          fracDigits--;
        }
        if (fracDigits > scale || intDigits > precision - scale || intDigits + scale > 15) return undefined;
        const unscaled = intPart * scaleFactor + frac * 10 ** (scale - fracDigits);
        return neg && unscaled !== 0 ? -unscaled : unscaled;
      };
    }
    case 'enum': {
      if (coercion !== 'none') return undefined;
      const values = [...type.values];
      const count = values.length;
      return (s, a, b) => {
        const len = b - a;
        for (let k = 0; k < count; k++) {
          const v = values[k]!;
          if (v.length === len && s.startsWith(v, a)) return v;
        }
        return undefined;
      };
    }
    default:
      return undefined;
  }
}
