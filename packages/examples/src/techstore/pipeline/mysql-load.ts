/**
 * The `mysql-load` step of the TechStore pipeline (TechStore's "Glue job 3"): every curated table,
 * read from the lake's Parquet and loaded into MySQL / MariaDB under its own name (mode `replace`,
 * so a second load leaves the same rows). The work is `loadModelsToMySql` (shared with Nequi).
 *
 * @module
 */
import { loadModelsToMySql, type CuratedTableLoad, type LoadCuratedOptions } from '../../mysql/curated-to-mysql.js';
import { techstoreModels } from '../models/index.js';

export { parseMySqlUrl, type CuratedTableLoad, type LoadCuratedOptions, type MySqlUrl } from '../../mysql/curated-to-mysql.js';

/**
 * Loads every curated TechStore table (fact tables, then the marts) into MySQL, each in mode
 * `replace` (staged, then swapped in atomically).
 *
 * @example
 * ```ts
 * const loads = await loadCuratedToMySql({ storage, pool });
 * for (const l of loads) console.log(l.target, l.rows);
 * ```
 */
export function loadCuratedToMySql(options: LoadCuratedOptions): Promise<CuratedTableLoad[]> {
  return loadModelsToMySql(techstoreModels, options);
}
