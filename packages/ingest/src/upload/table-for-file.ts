/**
 * File name → table: a file belongs to the table whose name it starts with (`events_2025_12.csv`
 * → events, `customers_next_month.csv` → customers), preferring the longest match
 * (`order_items_x.csv` → order_items, not orders). The table name must end at a non-letter
 * (`orders2025.csv` and `orders_x.csv` match orders; `ordersheet.csv` does not).
 *
 * @module
 */
import type { AnyTable } from '@lakeblocks/core';

/**
 * The table a file name belongs to, or `undefined`.
 *
 * @example
 * ```ts
 * tableForFileName('order_items_2025_12.csv', [orders, orderItems])?.name; // 'order_items'
 * tableForFileName('Customers_November.csv', [customers])?.name;          // 'customers'
 * ```
 */
export function tableForFileName<T extends AnyTable>(fileName: string, tables: readonly T[]): T | undefined {
  const stem = fileName.replace(/\.[^.]*$/, '').toLowerCase();
  let best: T | undefined;
  for (const table of tables) {
    const name = table.name.toLowerCase();
    if (!stem.startsWith(name)) continue;
    const next = stem.charAt(name.length);
    if (next !== '' && /[a-z]/.test(next)) continue;
    if (best === undefined || table.name.length > best.name.length) best = table;
  }
  return best;
}

/**
 * Why a name cannot be used as a raw file name, or `undefined` when it can: no path separators,
 * no `..`, not absolute, no control characters, not hidden, at most 255 bytes.
 *
 * @example
 * ```ts
 * unsafeNameReason('../orders.csv'); // 'contains a path separator'
 * unsafeNameReason('orders.csv');    // undefined
 * ```
 */
export function unsafeNameReason(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name.includes('/') || name.includes('\\')) return 'contains a path separator';
  if (name === '.' || name === '..' || name.includes('..')) return 'contains ".."';
  if (/^[a-zA-Z]:/.test(name)) return 'is an absolute path';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'contains a control character';
  if (name.startsWith('.')) return 'is a hidden file name';
  if (Buffer.byteLength(name) > 255) return 'is longer than 255 bytes';
  return undefined;
}
