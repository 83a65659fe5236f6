/**
 * `DuckDbEngine`: runs models over a local lake with DuckDB and writes curated Parquet in the lake
 * layout; also the local "Athena" for ad-hoc SQL, streamed in chunks.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import {
  createOwnedTempDir,
  lakeLayout,
  matchesPartitionFilter,
  parsePartitionFilter,
  parsePartitionPath,
  partitionPath,
  toDuckDbParquetView,
  type AnyTable,
  type PartitionFilter,
  type PartitionValues,
} from '@lakeblocks/core';
import { TransformError } from '../errors/transform-error.js';
import { sortModels, type AnyModel } from '../model/define-model.js';
import { refsOf, renderRefs } from '../model/refs.js';
import { checkInputScope, inputPartitionScope } from '../pushdown/input-partitions.js';
import { duckDbDialect, quoteIdentifier, quoteString } from '../sql/dialect.js';
import { renderModelSelect } from '../sql/model-select.js';
import { listInputFiles } from './input-files.js';
import { commitPartitions, listPartitionDirs, recoverStagedCommits } from './partition-swap.js';
import { toResultRow, type ResultRow } from './values.js';

/**
 * Options of {@link DuckDbEngine.create}.
 *
 * @example
 * ```ts
 * const options: DuckDbEngineOptions = { lakeDir: './.lake', tables: [orders, customers], models: [factOrders], threads: 2 };
 * ```
 */
export interface DuckDbEngineOptions {
  /** Root directory of the local lake (holding `processed/`, `curated/`, `_state/`). */
  lakeDir: string;
  /** Processed tables models may ref (read from `processed/<table>/`). */
  tables?: readonly AnyTable[];
  /** Models the engine runs; other models may ref them (read from `curated/<model>/`). */
  models?: readonly AnyModel[];
  /** DuckDB worker threads (default 2). */
  threads?: number;
  /** DuckDB memory limit, e.g. `'1GB'` (DuckDB spills to disk beyond it). Default DuckDB's (80% of RAM). */
  memoryLimit?: string;
  /**
   * Where DuckDB spills beyond the memory limit. Default: a fresh directory under the OS temp dir
   * named after this process (`lakeblocks-duckdb-<host>~<pid>-…`), removed by
   * {@link DuckDbEngine.close}, or by the next engine created on this host if this process was
   * killed first (DuckDB's own default, `./.tmp` with fixed file names, lets
   * two processes started in one directory corrupt each other's spill).
   */
  tempDirectory?: string;
}

/**
 * Options of {@link DuckDbEngine.run}.
 *
 * @example
 * ```ts
 * await engine.run('fact_orders_enriched', { partitions: [{ year: 2025, month: 11 }] });
 * ```
 */
export interface RunModelOptions {
  /**
   * Rebuild only these partitions (each naming every partition key), for `overwrite_partitions`
   * models. Named partitions the model no longer produces are removed. Omit to rebuild everything.
   */
  partitions?: readonly PartitionValues[];
  /**
   * Rebuild only the partitions matching this filter (core's partition filter, e.g.
   * `'year = 2025 and month >= 11'`); existing partitions it matches that the model no longer
   * produces are removed. Combines with `partitions` (both must hold).
   */
  filter?: PartitionFilter | string;
  /**
   * Partition pushdown on partial runs (default `true`): an input the model maps in
   * `inputPartitions` is read only from the partition folders that can contribute to the rebuilt
   * partitions (listed, then read as a file list). `false` reads every input whole.
   */
  pushDown?: boolean;
}

/**
 * What a model run did.
 *
 * @example
 * ```ts
 * const result: ModelRunResult = { model: 'kpi_monthly', rows: 70, partitionsWritten: [''], partitionsRemoved: [], durationMs: 41 };
 * ```
 */
export interface ModelRunResult {
  model: string;
  /** Rows written. */
  rows: number;
  /** Partition paths written (`year=2025/month=1`; `''` for an unpartitioned table). */
  partitionsWritten: string[];
  /** Partition paths removed because the rebuilt output no longer has them. */
  partitionsRemoved: string[];
  /**
   * The inputs read through partition pushdown, each with the files it was read from (lake keys
   * such as `processed/orders/year=2025/month=11/day=3/part-0.parquet`, sorted). Inputs not listed
   * were read whole. `{}` on full runs.
   */
  prunedInputs: Record<string, string[]>;
  durationMs: number;
}

/**
 * The local engine. Every input a model refs is registered as a DuckDB view named like the input:
 * processed tables over `processed/<name>/**\/*.parquet`, models over `curated/<name>/…` (Hive
 * partitioning with typed keys, from core's `toDuckDbParquetView`); an input without files yet is
 * an empty view of the right columns. A run `COPY`s the model's `SELECT` into a staging directory
 * under `_state/transform/`, then renames partition directories into `curated/<model>/`
 * (partition columns in the path only, files `part-<i>.parquet`, snappy). A run that rebuilds some
 * partitions reads each input the model maps in `inputPartitions` only from the partition folders
 * that can contribute (partition pushdown; `result.prunedInputs` lists the files).
 *
 * @example
 * ```ts
 * import { DuckDbEngine } from '@lakeblocks/transform/duckdb';
 *
 * const engine = await DuckDbEngine.create({ lakeDir: './.lake', tables: techstoreTables, models: techstoreModels });
 * try {
 *   await engine.runAll();
 *   for await (const rows of engine.query('SELECT * FROM kpi_monthly ORDER BY year, month')) console.table(rows);
 * } finally {
 *   engine.close();
 * }
 * ```
 */
export class DuckDbEngine {
  /** Absolute lake root. */
  readonly lakeDir: string;
  private readonly instance: DuckDBInstance;
  private readonly connection: DuckDBConnection;
  private readonly tables: ReadonlyMap<string, AnyTable>;
  private readonly models: ReadonlyMap<string, AnyModel>;
  /** How each input's view was last created: over files, or empty (DuckDB re-globs a view's files at every query). */
  private readonly views = new Map<string, 'files' | 'empty'>();
  /**
   * Serialises everything that uses the main connection (view registration, model runs, `execute`):
   * DuckDB cancels a connection's pending result when another statement starts on it, which would
   * silently cut concurrent callers' results short.
   */
  private tail: Promise<unknown> = Promise.resolve();
  /** Whether the schema of pruned-input views exists yet. */
  private prunedSchema = false;
  /** The spill directory this engine created (removed on close). */
  private ownSpill: string | undefined;

  private constructor(lakeDir: string, instance: DuckDBInstance, connection: DuckDBConnection, tables: Map<string, AnyTable>, models: Map<string, AnyModel>) {
    this.lakeDir = lakeDir;
    this.instance = instance;
    this.connection = connection;
    this.tables = tables;
    this.models = models;
  }

  /**
   * Opens an in-memory DuckDB over the lake. Checks that table and model names are unique and that
   * models sort (no cycle).
   *
   * @example
   * ```ts
   * const engine = await DuckDbEngine.create({ lakeDir: '/tmp/lake', tables: [orders] });
   * ```
   */
  static async create(options: DuckDbEngineOptions): Promise<DuckDbEngine> {
    const tables = new Map<string, AnyTable>();
    for (const t of options.tables ?? []) {
      if (tables.has(t.name)) throw new TransformError('InvalidArgument', `Two tables are named "${t.name}"`, { context: { table: t.name } });
      tables.set(t.name, t);
    }
    const models = new Map<string, AnyModel>();
    for (const m of sortModels(options.models ?? [])) {
      if (tables.has(m.name)) throw new TransformError('InvalidModel', `Model "${m.name}" has the name of a processed table`, { context: { model: m.name } });
      models.set(m.name, m);
    }
    const config: Record<string, string> = { threads: String(options.threads ?? 2) };
    if (options.memoryLimit !== undefined) config['memory_limit'] = options.memoryLimit;
    // Named after this process: a later engine removes it if this process is killed before close().
    const ownSpill = options.tempDirectory === undefined ? await createOwnedTempDir('lakeblocks-duckdb-') : undefined;
    config['temp_directory'] = options.tempDirectory ?? (ownSpill as string);
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(':memory:', config);
    } catch (error) {
      if (ownSpill !== undefined) await rm(ownSpill, { recursive: true, force: true });
      throw new TransformError('QueryFailed', `Could not open DuckDB: ${(error as Error).message}`, { cause: error });
    }
    const connection = await instance.connect();
    // Time-zone-aware values (TIMESTAMPTZ Parquet columns, isAdjustedToUTC) cast to TIMESTAMP, and their
    // year/month partition keys, must not follow the host's zone: the lake's wall clock is UTC.
    try {
      await connection.run("SET TimeZone = 'UTC'");
    } catch (error) {
      connection.closeSync();
      instance.closeSync();
      if (ownSpill !== undefined) await rm(ownSpill, { recursive: true, force: true });
      throw new TransformError('QueryFailed', `Could not set DuckDB's TimeZone to UTC: ${(error as Error).message}`, { cause: error });
    }
    const engine = new DuckDbEngine(resolve(options.lakeDir), instance, connection, tables, models);
    engine.ownSpill = ownSpill;
    return engine;
  }

  /**
   * The models this engine knows, inputs first.
   *
   * @example
   * ```ts
   * engine.modelNames(); // ['fact_orders_enriched', 'kpi_monthly']
   * ```
   */
  modelNames(): string[] {
    return [...this.models.keys()];
  }

  /**
   * The DuckDB `SELECT` a model runs (refs rendered to view names, casts and partition keys added),
   * over whole inputs: what a full read gives. A partial run with partition pushdown reads its
   * mapped inputs through per-run views over fewer files instead (same rows).
   *
   * @example
   * ```ts
   * console.log(engine.renderModel('kpi_monthly'));
   * ```
   */
  renderModel(model: string | AnyModel, options: RunModelOptions = {}): string {
    const m = this.model(model);
    return renderModelSelect(m, duckDbDialect, { resolveRef: (name) => quoteIdentifier(name), partitions: options.partitions, filter: options.filter });
  }

  /**
   * Runs one model and commits its output into `curated/<model>/`: `replace` rebuilds the table
   * (partitions no longer produced are removed); with `partitions`, only those are rebuilt.
   *
   * @example
   * ```ts
   * const result = await engine.run('fact_orders_enriched', { partitions: [{ year: 2025, month: 11 }] });
   * result.partitionsWritten; // ['year=2025/month=11']
   * ```
   */
  run(model: string | AnyModel, options: RunModelOptions = {}): Promise<ModelRunResult> {
    return this.exclusive(() => this.runNow(model, options));
  }

  private async runNow(model: string | AnyModel, options: RunModelOptions): Promise<ModelRunResult> {
    const started = Date.now();
    const m = this.model(model);
    const keys = m.output.partitionKeys.map((k) => k.name);
    const partial = options.partitions !== undefined || options.filter !== undefined;
    if (partial && m.writeMode !== 'overwrite_partitions') {
      throw new TransformError('InvalidArgument', `Model "${m.name}" has write mode ${m.writeMode}: it cannot rebuild single partitions`, { context: { model: m.name } });
    }
    for (const input of m.inputs) await this.registerInput(input, m.name);
    const pruned = partial && options.pushDown !== false ? await this.registerPrunedInputs(m, options) : new Map<string, string[]>();
    const select = renderModelSelect(m, duckDbDialect, {
      resolveRef: (name) => (pruned.has(name) ? `${quoteIdentifier(PRUNED_SCHEMA)}.${quoteIdentifier(name)}` : quoteIdentifier(name)),
      partitions: options.partitions,
      filter: options.filter,
    });
    const prunedInputs = Object.fromEntries([...pruned].map(([input, files]) => [input, files.map((f) => relative(this.lakeDir, f).split(sep).join('/'))]));

    const targetDir = join(this.lakeDir, lakeLayout.tablePrefix('curated', m.name));
    const runsDir = join(this.lakeDir, '_state', 'transform', 'staging', m.name);
    await recoverStagedCommits(runsDir, targetDir, keys.length);
    const runDir = join(runsDir, `${Date.now()}-${randomBytes(4).toString('hex')}`);
    const dataDir = join(runDir, 'data');
    let committing = false;
    try {
      let rows: number;
      try {
        await mkdir(keys.length === 0 ? dataDir : runDir, { recursive: true });
        const copyOptions = ['FORMAT parquet', 'COMPRESSION snappy'];
        let destination = dataDir;
        if (keys.length > 0) {
          copyOptions.push(`PARTITION_BY (${keys.map(quoteIdentifier).join(', ')})`, `FILENAME_PATTERN 'part-{i}'`);
        } else {
          destination = join(dataDir, 'part-0.parquet');
        }
        const result = await this.connection.run(`COPY (\n${select}\n) TO ${quoteString(destination)} (${copyOptions.join(', ')})`);
        rows = Number(result.rowsChanged);
      } catch (error) {
        throw new TransformError('QueryFailed', `Model "${m.name}" failed on DuckDB: ${(error as Error).message}`, { cause: error, context: { model: m.name } });
      } finally {
        for (const input of pruned.keys()) await this.connection.run(`DROP VIEW IF EXISTS ${quoteIdentifier(PRUNED_SCHEMA)}.${quoteIdentifier(input)}`).catch(() => undefined);
      }
      // Partitions to remove if the run does not produce them: the named ones, else every existing one (narrowed by the filter).
      let remove =
        options.partitions !== undefined
          ? [...new Set(options.partitions.map((values) => partitionPath(Object.fromEntries(keys.map((k) => [k, values[k] ?? ''])))))]
          : await listPartitionDirs(targetDir, keys.length);
      if (options.filter !== undefined) {
        const filter = typeof options.filter === 'string' ? parsePartitionFilter(options.filter) : options.filter;
        remove = remove.filter((rel) => matchesPartitionFilter(parsePartitionPath(rel, keys), filter));
      }
      committing = true; // from here on, a failure leaves the run directory for recoverStagedCommits
      const { written, removed } = await commitPartitions({
        stagingDir: dataDir,
        targetDir,
        trashDir: join(runDir, 'old'),
        depth: keys.length,
        remove,
        journalFile: join(runDir, 'commit.json'),
      });
      committing = false;
      return { model: m.name, rows, partitionsWritten: written, partitionsRemoved: removed, prunedInputs, durationMs: Date.now() - started };
    } finally {
      if (!committing) await rm(runDir, { recursive: true, force: true });
    }
  }

  /**
   * Runs every model (or the named ones), inputs first.
   *
   * @example
   * ```ts
   * const results = await engine.runAll();
   * results.map((r) => `${r.model}: ${r.rows}`);
   * ```
   */
  async runAll(names?: readonly string[]): Promise<ModelRunResult[]> {
    const wanted = names === undefined ? [...this.models.values()] : names.map((n) => this.model(n));
    const results: ModelRunResult[] = [];
    for (const m of sortModels(wanted)) results.push(await this.run(m));
    return results;
  }

  /**
   * Runs ad-hoc SQL over the lake (every known table and model is a view of its name; `{{ ref() }}`
   * also works) and yields the result in chunks of about 2,048 rows, so memory stays bounded
   * whatever the result size. Values follow core's row types (DECIMAL → exact string, TIMESTAMP →
   * `Date`, BIGINT → `bigint`).
   *
   * @example
   * ```ts
   * for await (const rows of engine.query('SELECT country, sum(total_usd) AS revenue FROM orders GROUP BY 1')) {
   *   for (const row of rows) console.log(row.country, row.revenue);
   * }
   * ```
   */
  async *query(sql: string): AsyncGenerator<ResultRow[], void, undefined> {
    const refs = refsOf(sql, 'query');
    await this.exclusive(async () => {
      await this.registerAll();
      for (const r of refs) if (!this.tables.has(r) && !this.models.has(r)) await this.registerInput(r, 'query');
    });
    // Each query streams on a connection of its own, so concurrent queries (and model runs) never
    // cancel each other's pending results; views are shared by every connection of the instance.
    const connection = await this.instance.connect();
    try {
      let result;
      try {
        await connection.run("SET TimeZone = 'UTC'");
        result = await connection.stream(renderRefs(sql, quoteIdentifier));
      } catch (error) {
        throw new TransformError('QueryFailed', `Query failed on DuckDB: ${(error as Error).message}`, { cause: error });
      }
      const names = result.deduplicatedColumnNames();
      for (;;) {
        const chunk = await result.fetchChunk();
        if (chunk === null || chunk.rowCount === 0) return;
        yield chunk.getRowObjects(names).map(toResultRow);
      }
    } finally {
      connection.closeSync();
    }
  }

  /**
   * {@link query}, collected into one array (for small results).
   *
   * @example
   * ```ts
   * const [row] = await engine.queryAll('SELECT count(*) AS n FROM fact_orders_enriched');
   * ```
   */
  async queryAll(sql: string): Promise<ResultRow[]> {
    const rows: ResultRow[] = [];
    for await (const chunk of this.query(sql)) rows.push(...chunk);
    return rows;
  }

  /**
   * Runs SQL that returns nothing useful (DDL, `SET`, `COPY`), e.g. to write fixtures.
   *
   * @example
   * ```ts
   * await engine.execute("SET TimeZone = 'UTC'");
   * ```
   */
  execute(sql: string): Promise<void> {
    return this.exclusive(async () => {
      try {
        await this.connection.run(sql);
      } catch (error) {
        throw new TransformError('QueryFailed', `Statement failed on DuckDB: ${(error as Error).message}`, { cause: error });
      }
    });
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }

  /**
   * Closes the connection and the database, and removes the spill directory the engine created.
   *
   * @example
   * ```ts
   * engine.close();
   * ```
   */
  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
    if (this.ownSpill !== undefined) rmSync(this.ownSpill, { recursive: true, force: true });
    this.ownSpill = undefined;
  }

  private model(model: string | AnyModel): AnyModel {
    if (typeof model !== 'string') return model;
    const found = this.models.get(model);
    if (found === undefined) throw new TransformError('InputMissing', `Unknown model "${model}"`, { context: { model } });
    return found;
  }

  private async registerAll(): Promise<void> {
    for (const name of [...this.tables.keys(), ...this.models.keys()]) await this.registerInput(name, 'query');
  }

  /** An input's table definition and directory. */
  private input(name: string, forModel: string): { table: AnyTable; dir: string } {
    const model = this.models.get(name);
    const table = model?.output ?? this.tables.get(name);
    if (table === undefined) {
      throw new TransformError('InputMissing', `Model "${forModel}" refs "${name}", which is neither a known table nor a known model`, {
        context: { model: forModel, input: name },
      });
    }
    return { table, dir: join(this.lakeDir, lakeLayout.tablePrefix(model ? 'curated' : 'processed', name)) };
  }

  /**
   * For a partial run: a view `lakeblocks_pruned."<input>"` over just the files of the partitions
   * that can contribute, for each input the model maps in `inputPartitions` (an input whose folders
   * do not have the table's layout is read whole). Returns the files of each pruned input.
   */
  private async registerPrunedInputs(m: AnyModel, run: RunModelOptions): Promise<Map<string, string[]>> {
    const pruned = new Map<string, string[]>();
    for (const name of m.inputs) {
      const scope = inputPartitionScope(m, name, run);
      if (scope === undefined) continue;
      const { table, dir } = this.input(name, m.name);
      checkInputScope(m, table, scope);
      const files = await listInputFiles(dir, table, scope);
      if (files === undefined) continue;
      const relation = `${quoteIdentifier(PRUNED_SCHEMA)}.${quoteIdentifier(name)}`;
      try {
        if (!this.prunedSchema) {
          await this.connection.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(PRUNED_SCHEMA)}`);
          this.prunedSchema = true;
        }
        await this.connection.run(files.length === 0 ? emptyView(table, relation) : fileListView(table, relation, files));
      } catch (error) {
        throw new TransformError('QueryFailed', `Could not register the pruned input "${name}": ${(error as Error).message}`, {
          cause: error,
          context: { model: m.name, input: name },
        });
      }
      pruned.set(name, files);
    }
    return pruned;
  }

  private async registerInput(name: string, forModel: string): Promise<void> {
    const { table, dir } = this.input(name, forModel);
    const state = (await hasParquetFile(dir)) ? 'files' : 'empty';
    if (this.views.get(name) === state) return;
    const sql = state === 'files' ? toDuckDbParquetView(table, { location: dir, viewName: name }) : emptyView(table, quoteIdentifier(name));
    try {
      await this.connection.run(sql);
      this.views.set(name, state);
    } catch (error) {
      throw new TransformError('QueryFailed', `Could not register input "${name}": ${(error as Error).message}`, {
        cause: error,
        context: { model: forModel, input: name },
      });
    }
  }
}

/** The schema of the per-run views over pruned inputs (`lakeblocks_pruned."orders"`: its implicit alias stays `orders`). */
const PRUNED_SCHEMA = 'lakeblocks_pruned';

function emptyView(table: AnyTable, relation: string): string {
  const columns = [
    ...table.fileColumns.map((c) => `CAST(NULL AS ${duckDbDialect.type(c.type)}) AS ${quoteIdentifier(c.name)}`),
    ...table.partitionKeys.map((k) => `CAST(NULL AS ${duckDbDialect.type(k.type)}) AS ${quoteIdentifier(k.name)}`),
  ];
  return `CREATE OR REPLACE VIEW ${relation} AS SELECT ${columns.join(', ')} WHERE 1 = 0`;
}

/** A view like core's `toDuckDbParquetView` (same columns, typed Hive keys), over a list of files. */
function fileListView(table: AnyTable, relation: string, files: readonly string[]): string {
  const columns = [...table.fileColumns.map((c) => c.name), ...table.partitionKeys.map((k) => k.name)];
  const types = table.partitionKeys.map((k) => `${quoteString(k.name)}: ${duckDbDialect.type(k.type)}`);
  const args = [`[${files.map(quoteString).join(', ')}]`, 'hive_partitioning = true', `hive_types = {${types.join(', ')}}`];
  return `CREATE OR REPLACE VIEW ${relation} AS\nSELECT ${columns.map(quoteIdentifier).join(', ')}\nFROM read_parquet(${args.join(', ')})`;
}

async function hasParquetFile(dir: string): Promise<boolean> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name.startsWith('_')) continue;
    if (e.isFile() && e.name.endsWith('.parquet')) return true;
    if (e.isDirectory() && (await hasParquetFile(join(dir, e.name)))) return true;
  }
  return false;
}
