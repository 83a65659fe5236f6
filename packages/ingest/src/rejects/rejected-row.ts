/**
 * One rejected input row: where it came from, which column failed and why, and the record exactly
 * as it was in the file. Written as one line of `rejects/<table>/<run-id>.csv`.
 *
 * @example
 * ```ts
 * const r: RejectedRow = {
 *   sourceFile: 'raw/orders/2025-12/orders_2025_12.csv', line: 7, column: 'order_time',
 *   reason: 'expected a timestamp YYYY-MM-DD[T ]HH:MM:SS, got "31/01/2025"', rawRecord: '7,12,31/01/2025,card,…',
 * };
 * ```
 */
export interface RejectedRow {
  sourceFile: string;
  /** Physical line where the record starts (1-based). */
  line: number;
  /** The column that failed (`''` when the whole row failed, e.g. a wrong field count). */
  column: string;
  reason: string;
  rawRecord: string;
}

/**
 * The header of a rejects CSV file.
 *
 * @example
 * ```ts
 * REJECTS_HEADER.join(','); // 'source_file,line,column,reason,raw_record'
 * ```
 */
export const REJECTS_HEADER = ['source_file', 'line', 'column', 'reason', 'raw_record'] as const;

/**
 * Quotes a CSV field when it needs it (RFC 4180).
 *
 * @example
 * ```ts
 * csvField('a,"b"'); // '"a,""b"""'
 * ```
 */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * One rejects-file line (with its CRLF).
 *
 * @example
 * ```ts
 * rejectLine({ sourceFile: 'a.csv', line: 2, column: 'id', reason: 'expected int', rawRecord: 'x,1' });
 * // 'a.csv,2,id,expected int,"x,1"\r\n'
 * ```
 */
export function rejectLine(r: RejectedRow): string {
  return `${csvField(r.sourceFile)},${r.line},${csvField(r.column)},${csvField(r.reason)},${csvField(r.rawRecord)}\r\n`;
}
