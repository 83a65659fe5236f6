/**
 * Aligned text tables for query results.
 *
 * @module
 */

/**
 * A cell as text: `NULL`, timestamps as ISO wall clock, bigints and numbers as written.
 *
 * @example
 * ```ts
 * cellText(new Date('2025-01-31T23:07:42Z')); // '2025-01-31 23:07:42'
 * ```
 */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (value instanceof Date) return value.toISOString().replace('T', ' ').replace(/\.000Z$/, '').replace(/Z$/, '');
  if (typeof value === 'object') return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return String(value);
}

const NUMERIC = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;

/**
 * Formats rows as an aligned table (numbers right-aligned), with a header rule.
 *
 * @example
 * ```ts
 * formatTable(['n'], [{ n: 1 }]); // ' n\n--\n 1\n'
 * ```
 */
export function formatTable(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const cells = rows.map((r) => columns.map((c) => cellText(r[c])));
  const numeric = columns.map((_, i) => cells.length > 0 && cells.every((row) => row[i] === 'NULL' || NUMERIC.test(row[i] ?? '')));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (values: readonly string[]) => values.map((v, i) => (numeric[i] ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return `${[line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n')}\n`;
}
