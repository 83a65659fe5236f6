/**
 * Test and demo helpers: a throw-away local lake with a DuckDB engine that knows the Nequi tables
 * and models (fixtures are written as processed Parquet with `writeRows`, as the TechStore tests do).
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbEngine } from '@lakeblocks/transform/duckdb';
import { nequiModels } from '../models/index.js';
import { nequiTables } from '../tables.js';

/**
 * Where test lakes go: `$LAKEBLOCKS_TEST_TMP`, else `/dev/shm` when it exists, else the OS temp
 * directory (the same rule as the TechStore helpers).
 *
 * @example
 * ```ts
 * testLakeRoot(); // '/dev/shm' on Linux
 * ```
 */
export function testLakeRoot(): string {
  return process.env['LAKEBLOCKS_TEST_TMP'] ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
}

/**
 * A temporary Nequi lake.
 *
 * @example
 * ```ts
 * const { engine, dispose } = await openNequiLake();
 * try { await engine.runAll(); } finally { await dispose(); }
 * ```
 */
export interface NequiLake {
  lakeDir: string;
  engine: DuckDbEngine;
  /** Closes the engine and deletes the lake. */
  dispose(): Promise<void>;
}

/**
 * Creates an empty lake under `testLakeRoot()` (`/dev/shm` on Linux), with an engine over the
 * Nequi tables and models.
 *
 * @example
 * ```ts
 * const lake = await openNequiLake();
 * ```
 */
export async function openNequiLake(): Promise<NequiLake> {
  const lakeDir = await mkdtemp(join(testLakeRoot(), 'nequi-lake-'));
  const engine = await DuckDbEngine.create({ lakeDir, tables: nequiTables, models: nequiModels, threads: 2 });
  return {
    lakeDir,
    engine,
    async dispose() {
      engine.close();
      await rm(lakeDir, { recursive: true, force: true });
    },
  };
}
