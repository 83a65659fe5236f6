/**
 * The DuckDB instance the DuckDB engine runs on: one per job run (reused across files), with the
 * job's thread count, a memory limit and its own spill directory under a local staging directory.
 * `@duckdb/node-api` is an optional peer dependency, loaded on first use with a dynamic import.
 *
 * @module
 */
import { rm } from 'node:fs/promises';
import { createOwnedTempDir } from '@lakeblocks/core';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { IngestError } from '../errors/ingest-error.js';

type DuckDbModule = typeof import('@duckdb/node-api');

let loaded: Promise<DuckDbModule> | undefined;

/**
 * Loads `@duckdb/node-api` (an optional peer dependency of `@lakeblocks/ingest`); fails with an
 * `IngestError` `InvalidArgument` saying how to install it when it is missing.
 *
 * @example
 * ```ts
 * const duckdb = await loadDuckDb(); // or IngestError: … install @duckdb/node-api …
 * ```
 */
export async function loadDuckDb(): Promise<DuckDbModule> {
  loaded ??= import('@duckdb/node-api').catch((cause: unknown) => {
    loaded = undefined;
    throw new IngestError('InvalidArgument', `The DuckDB engine needs the optional peer dependency @duckdb/node-api, which could not be loaded (${(cause as Error).message}); install it (pnpm add @duckdb/node-api) or use engine: 'js'`, { cause });
  });
  return loaded;
}

/**
 * Options of {@link DuckDbEngine.open}.
 *
 * @example
 * ```ts
 * const options: DuckDbEngineOptions = { threads: 2, memoryLimit: '512MB' };
 * ```
 */
export interface DuckDbEngineOptions {
  /** DuckDB worker threads (default 1). */
  threads?: number;
  /** DuckDB `memory_limit` (default `1GB`: a partitioned COPY holds buffers per open partition, and 512MB ran out on TechStore orders' 2,132 day partitions); beyond it DuckDB spills to its temp directory where it can. */
  memoryLimit?: string;
  /** Parent of the engine's local staging directory (default the OS temp dir). */
  stagingDir?: string;
}

/**
 * A DuckDB instance and connection plus a local staging directory (COPY outputs and DuckDB's
 * `temp_directory` live under it). Close it at the end of the run.
 *
 * @example
 * ```ts
 * const engine = await DuckDbEngine.open({ threads: 2 });
 * try {
 *   await ingestCsvWithDuckDb(writer, '/data/events.csv', { engine, cleaning, file: 'raw/events/b1/events.csv' });
 * } finally {
 *   await engine.close();
 * }
 * ```
 */
export class DuckDbEngine {
  readonly threads: number;
  readonly #instance: DuckDBInstance;
  readonly connection: DuckDBConnection;
  /** Local directory owned by the engine (removed by {@link close}). */
  readonly stagingDir: string;
  #attempts = 0;
  #closed = false;

  private constructor(instance: DuckDBInstance, connection: DuckDBConnection, stagingDir: string, threads: number) {
    this.#instance = instance;
    this.connection = connection;
    this.stagingDir = stagingDir;
    this.threads = threads;
  }

  /**
   * Creates the instance (loading `@duckdb/node-api`) and its staging directory.
   *
   * @example
   * ```ts
   * const engine = await DuckDbEngine.open({ threads: 1, memoryLimit: '512MB' });
   * ```
   */
  static async open(options: DuckDbEngineOptions = {}): Promise<DuckDbEngine> {
    const duckdb = await loadDuckDb();
    const threads = Math.max(1, Math.floor(options.threads ?? 1));
    const stagingDir = await createOwnedTempDir('lakeblocks-ingest-duckdb-', options.stagingDir ?? tmpdir());
    try {
      const instance = await duckdb.DuckDBInstance.create(':memory:', {
        threads: String(threads),
        memory_limit: options.memoryLimit ?? '1GB',
        temp_directory: join(stagingDir, 'spill'),
      });
      try {
        return new DuckDbEngine(instance, await instance.connect(), stagingDir, threads);
      } catch (error) {
        instance.closeSync();
        throw error;
      }
    } catch (cause) {
      await rm(stagingDir, { recursive: true, force: true });
      throw new IngestError('InvalidArgument', `Could not start DuckDB: ${(cause as Error).message}`, { cause });
    }
  }

  /** A fresh, empty directory for one COPY attempt, under the staging directory. */
  attemptDir(): string {
    return join(this.stagingDir, `attempt-${this.#attempts++}`);
  }

  /**
   * Closes the connection and the instance, and removes the staging directory.
   *
   * @example
   * ```ts
   * await engine.close();
   * ```
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.connection.closeSync();
    this.#instance.closeSync();
    await rm(this.stagingDir, { recursive: true, force: true });
  }
}
