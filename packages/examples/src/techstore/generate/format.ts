/**
 * How the TechStore CSVs write values: ISO timestamps without zone, money as Python floats
 * (`235.0`, `47.4`, `85.72`), integers in events as floats (`101.0`).
 *
 * @module
 */

/** First instant of the generated data: 2020-01-01T00:00:00 (epoch seconds, UTC wall clock). */
export const DATA_START = Date.UTC(2020, 0, 1) / 1000;
/** End (exclusive) of the generated data: 2025-11-01T00:00:00, so orders span 2020-01-01 .. 2025-10-31. */
export const DATA_END = Date.UTC(2025, 10, 1) / 1000;

/**
 * Epoch seconds → `2025-01-31T23:07:42`.
 *
 * @example
 * ```ts
 * isoSeconds(0); // '1970-01-01T00:00:00'
 * ```
 */
export function isoSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19);
}

/**
 * `2025-01-31T23:07:42` (or a date) → epoch seconds (UTC wall clock).
 *
 * @example
 * ```ts
 * parseIsoSeconds('1970-01-01T00:01:00'); // 60
 * ```
 */
export function parseIsoSeconds(text: string): number {
  const ms = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : `${text.replace(' ', 'T')}Z`);
  if (Number.isNaN(ms)) throw new Error(`not an ISO timestamp: ${JSON.stringify(text)}`);
  return Math.floor(ms / 1000);
}

/**
 * Cents → money as Python prints a float: `23500` → `235.0`, `4740` → `47.4`, `8572` → `85.72`.
 *
 * @example
 * ```ts
 * money(1215); // '12.15'
 * ```
 */
export function money(cents: number): string {
  const whole = Math.trunc(cents / 100);
  const frac = cents % 100;
  if (frac === 0) return `${whole}.0`;
  if (frac % 10 === 0) return `${whole}.${frac / 10}`;
  return `${whole}.${frac < 10 ? '0' : ''}${frac}`;
}

/**
 * Money text → cents (exact).
 *
 * @example
 * ```ts
 * cents('47.4'); // 4740
 * ```
 */
export function cents(text: string): number {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) throw new Error(`not a money amount: ${JSON.stringify(text)}`);
  const value = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] === '-' ? -value : value;
}

/**
 * `round(subtotal * (1 - discount / 100), 2)` in cents, exact, half-up.
 *
 * @example
 * ```ts
 * discounted(10715, 20); // 8572
 * ```
 */
export function discounted(subtotalCents: number, discountPct: number): number {
  return Math.round((subtotalCents * (100 - discountPct)) / 100);
}

/**
 * Whether `totalCents` is `subtotal × (1 − discount/100)` rounded to the cent. At an exact half
 * cent either neighbour is accepted: the real dataset rounds those ties both ways (251.7 at 15 %
 * gives 213.95, 31.55 at 10 % gives 28.39), as it rounded the unrounded subtotal.
 *
 * @example
 * ```ts
 * isRoundedTotal(3155, 10, 2839); // true (28.395 → 28.39)
 * isRoundedTotal(3155, 10, 2840); // true
 * isRoundedTotal(3155, 10, 2838); // false
 * ```
 */
export function isRoundedTotal(subtotalCents: number, discountPct: number, totalCents: number): boolean {
  return Math.abs(totalCents * 100 - subtotalCents * (100 - discountPct)) <= 50;
}

/**
 * Quotes a CSV field when it needs it (RFC 4180).
 *
 * @example
 * ```ts
 * csvField('Great, fast delivery'); // '"Great, fast delivery"'
 * ```
 */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
