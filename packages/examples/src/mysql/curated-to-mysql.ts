/**
 * Curated tables → MySQL / MariaDB, shared by the TechStore and Nequi pipelines (their `--mysql`
 * step): the `--mysql` URL checked and redacted, and every model's curated Parquet read from the
 * lake (`@lakeblocks/loaders/mysql` `loadLakeTable`) and loaded under its own name. On an S3 lake
 * built by Athena the files are the ones the catalog lists (`files`, see `listed-files-storage.ts`).
 *
 * @module
 */
import type { StepContext, StepDefinition, Storage } from '@lakeblocks/core';
import { MySqlLoader, loadLakeTable, type MySqlPoolLike } from '@lakeblocks/loaders/mysql';
import type { AnyModel } from '@lakeblocks/transform';
import { listedFilesStorage, type ListedFiles } from './listed-files-storage.js';

/**
 * A MySQL URL checked and split: `uri` for mysql2, `redacted` (password replaced by `***`) for messages.
 *
 * @example
 * ```ts
 * parseMySqlUrl('mysql://etl:secret@db:3306/shop').redacted; // 'mysql://etl:***@db:3306/shop'
 * ```
 */
export interface MySqlUrl {
  uri: string;
  database: string;
  redacted: string;
}

/**
 * Checks a `mysql://user[:password]@host[:port]/database` URL; throws an `Error` whose message never
 * contains the password.
 *
 * @example
 * ```ts
 * parseMySqlUrl('mysql://root@127.0.0.1:3306/techstore').database; // 'techstore'
 * ```
 */
export function parseMySqlUrl(url: string): MySqlUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error('--mysql is not a URL (expected mysql://user[:password]@host[:port]/database)');
  }
  const redacted = redactUrl(u);
  if (u.protocol !== 'mysql:') throw new Error(`--mysql ${redacted}: the scheme must be mysql:// (expected mysql://user[:password]@host[:port]/database)`);
  if (!u.hostname) throw new Error(`--mysql ${redacted}: no host (expected mysql://user[:password]@host[:port]/database)`);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_$]+$/.test(database)) throw new Error(`--mysql ${redacted}: name a database after the host (mysql://…/database; letters, digits, _ and $)`);
  return { uri: u.toString(), database, redacted };
}

function redactUrl(u: URL): string {
  const copy = new URL(u.toString());
  if (copy.password) copy.password = '***';
  copy.search = '';
  return copy.toString();
}

/**
 * One curated table loaded.
 *
 * @example
 * ```ts
 * const l: CuratedTableLoad = { table: 'kpi_monthly', target: 'kpi_monthly', rows: 70, durationMs: 40 };
 * ```
 */
export interface CuratedTableLoad {
  /** The curated table. */
  table: string;
  /** The MySQL table it went into. */
  target: string;
  rows: number;
  durationMs: number;
}

/**
 * Options of {@link loadModelsToMySql}.
 *
 * @example
 * ```ts
 * const options: LoadCuratedOptions = { storage, pool, queryTimeoutMs: 60_000 };
 * ```
 */
export interface LoadCuratedOptions {
  /** The lake. */
  storage: Storage;
  /**
   * The live files of each curated table, when they are not simply everything under
   * `curated/<table>/` (tables built on Athena: see `listed-files-storage.ts`). Default: the layout.
   */
  files?: ListedFiles;
  /** A mysql2/promise pool on the target database (`timezone: 'Z'`). */
  pool: MySqlPoolLike;
  /** Prefix of every MySQL table name (default none: each table under its own name). */
  tablePrefix?: string;
  /** Client-side timeout of each statement (default 120 s). */
  queryTimeoutMs?: number;
  /** Bound on taking a connection from the pool (default 10 s). */
  connectTimeoutMs?: number;
  /** Called after each table. */
  onTable?: (load: CuratedTableLoad, index: number, total: number) => void;
  signal?: AbortSignal;
}

/**
 * Loads the curated table of every model (in the order given: inputs first) into MySQL, each in
 * mode `replace` (staged, then swapped in atomically), so a second load leaves the same rows.
 *
 * @example
 * ```ts
 * const loads = await loadModelsToMySql(techstoreModels, { storage, pool });
 * for (const l of loads) console.log(l.target, l.rows);
 * ```
 */
export async function loadModelsToMySql(models: readonly AnyModel[], options: LoadCuratedOptions): Promise<CuratedTableLoad[]> {
  const loader = new MySqlLoader(options.pool, {
    queryTimeoutMs: options.queryTimeoutMs ?? 120_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
  });
  const loads: CuratedTableLoad[] = [];
  for (const [i, model] of models.entries()) {
    options.signal?.throwIfAborted();
    const target = `${options.tablePrefix ?? ''}${model.output.name}`;
    const storage = options.files ? listedFilesStorage(options.storage, model.output.name, await options.files(model.output, options.signal)) : options.storage;
    const result = await loadLakeTable(loader, storage, model.output, {
      layer: 'curated',
      mode: 'replace',
      tableName: target,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const load = { table: model.output.name, target, rows: result.rows, durationMs: result.durationMs };
    loads.push(load);
    options.onTable?.(load, i, models.length);
  }
  return loads;
}

/**
 * Where and how a pipeline's `mysql-load` step loads the curated tables.
 *
 * @example
 * ```ts
 * const mysql: CuratedMySqlOptions = { url: 'mysql://root@127.0.0.1:3306/shop', tablePrefix: 'ts_' };
 * ```
 */
export interface CuratedMySqlOptions {
  /** `mysql://user[:password]@host[:port]/database`; the password is never printed. */
  url: string;
  /** Prefix of every MySQL table name (default none). */
  tablePrefix?: string;
  /** Connect timeout, in ms (default 5,000). */
  connectTimeoutMs?: number;
  /** Timeout of each statement, in ms (default 120,000). */
  queryTimeoutMs?: number;
  /** Timeout of the whole step, in ms (default: the pipeline's). */
  stepTimeoutMs?: number;
}

/**
 * The `mysql-load` step both example pipelines run: a pool on `mysql.url` (UTC, bounded connect),
 * every model's curated table loaded by {@link loadModelsToMySql} with rows and progress counted,
 * the pool closed whatever happens. The URL is checked when the step is made, so a bad one fails
 * before the pipeline runs. `onLoads` receives what was loaded.
 *
 * @example
 * ```ts
 * steps.push(curatedMySqlStep({ models: techstoreModels, storage, mysql: { url }, defaultStepTimeoutMs: 30 * 60_000 }));
 * ```
 */
export function curatedMySqlStep(options: {
  models: readonly AnyModel[];
  storage: Storage;
  /** The live files of each curated table when not the `curated/<table>/` layout (see {@link LoadCuratedOptions.files}). */
  files?: ListedFiles;
  mysql: CuratedMySqlOptions;
  defaultStepTimeoutMs: number;
  onLoads?: (loads: CuratedTableLoad[]) => void;
}): StepDefinition {
  const { mysql } = options;
  const url = parseMySqlUrl(mysql.url);
  return {
    name: 'mysql-load',
    timeoutMs: mysql.stepTimeoutMs ?? options.defaultStepTimeoutMs,
    run: async (ctx: StepContext) => {
      const { createPool } = await import('mysql2/promise');
      const connectTimeout = mysql.connectTimeoutMs ?? 5_000;
      const pool = createPool({ uri: url.uri, timezone: 'Z', connectTimeout, connectionLimit: 2, enableKeepAlive: true });
      pool.on('connection', (c) => c.on('error', () => undefined)); // surfaced by the failing query instead
      try {
        const loads = await loadModelsToMySql(options.models, {
          storage: options.storage,
          ...(options.files ? { files: options.files } : {}),
          pool,
          connectTimeoutMs: connectTimeout * 2,
          queryTimeoutMs: mysql.queryTimeoutMs ?? 120_000,
          ...(mysql.tablePrefix === undefined ? {} : { tablePrefix: mysql.tablePrefix }),
          signal: ctx.signal,
          onTable: (load, i, total) => {
            ctx.count({ rowsIn: load.rows, rowsOut: load.rows });
            ctx.progress({ done: i + 1, total, unit: 'tables' });
          },
        });
        options.onLoads?.(loads);
        return { database: url.database, tables: loads.map((l) => ({ table: l.target, rows: l.rows })) };
      } finally {
        await pool.end().catch(() => undefined);
      }
    },
  };
}
