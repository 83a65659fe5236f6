/**
 * One local CSV file → a Parquet dataset, parsed on several threads: the file is cut into byte
 * ranges after a line end, each range is parsed by a worker thread (the header record prepended),
 * and the workers' batches go to the dataset writer in a fixed round-robin order (so the output
 * does not depend on thread timing) while this thread encodes and publishes.
 *
 * The cuts are speculative: a line end may sit inside a quoted field. Every range but the last
 * must then end inside a quote, which its worker reports as an unterminated quote; any worker
 * failure abandons the attempt (the writer publishes nothing of it) and the file is read again on
 * this thread, which gives the exact result or error. Rejects are passed on only once every range
 * was read, with their lines in the whole file.
 *
 * @module
 */
import { stat, open } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { toArrowSchema } from '@lakeblocks/core';
import { makeData, type Data, type Schema } from 'apache-arrow';
import { recordBatchOf } from '../arrow/column-builder.js';
import { defineCleaning, type TableCleaning } from '../cleaning/cleaning-rules.js';
import { CsvTokenizer } from '../csv/csv-tokenizer.js';
import { DEFAULT_BATCH_ROWS, readCsvBatches, type CsvReadStats, type PartitionedBatch, type ReadCsvOptions } from '../csv/read-csv.js';
import { PrimaryKeySet, type SeenKeys } from '../dedupe/primary-key-set.js';
import type { ParquetDatasetWriter, WrittenFile } from '../parquet/dataset-writer.js';
import type { RejectedRow } from '../rejects/rejected-row.js';
import { portableCleaning } from './portable-cleaning.js';
import type { ParseWorkerInput, WireColumn, WireKeys, WorkerMessage } from './wire.js';

/**
 * Options of {@link ingestCsvFile}: those of `readCsvBatches` (batches are always grouped by
 * partition), plus the thread count.
 *
 * @example
 * ```ts
 * const options: IngestCsvFileOptions = { cleaning, file: 'raw/transactions/b1/tx.csv', threads: 2 };
 * ```
 */
export interface IngestCsvFileOptions extends Omit<ReadCsvOptions, 'groupByPartition'> {
  /** Parse threads (default 1: this thread only). */
  threads?: number;
  /** Files smaller than this are read on this thread (default 32 MiB). */
  minParallelBytes?: number;
  /** The input's identity for the writer's file names (default `file`). */
  sourceId?: string;
  /** Cancels the read (checked between batches). */
  signal?: AbortSignal;
}

/**
 * What {@link ingestCsvFile} did.
 *
 * @example
 * ```ts
 * const { files, stats, threads, sequentialBecause } = await ingestCsvFile(writer, path, options);
 * ```
 */
export interface IngestCsvFileResult {
  files: WrittenFile[];
  stats: CsvReadStats;
  /** Parse threads used (1 when read on this thread). */
  threads: number;
  /** Why the file was read on this thread although more threads were asked for. */
  sequentialBecause?: string;
}

class Abandon extends Error {}

/**
 * Keep-first across ranges. Each worker keeps the first of every key *within* its range and
 * reports the keys it kept. A row the sequential read would reject as a duplicate but a worker
 * kept has a key kept by an earlier range or an earlier file: so if no key is kept twice (this
 * file's ranges, checked here as batches arrive, in any order) and none was seen in an earlier
 * file, the workers' decisions are exactly the sequential ones; otherwise the attempt is
 * abandoned and the file is read again on one thread.
 */
class KeyCheck {
  readonly #file = new PrimaryKeySet();
  constructor(
    private readonly primaryKey: readonly string[],
    private readonly earlier: SeenKeys | undefined,
  ) {}

  check(keys: WireKeys | undefined, range: string): void {
    if (keys === undefined) return;
    const file = this.#file;
    const earlier = this.earlier;
    const { numbers, strings } = keys;
    for (let i = 0; i < numbers.length; i++) {
      const k = numbers[i]!;
      if (file.has(k) || (earlier !== undefined && earlier.has(k))) this.#twice(k, range);
      file.add(k);
    }
    for (const k of strings) {
      if (file.has(k) || (earlier !== undefined && earlier.has(k))) this.#twice(k, range);
      file.add(k);
    }
  }

  #twice(key: string | number, range: string): never {
    const shown = typeof key === 'number' ? String(key) : key.split('\u0000').join(', ');
    throw new Abandon(`${range}: primary key ${this.primaryKey.join(', ')} = ${shown} also occurs in another range or an earlier file, so keep-first needs file order`);
  }

  /** Adds this file's keys to the shared set. */
  commit(): void {
    const earlier = this.earlier;
    if (earlier !== undefined) this.#file.forEach((k) => earlier.add(k));
  }
}

/**
 * Reads a local CSV file into `writer` (`writer.write(sourceId, …)`), on `threads` worker threads
 * when that is possible — the rules can cross threads (no function: see `portableCleaning`) and
 * the file is large enough — else on this thread. Same rows, rejects and counters either way.
 * With `dedupe: 'keep-first'`, workers dedupe within their ranges and this thread checks that no
 * key was kept by two ranges or seen in an earlier file (`seenKeys`, which then receives this
 * file's keys); if one was, the file is read again on this thread.
 *
 * @example
 * ```ts
 * import { ParquetDatasetWriter, ingestCsvFile } from '@lakeblocks/ingest';
 * const writer = new ParquetDatasetWriter(storage, transactions);
 * const { stats } = await ingestCsvFile(writer, '/data/transactions.csv', { cleaning, file: 'transactions.csv', threads: 2 });
 * await writer.commit();
 * await writer.close();
 * ```
 */
export async function ingestCsvFile(writer: ParquetDatasetWriter, path: string, options: IngestCsvFileOptions): Promise<IngestCsvFileResult> {
  const cleaning: TableCleaning = 'rules' in options.cleaning ? options.cleaning : defineCleaning(options.cleaning);
  const sourceId = options.sourceId ?? options.file;
  const threads = Math.max(1, Math.floor(options.threads ?? 1));
  const sequential = async (because?: string): Promise<IngestCsvFileResult> => {
    const reader = readCsvBatches(createReadStream(path, { highWaterMark: 1 << 20 }), { ...options, cleaning, groupByPartition: true });
    const files = await writer.write(sourceId, reader);
    return { files, stats: { ...reader.stats }, threads: 1, ...(because === undefined ? {} : { sequentialBecause: because }) };
  };
  if (threads === 1) return sequential();
  const why: string[] = [];
  const portable = portableCleaning(cleaning, why, { dedupe: true });
  if (portable === undefined) return sequential(why.join('; '));
  const dedupe = cleaning.rules.dedupe === 'keep-first';
  const size = (await stat(path)).size;
  if (size < (options.minParallelBytes ?? 32 * 1024 * 1024)) return sequential('the file is small');

  const cuts = await cutPoints(path, size, threads, options.delimiter);
  if (cuts === undefined) return sequential('no line end found to cut the file at');
  const collected: RejectedRow[][] = [];
  const stats: CsvReadStats[] = [];
  const breaks: number[] = [];
  const workers: Worker[] = [];
  try {
    const input = (start: number, end: number): ParseWorkerInput => ({
      path,
      start,
      end,
      header: start === 0 ? undefined : cuts.header,
      file: options.file,
      cleaning: portable,
      groupByPartition: true,
      batchRows: options.batchRows,
      maxPendingRows: options.maxPendingRows,
      delimiter: options.delimiter,
      dedupe,
      // Day partitions make thousands of small batches: with a few in flight, the strict turn-taking
      // below left both workers and this thread idle most of the time (events: 7 s instead of 4).
      // Many may wait, but their rows are bounded (two full batches a worker).
      credits: 256,
      creditRows: 2 * (options.batchRows ?? DEFAULT_BATCH_ROWS),
    });
    const bounds = [0, ...cuts.at, size];
    for (let k = 0; k + 1 < bounds.length; k++) workers.push(spawn(input(bounds[k]!, bounds[k + 1]!)));
    const keys = dedupe ? new KeyCheck(cleaning.table.primaryKey, options.seenKeys) : undefined;
    const files = await writer.write(sourceId, merge(workers, toArrowSchema(cleaning.table), collected, stats, breaks, keys, options.signal));
    // Every range was read and no key was kept twice: this file's keys join the earlier files'.
    keys?.commit();
    // Every range was read: rejects with their lines in the whole file, in file order.
    let before = 0;
    for (let k = 0; k < workers.length; k++) {
      for (const r of collected[k]!) options.onReject?.({ ...r, line: k === 0 ? r.line : r.line - 1 + before });
      before += breaks[k]!;
    }
    const total: CsvReadStats = { file: options.file, rowsIn: 0, rowsOut: 0, rowsRejected: 0, blankLines: 0, bytes: 0, batches: 0 };
    for (const s of stats) {
      total.rowsIn += s.rowsIn;
      total.rowsOut += s.rowsOut;
      total.rowsRejected += s.rowsRejected;
      total.blankLines += s.blankLines;
      total.batches += s.batches;
    }
    total.bytes = size;
    return { files, stats: total, threads: workers.length };
  } catch (error) {
    if (!(error instanceof Abandon)) throw error;
    // The workers go before the re-read: they hold file handles, batches and CPU.
    await Promise.all(workers.splice(0).map((w) => w.terminate()));
    return await sequential(`parallel read abandoned (${error.message}); read again on this thread`);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** The header record's bytes and `threads - 1` cut offsets (each just after a LF), or undefined. */
async function cutPoints(path: string, size: number, threads: number, delimiter: string | undefined): Promise<{ header: Uint8Array; at: number[] } | undefined> {
  const handle = await open(path, 'r');
  try {
    const window = Buffer.alloc(Math.min(size, 1 << 20));
    const { bytesRead } = await handle.read(window, 0, window.length, 0);
    // The header ends at the first line end outside quotes.
    let inQuote = false;
    let headerEnd = -1;
    for (let i = 0; i < bytesRead; i++) {
      const c = window[i]!;
      if (c === 0x22) inQuote = !inQuote;
      else if (!inQuote && (c === 0x0a || c === 0x0d)) {
        headerEnd = c === 0x0d && window[i + 1] === 0x0a ? i + 2 : i + 1;
        break;
      }
    }
    if (headerEnd === -1) return undefined;
    const headerFields = fieldCount(window.subarray(0, headerEnd), delimiter);
    const at: number[] = [];
    let previous = headerEnd;
    for (let k = 1; k < threads; k++) {
      const target = Math.max(previous, Math.floor((size * k) / threads));
      const probe = Buffer.alloc(Math.min(1 << 20, size - target));
      const { bytesRead: n } = await handle.read(probe, 0, probe.length, target);
      // The first line end after which the next records look whole (the right field count, no
      // RFC 4180 problem): most line ends inside a quoted field fail this at once. Still only a
      // guess — the worker of the previous range confirms it.
      let cut = -1;
      for (let lf = probe.indexOf(0x0a); lf !== -1 && lf + 1 < n; lf = probe.indexOf(0x0a, lf + 1)) {
        if (looksLikeRecordStart(probe.subarray(lf + 1, Math.min(n, lf + 1 + 65_536)), headerFields, delimiter)) {
          cut = target + lf + 1;
          break;
        }
      }
      if (cut === -1 || cut >= size) break;
      previous = cut;
      at.push(cut);
    }
    if (at.length === 0) return undefined;
    return { header: new Uint8Array(window.subarray(0, headerEnd)), at };
  } finally {
    await handle.close();
  }
}

/**
 * The worker: `parse-worker.js` next to the bundle; from TypeScript sources (tsx, vitest), the
 * `.ts` file loaded through tsx's loader, registered inside the worker (Node 20 does not apply the
 * parent's `--import` loader to a worker's entry).
 */
function spawn(input: ParseWorkerInput): Worker {
  const here = typeof __filename === 'string' ? pathToFileURL(__filename).href : import.meta.url;
  if (!/\.ts$/.test(new URL(here).pathname)) return new Worker(new URL('./parse-worker.js', here), { workerData: input });
  const tsxApi = pathToFileURL(join(dirname(createRequire(here).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./parse-worker.ts', here).href;
  const code = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  const execArgv = process.execArgv.includes('--conditions=@lakeblocks/source') ? process.execArgv : [...process.execArgv, '--conditions=@lakeblocks/source'];
  return new Worker(code, { eval: true, workerData: input, execArgv });
}

/** A worker's messages as an async queue. */
function inbox(worker: Worker): () => Promise<WorkerMessage> {
  const queue: WorkerMessage[] = [];
  let waiting: ((m: WorkerMessage) => void) | undefined;
  const deliver = (m: WorkerMessage): void => {
    if (waiting !== undefined) {
      const w = waiting;
      waiting = undefined;
      w(m);
    } else queue.push(m);
  };
  worker.on('message', deliver);
  worker.on('error', (error) => deliver({ kind: 'error', message: error.message, tag: undefined, context: undefined }));
  worker.on('exit', (code) => deliver({ kind: 'error', message: `parse worker exited with code ${code}`, tag: undefined, context: undefined }));
  return () => (queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((resolve) => (waiting = resolve)));
}

/** Fields of the first record of `bytes`. */
function fieldCount(bytes: Uint8Array, delimiter: string | undefined): number {
  const t = new CsvTokenizer(delimiter === undefined ? {} : { delimiter });
  let count = 0;
  t.scan(new TextDecoder().decode(bytes), (r) => (count ||= r.count));
  if (count === 0) t.scanEnd((r) => (count ||= r.count));
  return count;
}

/** Whether the (up to 50) whole records at the start of `bytes` have `fields` fields and no RFC 4180 problem. */
function looksLikeRecordStart(bytes: Uint8Array, fields: number, delimiter: string | undefined): boolean {
  const t = new CsvTokenizer(delimiter === undefined ? {} : { delimiter });
  let seen = 0;
  let ok = true;
  try {
    t.scan(new TextDecoder().decode(bytes), (r) => {
      if (seen++ < 50 && (r.count !== fields || r.problem !== undefined)) ok = false;
    });
  } catch {
    return false;
  }
  return ok && seen > 0;
}

function columnData(schema: Schema, i: number, c: WireColumn): Data {
  return makeData({
    type: schema.fields[i]!.type,
    length: c.length,
    nullCount: c.nullCount,
    ...(c.nullBitmap === undefined ? {} : { nullBitmap: c.nullBitmap }),
    ...(c.valueOffsets === undefined ? {} : { valueOffsets: c.valueOffsets }),
    ...(c.values === undefined ? {} : { data: c.values }),
  } as never) as Data;
}

/** The workers' batches, one from each in turn (a fixed order), until all are done. */
async function* merge(
  workers: Worker[],
  schema: Schema,
  rejects: RejectedRow[][],
  stats: CsvReadStats[],
  breaks: number[],
  keys: KeyCheck | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<PartitionedBatch> {
  const next = workers.map(inbox);
  const active = workers.map(() => true);
  let left = workers.length;
  while (left > 0) {
    for (let k = 0; k < workers.length; k++) {
      if (!active[k]) continue;
      signal?.throwIfAborted();
      const m = await next[k]!();
      if (m.kind !== 'error') keys?.check(m.keys, `range ${k + 1} of ${workers.length}`);
      if (m.kind === 'batch') {
        const batch = recordBatchOf(schema, m.columns.map((c, i) => columnData(schema, i, c)), m.rows);
        workers[k]!.postMessage({ ack: 1, rows: m.rows });
        yield { batch, partition: m.partition, partitionPath: m.partitionPath };
      } else if (m.kind === 'done') {
        active[k] = false;
        left--;
        rejects[k] = m.rejects;
        stats[k] = m.stats;
        breaks[k] = m.breaks;
      } else {
        throw new Abandon(`range ${k + 1} of ${workers.length}: ${m.message}`);
      }
    }
  }
}
