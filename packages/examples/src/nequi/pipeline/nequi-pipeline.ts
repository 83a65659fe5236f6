/**
 * The Nequi design end to end, as a core pipeline (run log, deadline, progress events): upload the
 * sources into raw/ (CVV dropped), raw → processed with the design's cleaning steps (rejects in
 * `rejects/<table>/`), the curated models on DuckDB with `reports/nequi-report.html` (risk and
 * segmentation), and `reports/data-dictionary.md`.
 *
 * @module
 */
import { awsCostModel, definePipeline, lakeLayout, LocalStorage, type Pipeline, type PipelineEventListener } from '@lakeblocks/core';
import { rawToProcessedStep } from '@lakeblocks/ingest';
import { DuckDbEngine } from '@lakeblocks/transform/duckdb';
import { nequiCleaning } from '../cleaning.js';
import { nequiModels } from '../models/index.js';
import { nequiTables } from '../tables.js';
import { nequiDataDictionary } from './data-dictionary.js';
import { nequiHtmlReport } from './html-report.js';
import { uploadNequiSources } from './upload-sources.js';

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
  /** Where the four source files are (from `pnpm nequi generate`). */
  dataDir: string;
  /** The raw batch folder (default: the current UTC date and time, `YYYYMMDDTHHMMSS`). */
  batch?: string;
  /** A time limit for the whole run (the daily window): the run fails fast naming the step that overran. */
  deadlineMs?: number;
  /** DuckDB threads (default 2). */
  threads?: number;
  /** DuckDB memory limit (default `'512MB'`: DuckDB spills to disk beyond it; its own default, 80 % of RAM, took 876 MB of RSS at 1 M rows). */
  memoryLimit?: string;
  /** Receives progress events. */
  onEvent?: PipelineEventListener;
}

/**
 * Builds the Nequi pipeline: steps `upload`, `raw-to-processed`, `curated`, `data-dictionary`.
 *
 * @example
 * ```ts
 * const log = await nequiPipeline({ lakeDir, dataDir }).run();
 * log.totals.rowsIn === log.totals.rowsOut + log.totals.rowsRejected; // for the ingest step
 * ```
 */
export function nequiPipeline(options: NequiPipelineOptions): Pipeline {
  const storage = new LocalStorage(options.lakeDir);
  const batch = options.batch ?? new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
  return definePipeline({
    name: 'nequi',
    storage,
    ...(options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs }),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    estimateCost: awsCostModel(),
    steps: [
      {
        name: 'upload',
        run: async (ctx) => {
          const results = await uploadNequiSources(storage, options.dataDir, { batch, signal: ctx.signal });
          ctx.count({ files: results.length, bytesWritten: results.reduce((a, r) => a + r.bytes, 0) });
          return results.map((r) => ({ table: r.table, key: r.key, rows: r.rows }));
        },
      },
      rawToProcessedStep({ storage, tables: nequiCleaning }),
      {
        name: 'curated',
        run: async (ctx) => {
          const engine = await DuckDbEngine.create({ lakeDir: options.lakeDir, tables: nequiTables, models: nequiModels, threads: options.threads ?? 2, memoryLimit: options.memoryLimit ?? '512MB' });
          try {
            const out: Record<string, number> = {};
            for (const [i, model] of nequiModels.entries()) {
              ctx.signal.throwIfAborted();
              const result = await engine.run(model);
              out[model.name] = result.rows;
              ctx.count({ rowsOut: result.rows });
              ctx.progress({ done: i + 1, total: nequiModels.length, unit: 'models' });
            }
            await storage.put(lakeLayout.reportFile('nequi-report.html'), await nequiHtmlReport(engine));
            return out;
          } finally {
            engine.close();
          }
        },
      },
      {
        name: 'data-dictionary',
        run: async () => {
          const key = lakeLayout.reportFile('data-dictionary.md');
          await storage.put(key, nequiDataDictionary());
          return { key };
        },
      },
    ],
  });
}
