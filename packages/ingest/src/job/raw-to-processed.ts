/**
 * The incremental raw → processed job: for each table, consume only the raw objects its bookmark
 * has not seen (new or replaced files), read them as typed batches with the table's cleaning
 * rules, write the Parquet dataset and the rejects file, and commit the bookmark last — after the
 * data files are durable (DESIGN decision 5). A crash before the commit leaves the bookmark
 * unchanged; the rerun rewrites the same deterministic files. A run with nothing new writes
 * nothing and says so.
 *
 * @module
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  JobBookmarks,
  createOwnedTempDir,
  LocalStorage,
  StorageBookmarkStore,
  lakeLayout,
  newRunId,
  type AnyTable,
  type DatasetLayer,
  type ObjectInfo,
  type StepContext,
  type StepDefinition,
  type Storage,
} from '@lakeblocks/core';
import { defineCleaning, type TableCleaning } from '../cleaning/cleaning-rules.js';
import { readCsvBatches, type CsvReadStats } from '../csv/read-csv.js';
import { PrimaryKeySet } from '../dedupe/primary-key-set.js';
import { ParquetDatasetWriter, sourceDigest, type DatasetWriterOptions, type WriteMode, type WrittenFile } from '../parquet/dataset-writer.js';
import { ingestCsvFile } from '../parallel/ingest-csv-file.js';
import { DuckDbEngine } from '../duckdb-engine/duckdb-engine.js';
import { ingestCsvWithDuckDb } from '../duckdb-engine/ingest-csv-with-duckdb.js';
import { IngestError } from '../errors/ingest-error.js';
import type { RejectedRow } from '../rejects/rejected-row.js';
import { clearPendingRejects, commitCertainlyLost, markPendingRejects, settlePendingRejects } from '../rejects/pending-rejects.js';
import { RejectsWriter } from '../rejects/rejects-writer.js';

/**
 * Options of {@link runRawToProcessed}.
 *
 * @example
 * ```ts
 * const options: RawToProcessedOptions = { storage, tables: techstoreCleaning, mode: 'append' };
 * ```
 */
export interface RawToProcessedOptions {
  storage: Storage;
  /** Tables to process, with their cleaning rules (a bare table gets the default rules). */
  tables: readonly (TableCleaning | AnyTable)[];
  /** Run id, used for the rejects file names (default `newRunId()`). */
  runId?: string;
  /** Bookmarks (default: stored in the same storage under `_state/bookmarks/`). */
  bookmarks?: JobBookmarks;
  /** Bookmark job name of a table (default `raw-to-processed/<table>`). */
  jobName?: (table: string) => string;
  /** Dataset write mode (default `append`). */
  mode?: WriteMode;
  /** Other dataset writer options. */
  writer?: Omit<DatasetWriterOptions, 'mode'>;
  /** Rows per record batch (default 65 536). */
  batchRows?: number;
  /**
   * Parse threads per raw file (default 1: every file is read on this thread, as a stream). With
   * more, a file of at least `minParallelBytes` is parsed in byte ranges on worker threads by
   * `ingestCsvFile` (a local copy is made first when the storage is not a `LocalStorage`): the
   * same rows, rejects and counters as one thread, `dedupe: 'keep-first'` included.
   */
  threads?: number;
  /** Smallest raw file parsed on several threads (default 32 MiB). */
  minParallelBytes?: number;
  /**
   * What reads the raw files: `js` (default) the streaming JS reader (`readCsvBatches`, or
   * `ingestCsvFile` on several threads); `duckdb` the speculative DuckDB engine
   * (`ingestCsvWithDuckDb`, on `threads` DuckDB threads, one instance per run): a file it cannot
   * read exactly as the JS engine would goes to the JS engine, so the output, rejects and bookmark
   * are the same either way; fails when `@duckdb/node-api` (an optional peer dependency) is
   * missing. `auto`: `duckdb` when `@duckdb/node-api` loads, else `js`. The log names the engine
   * of every file and why it fell back.
   */
  engine?: 'js' | 'duckdb' | 'auto';
  /** DuckDB `memory_limit` of the DuckDB engine (default `1GB`). */
  duckdbMemoryLimit?: string;
  /** The pipeline step context, when run as a step: counters, log and cancellation. */
  context?: Pick<StepContext, 'count' | 'log' | 'signal'>;
}

/**
 * What happened to one raw file.
 *
 * @example
 * ```ts
 * const f: FileReport = { key: 'raw/orders/b1/orders.csv', rowsIn: 10, rowsOut: 9, rowsRejected: 1, filesWritten: 3, bytesWritten: 9000 };
 * ```
 */
export interface FileReport {
  key: string;
  rowsIn: number;
  rowsOut: number;
  rowsRejected: number;
  filesWritten: number;
  bytesWritten: number;
}

/**
 * What happened to one table.
 *
 * @example
 * ```ts
 * const t: TableReport = { table: 'orders', job: 'raw-to-processed/orders', files: [], deleted: 0, message: 'no new raw objects' };
 * ```
 */
export interface TableReport {
  table: string;
  job: string;
  files: FileReport[];
  /** Parquet files deleted by the mode or as stale outputs. */
  deleted: number;
  /** `rejects/<table>/<run-id>.csv`, when a row was rejected. */
  rejectsKey?: string;
  /** The bookmark version committed (absent when nothing was new). */
  bookmarkVersion?: number;
  message: string;
}

/**
 * The result of a run.
 *
 * @example
 * ```ts
 * const { rowsIn, rowsOut, rowsRejected, nothingNew } = await runRawToProcessed(options);
 * ```
 */
export interface RawToProcessedResult {
  runId: string;
  tables: TableReport[];
  rowsIn: number;
  rowsOut: number;
  rowsRejected: number;
  /** No table had a new raw object: nothing was written. */
  nothingNew: boolean;
}

/**
 * Runs the job once over every table: see the module description. A file that cannot be parsed
 * at all (`CsvMalformed`) fails the run for its table: nothing of that file is published, the
 * bookmark is not committed, and the error is rethrown (after the lease is released).
 *
 * @example
 * ```ts
 * import { LocalStorage } from '@lakeblocks/core';
 * import { runRawToProcessed } from '@lakeblocks/ingest';
 * const result = await runRawToProcessed({ storage: new LocalStorage('./.lake'), tables: [ordersCleaning] });
 * for (const t of result.tables) console.log(t.table, t.message);
 * ```
 */
export async function runRawToProcessed(options: RawToProcessedOptions): Promise<RawToProcessedResult> {
  const { storage } = options;
  const runId = options.runId ?? newRunId();
  const bookmarks = options.bookmarks ?? new JobBookmarks(new StorageBookmarkStore(storage));
  const jobName = options.jobName ?? ((t: string) => `raw-to-processed/${t}`);
  const ctx = options.context;
  const threads = Math.max(1, Math.floor(options.threads ?? 1));
  const minParallelBytes = options.minParallelBytes ?? 32 * 1024 * 1024;
  const reports: TableReport[] = [];
  const engineChoice = options.engine ?? 'js';
  if (!['js', 'duckdb', 'auto'].includes(engineChoice)) throw new IngestError('InvalidArgument', `Unknown engine ${JSON.stringify(engineChoice)}: expected 'js', 'duckdb' or 'auto'`);
  // Opened on the first file to read (a run with nothing new does not load DuckDB); one per run.
  let duckdb: DuckDbEngine | undefined;
  let useDuckDb = engineChoice !== 'js';
  const duckDbEngine = async (): Promise<DuckDbEngine | undefined> => {
    if (!useDuckDb || duckdb !== undefined) return duckdb;
    const engineOptions = { threads, ...(options.duckdbMemoryLimit === undefined ? {} : { memoryLimit: options.duckdbMemoryLimit }), ...(options.writer?.stagingDir === undefined ? {} : { stagingDir: options.writer.stagingDir }) };
    try {
      duckdb = await DuckDbEngine.open(engineOptions);
    } catch (error) {
      if (engineChoice === 'duckdb') throw error;
      useDuckDb = false;
      ctx?.log.info(`engine auto: the JS engine reads every file (${(error as Error).message})`, {});
    }
    return duckdb;
  };
  try {
    for (const entry of options.tables) {
      ctx?.signal.throwIfAborted();
      const cleaning = 'rules' in entry ? entry : defineCleaning(entry);
      const table = cleaning.table;
      const job = jobName(table.name);
      const run = await bookmarks.begin(job);
      try {
        // A rejects file published by a run killed before its bookmark commit: its rows are rejected again below.
        for (const orphan of await settlePendingRejects(storage, job, run)) {
          ctx?.log.info(`removed ${orphan}: its run stopped before committing, so its rows are read again`, { table: table.name, job });
        }
        const listing: ObjectInfo[] = [];
        for await (const obj of storage.listAll(lakeLayout.tablePrefix('raw', table.name))) {
          if (/\.csv$/i.test(obj.key)) listing.push(obj);
        }
        const todo = run.filterNew(listing);
        if (todo.length === 0) {
          const message = `no new raw objects for ${table.name} (${listing.length} already consumed, bookmark version ${run.version}): nothing written`;
          ctx?.log.info(message, { table: table.name, job });
          reports.push({ table: table.name, job, files: [], deleted: 0, message });
          continue;
        }
        const mode = options.mode ?? 'append';
        // Inputs with no file in the table yet skip the writer's stale-file listings (see claimSources);
        // recorded in every mode, so that a later run in another mode knows what this one wrote.
        const claims = await claimSources(storage, job, options.writer?.layer ?? 'processed', table.name, todo);
        const writer = new ParquetDatasetWriter(storage, table, { ...options.writer, mode, ...(mode === 'overwrite' ? {} : { freshSources: claims.fresh }) });
        const rejects = new RejectsWriter(storage, table.name, runId);
        const files: FileReport[] = [];
        // Compact: a bitset for integer keys (a Set of 13.3 M ids alone took ~400 MB).
        const seenKeys = new PrimaryKeySet();
        try {
          for (const obj of todo) {
            ctx?.signal.throwIfAborted();
            const fileRejects: RejectedRow[] = [];
            const read = {
              cleaning,
              file: obj.key,
              seenKeys,
              onReject: (r: RejectedRow) => fileRejects.push(r),
              ...(options.batchRows === undefined ? {} : { batchRows: options.batchRows }),
            };
            let written: WrittenFile[];
            let stats: CsvReadStats;
            const engine = await duckDbEngine();
            if (engine !== undefined) {
              const result = await withLocalFile(storage, obj.key, ctx?.signal, (path) =>
                ingestCsvWithDuckDb(writer, path, { ...read, sourceId: obj.key, threads, minParallelBytes, engine, ...(ctx ? { signal: ctx.signal } : {}) }),
              );
              ({ files: written, stats } = result);
              if (result.engine === 'duckdb') ctx?.log.info(`${obj.key} read by the DuckDB engine (${engine.threads} thread(s))`, { table: table.name, job });
              else ctx?.log.info(`${obj.key} read by the JS engine: ${result.fallbackBecause}`, { table: table.name, job });
            } else if (threads > 1 && obj.size >= minParallelBytes) {
              const result = await withLocalFile(storage, obj.key, ctx?.signal, (path) =>
                ingestCsvFile(writer, path, { ...read, sourceId: obj.key, threads, minParallelBytes, ...(ctx ? { signal: ctx.signal } : {}) }),
              );
              ({ files: written, stats } = result);
              if (result.sequentialBecause !== undefined) ctx?.log.info(`${obj.key} read on one thread: ${result.sequentialBecause}`, { table: table.name, job });
              else ctx?.log.info(`${obj.key} parsed on ${result.threads} threads`, { table: table.name, job });
            } else {
              const stream = await storage.getStream(obj.key, ctx ? { signal: ctx.signal } : {});
              const reader = readCsvBatches(stream, { ...read, groupByPartition: true });
              written = await writer.write(obj.key, reader);
              stats = reader.stats;
            }
            // Only a file that was read to the end contributes its rejects.
            for (const r of fileRejects) rejects.add(r);
            const { rowsIn, rowsOut, rowsRejected } = stats;
            const report = { key: obj.key, rowsIn, rowsOut, rowsRejected, filesWritten: written.length, bytesWritten: written.reduce((n, f) => n + f.bytes, 0) };
            files.push(report);
            ctx?.count({ rowsIn, rowsOut, rowsRejected, files: written.length, bytesWritten: report.bytesWritten, bytesRead: obj.size });
          }
          const committed = await writer.commit();
          // A table no earlier run of this job claimed an input of had no writer of it, killed or not.
          if (!claims.untouched) await sweepKilledWriters(storage, committed.files, (removed) =>
            ctx?.log.info(`removed ${removed} temp file(s) left by killed writers in the partitions of processed/${table.name}/ just written`, { table: table.name, job }),
          );
          // Recorded first, so that a crash before the commit does not leave these rows reported twice.
          if (rejects.count > 0) await markPendingRejects(storage, job, runId, rejects.key, todo);
          const rejectsKey = await rejects.publish();
          // Data and rejects are durable: only now does the bookmark move.
          let state;
          try {
            state = await run.commit(todo);
          } catch (error) {
            // Another run took the job: it reads these objects again, so this run's rejects must go.
            if (rejectsKey !== undefined && commitCertainlyLost(error)) await clearPendingRejects(storage, job, runId, rejectsKey).catch(() => undefined);
            throw error;
          }
          if (rejects.count > 0) await clearPendingRejects(storage, job, runId);
          const rowsIn = files.reduce((n, f) => n + f.rowsIn, 0);
          const rowsRejected = files.reduce((n, f) => n + f.rowsRejected, 0);
          const message = `${todo.length} new raw object(s) for ${table.name}: ${rowsIn} rows in, ${rowsIn - rowsRejected} out, ${rowsRejected} rejected; ${committed.files.length} Parquet file(s) written`;
          ctx?.log.info(message, { table: table.name, job });
          reports.push({
            table: table.name,
            job,
            files,
            deleted: committed.deleted.length,
            ...(rejectsKey === undefined ? {} : { rejectsKey }),
            bookmarkVersion: state.version,
            message,
          });
        } catch (error) {
          await rejects.discard();
          throw error;
        } finally {
          await writer.close();
        }
      } finally {
        await run.release().catch(() => undefined);
      }
    }
  } finally {
    await duckdb?.close();
  }

  const all = reports.flatMap((r) => r.files);
  return {
    runId,
    tables: reports,
    rowsIn: all.reduce((n, f) => n + f.rowsIn, 0),
    rowsOut: all.reduce((n, f) => n + f.rowsOut, 0),
    rowsRejected: all.reduce((n, f) => n + f.rowsRejected, 0),
    nothingNew: all.length === 0,
  };
}

/**
 * Runs `fn` with a local path holding the object: the object's own file on a `LocalStorage`,
 * else a temporary copy, removed afterwards.
 */
async function withLocalFile<T>(storage: Storage, key: string, signal: AbortSignal | undefined, fn: (path: string) => Promise<T>): Promise<T> {
  if (storage instanceof LocalStorage) return fn(storage.uri(key));
  const dir = await createOwnedTempDir('lakeblocks-raw-');
  try {
    const path = join(dir, 'object.csv');
    await pipeline(await storage.getStream(key, signal ? { signal } : {}), createWriteStream(path), signal ? { signal } : {});
    return await fn(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The job as a pipeline step for `definePipeline`: counters (rows in / out / rejected, files,
 * bytes) go to the run log, the run id names the rejects files, the step's signal cancels it.
 *
 * @example
 * ```ts
 * import { definePipeline } from '@lakeblocks/core';
 * const pipeline = definePipeline({ name: 'techstore', storage, steps: [rawToProcessedStep({ storage, tables })] });
 * await pipeline.run();
 * ```
 */
export function rawToProcessedStep(options: Omit<RawToProcessedOptions, 'runId' | 'context'> & { name?: string; timeoutMs?: number }): StepDefinition {
  return {
    name: options.name ?? 'raw-to-processed',
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    run: async (ctx) => {
      return rawToProcessedStepOutput(await runRawToProcessed({ ...options, runId: ctx.runId, context: ctx }));
    },
  };
}

/**
 * What a raw → processed step puts in the run log: the counters, and per table its message and
 * rejects file. Shared by {@link rawToProcessedStep} and pipelines that run the job in a step of
 * their own (with progress, a counting storage …).
 *
 * @example
 * ```ts
 * run: async (ctx) => rawToProcessedStepOutput(await runRawToProcessed({ storage, tables, runId: ctx.runId, context: ctx })),
 * ```
 */
export function rawToProcessedStepOutput(result: RawToProcessedResult): {
  nothingNew: boolean;
  rowsIn: number;
  rowsOut: number;
  rowsRejected: number;
  tables: { table: string; message: string; rejects: string | null }[];
} {
  return {
    nothingNew: result.nothingNew,
    rowsIn: result.rowsIn,
    rowsOut: result.rowsOut,
    rowsRejected: result.rowsRejected,
    tables: result.tables.map((t) => ({ table: t.table, message: t.message, rejects: t.rejectsKey ?? null })),
  };
}

/**
 * Where the job records the inputs it may have written files of: `_state/ingest/<job>.sources.json`,
 * `{ version: 1, digests: [...] }` (the `sourceDigest` of each raw key, as in the file names).
 */
function ingestSourcesKey(job: string): string {
  return `_state/ingest/${job}.sources.json`;
}

const PART_DIGEST = /\/part-([0-9a-f]{12})-\d+\.parquet$/;

/**
 * The raw keys of `todo` that have no file in the table yet: their digest is not in the job's
 * record of inputs it may have written. The record is extended with every key of `todo` *before*
 * any data file is written, so a run that fails or is killed midway, a bookmark rewind, or a raw
 * file replaced later all find their digest recorded and get the writer's full stale-file cleanup;
 * only a never-seen key skips it (the listing of the whole table at commit). Without a record (a
 * lake from before it, or a first run) it is seeded from one listing of the table's files.
 * `untouched`: nothing was recorded or found before this run (no earlier writer of the table).
 */
async function claimSources(storage: Storage, job: string, layer: DatasetLayer, table: string, todo: readonly ObjectInfo[]): Promise<{ fresh: string[]; untouched: boolean }> {
  const key = ingestSourcesKey(job);
  let known: Set<string> | undefined;
  const stored = await storage.stat(key);
  if (stored !== undefined) {
    const doc = JSON.parse(Buffer.from(await storage.get(key)).toString('utf8')) as { version?: unknown; digests?: unknown };
    if (doc.version === 1 && Array.isArray(doc.digests)) known = new Set(doc.digests.filter((d): d is string => typeof d === 'string'));
  }
  const seeded = known === undefined;
  if (known === undefined) {
    known = new Set();
    for await (const obj of storage.listAll(lakeLayout.tablePrefix(layer, table))) {
      const m = PART_DIGEST.exec(obj.key);
      if (m !== null) known.add(m[1]!);
    }
  }
  const untouched = known.size === 0;
  const fresh = todo.filter((o) => !known.has(sourceDigest(o.key))).map((o) => o.key);
  if (seeded || fresh.length > 0) {
    for (const k of fresh) known.add(sourceDigest(k));
    await storage.put(key, JSON.stringify({ version: 1, digests: [...known].sort() }), { contentType: 'application/json' });
  }
  return { fresh, untouched };
}

/**
 * Temp files of a writer killed mid-write (SIGKILL, OOM) are never listed, but take disk space: a
 * local lake removes those of dead processes on this host in the partitions a run has just written
 * — where a killed run of the same input left them — rather than walking every partition of the
 * table (thousands of directories) on every run. `LocalStorage.sweepTempFiles('')` sweeps a whole lake.
 */
async function sweepKilledWriters(storage: Storage, files: readonly WrittenFile[], onRemoved: (count: number) => void): Promise<void> {
  const sweeper = storage as Partial<TempFileSweeper>;
  if (typeof sweeper.sweepTempFiles !== 'function') return;
  const folders = [...new Set(files.map((f) => f.key.slice(0, f.key.lastIndexOf('/') + 1)))];
  let removed = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < folders.length) removed += (await sweeper.sweepTempFiles!(folders[next++]!)).removed.length;
  };
  await Promise.all(Array.from({ length: Math.min(16, folders.length) }, worker));
  if (removed > 0) onRemoved(removed);
}

/** A storage that can remove temp files left by killed writers (core's `LocalStorage`). */
interface TempFileSweeper {
  sweepTempFiles(prefix: string): Promise<{ removed: string[]; kept: number }>;
}
