/**
 * Coercions: named text-to-text normalisers declared per column (or per column kind) in the
 * cleaning rules. Each turns one source spelling into the canonical text the typed parser of the
 * column accepts — `'101.0'` → `'101'`, `'$-77.00'` → `'-77.00'`, `'12/2022'` → `'2022-12-01'`,
 * `'YES'` → `'true'` — or returns a {@link CoercionFailure} saying why it cannot.
 *
 * @module
 */

/**
 * A coercion that could not apply: the reason goes to the rejects file.
 *
 * @example
 * ```ts
 * const f: CoercionFailure = { error: 'not an integral number: "101.5"' };
 * ```
 */
export interface CoercionFailure {
  error: string;
}

/**
 * A text normaliser: canonical text out, or a failure.
 *
 * @example
 * ```ts
 * const upper: CoercionFn = (text) => text.toUpperCase();
 * ```
 */
export type CoercionFn = (text: string) => string | CoercionFailure;

/**
 * The built-in coercions, by name:
 *
 * - `integral-float`: `101.0` / `101.00` → `101` (a fraction other than zero is refused).
 * - `money`: strips a `$` prefix, before or after the sign (`$-77.00`, `-$77.00` → `-77.00`), and
 *   thousands separators (`$1,234.50` → `1234.50`).
 * - `month-year`: `MM/YYYY` → `YYYY-MM-01`.
 * - `yes-no`: `yes`/`y`/`no`/`n`/`1`/`0` (any case) → `true`/`false`.
 * - `date-from-timestamp`: keeps the date part of `YYYY-MM-DD[ T]HH:MM:SS` → `YYYY-MM-DD`.
 * - `upper`, `lower`: change case.
 *
 * @example
 * ```ts
 * BUILTIN_COERCIONS.money('$-77.00'); // '-77.00'
 * ```
 */
export const BUILTIN_COERCIONS = {
  'integral-float': (text: string): string | CoercionFailure => {
    if (text.indexOf('.') === -1) return text;
    const m = /^([+-]?\d+)(?:\.(\d*))?$/.exec(text);
    if (m === null) return text;
    if (m[2] !== undefined && /[1-9]/.test(m[2])) return { error: `not an integral number: ${JSON.stringify(text)}` };
    return m[1] ?? text;
  },
  money: (text: string): string | CoercionFailure => {
    const m = /^([+-]?)\$\s*([+-]?)([\d,]*\.?\d*)$/.exec(text);
    if (m === null) return /^[+-]?\$/.test(text) ? { error: `not a money amount: ${JSON.stringify(text)}` } : text;
    const sign = m[1] === '-' || m[2] === '-' ? '-' : '';
    const digits = (m[3] ?? '').replace(/,(?=\d{3}(?:\D|$))/g, '');
    if (!/^\d+(\.\d+)?$/.test(digits)) return { error: `not a money amount: ${JSON.stringify(text)}` };
    return `${sign}${digits}`;
  },
  'month-year': (text: string): string | CoercionFailure => {
    const m = /^(\d{1,2})\/(\d{4})$/.exec(text);
    if (m === null) return text;
    const month = Number(m[1]);
    if (month < 1 || month > 12) return { error: `no month ${month} in ${JSON.stringify(text)}` };
    return `${m[2]}-${String(month).padStart(2, '0')}-01`;
  },
  'yes-no': (text: string): string | CoercionFailure => {
    const t = text.toLowerCase();
    if (t === 'yes' || t === 'y' || t === '1') return 'true';
    if (t === 'no' || t === 'n' || t === '0') return 'false';
    return text;
  },
  'date-from-timestamp': (text: string): string | CoercionFailure => {
    const m = /^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z?$/.exec(text);
    return m?.[1] ?? text;
  },
  upper: (text: string): string => text.toUpperCase(),
  lower: (text: string): string => text.toLowerCase(),
} as const satisfies Record<string, CoercionFn>;

/**
 * A coercion: a built-in name or a function.
 *
 * @example
 * ```ts
 * const c: Coercion = 'money';
 * const d: Coercion = (text) => text.replace(/^USD /, '');
 * ```
 */
export type Coercion = keyof typeof BUILTIN_COERCIONS | CoercionFn;

/**
 * Resolves a coercion (or a list applied in order) to one function.
 *
 * @example
 * ```ts
 * resolveCoercions(['money', 'integral-float'])('$12.00'); // '12'
 * ```
 */
export function resolveCoercions(coercions: Coercion | readonly Coercion[] | undefined): CoercionFn | undefined {
  if (coercions === undefined) return undefined;
  const list = (Array.isArray(coercions) ? coercions : [coercions]) as readonly Coercion[];
  const fns = list.map((c) => (typeof c === 'function' ? c : BUILTIN_COERCIONS[c]));
  if (fns.length === 0) return undefined;
  if (fns.length === 1) return fns[0];
  return (text) => {
    let current: string | CoercionFailure = text;
    for (const fn of fns) {
      if (typeof current !== 'string') return current;
      current = fn(current);
    }
    return current;
  };
}
