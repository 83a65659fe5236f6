/**
 * Spending categories of merchant category codes, by ISO 18245 code range: one declaration used to
 * render the models' SQL and by the tests' independent recomputation.
 *
 * @module
 */

/**
 * Code ranges (inclusive) and their category, checked in order; a code in no range is `other`.
 *
 * @example
 * ```ts
 * MCC_CATEGORY_RANGES.find((r) => 5812 >= r.from && 5812 <= r.to)?.category; // 'restaurants_bars'
 * ```
 */
export const MCC_CATEGORY_RANGES = [
  { from: 1500, to: 2999, category: 'contractors' },
  { from: 3000, to: 3999, category: 'travel' },
  { from: 4000, to: 4799, category: 'transport' },
  { from: 4800, to: 4999, category: 'utilities_telecom' },
  { from: 5000, to: 5399, category: 'general_retail' },
  { from: 5400, to: 5499, category: 'food_grocery' },
  { from: 5500, to: 5599, category: 'automotive' },
  { from: 5600, to: 5699, category: 'clothing' },
  { from: 5700, to: 5799, category: 'home_electronics' },
  { from: 5800, to: 5814, category: 'restaurants_bars' },
  { from: 5815, to: 5999, category: 'specialty_retail' },
  { from: 7000, to: 7299, category: 'travel' },
  { from: 7300, to: 7999, category: 'services_entertainment' },
  { from: 8000, to: 8099, category: 'health' },
  { from: 8100, to: 8999, category: 'professional_services' },
  { from: 9000, to: 9999, category: 'government' },
] as const satisfies readonly { from: number; to: number; category: MccCategory }[];

/**
 * Every category name, `other` included.
 *
 * @example
 * ```ts
 * MCC_CATEGORIES.includes('health'); // true
 * ```
 */
export const MCC_CATEGORIES = [
  'contractors', 'travel', 'transport', 'utilities_telecom', 'general_retail', 'food_grocery', 'automotive', 'clothing',
  'home_electronics', 'restaurants_bars', 'specialty_retail', 'services_entertainment', 'health', 'professional_services',
  'government', 'other',
] as const;

/**
 * A spending category.
 *
 * @example
 * ```ts
 * const c: MccCategory = 'travel';
 * ```
 */
export type MccCategory = (typeof MCC_CATEGORIES)[number];

/**
 * The category of a code (TS side of {@link mccCategorySql}).
 *
 * @example
 * ```ts
 * mccCategoryOf(5411); // 'food_grocery'
 * ```
 */
export function mccCategoryOf(mcc: number): MccCategory {
  return MCC_CATEGORY_RANGES.find((r) => mcc >= r.from && mcc <= r.to)?.category ?? 'other';
}

/**
 * The SQL `CASE` expression giving the category of the code in `column` (shared DuckDB/Athena SQL).
 *
 * @example
 * ```ts
 * mccCategorySql('t.mcc'); // "CASE WHEN t.mcc BETWEEN 1500 AND 2999 THEN 'contractors' … ELSE 'other' END"
 * ```
 */
export function mccCategorySql(column: string): string {
  return `CASE ${MCC_CATEGORY_RANGES.map((r) => `WHEN ${column} BETWEEN ${r.from} AND ${r.to} THEN '${r.category}'`).join(' ')} ELSE 'other' END`;
}
