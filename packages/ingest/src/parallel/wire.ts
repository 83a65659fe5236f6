/**
 * Messages between {@link ingestCsvFile} and its parse workers.
 *
 * @module
 */
import type { PartitionValues } from '@lakeblocks/core';
import type { CsvReadStats } from '../csv/read-csv.js';
import type { RejectedRow } from '../rejects/rejected-row.js';
import type { PortableCleaning } from './portable-cleaning.js';

/** What a parse worker gets. */
export interface ParseWorkerInput {
  path: string;
  /** Byte range `[start, end)` of the file (at record boundaries, speculatively). */
  start: number;
  end: number;
  /** The header record's bytes (with its line end), prepended when the range does not start the file. */
  header: Uint8Array | undefined;
  file: string;
  cleaning: PortableCleaning;
  groupByPartition: boolean;
  batchRows: number | undefined;
  maxPendingRows: number | undefined;
  delimiter: string | undefined;
  /** Dedupe within the range and report the keys kept (`dedupe: 'keep-first'`). */
  dedupe: boolean;
  /** Batches posted before waiting for an acknowledgement. */
  credits: number;
  /** Rows posted before waiting for an acknowledgement (bounds memory when batches are large). */
  creditRows: number;
}

/** One Arrow column's buffers. */
export interface WireColumn {
  length: number;
  nullCount: number;
  values: ArrayBufferView | undefined;
  valueOffsets: ArrayBufferView | undefined;
  nullBitmap: ArrayBufferView | undefined;
}

/** Primary keys a worker kept since its previous message (numbers and strings, as `readCsvBatches` forms them). */
export interface WireKeys {
  numbers: Float64Array;
  strings: string[];
}

/** A worker's messages. */
export type WorkerMessage =
  | { kind: 'batch'; rows: number; columns: WireColumn[]; partition: PartitionValues; partitionPath: string; keys: WireKeys | undefined }
  | { kind: 'done'; stats: CsvReadStats; rejects: RejectedRow[]; breaks: number; keys: WireKeys | undefined }
  | { kind: 'error'; message: string; tag: string | undefined; context: unknown };
