/**
 * The small `notes` table the CSV, parallel, DuckDB-engine and malformed-corpus tests share: an int
 * key, a timestamp partitioned by day or month, a decimal, a nullable string and an enum.
 *
 * @module
 */
import { col, defineTable } from '@lakeblocks/core';

/**
 * Options of {@link notesTable}.
 *
 * @example
 * ```ts
 * const options: NotesTableOptions = { granularity: 'month', kinds: ['a', 'b', 'desconocido'], qty: true };
 * ```
 */
export interface NotesTableOptions {
  /** Partitioning of `at` (default `'day'`). */
  granularity?: 'day' | 'month';
  /** The values of `kind` (default `['a', 'b']`). */
  kinds?: readonly [string, ...string[]];
  /** Adds a nullable int column `qty` after `amount` (default false). */
  qty?: boolean;
}

/**
 * `notes(id int, at timestamp, amount decimal(12,2), [qty int?], label string?, kind enum)`, keyed by `id`.
 *
 * @example
 * ```ts
 * const notes = notesTable({ kinds: ['a', 'b', 'desconocido'] });
 * ```
 */
export function notesTable(options: NotesTableOptions = {}) {
  return defineTable({
    name: 'notes',
    columns: {
      id: col.int(),
      at: col.timestamp(),
      amount: col.decimal(12, 2),
      ...(options.qty ? { qty: col.int().nullable() } : {}),
      label: col.string().nullable(),
      kind: col.enum(options.kinds ?? ['a', 'b']),
    },
    primaryKey: ['id'],
    partitioning: { kind: 'time', column: 'at', granularity: options.granularity ?? 'day' },
  });
}
