/**
 * processed → curated, incrementally. A bookmark over the processed Parquet files
 * (`processed-to-curated`, core's `JobBookmarks`) says which files are new since the last
 * successful build; from their partitions (and, for dimension tables, the orders they touch) come
 * the curated fact partitions to rebuild; the small marts are rebuilt whenever a fact changed. The
 * bookmark commits only after every model ran, so a failed build is redone in full by the next run.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { JobBookmarks, StorageBookmarkStore, lakeLayout, type ObjectInfo, type PartitionValues, type StepContext, type Storage } from '@lakeblocks/core';
import { quoteString } from '@lakeblocks/transform';
import type { DuckDbEngine } from '@lakeblocks/transform/duckdb';
import { eventsEnriched, factOrderItemsEnriched, factOrdersEnriched, techstoreModels } from '../models/index.js';

/** The bookmark job of the curated build. */
export const CURATED_JOB = 'processed-to-curated';

const FACTS = new Set<string>([factOrderItemsEnriched.name, factOrdersEnriched.name, eventsEnriched.name]);

/**
 * Options of {@link buildCurated}.
 *
 * @example
 * ```ts
 * const options: BuildCuratedOptions = { storage, engine };
 * ```
 */
export interface BuildCuratedOptions {
  storage: Storage;
  /** A DuckDB engine over the same lake, knowing the TechStore tables and models. */
  engine: DuckDbEngine;
  bookmarks?: JobBookmarks;
  /** The pipeline step context: counters, progress, log and cancellation. */
  context?: Pick<StepContext, 'count' | 'log' | 'signal' | 'progress'>;
}

/**
 * What one model run rebuilt.
 *
 * @example
 * ```ts
 * const m: CuratedModelReport = { model: 'fact_orders_enriched', scope: ['year=2025/month=11'], rows: 15, partitionsWritten: ['year=2025/month=11'], bytesWritten: 4096 };
 * ```
 */
export interface CuratedModelReport {
  model: string;
  /** The partitions asked for, or `'all'` for a full rebuild. */
  scope: string[] | 'all';
  rows: number;
  partitionsWritten: string[];
  bytesWritten: number;
}

/**
 * The result of {@link buildCurated}: `nothing-new` (nothing written), `full` (every model rebuilt:
 * the first build), or `incremental` (only the touched fact partitions, then the marts).
 *
 * @example
 * ```ts
 * const { mode, models } = await buildCurated({ storage, engine });
 * ```
 */
export interface CuratedResult {
  mode: 'nothing-new' | 'full' | 'incremental';
  /** New processed files that drove the build. */
  newFiles: number;
  models: CuratedModelReport[];
}

const PARTITION = /^processed\/([^/]+)\/(?:year=(\d+)\/month=(\d+)\/)?/;

/**
 * Builds the curated layer (see the module description).
 *
 * @example
 * ```ts
 * const result = await buildCurated({ storage, engine });
 * console.log(result.mode, result.models.map((m) => `${m.model}: ${m.scope === 'all' ? 'all' : m.scope.length}`));
 * ```
 */
export async function buildCurated(options: BuildCuratedOptions): Promise<CuratedResult> {
  const { storage, engine } = options;
  const ctx = options.context;
  const bookmarks = options.bookmarks ?? new JobBookmarks(new StorageBookmarkStore(storage));
  const run = await bookmarks.begin(CURATED_JOB);
  try {
    const listing: ObjectInfo[] = [];
    for await (const obj of storage.listAll(lakeLayout.layerPrefix('processed'))) if (obj.key.endsWith('.parquet')) listing.push(obj);
    const todo = run.filterNew(listing);
    if (todo.length === 0) {
      ctx?.log.info(`no new processed files (${listing.length} already built, bookmark version ${run.version}): nothing written`);
      return { mode: 'nothing-new', newFiles: 0, models: [] };
    }
    const full = run.version === 0;
    const plan = full ? undefined : await planPartitions(engine, todo);
    // A fact never built yet (its input had no rows until now) is built whole.
    const missing = (name: string) => !existsSync(join(engine.lakeDir, lakeLayout.tablePrefix('curated', name)));
    const models: CuratedModelReport[] = [];
    const facts = techstoreModels.filter((m) => FACTS.has(m.name) && (full || (plan?.get(m.name)?.length ?? 0) > 0));
    const steps = facts.length === 0 ? [] : techstoreModels.filter((m) => !FACTS.has(m.name) || facts.includes(m));
    let done = 0;
    for (const model of steps) {
      ctx?.signal.throwIfAborted();
      const partitions = full || !FACTS.has(model.name) || missing(model.name) ? undefined : plan?.get(model.name);
      const result = await engine.run(model, partitions ? { partitions } : {});
      let bytesWritten = 0;
      for (const p of result.partitionsWritten) {
        for await (const f of storage.listAll(lakeLayout.tablePrefix('curated', model.name) + (p ? `${p}/` : ''))) bytesWritten += f.size;
      }
      const scope = partitions ? [...new Set(partitions.map((v) => Object.entries(v).map(([k, x]) => `${k}=${x}`).join('/')))].sort() : 'all';
      models.push({ model: model.name, scope, rows: result.rows, partitionsWritten: result.partitionsWritten, bytesWritten });
      ctx?.count({ rowsOut: result.rows, files: result.partitionsWritten.length, bytesWritten });
      ctx?.progress({ done: ++done, total: steps.length, unit: 'models' });
    }
    await run.commit(todo);
    const mode = full ? 'full' : 'incremental';
    ctx?.log.info(`curated ${mode} build from ${todo.length} new processed file(s)`, { models: models.map((m) => ({ model: m.model, scope: m.scope === 'all' ? 'all' : m.scope.length })) });
    return { mode, newFiles: todo.length, models };
  } finally {
    await run.release().catch(() => undefined);
  }
}

/** The fact partitions the new processed files touch, per fact model. */
async function planPartitions(engine: DuckDbEngine, todo: readonly ObjectInfo[]): Promise<Map<string, PartitionValues[]>> {
  const months = new Map<string, Set<string>>([
    [factOrdersEnriched.name, new Set()],
    [eventsEnriched.name, new Set()],
  ]);
  const years = new Set<number>();
  const files = new Map<string, string[]>();
  for (const obj of todo) {
    const m = PARTITION.exec(obj.key);
    if (!m) continue;
    const [, table, year, month] = m;
    if (table === 'orders' && year && month) {
      months.get(factOrdersEnriched.name)?.add(`${year}-${month}`);
      years.add(Number(year));
    } else if (table === 'events' && year && month) months.get(eventsEnriched.name)?.add(`${year}-${month}`);
    else if (table === 'customers' || table === 'order_items' || table === 'products') {
      files.set(table, [...(files.get(table) ?? []), join(engine.lakeDir, obj.key)]);
    }
  }
  const read = (table: string) => `read_parquet([${(files.get(table) ?? []).map(quoteString).join(', ')}])`;
  if (files.has('customers')) {
    const rows = await engine.queryAll(`SELECT DISTINCT year(order_time) AS y, month(order_time) AS m FROM orders WHERE customer_id IN (SELECT customer_id FROM ${read('customers')})`);
    for (const r of rows) months.get(factOrdersEnriched.name)?.add(`${String(r['y'])}-${String(r['m'])}`);
  }
  if (files.has('order_items')) {
    const rows = await engine.queryAll(`SELECT DISTINCT year(order_time) AS y FROM orders WHERE order_id IN (SELECT order_id FROM ${read('order_items')})`);
    for (const r of rows) years.add(Number(r['y']));
  }
  if (files.has('products')) {
    const rows = await engine.queryAll(
      `SELECT DISTINCT year(o.order_time) AS y FROM orders AS o JOIN order_items AS i ON i.order_id = o.order_id WHERE i.product_id IN (SELECT product_id FROM ${read('products')})`,
    );
    for (const r of rows) years.add(Number(r['y']));
  }
  const plan = new Map<string, PartitionValues[]>();
  for (const [model, set] of months) {
    plan.set(
      model,
      [...set].map((ym) => {
        const [y, m] = ym.split('-');
        return { year: Number(y), month: Number(m) };
      }),
    );
  }
  plan.set(factOrderItemsEnriched.name, [...years].map((year) => ({ year })));
  return plan;
}
