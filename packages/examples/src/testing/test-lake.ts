/**
 * Temporary lakes for the example apps' tests: a directory (in memory where possible) with a DuckDB
 * engine over given tables and models, removed on `dispose()`. Shared by TechStore and Nequi.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnyTable } from '@lakeblocks/core';
import type { AnyModel } from '@lakeblocks/transform';
import { DuckDbEngine } from '@lakeblocks/transform/duckdb';

/**
 * A temporary lake with an engine over it.
 *
 * @example
 * ```ts
 * const { engine, dispose } = await openTestLake('techstore', techstoreTables, techstoreModels);
 * try { await engine.runAll(); } finally { await dispose(); }
 * ```
 */
export interface TestLake {
  lakeDir: string;
  engine: DuckDbEngine;
  /** Closes the engine and deletes the lake. */
  dispose(): Promise<void>;
}

/**
 * Where test lakes go: `$LAKEBLOCKS_TEST_TMP`, else `/dev/shm` when it exists (writing thousands of
 * day partitions is disk-bound: 9 s for orders' 2,131 partitions on a virtual disk, 2 s in memory),
 * else the OS temp directory.
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
 * Creates an empty lake under {@link testLakeRoot}, with an engine over the given tables and models.
 *
 * @example
 * ```ts
 * const lake = await openTestLake('nequi', nequiTables, nequiModels);
 * ```
 */
export async function openTestLake(name: string, tables: readonly AnyTable[], models: readonly AnyModel[]): Promise<TestLake> {
  const lakeDir = await mkdtemp(join(testLakeRoot(), `${name}-lake-`));
  const engine = await DuckDbEngine.create({ lakeDir, tables, models, threads: 2 });
  return {
    lakeDir,
    engine,
    async dispose() {
      engine.close();
      await rm(lakeDir, { recursive: true, force: true });
    },
  };
}
