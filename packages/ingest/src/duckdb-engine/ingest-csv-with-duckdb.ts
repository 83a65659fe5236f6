/**
 * The speculative DuckDB engine: one local CSV file → the table's Parquet dataset, read, cleaned,
 * partitioned and encoded by one DuckDB `COPY … TO … (PARTITION_BY …)` into a local staging
 * directory, then published through the dataset writer (same names, atomic puts, stale-file sweep).
 *
 * The attempt is speculative, like `ingestCsvFile`'s parallel parse: the SQL raises an error on the
 * first row the JS engine would not accept unchanged (a rejected value, a wrong field count, a quote
 * inside an unquoted field, …), and anything unusual (a UTF-16 or unreadable header, rules the SQL
 * compiler cannot express, a DuckDB parser error, a key repeated for `dedupe: 'keep-first'`)
 * abandons it: nothing is published and the file is read again by the JS engine
 * (`ingestCsvFile`), which gives the exact rows, rejects and errors. So the DuckDB engine only
 * ever publishes what the JS engine would have, in files of the same schema.
 *
 * @module
 */
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { PartitionValues } from '@lakeblocks/core';
import { defineCleaning, type TableCleaning } from '../cleaning/cleaning-rules.js';
import { CsvTokenizer } from '../csv/csv-tokenizer.js';
import type { CsvReadStats } from '../csv/read-csv.js';
import { PrimaryKeySet, type SeenKeys } from '../dedupe/primary-key-set.js';
import type { EncodedParquetFile, ParquetDatasetWriter } from '../parquet/dataset-writer.js';
import { ingestCsvFile, type IngestCsvFileOptions, type IngestCsvFileResult } from '../parallel/ingest-csv-file.js';
import type { CleaningSql } from './cleaning-sql.js';
import type { DuckDbEngine } from './duckdb-engine.js';

/**
 * Options of {@link ingestCsvWithDuckDb}: those of `ingestCsvFile` (used as they are when the file
 * falls back to the JS engine) plus the DuckDB engine to run on.
 *
 * @example
 * ```ts
 * const options: IngestCsvWithDuckDbOptions = { engine, cleaning, file: 'raw/events/b1/events.csv', seenKeys };
 * ```
 */
export interface IngestCsvWithDuckDbOptions extends IngestCsvFileOptions {
  /** The run's DuckDB instance (see {@link DuckDbEngine.open}). */
  engine: DuckDbEngine;
}

/**
 * What {@link ingestCsvWithDuckDb} did: `ingestCsvFile`'s result, plus which engine produced the files.
 *
 * @example
 * ```ts
 * const { engine, fallbackBecause, stats } = await ingestCsvWithDuckDb(writer, path, options);
 * if (engine === 'js') console.log(`read by the JS engine: ${fallbackBecause}`);
 * ```
 */
export interface IngestCsvWithDuckDbResult extends IngestCsvFileResult {
  /** `duckdb` when DuckDB's files were published, `js` after a fallback. */
  engine: 'duckdb' | 'js';
  /** Why the DuckDB attempt was abandoned (with `engine: 'js'`). */
  fallbackBecause?: string;
  /** Milliseconds of the DuckDB attempt: `copy` (the COPY statement), `keys` (dedupe checks), `publish`. */
  timings: { copy: number; keys: number; publish: number };
}

/** Abandons the DuckDB attempt: the file goes to the JS engine. */
class Fallback extends Error {}

/** The header record as the JS reader would see it, or why DuckDB should not try. */
async function readHeaderFields(path: string, delimiter: string | undefined): Promise<string[]> {
  const handle = await open(path, 'r');
  try {
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
    const tokenizer = new CsvTokenizer(delimiter === undefined ? {} : { delimiter });
    let header: string[] | undefined;
    let problem: string | undefined;
    const onRecord = (r: { texts(): string[]; problem?: { reason: string } | undefined }): void => {
      if (header !== undefined) return;
      header = r.texts();
      if (r.problem !== undefined) problem = r.problem.reason;
    };
    const chunk = Buffer.alloc(1 << 16);
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (position === 0) {
        if (bytesRead >= 2 && ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff))) throw new Fallback('the file starts with a UTF-16 byte-order mark');
        const start = bytesRead >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? 3 : 0;
        if (bytesRead > start && (chunk[start] === 0x0a || chunk[start] === 0x0d)) throw new Fallback('blank line before the header');
      }
      let text: string;
      try {
        text = bytesRead === 0 ? decoder.decode() : decoder.decode(chunk.subarray(0, bytesRead), { stream: true });
      } catch {
        throw new Fallback('the header is not valid UTF-8');
      }
      try {
        if (bytesRead === 0) {
          tokenizer.scan(text, onRecord);
          tokenizer.scanEnd(onRecord);
        } else tokenizer.scan(text, onRecord);
      } catch (error) {
        throw new Fallback(`the header does not parse: ${(error as Error).message}`);
      }
      if (header !== undefined || bytesRead === 0) break;
      position += bytesRead;
      if (position > 16 << 20) throw new Fallback('no header record in the first 16 MiB');
    }
    if (header === undefined) throw new Fallback('the file has no header record');
    if (problem !== undefined) throw new Fallback(`malformed header: ${problem}`);
    if (header.some((f) => f.includes('\u0000'))) throw new Fallback('NUL byte in the header');
    return header;
  } finally {
    await handle.close();
  }
}

const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const ident = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/**
 * Reads a local CSV file into `writer` with DuckDB when it can produce exactly what the JS engine
 * would (see the module description), else with the JS engine (`ingestCsvFile` with the same
 * options). With `dedupe: 'keep-first'`, DuckDB's files are published only when no key repeats
 * within the file nor was seen in an earlier file (`seenKeys`, which then
 * receives this file's keys); otherwise `seenKeys` is left as it was and the JS engine reads the file.
 *
 * @example
 * ```ts
 * import { DuckDbEngine, ParquetDatasetWriter, ingestCsvWithDuckDb } from '@lakeblocks/ingest';
 * const engine = await DuckDbEngine.open({ threads: 2 });
 * const writer = new ParquetDatasetWriter(storage, events);
 * try {
 *   const result = await ingestCsvWithDuckDb(writer, '/data/events.csv', { engine, cleaning, file: 'raw/events/b1/events.csv' });
 *   console.log(result.engine, result.fallbackBecause ?? '', result.stats.rowsOut);
 *   await writer.commit();
 * } finally {
 *   await writer.close();
 *   await engine.close();
 * }
 * ```
 */
export async function ingestCsvWithDuckDb(writer: ParquetDatasetWriter, path: string, options: IngestCsvWithDuckDbOptions): Promise<IngestCsvWithDuckDbResult> {
  const cleaning: TableCleaning = 'rules' in options.cleaning ? options.cleaning : defineCleaning(options.cleaning);
  const sourceId = options.sourceId ?? options.file;
  const { engine, ...jsOptions } = options;
  const timings = { copy: 0, keys: 0, publish: 0 };
  let staged: { files: EncodedParquetFile[]; rows: number; keys: PrimaryKeySet | undefined } | undefined;
  const dir = engine.attemptDir();
  try {
    try {
      staged = await copyWithDuckDb(engine, dir, path, cleaning, options, writer.rowGroupSize, timings);
    } catch (error) {
      if (!(error instanceof Fallback)) throw error;
      // DuckDB's partial output goes before the JS engine reads the file.
      await rm(dir, { recursive: true, force: true });
      const result = await ingestCsvFile(writer, path, { ...jsOptions, cleaning });
      return { ...result, engine: 'js', fallbackBecause: error.message, timings };
    }
    const started = performance.now();
    const files = await writer.publishEncoded(sourceId, staged.files);
    timings.publish = performance.now() - started;
    // Published: this file's keys join the earlier files'.
    const seen = options.seenKeys;
    if (staged.keys !== undefined && seen !== undefined) staged.keys.forEach((k) => seen.add(k));
    const stats: CsvReadStats = { file: options.file, rowsIn: staged.rows, rowsOut: staged.rows, rowsRejected: 0, blankLines: 0, bytes: (await stat(path)).size, batches: staged.files.length };
    return { files, stats, threads: engine.threads, engine: 'duckdb', timings };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The one DuckDB statement of the engine: `COPY (SELECT <file columns>, <partition values> FROM
 * read_csv(…) WHERE <an error on any row the JS engine would not accept unchanged>) TO target
 * (FORMAT parquet, PARTITION_BY …, RETURN_STATS)`. The CSV is read as `header.length + 1` VARCHAR
 * columns with null padding, so that a wrong field count shows (DuckDB drops extra fields silently
 * otherwise); `nullstr` is a control character the JS engine rejects anyway, so a null means a
 * missing field. A quote in a value may come from a quote inside an unquoted field, which the JS
 * engine rejects and DuckDB accepts: such rows raise the error too.
 *
 * @example
 * ```ts
 * const sql = duckDbCopySql({ path: '/data/events.csv', header, compiled, fileColumnNames: ['event_id', 'event_time'], target: '/tmp/stage', rowGroupSize: 122_880 });
 * ```
 */
export function duckDbCopySql(input: { path: string; header: readonly string[]; compiled: CleaningSql; fileColumnNames: readonly string[]; target: string; rowGroupSize: number; delimiter?: string }): string {
  const { path, header, compiled, target, rowGroupSize } = input;
  const n = header.length;
  const raw = Array.from({ length: n + 1 }, (_, i) => `c${i}`);
  const columnTypes = raw.map((c) => `${sqlString(c)}: 'VARCHAR'`).join(', ');
  // One search over the concatenation (NULLs count as empty there, hence the IS NULL terms).
  const shape = [`c${n} IS NOT NULL`, ...raw.slice(0, n).map((c) => `${c} IS NULL`), `contains(concat(${raw.slice(0, n).join(', ')}), '"')`].join(' OR ');
  const csv = `read_csv(${sqlString(path)}, columns = {${columnTypes}}, header = true, auto_detect = false, all_varchar = true, strict_mode = true, null_padding = true, nullstr = '\u0001', allow_quoted_nulls = false, quote = '"', escape = '"', delim = ${sqlString(input.delimiter ?? ',')}, comment = '', encoding = 'utf-8', ignore_errors = false)`;
  const rows = `SELECT ${raw.slice(0, n).join(', ')} FROM ${csv} WHERE CASE WHEN ${shape} THEN error('lakeblocks: a record of an unexpected shape') ELSE true END`;
  const partitioned = compiled.partitions.length > 0;
  const copyOptions = [
    'FORMAT parquet',
    'COMPRESSION snappy',
    `ROW_GROUP_SIZE ${rowGroupSize}`,
    'RETURN_STATS',
    ...(partitioned ? [`PARTITION_BY (${compiled.partitions.map((p) => ident(p.name)).join(', ')})`, `FILENAME_PATTERN 'data_{i}'`] : []),
  ].join(', ');
  const over = compiled.partitionsOverColumns;
  if (over !== undefined && over.length === compiled.partitions.length) {
    // The fast plan: strict columns raise REFUSED_ROW_ERROR themselves (no second evaluation in a
    // filter), and the partition values come from the typed time column, computed once.
    const outer = [...input.fileColumnNames.map(ident), ...over.map((p) => `${p.expr} AS ${ident(p.name)}`)].join(', ');
    return `COPY (SELECT ${outer} FROM (SELECT ${compiled.strictColumns.join(', ')} FROM (${rows}))) TO ${sqlString(target)} (${copyOptions})`;
  }
  const select = [...compiled.fileColumns, ...compiled.partitions.map((p) => `${p.expr} AS ${ident(p.name)}`)].join(', ');
  return `COPY (SELECT ${select} FROM (${rows}) WHERE CASE WHEN ${compiled.rejected} THEN error('lakeblocks: a row the JS engine would not accept unchanged') ELSE true END) TO ${sqlString(target)} (${copyOptions})`;
}

/** Runs the COPY into `dir` and checks its outcome; throws {@link Fallback} when the JS engine must read the file. */
async function copyWithDuckDb(
  engine: DuckDbEngine,
  dir: string,
  path: string,
  cleaning: TableCleaning,
  options: IngestCsvWithDuckDbOptions,
  rowGroupSize: number,
  timings: IngestCsvWithDuckDbResult['timings'],
): Promise<{ files: EncodedParquetFile[]; rows: number; keys: PrimaryKeySet | undefined }> {
  const { table } = cleaning;
  if (options.signal?.aborted) throw options.signal.reason;
  const header = await readHeaderFields(path, options.delimiter);
  // Loaded on first use, like the DuckDB module itself.
  const { compileCleaningSql } = await import('./cleaning-sql.js');
  const compiled = compileCleaningSql(cleaning, header);
  if ('ineligible' in compiled) throw new Fallback(compiled.ineligible);

  const dedupe = cleaning.rules.dedupe === 'keep-first' && table.primaryKey.length > 0;
  const fileColumns = new Set(table.fileColumns.map((c) => c.name));
  if (dedupe) {
    const unsupported = table.primaryKey.filter((name) => !fileColumns.has(name) || !['int', 'string', 'enum'].includes(table.column(name).type.kind));
    if (unsupported.length > 0) throw new Fallback(`dedupe on primary key column(s) ${unsupported.join(', ')} is not supported by the DuckDB engine (int, string and enum keys stored in the files only)`);
  }
  // The SELECT holds the file columns, in the table's order, then the partition values.
  const selected = compiled.fileColumns;
  if (selected.length !== table.fileColumns.length) throw new Fallback(`the SQL has ${selected.length} columns for ${table.fileColumns.length} file columns`);
  const keyNames = table.partitionKeys.map((k) => k.name);
  if (compiled.partitions.map((p) => p.name).join('\u0000') !== keyNames.join('\u0000')) throw new Fallback(`the SQL partitions by ${compiled.partitions.map((p) => p.name).join(', ') || 'nothing'}, the table by ${keyNames.join(', ') || 'nothing'}`);

  const partitioned = compiled.partitions.length > 0;
  const target = partitioned ? dir : `${dir}/data_0.parquet`;
  if (!partitioned) await mkdir(dir, { recursive: true });
  const sql = duckDbCopySql({ path, header, compiled, fileColumnNames: table.fileColumns.map((c) => c.name), target, rowGroupSize, ...(options.delimiter === undefined ? {} : { delimiter: options.delimiter }) });

  const connection = engine.connection;
  const interrupt = (): void => connection.interrupt();
  options.signal?.addEventListener('abort', interrupt, { once: true });
  let stats: Record<string, unknown>[];
  const started = performance.now();
  try {
    stats = (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw new Fallback(`DuckDB stopped: ${(error as Error).message.split('\n')[0]}`);
  } finally {
    options.signal?.removeEventListener('abort', interrupt);
    timings.copy = performance.now() - started;
  }

  const files: (EncodedParquetFile & { name: string })[] = [];
  let total = 0;
  for (const s of stats) {
    const count = Number(s.count);
    total += count;
    const partition: PartitionValues = {};
    const keys = (s.partition_keys ?? []) as { key: string; value: string | null }[];
    for (const k of table.partitionKeys) {
      const value = keys.find((e) => e.key === k.name)?.value;
      if (value === undefined || value === null) throw new Fallback(`no value for partition key ${k.name} in a DuckDB output file`);
      if (k.type.kind === 'int') {
        const v = Number(value);
        if (!Number.isSafeInteger(v) || String(v) !== value) throw new Fallback(`partition value ${k.name}=${value} is not an integer`);
        partition[k.name] = v;
      } else partition[k.name] = value;
    }
    files.push({ path: String(s.filename), name: String(s.filename), partition, rows: count, size: Number(s.file_size_bytes) });
  }
  // Deterministic order within each partition: DuckDB's file index.
  const order = (name: string): [string, number] => [dirname(name), Number(/data_(\d+)\.parquet$/.exec(name)?.[1] ?? 0)];
  files.sort((a, b) => {
    const [da, ia] = order(a.name);
    const [db, ib] = order(b.name);
    return da < db ? -1 : da > db ? 1 : ia - ib;
  });

  let keys: PrimaryKeySet | undefined;
  if (dedupe && total > 0) {
    const t = performance.now();
    keys = await checkKeys(engine, dir, table.primaryKey, table.primaryKey.length === 1 && table.column(table.primaryKey[0]!).type.kind === 'int', options.seenKeys);
    timings.keys = performance.now() - t;
  }
  return { files, rows: total, keys };
}

/**
 * Keep-first without file order: DuckDB's rows are exactly the JS engine's when no key repeats in
 * this file and none was seen in an earlier file (`earlier`). The keys are streamed out of the staged
 * files, as the JS engine would add them to `seenKeys` (a number for a single int key, else the
 * key's texts joined by NUL), into a set of this file's keys, returned for the caller to add to
 * `earlier` once published; a repeat throws {@link Fallback}. Measured on 13.3 M int keys (one
 * thread): streaming 1.6 s and these lookups 0.9 s, where DuckDB's `count(DISTINCT id)` over the
 * staged files alone took 4.3 s — so the check is here rather than in DuckDB.
 */
async function checkKeys(engine: DuckDbEngine, dir: string, primaryKey: readonly string[], numeric: boolean, earlier: SeenKeys | undefined): Promise<PrimaryKeySet> {
  const scan = `read_parquet(${sqlString(`${dir}/**/*.parquet`)}, hive_partitioning = false)`;
  const cols = primaryKey.map(ident).join(', ');
  const keySql = numeric ? cols : primaryKey.length === 1 ? `${cols}::VARCHAR` : `concat_ws(chr(0), ${primaryKey.map((c) => `${ident(c)}::VARCHAR`).join(', ')})`;
  const result = await engine.connection.stream(`SELECT ${keySql} AS k FROM ${scan}`);
  const file = new PrimaryKeySet();
  for (let chunk = await result.fetchChunk(); chunk !== null && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    for (const v of chunk.getColumnValues(0)) {
      const key = numeric ? Number(v) : String(v);
      if (file.has(key)) throw new Fallback(`primary key ${primaryKey.join(', ')} = ${String(key).split('\u0000').join(', ')} repeats within the file: keep-first needs file order`);
      if (earlier !== undefined && earlier.has(key)) throw new Fallback(`primary key ${primaryKey.join(', ')} = ${String(key).split('\u0000').join(', ')} was seen in an earlier file: keep-first needs file order`);
      file.add(key);
    }
  }
  return file;
}
