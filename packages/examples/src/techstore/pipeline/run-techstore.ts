/**
 * The TechStore pipeline: (generate) → upload → raw → processed → curated → business questions →
 * dashboard, as steps of core's `definePipeline`, so every run leaves `_state/runs/<run-id>.json`
 * with per-step durations, rows in / out / rejected, bytes, and an AWS cost estimate.
 *
 * Locally the lake is a directory and DuckDB runs the models. On AWS (`lakeDir` `s3://bucket/prefix`
 * with `aws` options) the same steps write through S3, a `catalog` step registers the processed
 * tables and partitions in Glue, and Athena runs the models and the business questions (see
 * `aws/aws-options.ts` for why DuckDB does not read S3 here).
 *
 * @module
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  JobBookmarks,
  LocalStorage,
  StorageBookmarkStore,
  awsCostModel,
  definePipeline,
  lakeLayout,
  newObjects,
  type ObjectInfo,
  type PipelineEventListener,
  type RunLog,
  type StepContext,
} from '@lakeblocks/core';
import { runRawToProcessed } from '@lakeblocks/ingest';
import { DuckDbEngine } from '@lakeblocks/transform/duckdb';
import { generateTechstore, tableFiles } from '../generate/generate.js';
import { dashboardData } from '../dashboard/dashboard-data.js';
import { renderDashboard } from '../dashboard/render-dashboard.js';
import { techstoreModels } from '../models/index.js';
import { techstoreTables } from '../tables.js';
import { businessAnswers, type BusinessAnswers, type LakeQueries } from './answers.js';
import { openAwsLake, syncGlueCatalog, type AwsLake } from './aws/aws-lake.js';
import { AwsOptionsError, resolveAws, type TechstoreAwsOptions } from './aws/aws-options.js';
import { techstoreCleaning } from './cleaning.js';
import { buildCurated, type CuratedResult } from './curated.js';
import { curatedMySqlStep, type CuratedMySqlOptions, type CuratedTableLoad } from '../../mysql/curated-to-mysql.js';
import { hasRawTable, uploadTechstoreFile, type UploadedFile } from './upload-data.js';

/**
 * Options of {@link runTechstore}.
 *
 * @example
 * ```ts
 * const options: RunTechstoreOptions = { lakeDir: './.lake', dataDir: '../shared/data/techstore' };
 * ```
 */
export interface RunTechstoreOptions {
  /** The lake: a local directory (created if missing), or `s3://bucket/prefix` (then `aws` is required). */
  lakeDir: string;
  /**
   * How to reach an `s3://` lake: region, S3-compatible endpoint, Glue database and Athena
   * workgroup / output location (both Glue and Athena are required for `run`).
   */
  aws?: TechstoreAwsOptions & {
    /** Athena polling interval in ms (default: the engine's backoff); for tests against mocks. */
    athenaPollMs?: number;
  };
  /** CSVs to upload first (`<table>*.csv`). */
  dataDir?: string;
  /** Scale of the demo dataset generated into an empty lake without `dataDir` (default 1). */
  scale?: number;
  /** Seed of generated data (default `'42'`). */
  seed?: string;
  /** `fsync` every lake file (default `true`; `false` for throw-away lakes). */
  durable?: boolean;
  /** Worker threads encoding Parquet during raw → processed (ingest's `writer.workers`; default 0: on the main thread). */
  ingestWorkers?: number;
  /**
   * Parse threads per large raw file during raw → processed (ingest's `threads`: files of 32 MiB or
   * more are parsed in byte ranges on worker threads). Default 1: on the real TechStore data, 2
   * measured no faster (`BENCH_INGEST_THREADS=2 pnpm bench:techstore`: 1.39× DuckDB against 1.38×).
   */
  ingestThreads?: number;
  /** Where generated CSVs are staged before upload (default the OS temp directory). */
  tmpDir?: string;
  /**
   * Load every curated table into this MySQL / MariaDB database after the curated step (step
   * `mysql-load`, mode `replace`): `mysql://user[:password]@host[:port]/database`. On an S3 lake
   * the step reads the Parquet files the Glue catalog points at, from S3.
   */
  mysql?: RunTechstoreMySqlOptions;
  /** Progress events of the pipeline. */
  onEvent?: PipelineEventListener;
  signal?: AbortSignal;
}

/**
 * Where and how the `mysql-load` step loads the curated tables.
 *
 * @example
 * ```ts
 * const mysql: RunTechstoreMySqlOptions = { url: 'mysql://root@127.0.0.1:3306/techstore' };
 * ```
 */
export type RunTechstoreMySqlOptions = CuratedMySqlOptions; // stepTimeoutMs defaults to 30 minutes

/**
 * What a run did.
 *
 * @example
 * ```ts
 * const { runLog, answers, curated } = await runTechstore({ lakeDir: './.lake' });
 * ```
 */
export interface RunTechstoreResult {
  runLog: RunLog;
  /** What was generated before the upload (`demo`: the whole dataset; `funnel`: sessions and events for the given orders). */
  generated?: 'demo' | 'funnel';
  uploads: UploadedFile[];
  curated: CuratedResult;
  answers: BusinessAnswers;
  /** The curated tables loaded into MySQL (with `mysql`). */
  mysql?: CuratedTableLoad[];
  /** The dashboard page, and whether this run changed it. */
  dashboard: { path: string; written: boolean };
}

/** Where the dashboard goes: `reports/techstore-dashboard.html`. */
export const DASHBOARD_KEY = lakeLayout.reportFile('techstore-dashboard.html');

/**
 * Runs the pipeline once (see the module description). Incremental: files already in `raw/` are
 * not uploaded again, raw files already processed are skipped (ingest bookmarks), and only the
 * curated partitions new processed files touch are rebuilt; with nothing new, nothing is written
 * but the run log.
 *
 * @example
 * ```ts
 * const result = await runTechstore({ lakeDir: './.lake', dataDir: '/work/shared/data/techstore' });
 * console.log(formatAnswers(result.answers));
 * ```
 */
export async function runTechstore(options: RunTechstoreOptions): Promise<RunTechstoreResult> {
  const resolved = resolveAws(options.lakeDir, options.aws ?? {}, 'athena', process.env);
  let aws: AwsLake | undefined;
  if (resolved) {
    const { athenaPollMs } = options.aws ?? {};
    aws = await openAwsLake(resolved, { tables: techstoreTables, models: techstoreModels, ...(athenaPollMs === undefined ? {} : { athenaPollMs }) });
  }
  try {
    return await runWith(options, aws);
  } finally {
    aws?.close();
  }
}

async function runWith(options: RunTechstoreOptions, aws: AwsLake | undefined): Promise<RunTechstoreResult> {
  const storage = aws ? aws.storage : new LocalStorage(options.lakeDir, { durable: options.durable ?? true });
  const bookmarks = new JobBookmarks(new StorageBookmarkStore(storage));
  let files: string[] = [];
  let generated: RunTechstoreResult['generated'];
  let stagingDir: string | undefined;
  const uploads: UploadedFile[] = [];
  let curated: CuratedResult = { mode: 'nothing-new', newFiles: 0, models: [] };
  let answers: BusinessAnswers = { countries: [], channels: [], devices: [], hours: [] };
  let engine: DuckDbEngine | undefined;
  const openDuckDb = async () => (engine ??= await DuckDbEngine.create({ lakeDir: options.lakeDir, tables: techstoreTables, models: techstoreModels, threads: 2 }));
  const queries = async (): Promise<LakeQueries> => aws?.queries ?? (await openDuckDb());
  let dashboardWritten = false;
  let mysqlLoads: CuratedTableLoad[] | undefined;
  const mysql = options.mysql;

  const pipeline = definePipeline({
    name: 'techstore',
    storage,
    estimateCost: awsCostModel({ dpus: 2, glueSteps: ['raw-to-processed', 'curated'], athenaSteps: ['business-questions'] }),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    steps: [
      {
        name: 'generate',
        run: async (ctx) => {
          const given = options.dataDir === undefined ? new Map() : await tableFiles(options.dataDir);
          if (options.dataDir !== undefined) {
            files = (await readdir(options.dataDir)).filter((n) => /\.csv$/i.test(n)).sort().map((n) => join(options.dataDir as string, n));
          }
          const needFunnel = given.has('orders') && !given.has('events') && !given.has('sessions') && !(await hasRawTable(storage, 'events')) && !(await hasRawTable(storage, 'sessions'));
          const emptyLake = options.dataDir === undefined && !(await storage.list(lakeLayout.layerPrefix('raw'), { pageSize: 1 })).objects.length;
          if (!needFunnel && !emptyLake) return { generated: null };
          stagingDir = await mkdtemp(join(options.tmpDir ?? tmpdir(), 'techstore-generated-'));
          let done = 0;
          const result = await generateTechstore({
            out: stagingDir,
            ...(needFunnel ? { from: options.dataDir as string } : { scale: options.scale ?? 1 }),
            seed: options.seed ?? '42',
            onTable: (t) => {
              if (t.generated) ctx.count({ rowsOut: t.rows, files: 1 });
              ctx.progress({ done: ++done, total: techstoreTables.length, unit: 'tables' });
            },
          });
          generated = needFunnel ? 'funnel' : 'demo';
          const made = result.tables.filter((t) => t.generated).map((t) => t.file);
          files.push(...made);
          return { generated, tables: result.tables.filter((t) => t.generated).map((t) => `${t.table}: ${t.rows}`) };
        },
      },
      {
        name: 'upload',
        run: async (ctx) => {
          try {
            for (const [i, file] of files.entries()) {
              ctx.signal.throwIfAborted();
              const r = await uploadTechstoreFile(storage, file, { signal: ctx.signal });
              uploads.push(r);
              if (r.status === 'uploaded') ctx.count({ rowsIn: r.rows, rowsOut: r.rows, bytesWritten: r.bytes, bytesRead: r.bytes, files: 1 });
              ctx.progress({ done: i + 1, total: files.length, unit: 'files' });
            }
          } finally {
            if (stagingDir) await rm(stagingDir, { recursive: true, force: true });
          }
          return { uploaded: uploads.filter((u) => u.status === 'uploaded').length, alreadyPresent: uploads.filter((u) => u.status === 'present').length };
        },
      },
      {
        name: 'raw-to-processed',
        run: async (ctx) => {
          // Progress by bytes of the raw files the ingest bookmarks have not consumed yet.
          let total = 0;
          for (const t of techstoreTables) {
            const state = await bookmarks.read(`raw-to-processed/${t.name}`);
            const listing: ObjectInfo[] = [];
            for await (const o of storage.listAll(lakeLayout.tablePrefix('raw', t.name))) listing.push(o);
            total += newObjects(state, listing).reduce((n, o) => n + o.size, 0);
          }
          let read = 0;
          const context: Pick<StepContext, 'count' | 'log' | 'signal'> = {
            signal: ctx.signal,
            log: ctx.log,
            count: (inc) => {
              ctx.count(inc);
              read += inc.bytesRead ?? 0;
              ctx.progress({ done: read, total, unit: 'bytes' });
            },
          };
          const result = await runRawToProcessed({
            storage,
            tables: techstoreCleaning,
            bookmarks,
            runId: ctx.runId,
            context,
            threads: options.ingestThreads ?? 1,
            ...(options.ingestWorkers === undefined ? {} : { writer: { workers: options.ingestWorkers } }),
          });
          return {
            nothingNew: result.nothingNew,
            rowsIn: result.rowsIn,
            rowsOut: result.rowsOut,
            rowsRejected: result.rowsRejected,
            rejects: result.tables.flatMap((t) => (t.rejectsKey ? [t.rejectsKey] : [])),
          };
        },
      },
      ...(aws
        ? [
            {
              name: 'catalog',
              run: async (ctx: StepContext) => {
                const lake = aws as AwsLake;
                const synced = await syncGlueCatalog(lake, { signal: ctx.signal, onTable: (_t, i, total) => ctx.progress({ done: i + 1, total, unit: 'tables' }) });
                return { database: lake.aws.glueDatabase ?? null, partitionsAdded: synced.added, partitionsRemoved: synced.removed, tables: synced.tables.map((t) => `${t.table}: ${t.action}`) };
              },
            },
          ]
        : []),
      {
        name: 'curated',
        run: async (ctx) => {
          const curatedEngine = aws ? aws.curated : await openDuckDb();
          if (!curatedEngine) throw new AwsOptionsError('an s3:// lake needs Athena for the curated models');
          // DuckDB's first query registers a view per table (globbing thousands of processed files):
          // start it now, so that it runs on DuckDB's threads while the build lists the processed layer.
          // The later steps query the engine anyway; a failure here resurfaces in the build's queries.
          if (curatedEngine instanceof DuckDbEngine) void curatedEngine.queryAll('SELECT 1').catch(() => undefined);
          curated = await buildCurated({ storage, engine: curatedEngine, bookmarks, context: ctx });
          return { mode: curated.mode, newFiles: curated.newFiles, models: curated.models.map((m) => ({ model: m.model, scope: m.scope === 'all' ? 'all' : m.scope.join(' '), rows: m.rows })) };
        },
      },
      ...(mysql
        ? [
            curatedMySqlStep({
              models: techstoreModels,
              storage,
              // On Athena the curated tables live where the catalog points (fresh _runs/ prefixes).
              ...(aws?.curatedFiles ? { files: aws.curatedFiles } : {}),
              mysql,
              defaultStepTimeoutMs: 30 * 60_000,
              onLoads: (loads) => {
                mysqlLoads = loads;
              },
            }),
          ]
        : []),
      {
        name: 'business-questions',
        run: async (ctx) => {
          const scannedBefore = aws?.queries?.bytesScanned ?? 0;
          answers = await businessAnswers(await queries());
          let bytes = 0;
          if (aws?.queries) bytes = aws.queries.bytesScanned - scannedBefore; // what Athena scanned
          // What Athena would scan: the marts' files.
          else for (const m of techstoreModels.slice(3)) for await (const f of storage.listAll(lakeLayout.tablePrefix('curated', m.name))) bytes += f.size;
          ctx.count({ bytesRead: bytes });
          return { thisMonth: answers.thisMonth ? `${answers.thisMonth.year}-${answers.thisMonth.month}` : null, worstStage: answers.funnelMonth?.worst?.stage ?? null };
        },
      },
      {
        name: 'dashboard',
        run: async (ctx) => {
          const html = Buffer.from(renderDashboard(await dashboardData(await queries())));
          // Same page as last time: leave the file alone (a run with nothing new writes nothing).
          const existing = (await storage.exists(DASHBOARD_KEY)) ? Buffer.from(await storage.get(DASHBOARD_KEY)) : undefined;
          dashboardWritten = existing === undefined || !existing.equals(html);
          if (dashboardWritten) {
            await storage.put(DASHBOARD_KEY, html, { contentType: 'text/html; charset=utf-8' });
            ctx.count({ bytesWritten: html.length, files: 1 });
          }
          return { key: DASHBOARD_KEY, written: dashboardWritten };
        },
      },
    ],
  });
  try {
    const runLog = await pipeline.run(options.signal ? { signal: options.signal } : {});
    return { runLog, ...(generated ? { generated } : {}), uploads, curated, answers, ...(mysqlLoads ? { mysql: mysqlLoads } : {}), dashboard: { path: storage.uri(DASHBOARD_KEY), written: dashboardWritten } };
  } finally {
    engine?.close();
  }
}
