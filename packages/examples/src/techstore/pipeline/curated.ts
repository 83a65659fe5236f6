/**
 * processed → curated, incrementally. A bookmark over the processed Parquet files
 * (`processed-to-curated`, core's `JobBookmarks`) says which files are new or replaced since the
 * last successful build, and a manifest of the files the curated layer was built from
 * (`_state/techstore/curated-inputs.json`) says which disappeared (a re-ingest that replaced or
 * removed them). From their partitions (and, for dimension tables, the orders they touch) come the
 * curated fact partitions to rebuild; the small marts are rebuilt whenever a fact changed. A
 * dimension file (customers, order_items, products) that was replaced or deleted rebuilds the facts
 * that join it whole: which orders its old rows joined is no longer known. The bookmark and the
 * manifest commit only after every model ran, so a failed build is redone by the next run.
 *
 * The engine is DuckDB over a local lake ({@link duckDbCuratedEngine}) or Athena over S3 (see
 * `aws/athena-curated-engine.ts`); both run the same models.
 *
 * @module
 */
import { join } from 'node:path';
import { JobBookmarks, StorageBookmarkStore, lakeLayout, type ObjectInfo, type PartitionValues, type StepContext, type Storage } from '@lakeblocks/core';
import { quoteString, type AnyModel } from '@lakeblocks/transform';
import { DuckDbEngine } from '@lakeblocks/transform/duckdb';
import { eventsEnriched, factOrderItemsEnriched, factOrdersEnriched, techstoreModels } from '../models/index.js';

/** The bookmark job of the curated build. */
export const CURATED_JOB = 'processed-to-curated';

/** Where the list of processed files the curated layer was last built from is kept. */
export const CURATED_INPUTS_KEY = '_state/techstore/curated-inputs.json';

const FACTS = new Set<string>([factOrderItemsEnriched.name, factOrdersEnriched.name, eventsEnriched.name]);

/**
 * What the curated build needs from an engine: run a model (whole, or some partitions of an
 * `overwrite_partitions` model), small planning queries over the lake's tables, and a relation
 * reading just some processed files.
 *
 * @example
 * ```ts
 * const engine: CuratedEngine = duckDbCuratedEngine(await DuckDbEngine.create({ lakeDir, tables, models }));
 * ```
 */
export interface CuratedEngine {
  /** Runs `model`; `partitions` only for fact models. `rows` is undefined when the engine cannot tell (Athena CTAS). */
  runModel(model: AnyModel, partitions?: readonly PartitionValues[]): Promise<{ rows: number | undefined; partitionsWritten: string[]; bytesWritten: number }>;
  queryAll(sql: string): Promise<Record<string, unknown>[]>;
  /** A SQL relation (usable after `FROM`) over only these processed files (storage keys) of `table`. */
  filesRelation(table: string, keys: readonly string[]): string;
}

/**
 * The DuckDB engine of a local lake as a {@link CuratedEngine}.
 *
 * @example
 * ```ts
 * await buildCurated({ storage, engine: duckDbCuratedEngine(engine, storage) });
 * ```
 */
export function duckDbCuratedEngine(engine: DuckDbEngine, storage: Storage): CuratedEngine {
  return {
    async runModel(model, partitions) {
      const result = await engine.run(model, partitions ? { partitions } : {});
      let bytesWritten = 0;
      for (const p of result.partitionsWritten) {
        for await (const f of storage.listAll(lakeLayout.tablePrefix('curated', model.name) + (p ? `${p}/` : ''))) bytesWritten += f.size;
      }
      return { rows: result.rows, partitionsWritten: result.partitionsWritten, bytesWritten };
    },
    queryAll: (sql) => engine.queryAll(sql),
    filesRelation: (_table, keys) => `read_parquet([${keys.map((k) => quoteString(join(engine.lakeDir, k))).join(', ')}])`,
  };
}

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
  /** A DuckDB engine over the same (local) lake knowing the TechStore tables and models, or any {@link CuratedEngine}. */
  engine: DuckDbEngine | CuratedEngine;
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
  /** Rows written (0 when the engine cannot tell, as with Athena CTAS). */
  rows: number;
  partitionsWritten: string[];
  bytesWritten: number;
  /** Wall time of the model run, in ms. */
  durationMs?: number;
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
  /** New or replaced processed files that drove the build. */
  newFiles: number;
  /** Processed files gone since the last build (replaced by a re-ingest, or removed). */
  deletedFiles?: number;
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
  const { storage } = options;
  const engine = options.engine instanceof DuckDbEngine ? duckDbCuratedEngine(options.engine, storage) : options.engine;
  const ctx = options.context;
  const bookmarks = options.bookmarks ?? new JobBookmarks(new StorageBookmarkStore(storage));
  const run = await bookmarks.begin(CURATED_JOB);
  try {
    const listing: ObjectInfo[] = [];
    for await (const obj of storage.listAll(lakeLayout.layerPrefix('processed'))) if (obj.key.endsWith('.parquet')) listing.push(obj);
    const todo = run.filterNew(listing);
    const inputs = run.version === 0 ? undefined : await readInputs(storage);
    const previous = inputs?.keys;
    const present = new Set(listing.map((o) => o.key));
    const deleted = previous ? [...previous].filter((k) => !present.has(k)) : [];
    if (todo.length === 0 && deleted.length === 0) {
      ctx?.log.info(`no new processed files (${listing.length} already built, bookmark version ${run.version}): nothing written`);
      return { mode: 'nothing-new', newFiles: 0, models: [] };
    }
    const full = run.version === 0;
    // A fact never built yet (its input had no rows until now) is built whole. The manifest knows
    // which were built (on Athena the data is not under a fixed prefix); older lakes: by listing.
    const missing = async (name: string) =>
      inputs?.built ? !inputs.built.has(name) : (await storage.list(lakeLayout.tablePrefix('curated', name), { pageSize: 1 })).objects.length === 0;
    const planStarted = performance.now();
    const plan = full ? undefined : await planPartitions(engine, todo, deleted, previous, async (name) => !(await missing(name)));
    if (!full) ctx?.log.info(`planned the curated rebuild in ${Math.round(performance.now() - planStarted)} ms`);
    const models: CuratedModelReport[] = [];
    const facts = techstoreModels.filter((m) => FACTS.has(m.name) && (full || plan?.has(m.name) === true));
    const steps = facts.length === 0 ? [] : techstoreModels.filter((m) => !FACTS.has(m.name) || facts.includes(m));
    let done = 0;
    for (const model of steps) {
      ctx?.signal.throwIfAborted();
      const planned = plan?.get(model.name);
      const partitions = full || !FACTS.has(model.name) || planned === 'all' || (await missing(model.name)) ? undefined : planned;
      const modelStarted = performance.now();
      const result = await engine.runModel(model, partitions);
      const durationMs = Math.round(performance.now() - modelStarted);
      const scope = partitions ? [...new Set(partitions.map((v) => Object.entries(v).map(([k, x]) => `${k}=${x}`).join('/')))].sort() : 'all';
      models.push({ model: model.name, scope, rows: result.rows ?? 0, partitionsWritten: result.partitionsWritten, bytesWritten: result.bytesWritten, durationMs });
      ctx?.count({ rowsOut: result.rows ?? 0, files: result.partitionsWritten.length, bytesWritten: result.bytesWritten });
      ctx?.progress({ done: ++done, total: steps.length, unit: 'models' });
    }
    // Built: a model that wrote at least one partition (an empty fact is built whole once it has input).
    // Saved before the bookmark moves: a crash in between redoes the build from a manifest that
    // already lists these inputs, so their later disappearance is still noticed.
    await writeInputs(storage, listing, [...new Set([...(inputs?.built ?? []), ...models.filter((m) => m.partitionsWritten.length > 0).map((m) => m.model)])]);
    await run.commit(todo);
    const mode = full ? 'full' : 'incremental';
    ctx?.log.info(`curated ${mode} build from ${todo.length} new and ${deleted.length} deleted processed file(s)`, {
      models: models.map((m) => ({ model: m.model, scope: m.scope === 'all' ? 'all' : m.scope.length })),
    });
    return { mode, newFiles: todo.length, ...(deleted.length > 0 ? { deletedFiles: deleted.length } : {}), models };
  } finally {
    await run.release().catch(() => undefined);
  }
}

/**
 * The processed keys of the last build and the models built so far; `undefined` for a lake built
 * before the manifest existed.
 */
async function readInputs(storage: Storage): Promise<{ keys: Set<string>; built: Set<string> | undefined } | undefined> {
  if (!(await storage.exists(CURATED_INPUTS_KEY))) return undefined;
  const doc = JSON.parse(Buffer.from(await storage.get(CURATED_INPUTS_KEY)).toString('utf8')) as { version?: number; keys?: unknown; built?: unknown };
  if (doc.version !== 1 || !Array.isArray(doc.keys)) return undefined;
  const strings = (a: unknown[]) => a.filter((k): k is string => typeof k === 'string');
  return { keys: new Set(strings(doc.keys)), built: Array.isArray(doc.built) ? new Set(strings(doc.built)) : undefined };
}

async function writeInputs(storage: Storage, listing: readonly ObjectInfo[], built: readonly string[]): Promise<void> {
  const text = JSON.stringify({ version: 1, built: [...built].sort(), keys: listing.map((o) => o.key).sort() });
  await storage.put(CURATED_INPUTS_KEY, text, { contentType: 'application/json' });
}

/**
 * The fact partitions to rebuild, per fact model (`'all'`: the whole fact), from the new or replaced
 * processed files and the deleted ones. A fact absent from the plan is not touched.
 */
async function planPartitions(
  engine: CuratedEngine,
  todo: readonly ObjectInfo[],
  deleted: readonly string[],
  previous: ReadonlySet<string> | undefined,
  built: (model: string) => Promise<boolean>,
): Promise<Map<string, PartitionValues[] | 'all'>> {
  const months = new Map<string, Set<string>>([
    [factOrdersEnriched.name, new Set()],
    [eventsEnriched.name, new Set()],
  ]);
  const years = new Set<number>();
  const whole = new Set<string>();
  const added = new Map<string, string[]>();
  const visit = (key: string, gone: boolean) => {
    const m = PARTITION.exec(key);
    if (!m) return;
    const [, table, year, month] = m;
    // Facts partitioned like their input: the partition in the path is where old and new rows lived.
    if (table === 'orders' && year && month) {
      months.get(factOrdersEnriched.name)?.add(`${year}-${month}`);
      years.add(Number(year));
    } else if (table === 'events' && year && month) months.get(eventsEnriched.name)?.add(`${year}-${month}`);
    else if (table === 'customers' || table === 'order_items' || table === 'products') {
      // Dimensions: the orders a new file's rows join are found by a query; those a replaced or
      // deleted file's old rows joined are gone with it, so the fact joining it is rebuilt whole.
      if (gone || previous?.has(key) === true) whole.add(table === 'customers' ? factOrdersEnriched.name : factOrderItemsEnriched.name);
      else added.set(table, [...(added.get(table) ?? []), key]);
    }
  };
  for (const obj of todo) visit(obj.key, false);
  for (const key of deleted) visit(key, true);
  const read = (table: string) => engine.filesRelation(table, added.get(table) ?? []);
  // Which orders a new dimension row joins: looked up in the built facts (a few month files)
  // rather than in the processed orders (a file per day). Orders new in this run are not there,
  // but their partitions come from their own files' paths above.
  const ordersFrom = (await built(factOrdersEnriched.name)) ? factOrdersEnriched.name : 'orders';
  if (added.has('customers') && !whole.has(factOrdersEnriched.name)) {
    const rows = await engine.queryAll(`SELECT DISTINCT year(order_time) AS y, month(order_time) AS m FROM ${ordersFrom} WHERE customer_id IN (SELECT customer_id FROM ${read('customers')})`);
    for (const r of rows) months.get(factOrdersEnriched.name)?.add(`${String(r['y'])}-${String(r['m'])}`);
  }
  if (added.has('order_items') && !whole.has(factOrderItemsEnriched.name)) {
    const rows = await engine.queryAll(`SELECT DISTINCT year(order_time) AS y FROM ${ordersFrom} WHERE order_id IN (SELECT order_id FROM ${read('order_items')})`);
    for (const r of rows) years.add(Number(r['y']));
  }
  if (added.has('products') && !whole.has(factOrderItemsEnriched.name)) {
    const rows = (await built(factOrderItemsEnriched.name))
      ? await engine.queryAll(`SELECT DISTINCT year AS y FROM ${factOrderItemsEnriched.name} WHERE product_id IN (SELECT product_id FROM ${read('products')})`)
      : await engine.queryAll(
          `SELECT DISTINCT year(o.order_time) AS y FROM orders AS o JOIN order_items AS i ON i.order_id = o.order_id WHERE i.product_id IN (SELECT product_id FROM ${read('products')})`,
        );
    for (const r of rows) years.add(Number(r['y']));
  }
  const plan = new Map<string, PartitionValues[] | 'all'>();
  for (const [model, set] of months) {
    if (set.size > 0) {
      plan.set(
        model,
        [...set].map((ym) => {
          const [y, m] = ym.split('-');
          return { year: Number(y), month: Number(m) };
        }),
      );
    }
  }
  if (years.size > 0) plan.set(factOrderItemsEnriched.name, [...years].map((year) => ({ year })));
  for (const model of whole) plan.set(model, 'all');
  return plan;
}
