/**
 * Age and income bands of the segmentation features: one declaration used to render the SQL and by
 * the tests' recomputation.
 *
 * @module
 */

/**
 * Age bands (lower bound inclusive); the last one is open.
 *
 * @example
 * ```ts
 * AGE_BANDS[0]; // { from: 18, label: '18-24' }
 * ```
 */
export const AGE_BANDS = [
  { from: 0, label: 'under_18' },
  { from: 18, label: '18-24' },
  { from: 25, label: '25-34' },
  { from: 35, label: '35-44' },
  { from: 45, label: '45-54' },
  { from: 55, label: '55-64' },
  { from: 65, label: '65+' },
] as const;

/**
 * Yearly income bands in USD (lower bound inclusive); the last one is open.
 *
 * @example
 * ```ts
 * INCOME_BANDS.at(-1)?.label; // '150k+'
 * ```
 */
export const INCOME_BANDS = [
  { from: 0, label: 'under_25k' },
  { from: 25_000, label: '25k-50k' },
  { from: 50_000, label: '50k-75k' },
  { from: 75_000, label: '75k-100k' },
  { from: 100_000, label: '100k-150k' },
  { from: 150_000, label: '150k+' },
] as const;

/**
 * The label of `value` in `bands` (TS side of {@link bandSql}).
 *
 * @example
 * ```ts
 * bandOf(AGE_BANDS, 30); // '25-34'
 * ```
 */
export function bandOf(bands: readonly { from: number; label: string }[], value: number): string {
  let label = bands[0]?.label ?? '';
  for (const b of bands) if (value >= b.from) label = b.label;
  return label;
}

/**
 * A SQL `CASE` giving the band of `column` (highest lower bound first).
 *
 * @example
 * ```ts
 * bandSql(AGE_BANDS, 'u.current_age'); // "CASE WHEN u.current_age >= 65 THEN '65+' … ELSE 'under_18' END"
 * ```
 */
export function bandSql(bands: readonly { from: number; label: string }[], column: string): string {
  const [first, ...rest] = bands;
  return `CASE ${[...rest].reverse().map((b) => `WHEN ${column} >= ${b.from} THEN '${b.label}'`).join(' ')} ELSE '${first?.label ?? ''}' END`;
}
