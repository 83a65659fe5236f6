/**
 * Test helper: reads a CSV text through `@lakeblocks/ingest`'s reader with a table's cleaning rules
 * (optionally dropping columns first, as the cards' CVV is dropped) and returns plain rows typed as
 * in core's `RowOf` (decimals as exact strings, dates `YYYY-MM-DD`, timestamps as ISO text), the
 * rejects and the reader's counters.
 *
 * @module
 */
import type { AnyTable } from '@lakeblocks/core';
import { readCsvBatches, type CsvReadStats, type RejectedRow, type TableCleaning } from '@lakeblocks/ingest';
import { dropCsvColumns } from '../raw/drop-csv-columns.js';

/**
 * What {@link readRows} returns.
 *
 * @example
 * ```ts
 * const { rows, rejects, stats } = await readRows(usersCleaning, csv);
 * ```
 */
export interface ReadRowsResult {
  rows: Record<string, unknown>[];
  rejects: RejectedRow[];
  stats: CsvReadStats;
}

/**
 * Yields a text (or several) as UTF-8 chunks.
 *
 * @example
 * ```ts
 * for await (const chunk of textStream('a,b\n1,2\n')) chunk.length; // 8
 * ```
 */
export async function* textStream(...parts: string[]): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  for (const p of parts) yield encoder.encode(p);
}

const formatDecimal = (unscaled: bigint, scale: number): string => {
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`}`;
};

function plain(table: AnyTable, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column of table.fileColumns) {
    const v = row[column.name];
    if (v === null || v === undefined) out[column.name] = null;
    else if (column.type.kind === 'decimal') out[column.name] = formatDecimal(BigInt(String(v)), column.type.scale);
    else if (column.type.kind === 'date') out[column.name] = new Date(Number(v)).toISOString().slice(0, 10);
    else if (column.type.kind === 'timestamp') out[column.name] = new Date(Number(v)).toISOString().slice(0, 19);
    else out[column.name] = v;
  }
  return out;
}

/**
 * Reads `csv` with `cleaning` (see the module description).
 *
 * @example
 * ```ts
 * const { rows } = await readRows(cardsCleaning, cardsCsv, { dropColumns: ['cvv'] });
 * rows[0]?.card_number; // '************0444'
 * ```
 */
export async function readRows(cleaning: TableCleaning, csv: string, options: { dropColumns?: readonly string[]; file?: string } = {}): Promise<ReadRowsResult> {
  const rejects: RejectedRow[] = [];
  const source = options.dropColumns === undefined ? textStream(csv) : dropCsvColumns(textStream(csv), options.dropColumns);
  const reader = readCsvBatches(source, { cleaning, file: options.file ?? `${cleaning.table.name}.csv`, onReject: (r) => rejects.push(r) });
  const rows: Record<string, unknown>[] = [];
  for await (const { batch } of reader) for (const r of batch.toArray()) rows.push(plain(cleaning.table, r.toJSON() as Record<string, unknown>));
  return { rows, rejects, stats: reader.stats };
}
