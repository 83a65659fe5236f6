/**
 * processed → curated for Nequi, incrementally. A bookmark over the processed Parquet files
 * (`nequi-processed-to-curated`, core's `JobBookmarks`) says which files are new since the last
 * successful build:
 *
 * - first build, or a new `users` / `cards` / `mcc_codes` file (dimensions every enriched row
 *   joins): every model is rebuilt whole;
 * - only new `transactions` files (a daily batch, a micro-batch): `transactions_enriched` and
 *   `client_monthly_spend` rebuild just the months those files touch (`overwrite_partitions`), and
 *   the per-client models (`client_risk_profile`, `client_category_spend`, `client_segments`: 2,000
 *   rows each, aggregated over all time) are rebuilt from the curated months;
 * - processed files that disappeared since the last build (a replaced source whose new version no
 *   longer covers a month): a transactions file rebuilds the months of its path, any other file
 *   rebuilds everything. The keys the last build read are kept in `_state/nequi/curated-inputs.json`;
 * - nothing new and nothing gone: nothing is written.
 *
 * The bookmark commits only after every model ran (and after the list of inputs is saved), so a
 * failed build is redone by the next run.
 *
 * @module
 */
import { JobBookmarks, StorageBookmarkStore, lakeLayout, type ObjectInfo, type PartitionValues, type StepContext, type Storage } from '@lakeblocks/core';
import type { DuckDbEngine } from '@lakeblocks/transform/duckdb';
import { clientMonthlySpend, nequiModels, transactionsEnriched } from '../models/index.js';

/**
 * The bookmark job of the Nequi curated build.
 *
 * @example
 * ```ts
 * await bookmarks.read(NEQUI_CURATED_JOB);
 * ```
 */
export const NEQUI_CURATED_JOB = 'nequi-processed-to-curated';

/** Models rebuilt month by month when only transactions are new. */
const MONTHLY = new Set<string>([transactionsEnriched.name, clientMonthlySpend.name]);

/**
 * What {@link buildNequiCurated} did: `nothing-new`, `full` or `incremental` (the months rebuilt).
 *
 * @example
 * ```ts
 * const r: NequiCuratedResult = { mode: 'incremental', newFiles: 1, months: ['2019-10'], models: { transactions_enriched: 1000 } };
 * ```
 */
export interface NequiCuratedResult {
  mode: 'nothing-new' | 'full' | 'incremental';
  /** New processed files that drove the build. */
  newFiles: number;
  /** Months (`YYYY-M`) rebuilt by an incremental build. */
  months: string[];
  /** Rows written per model. */
  models: Record<string, number>;
}

const TRANSACTIONS = /^processed\/transactions\/year=(\d+)\/month=(\d+)\//;

/** The processed keys the last curated build read. */
const INPUTS_STATE = '_state/nequi/curated-inputs.json';

/**
 * Builds the curated layer (see the module description).
 *
 * @example
 * ```ts
 * const engine = await DuckDbEngine.create({ lakeDir, tables: nequiTables, models: nequiModels });
 * const result = await buildNequiCurated({ storage, engine });
 * console.log(result.mode, result.months);
 * ```
 */
export async function buildNequiCurated(options: {
  storage: Storage;
  engine: DuckDbEngine;
  bookmarks?: JobBookmarks;
  context?: Pick<StepContext, 'count' | 'log' | 'signal' | 'progress'>;
}): Promise<NequiCuratedResult> {
  const { storage, engine } = options;
  const ctx = options.context;
  const bookmarks = options.bookmarks ?? new JobBookmarks(new StorageBookmarkStore(storage));
  const run = await bookmarks.begin(NEQUI_CURATED_JOB);
  try {
    const listing: ObjectInfo[] = [];
    for await (const obj of storage.listAll(lakeLayout.layerPrefix('processed'))) if (obj.key.endsWith('.parquet')) listing.push(obj);
    const todo = run.filterNew(listing);
    const present = new Set(listing.map((o) => o.key));
    const before: string[] = (await storage.exists(INPUTS_STATE)) ? (JSON.parse(Buffer.from(await storage.get(INPUTS_STATE)).toString('utf8')) as string[]) : [];
    const gone = before.filter((key) => !present.has(key));
    if (todo.length === 0 && gone.length === 0) {
      ctx?.log.info(`no new processed files (${listing.length} already built): nothing written`);
      return { mode: 'nothing-new', newFiles: 0, months: [], models: {} };
    }
    const months = new Map<string, PartitionValues>();
    let dimensions = false;
    for (const key of [...todo.map((o) => o.key), ...gone]) {
      const m = TRANSACTIONS.exec(key);
      if (m) months.set(`${Number(m[1])}-${Number(m[2])}`, { year: Number(m[1]), month: Number(m[2]) });
      else dimensions = true;
    }
    const full = run.version === 0 || dimensions;
    const partitions = [...months.values()];
    const models: Record<string, number> = {};
    for (const [i, model] of nequiModels.entries()) {
      ctx?.signal.throwIfAborted();
      const result = await engine.run(model, !full && MONTHLY.has(model.name) ? { partitions } : {});
      models[model.name] = result.rows;
      ctx?.count({ rowsOut: result.rows, files: result.partitionsWritten.length });
      ctx?.progress({ done: i + 1, total: nequiModels.length, unit: 'models' });
    }
    await storage.put(INPUTS_STATE, JSON.stringify([...present].sort()));
    await run.commit(todo);
    const mode = full ? 'full' : 'incremental';
    const monthList = full ? [] : [...months.keys()].sort();
    ctx?.log.info(`curated ${mode} build from ${todo.length} new and ${gone.length} removed processed file(s)`, { months: monthList });
    return { mode, newFiles: todo.length, months: monthList, models };
  } finally {
    await run.release().catch(() => undefined);
  }
}
