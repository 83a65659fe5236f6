/**
 * The `mysql-load` step of the Nequi pipeline: every curated Nequi model, read from the lake's
 * Parquet (`@lakeblocks/loaders/mysql` `loadLakeTable`) and loaded into MySQL / MariaDB under its
 * own name (optionally prefixed), mode `replace` (staged, then swapped in atomically), so a second
 * load leaves the same rows. The Nequi design sends the curated layer to analysts and applications;
 * the processed tables stay in the lake (users' addresses and card data are not copied out).
 *
 * The work is `loadModelsToMySql` (shared with TechStore), which also checks and redacts URLs.
 *
 * @module
 */
import { loadModelsToMySql, type CuratedTableLoad, type LoadCuratedOptions } from '../../mysql/curated-to-mysql.js';
import { nequiModels } from '../models/index.js';

export { parseMySqlUrl, type MySqlUrl } from '../../mysql/curated-to-mysql.js';

/**
 * One curated Nequi table loaded.
 *
 * @example
 * ```ts
 * const l: NequiTableLoad = { table: 'client_risk_profile', target: 'nequi_client_risk_profile', rows: 2000, durationMs: 120 };
 * ```
 */
export type NequiTableLoad = CuratedTableLoad;

/**
 * Options of {@link loadNequiToMySql}.
 *
 * @example
 * ```ts
 * const options: LoadNequiOptions = { storage, pool, tablePrefix: 'nequi_' };
 * ```
 */
export type LoadNequiOptions = LoadCuratedOptions;

/**
 * Loads every curated Nequi model into MySQL, inputs first, each in mode `replace`.
 *
 * @example
 * ```ts
 * const loads = await loadNequiToMySql({ storage: new LocalStorage('./.lake/nequi'), pool, tablePrefix: 'nequi_' });
 * for (const l of loads) console.log(l.target, l.rows);
 * ```
 */
export function loadNequiToMySql(options: LoadNequiOptions): Promise<NequiTableLoad[]> {
  return loadModelsToMySql(nequiModels, options);
}
