/**
 * Column-name normalisation shared by upload validation and the CSV reader.
 *
 * @module
 */

/**
 * Normalises a header name: trims, lower-cases, and turns runs of spaces, `-` and `.` into one `_`
 * (`' Order ID '` → `order_id`). A BOM at the start is dropped.
 *
 * @example
 * ```ts
 * normalizeColumnName(' Unit Price-USD '); // 'unit_price_usd'
 * ```
 */
export function normalizeColumnName(name: string): string {
  return name
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/[\s.-]+/g, '_');
}
