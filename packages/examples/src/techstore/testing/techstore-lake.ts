/**
 * Test and demo helpers: a throw-away local lake with a DuckDB engine that knows the TechStore
 * tables and models, and a loader of the real TechStore CSVs into processed Parquet (DuckDB reads
 * them as text and casts each column to its declared type — a stand-in for `@lakeblocks/ingest`).
 *
 * @module
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { lakeLayout, type AnyTable } from '@lakeblocks/core';
import { duckDbDialect, outputColumns, quoteIdentifier, quoteString } from '@lakeblocks/transform';
import { DuckDbEngine } from '@lakeblocks/transform/duckdb';
import { openTestLake, type TestLake } from '../../testing/test-lake.js';
import { techstoreModels } from '../models/index.js';
import { techstoreTables } from '../tables.js';

/** A temporary techstore lake (see {@link openTestLake}). */
export type TechstoreLake = TestLake;


/**
 * Creates an empty lake under {@link testLakeRoot}, with an engine over the TechStore tables and models.
 *
 * @example
 * ```ts
 * const lake = await openTechstoreLake();
 * ```
 */
export function openTechstoreLake(): Promise<TechstoreLake> {
  return openTestLake('techstore', techstoreTables, techstoreModels);
}

/**
 * Loads TechStore CSV files (one or several with the same header) into `processed/<table>/`, replacing
 * what was there (typed as declared, partitioned as declared). With `append` (partitioned tables), the
 * rows are added as new files instead, as an incremental ingest adds a batch.
 *
 * @example
 * ```ts
 * await loadCsv(engine, orders, '/work/shared/data/techstore/orders.csv');
 * await loadCsv(engine, orders, '/work/shared/data/techstore/batches/2025-11/orders_november_2025.csv', { append: true });
 * ```
 */
export async function loadCsv(engine: DuckDbEngine, table: AnyTable, csvPath: string | readonly string[], options: { append?: boolean } = {}): Promise<void> {
  const dir = join(engine.lakeDir, lakeLayout.tablePrefix('processed', table.name));
  const append = options.append === true && table.partitionKeys.length > 0;
  if (!append) await rm(dir, { recursive: true, force: true });
  const keys = table.partitionKeys.map((k) => quoteIdentifier(k.name));
  await mkdir(keys.length > 0 ? join(dir, '..') : dir, { recursive: true });
  const select = `SELECT ${outputColumns(table, duckDbDialect)
    .map((c) => `${c.expression} AS ${quoteIdentifier(c.name)}`)
    .join(', ')} FROM read_csv([${(typeof csvPath === 'string' ? [csvPath] : csvPath).map(quoteString).join(', ')}], header = true, all_varchar = true)`;
  const target = keys.length > 0 ? dir : join(dir, 'part-0.parquet');
  const copy = ['FORMAT parquet', 'COMPRESSION snappy', ...(keys.length > 0 ? [`PARTITION_BY (${keys.join(', ')})`] : [])];
  if (append) copy.push('APPEND', `FILENAME_PATTERN 'part-{uuid}'`);
  await engine.execute(`COPY (${select}) TO ${quoteString(target)} (${copy.join(', ')})`);
}

export { testLakeRoot } from '../../testing/test-lake.js';
