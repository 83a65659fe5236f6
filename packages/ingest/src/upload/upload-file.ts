/**
 * Upload validation (the TechStore `upload_files.py`, stricter): a file is checked before anything
 * of it reaches `raw/`, then copied byte for byte to `raw/<table>/<batch>/<file>`.
 *
 * Checks, in order: a safe file name (no `/`, `..`, absolute path), extension `.csv`, a table whose
 * name the file name starts with, the size limit, then — while streaming the bytes to storage —
 * strict UTF-8 (a BOM is fine; UTF-16 or invalid bytes are refused with their offset and line), a
 * header equal to the table's columns (order-insensitive, case and whitespace normalised; missing
 * and extra columns named), at least one data row, and no unterminated quote. The copy is one
 * atomic `Storage.putStream`: a refusal found mid-stream aborts it, so nothing of a refused file
 * is ever visible. Row-level problems (a bad number, a wrong field count) are left to ingestion,
 * which rejects those rows with their line numbers.
 *
 * @module
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { lakeLayout, type AnyTable, type ObjectInfo, type Storage } from '@lakeblocks/core';
import type { TableCleaning } from '../cleaning/cleaning-rules.js';
import { normalizeColumnName } from '../cleaning/column-names.js';
import { CsvTokenizer, type CsvRecordView } from '../csv/csv-tokenizer.js';
import { Utf8ChunkDecoder } from '../csv/utf8.js';
import { IngestError, type UploadRefusalReason } from '../errors/ingest-error.js';
import { tableForFileName, unsafeNameReason } from './table-for-file.js';

/**
 * Options of {@link uploadFile} and {@link uploadStream}.
 *
 * @example
 * ```ts
 * const options: UploadOptions = { tables: [orders, customers], batch: '2025-12', maxBytes: 100 * 1024 ** 2 };
 * ```
 */
export interface UploadOptions {
  /** The known tables (or their cleaning rules, whose `rename` is honoured in the header check). */
  tables: readonly (AnyTable | TableCleaning)[];
  /** The batch folder under `raw/<table>/` (e.g. `2025-12` or a timestamp). */
  batch: string;
  /** Largest accepted file in bytes (default 5 GiB, the S3 single-PUT limit). */
  maxBytes?: number;
  /** The name the file gets in raw/ (default: the file's base name). */
  name?: string;
  /** Aborts the copy. */
  signal?: AbortSignal;
}

/**
 * An accepted upload.
 *
 * @example
 * ```ts
 * const r: UploadResult = { table: 'orders', key: 'raw/orders/2025-12/orders_2025_12.csv', bytes: 512, rows: 3, object };
 * ```
 */
export interface UploadResult {
  table: string;
  key: string;
  bytes: number;
  /** Data records (excluding the header). */
  rows: number;
  object: ObjectInfo;
}

/**
 * Default size limit: 5 GiB (the S3 single-PUT limit).
 *
 * @example
 * ```ts
 * await uploadFile(storage, path, { tables, batch, maxBytes: DEFAULT_MAX_UPLOAD_BYTES / 10 });
 * ```
 */
export const DEFAULT_MAX_UPLOAD_BYTES = 5 * 1024 ** 3;

function refuse(file: string, reason: UploadRefusalReason, message: string, extra: { line?: number; offset?: number } = {}, cause?: unknown): IngestError {
  return new IngestError('UploadRefused', `Refused ${file}: ${message}`, { context: { file, reason, ...extra }, cause });
}

interface Resolved {
  table: AnyTable;
  rename: Readonly<Record<string, string>>;
  normalize: (s: string) => string;
  key: string;
}

function resolve(name: string, options: UploadOptions): Resolved {
  const unsafe = unsafeNameReason(name);
  if (unsafe !== undefined) throw refuse(name, 'unsafe-name', `the file name ${unsafe}`);
  if (!/\.csv$/i.test(name)) throw refuse(name, 'extension', 'the extension must be .csv');
  const entries = options.tables.map((t) => ('rules' in t ? t : { table: t, rules: {} as TableCleaning['rules'] }));
  const table = tableForFileName(name, entries.map((e) => e.table));
  if (table === undefined) {
    throw refuse(name, 'unknown-table', `the name does not start with a known table name (${entries.map((e) => e.table.name).join(', ')})`);
  }
  const rules = entries.find((e) => e.table === table)!.rules;
  let key: string;
  try {
    key = lakeLayout.rawFile(table.name, options.batch, name);
  } catch (cause) {
    throw refuse(name, 'unsafe-name', (cause as Error).message, {}, cause);
  }
  return {
    table,
    key,
    rename: (rules.rename ?? {}) as Record<string, string>,
    normalize: (rules.columnNames ?? 'normalize') === 'normalize' ? normalizeColumnName : (s) => s.replace(/^\uFEFF/, ''),
  };
}

/**
 * Validates a local file and copies it byte for byte to `raw/<table>/<batch>/<file>`; throws an
 * `IngestError` `UploadRefused` naming the file and the reason (`context.reason`) otherwise.
 *
 * @example
 * ```ts
 * import { LocalStorage } from '@lakeblocks/core';
 * import { uploadFile } from '@lakeblocks/ingest';
 * const { key } = await uploadFile(new LocalStorage('./.lake'), './incoming/orders_2025_12.csv', { tables, batch: '2025-12' });
 * ```
 */
export async function uploadFile(storage: Storage, path: string, options: UploadOptions): Promise<UploadResult> {
  const name = options.name ?? basename(path);
  resolve(name, options);
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw refuse(name, 'not-a-file', 'not a regular file');
    size = st.size;
  } catch (error) {
    if (error instanceof IngestError) throw error;
    throw new IngestError('InvalidArgument', `Cannot read ${path}: ${(error as Error).message}`, { context: { file: name }, cause: error });
  }
  const max = options.maxBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  if (size > max) throw refuse(name, 'too-large', `${size} bytes exceeds the limit of ${max} bytes`);
  if (size === 0) throw refuse(name, 'empty', 'the file is empty');
  return uploadStream(storage, name, createReadStream(path, { highWaterMark: 1024 * 1024 }), { ...options, name });
}

/**
 * Validates a byte stream named `name` and copies it to `raw/<table>/<batch>/<name>`: like
 * {@link uploadFile}, for bodies that are not local files (an HTTP upload, an S3 object).
 *
 * @example
 * ```ts
 * await uploadStream(storage, 'events_2025_12.csv', request, { tables, batch: '2025-12' });
 * ```
 */
export async function uploadStream(storage: Storage, name: string, body: AsyncIterable<Uint8Array>, options: UploadOptions): Promise<UploadResult> {
  const { table, key, rename, normalize } = resolve(name, options);
  const max = options.maxBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  let refusal: IngestError | undefined;
  let bytes = 0;
  let rows = 0;

  const checkHeader = (fields: string[], line: number): void => {
    const names = fields.map((f) => {
      const n = normalize(f);
      return rename[n] ?? n;
    });
    const seen = new Set<string>();
    const duplicated = names.filter((n) => (seen.has(n) ? true : (seen.add(n), false)));
    const expected = new Set(table.columns.map((c) => c.name));
    const missing = [...expected].filter((n) => !seen.has(n));
    const extra = [...seen].filter((n) => !expected.has(n));
    const problems: string[] = [];
    if (missing.length > 0) problems.push(`missing column(s) ${missing.join(', ')}`);
    if (extra.length > 0) problems.push(`extra column(s) ${extra.join(', ')}`);
    if (duplicated.length > 0) problems.push(`repeated column(s) ${duplicated.join(', ')}`);
    if (problems.length > 0) throw refuse(name, 'header-mismatch', `the header does not match table "${table.name}": ${problems.join('; ')}`, { line });
  };

  async function* validated(): AsyncGenerator<Uint8Array> {
    const decoder = new Utf8ChunkDecoder(name);
    const tokenizer = new CsvTokenizer({ file: name });
    let header = false;
    // Records are seen through the tokenizer's view (no object per record): only the header's
    // fields are read, the rest counted.
    const onRecord = (record: CsvRecordView): void => {
      if (header) {
        rows++;
        return;
      }
      header = true;
      checkHeader(record.texts(), record.line);
    };
    try {
      for await (const chunk of body) {
        bytes += chunk.length;
        if (bytes > max) throw refuse(name, 'too-large', `more than ${max} bytes`);
        tokenizer.scan(decoder.decode(chunk, tokenizer.takePending()), onRecord);
        yield chunk;
      }
      tokenizer.scan(decoder.end(), onRecord);
      tokenizer.scanEnd(onRecord);
      if (!header) throw refuse(name, 'empty', bytes === 0 ? 'the file is empty' : 'the file holds no CSV header');
      if (rows === 0) throw refuse(name, 'header-only', 'the file has a header but no data rows');
    } catch (error) {
      if (error instanceof IngestError && error._tag === 'CsvMalformed') {
        const reason: UploadRefusalReason = error.context.reason === 'encoding' ? 'encoding' : 'malformed-csv';
        const extra: { line?: number; offset?: number } = {};
        if (typeof error.context.line === 'number') extra.line = error.context.line;
        if (typeof error.context.offset === 'number') extra.offset = error.context.offset;
        refusal = refuse(name, reason, error.message.replace(/ \(file=.*$/, ''), extra, error);
      } else refusal = error instanceof IngestError ? error : undefined;
      throw refusal ?? error;
    }
  }

  let object: ObjectInfo;
  try {
    object = await storage.putStream(key, validated(), { contentType: 'text/csv', ...(options.signal ? { signal: options.signal } : {}) });
  } catch (error) {
    throw refusal ?? error;
  }
  return { table: table.name, key, bytes, rows, object };
}
