/**
 * The TechStore cleaning rules for raw → processed.
 *
 * @module
 */
import { defineCleaning, type TableCleaning } from '@lakeblocks/ingest';
import { techstoreTables } from '../tables.js';

/**
 * One {@link TableCleaning} per TechStore table: integers written as floats (`101.0` in events)
 * are accepted, and rows repeating a primary key are rejected as duplicates (order_items has no
 * key: its repeated (order_id, product_id) lines are real and kept).
 *
 * @example
 * ```ts
 * await runRawToProcessed({ storage, tables: techstoreCleaning });
 * ```
 */
export const techstoreCleaning: readonly TableCleaning[] = techstoreTables.map((t) =>
  defineCleaning(t, { coerceKinds: { int: 'integral-float' }, dedupe: t.primaryKey.length > 0 ? 'keep-first' : 'none' }),
);
