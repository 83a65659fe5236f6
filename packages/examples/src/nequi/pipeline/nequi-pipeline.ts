/**
 * The Nequi design end to end, as a core pipeline (run log, deadline, progress events): upload the
 * sources into raw/ (CVV dropped), raw → processed with the design's cleaning steps (rejects in
 * `rejects/<table>/`), the curated models on DuckDB (incremental: only the months new files touch),
 * optionally every curated table into MySQL, then `reports/nequi-report.html` (risk and
 * segmentation) and `reports/data-dictionary.md`.
 *
 * Without `dataDir` the upload step is skipped: files already dropped into `raw/<table>/<batch>/`
 * (a micro-batch, a daily file) go through the same incremental path.
 *
 * @module
 */
import { Transform, type Readable } from 'node:stream';
import {
  awsCostModel,
  definePipeline,
  JobBookmarks,
  lakeLayout,
  LocalStorage,
  newObjects,
  StorageBookmarkStore,
  type ObjectInfo,
  type Pipeline,
  type PipelineEventListener,
  type StepDefinition,
  type Storage,
} from '@lakeblocks/core';
import { rawToProcessedStepOutput, runRawToProcessed } from '@lakeblocks/ingest';
import { DuckDbEngine } from '@lakeblocks/transform/duckdb';
import { nequiCleaning } from '../cleaning.js';
import { nequiModels } from '../models/index.js';
import { nequiTables } from '../tables.js';
import { nequiDataDictionary } from './data-dictionary.js';
import { nequiHtmlReport } from './html-report.js';
import { curatedMySqlStep, type CuratedMySqlOptions } from '../../mysql/curated-to-mysql.js';
import { buildNequiCurated } from './nequi-curated.js';
import { uploadNequiSources } from './upload-sources.js';

/**
 * Where and how the `mysql-load` step loads the curated tables.
 *
 * @example
 * ```ts
 * const mysql: NequiMySqlOptions = { url: 'mysql://root@127.0.0.1:3306/nequi', tablePrefix: 'nequi_' };
 * ```
 */
export type NequiMySqlOptions = CuratedMySqlOptions; // stepTimeoutMs defaults to 60 minutes (13.3 M enriched rows)

/**
 * Options of {@link nequiPipeline}.
 *
 * @example
 * ```ts
 * const options: NequiPipelineOptions = { lakeDir: './.lake/nequi', dataDir: './data/nequi', deadlineMs: 3_600_000 };
 * ```
 */
export interface NequiPipelineOptions {
  /** The local lake directory. */
  lakeDir: string;
  /** Where the four source files are (from `pnpm nequi generate`); without it, nothing is uploaded and what is new in raw/ is processed. */
  dataDir?: string;
  /**
   * The raw batch folder for uploaded sources. Default `source` (`NEQUI_SOURCE_BATCH`): the files are
   * full snapshots, an unchanged one is not uploaded again and a changed one replaces its earlier
   * version (reprocessed, never appended twice). An explicit batch adds the files as an increment.
   */
  batch?: string;
  /** A time limit for the whole run (the daily window): the run fails fast naming the step that overran. */
  deadlineMs?: number;
  /** DuckDB threads (default 2). */
  threads?: number;
  /** DuckDB memory limit (default `'384MB'`: DuckDB spills to disk beyond it; its own default, 80 % of RAM, took 876 MB of RSS at 1 M rows). */
  memoryLimit?: string;
  /** Load every curated table into MySQL after the curated step (step `mysql-load`, mode `replace`). */
  mysql?: NequiMySqlOptions;
  /** Write the HTML report (default `true`; micro-batch loops may skip it). */
  report?: boolean;
  /** `fsync` every lake file (default `true`). */
  durable?: boolean;
  /** Receives progress events. */
  onEvent?: PipelineEventListener;
}

/**
 * Builds the Nequi pipeline: steps `upload`, `raw-to-processed`, `curated`, (`mysql-load`), `reports`.
 *
 * @example
 * ```ts
 * const log = await nequiPipeline({ lakeDir, dataDir }).run();
 * log.totals.rowsIn === log.totals.rowsOut + log.totals.rowsRejected; // for the ingest step
 * ```
 */
export function nequiPipeline(options: NequiPipelineOptions): Pipeline {
  const storage = new LocalStorage(options.lakeDir, { durable: options.durable ?? true });
  const bookmarks = new JobBookmarks(new StorageBookmarkStore(storage));
  const batch = options.batch;
  const mysql = options.mysql;
  /** Opens DuckDB for a step (with a spill directory of its own, removed on close). */
  const openEngine = async () => {
    const engine = await DuckDbEngine.create({
      lakeDir: options.lakeDir,
      tables: nequiTables,
      models: nequiModels,
      threads: options.threads ?? 2,
      memoryLimit: options.memoryLimit ?? '384MB',
    });
    try {
      // Order of rows inside a model's files does not matter: lets DuckDB stream COPY without buffering.
      await engine.execute('SET preserve_insertion_order = false');
    } catch (error) {
      engine.close();
      throw error;
    }
    return {
      engine,
      close: async () => engine.close(),
    };
  };
  const dataDir = options.dataDir;

  const steps: StepDefinition[] = [
    {
      name: 'upload',
      skipIf: () => dataDir === undefined,
      run: async (ctx) => {
        const results = await uploadNequiSources(storage, dataDir as string, { ...(batch !== undefined ? { batch } : {}), signal: ctx.signal });
        ctx.count({ files: results.filter((r) => r.status === 'uploaded').length, bytesWritten: results.reduce((a, r) => a + r.bytes, 0) });
        return results.map((r) => ({ table: r.table, key: r.key, rows: r.rows, status: r.status }));
      },
    },
    {
      name: 'raw-to-processed',
      run: async (ctx) => {
        // Progress by bytes read from the raw files the ingest bookmarks have not consumed yet.
        let total = 0;
        for (const t of nequiCleaning) {
          const state = await bookmarks.read(`raw-to-processed/${t.table.name}`);
          const listing: ObjectInfo[] = [];
          for await (const o of storage.listAll(lakeLayout.tablePrefix('raw', t.table.name))) if (/\.csv$/i.test(o.key)) listing.push(o);
          total += newObjects(state, listing).reduce((n, o) => n + o.size, 0);
        }
        let read = 0;
        const counted = countingStorage(storage, (n) => {
          read += n;
          ctx.progress({ done: Math.min(read, total), total, unit: 'bytes' });
        });
        return rawToProcessedStepOutput(await runRawToProcessed({ storage: counted, tables: nequiCleaning, bookmarks, runId: ctx.runId, context: ctx }));
      },
    },
    {
      name: 'curated',
      run: async (ctx) => {
        const { engine, close } = await openEngine();
        try {
          const result = await buildNequiCurated({ storage, engine, bookmarks, context: ctx });
          return { mode: result.mode, newFiles: result.newFiles, months: result.months.length, models: result.models };
        } finally {
          await close();
        }
      },
    },
  ];
  if (mysql) steps.push(curatedMySqlStep({ models: nequiModels, storage, mysql, defaultStepTimeoutMs: 60 * 60_000 })); // 13.3 M enriched rows
  steps.push({
    name: 'reports',
    run: async (ctx) => {
      const dictionary = lakeLayout.reportFile('data-dictionary.md');
      await storage.put(dictionary, nequiDataDictionary());
      if (options.report === false) return { dictionary };
      const { engine, close } = await openEngine();
      try {
        const report = lakeLayout.reportFile('nequi-report.html');
        const html = await nequiHtmlReport(engine);
        await storage.put(report, html, { contentType: 'text/html; charset=utf-8' });
        ctx.count({ files: 2, bytesWritten: html.length });
        return { dictionary, report };
      } finally {
        await close();
      }
    },
  });

  return definePipeline({
    name: 'nequi',
    storage,
    ...(options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs }),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    estimateCost: awsCostModel(),
    steps,
  });
}

/** `storage` whose `getStream` reports the bytes the consumer reads (for a byte progress bar). */
function countingStorage(storage: Storage, onBytes: (n: number) => void): Storage {
  return new Proxy(storage, {
    get(target, prop) {
      if (prop === 'getStream') {
        return async (key: string, opts?: { signal?: AbortSignal }): Promise<Readable> => {
          const source = await target.getStream(key, opts);
          const counter = new Transform({
            transform(chunk: Buffer, _encoding, callback) {
              onBytes(chunk.length);
              callback(null, chunk);
            },
          });
          source.on('error', (error) => counter.destroy(error));
          counter.on('close', () => source.destroy());
          return source.pipe(counter);
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
