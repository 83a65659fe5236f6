/**
 * The `mysql-load` step of the Nequi pipeline: every curated Nequi model, read from the lake's
 * Parquet (`@lakeblocks/loaders/mysql` `loadLakeTable`) and loaded into MySQL / MariaDB under its
 * own name (optionally prefixed), mode `replace` (staged, then swapped in atomically), so a second
 * load leaves the same rows. The Nequi design sends the curated layer to analysts and applications;
 * the processed tables stay in the lake (users' addresses and card data are not copied out).
 *
 * URLs are checked and redacted by the TechStore helper `parseMySqlUrl` (one implementation).
 *
 * @module
 */
import type { Storage } from '@lakeblocks/core';
import { MySqlLoader, loadLakeTable, type MySqlPoolLike } from '@lakeblocks/loaders/mysql';
import { nequiModels } from '../models/index.js';

export { parseMySqlUrl, type MySqlUrl } from '../../techstore/pipeline/mysql-load.js';

/**
 * One curated table loaded.
 *
 * @example
 * ```ts
 * const l: NequiTableLoad = { table: 'client_risk_profile', target: 'nequi_client_risk_profile', rows: 2000, durationMs: 120 };
 * ```
 */
export interface NequiTableLoad {
  /** The curated table. */
  table: string;
  /** The MySQL table it went into. */
  target: string;
  rows: number;
  durationMs: number;
}

/**
 * Options of {@link loadNequiToMySql}.
 *
 * @example
 * ```ts
 * const options: LoadNequiOptions = { storage, pool, tablePrefix: 'nequi_' };
 * ```
 */
export interface LoadNequiOptions {
  /** The lake. */
  storage: Storage;
  /** A mysql2/promise pool on the target database (`timezone: 'Z'`). */
  pool: MySqlPoolLike;
  /** Prefix of every MySQL table name (default none). */
  tablePrefix?: string;
  /** Client-side timeout of each statement (default 120 s). */
  queryTimeoutMs?: number;
  /** Bound on taking a connection from the pool (default 10 s). */
  connectTimeoutMs?: number;
  /** Called after each table. */
  onTable?: (load: NequiTableLoad, index: number, total: number) => void;
  signal?: AbortSignal;
}

/**
 * Loads every curated Nequi model into MySQL, inputs first, each in mode `replace`.
 *
 * @example
 * ```ts
 * const loads = await loadNequiToMySql({ storage: new LocalStorage('./.lake/nequi'), pool, tablePrefix: 'nequi_' });
 * for (const l of loads) console.log(l.target, l.rows);
 * ```
 */
export async function loadNequiToMySql(options: LoadNequiOptions): Promise<NequiTableLoad[]> {
  const loader = new MySqlLoader(options.pool, {
    queryTimeoutMs: options.queryTimeoutMs ?? 120_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
  });
  const loads: NequiTableLoad[] = [];
  for (const [i, model] of nequiModels.entries()) {
    options.signal?.throwIfAborted();
    const target = `${options.tablePrefix ?? ''}${model.output.name}`;
    const result = await loadLakeTable(loader, options.storage, model.output, {
      layer: 'curated',
      mode: 'replace',
      tableName: target,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const load = { table: model.output.name, target, rows: result.rows, durationMs: result.durationMs };
    loads.push(load);
    options.onTable?.(load, i, nequiModels.length);
  }
  return loads;
}
