/**
 * Test and demo helpers: a throw-away local lake with a DuckDB engine that knows the Nequi tables
 * and models (fixtures are written as processed Parquet with `writeRows`, as the TechStore tests do).
 *
 * @module
 */
import { openTestLake, type TestLake } from '../../testing/test-lake.js';
import { nequiModels } from '../models/index.js';
import { nequiTables } from '../tables.js';


/** A temporary nequi lake (see {@link openTestLake}). */
export type NequiLake = TestLake;

/**
 * Creates an empty lake under `testLakeRoot()` (`/dev/shm` on Linux), with an engine over the
 * Nequi tables and models.
 *
 * @example
 * ```ts
 * const lake = await openNequiLake();
 * ```
 */
export function openNequiLake(): Promise<NequiLake> {
  return openTestLake('nequi', nequiTables, nequiModels);
}

export { testLakeRoot } from '../../testing/test-lake.js';
