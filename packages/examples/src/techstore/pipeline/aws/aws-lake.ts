/**
 * An S3 lake with its Glue catalog and Athena engine: the AWS side of the TechStore pipeline (see
 * `aws-options.ts`). The SDK clients are loaded only here, so a local run never imports them.
 * Credentials come from the SDK's default provider chain (environment, profile, instance role)
 * and are never printed.
 *
 * @module
 */
import { lakeLayout, listPartitions, type AnyTable, type PartitionValues, type Storage } from '@lakeblocks/core';
import type { S3Storage } from '@lakeblocks/core/s3';
import type { GlueCatalog } from '@lakeblocks/loaders/glue';
import { quoteIdentifier, quoteString, type AnyModel } from '@lakeblocks/transform';
import type { AthenaEngine } from '@lakeblocks/transform/athena';
import type { LakeQueries } from '../answers.js';
import type { CuratedEngine } from '../curated.js';
import { listedFileOf, type ListedFiles } from '../../../mysql/listed-files-storage.js';
import type { ResolvedAws } from './aws-options.js';

/**
 * An opened S3 lake.
 *
 * @example
 * ```ts
 * const lake = await openAwsLake(resolved, { tables: techstoreTables, models: techstoreModels });
 * await syncGlueCatalog(lake);
 * ```
 */
export interface AwsLake {
  aws: ResolvedAws;
  storage: S3Storage;
  /** `s3://bucket/prefix/`: storage keys are relative to it. */
  root: string;
  tables: readonly AnyTable[];
  /** Absent without `glueDatabase`. */
  catalog?: GlueCatalog;
  /** The curated models on Athena (absent without Athena options). */
  curated?: CuratedEngine;
  /** Queries on Athena; `bytesScanned` adds up what they scanned (absent without Athena options). */
  queries?: LakeQueries & { readonly bytesScanned: number };
  /**
   * The live Parquet files of a curated table, as the catalog points at them (Athena's `"$path"`):
   * what the `mysql-load` step reads (absent without Athena options).
   */
  curatedFiles?: ListedFiles;
  /** Destroys the SDK clients. */
  close(): void;
}

/**
 * Opens the S3 storage and, when configured, the Glue catalog and the Athena engine of a lake.
 * `athenaTimeouts` shortens Athena's polling (tests).
 *
 * @example
 * ```ts
 * const lake = await openAwsLake({ lake: 's3://my-lake/techstore', region: 'eu-west-1', glueDatabase: 'techstore', athenaWorkgroup: 'primary' }, { tables, models });
 * try { … } finally { lake.close(); }
 * ```
 */
export async function openAwsLake(
  aws: ResolvedAws,
  options: { tables: readonly AnyTable[]; models: readonly AnyModel[]; athenaPollMs?: number },
): Promise<AwsLake> {
  const { S3Storage, createS3Client } = await import('@lakeblocks/core/s3');
  const s3 = createS3Client({ region: aws.region, ...(aws.endpoint === undefined ? {} : { endpoint: aws.endpoint }) });
  const storage = new S3Storage(aws.lake, { client: s3 });
  const root = `${aws.lake.replace(/\/+$/, '')}/`;
  const closers: (() => void)[] = [() => s3.destroy()];
  const lake: AwsLake = { aws, storage, root, tables: options.tables, close: () => closers.forEach((c) => c()) };
  try {
    if (aws.glueDatabase !== undefined) {
      const { GlueClient } = await import('@aws-sdk/client-glue');
      const { GlueCatalog } = await import('@lakeblocks/loaders/glue');
      const glue = new GlueClient({ region: aws.region, maxAttempts: 1 });
      closers.push(() => glue.destroy());
      lake.catalog = new GlueCatalog({ client: glue, database: aws.glueDatabase, timeoutMs: 30_000 });
    }
    if (aws.glueDatabase !== undefined && (aws.athenaWorkgroup !== undefined || aws.athenaOutput !== undefined)) {
      const { AthenaClient } = await import('@aws-sdk/client-athena');
      const { AthenaEngine } = await import('@lakeblocks/transform/athena');
      const { AthenaQueryClient } = await import('@lakeblocks/loaders/athena');
      const athena = new AthenaClient({ region: aws.region, maxAttempts: 1 });
      closers.push(() => athena.destroy());
      const where = {
        ...(aws.athenaWorkgroup === undefined ? {} : { workGroup: aws.athenaWorkgroup }),
        ...(aws.athenaOutput === undefined ? {} : { outputLocation: aws.athenaOutput.endsWith('/') ? aws.athenaOutput : `${aws.athenaOutput}/` }),
      };
      const poll = options.athenaPollMs;
      const engine = new AthenaEngine({
        client: athena,
        database: aws.glueDatabase,
        curatedLocation: `${root}${lakeLayout.layerPrefix('curated')}`,
        models: options.models,
        ...where,
        ...(poll === undefined ? {} : { initialPollDelayMs: poll, maxPollDelayMs: poll }),
        deleteLocations: (prefixes) => deletePrefixes(storage, root, prefixes),
      });
      const client = new AthenaQueryClient({
        client: athena,
        database: aws.glueDatabase,
        ...where,
        ...(poll === undefined ? {} : { pollIntervalMs: poll, maxPollIntervalMs: poll }),
      });
      let scanned = 0;
      const queries = {
        get bytesScanned() {
          return scanned;
        },
        async queryAll(sql: string) {
          const result = await client.execute(sql);
          const rows = await result.toArray();
          scanned += result.statistics.dataScannedInBytes ?? 0;
          return rows as Record<string, unknown>[];
        },
      };
      lake.queries = queries;
      lake.curated = athenaCuratedEngine(engine, storage, root, queries, aws.glueDatabase);
      lake.curatedFiles = catalogFiles(queries, aws.glueDatabase, root);
    }
    return lake;
  } catch (error) {
    lake.close();
    throw error;
  }
}

/**
 * The Athena engine as the curated build's engine: runs write under fresh prefixes and repoint the
 * catalog; superseded prefixes are deleted after the catalog change (`deleteLocations`); the
 * planning relation over some processed files filters the Glue table by `"$path"`. With `database`,
 * each run's rows are read back (Athena's CTAS reports none): a `count(*)` over the files under the
 * run's fresh prefix, so a partition rebuild counts only the partitions it wrote.
 *
 * @example
 * ```ts
 * await buildCurated({ storage, engine: athenaCuratedEngine(engine, storage, 's3://lake/ts/', queries, 'techstore') });
 * ```
 */
export function athenaCuratedEngine(engine: AthenaEngine, storage: Storage, root: string, queries: LakeQueries, database?: string): CuratedEngine {
  return {
    async runModel(model, partitions) {
      const result = await engine.run(model, partitions ? { partitions } : {});
      let bytesWritten = 0;
      const key = keyOf(root, result.dataLocation);
      if (key !== undefined) for await (const f of storage.listAll(key)) bytesWritten += f.size;
      const rows = database === undefined ? undefined : await countRunRows(queries, database, model.name, result.dataLocation);
      return { rows, partitionsWritten: result.partitionsWritten.map(partitionPath), bytesWritten };
    },
    queryAll: (sql) => queries.queryAll(sql),
    filesRelation: (table, keys) => `(SELECT * FROM ${table} WHERE "$path" IN (${keys.map((k) => quoteString(`${root}${k}`)).join(', ')}))`,
  };
}

/**
 * The rows of `table` in files under `location` (a run's fresh prefix), by a `count(*)` on Athena;
 * `undefined` when the answer has no count (it always has one on Athena).
 *
 * @example
 * ```ts
 * await countRunRows(queries, 'techstore', 'kpi_monthly', 's3://lake/ts/curated/kpi_monthly/_runs/r1/'); // 70
 * ```
 */
export async function countRunRows(queries: LakeQueries, database: string, table: string, location: string): Promise<number | undefined> {
  // substr, not LIKE: "_" in "_runs/" would be a LIKE wildcard.
  const sql = `SELECT count(*) AS "n" FROM ${quoteIdentifier(database)}.${quoteIdentifier(table)} WHERE substr("$path", 1, ${location.length}) = ${quoteString(location)}`;
  const [row] = await queries.queryAll(sql);
  const n = row?.['n'];
  if (n === undefined || n === null) return undefined;
  const count = Number(n);
  return Number.isFinite(count) ? count : undefined;
}

/**
 * The live files of curated tables by the catalog: `SELECT DISTINCT "$path"` on Athena, so only the
 * files the Glue table and its partitions point at (not superseded runs, not a failed run's leftovers).
 *
 * @example
 * ```ts
 * const files = await catalogFiles(queries, 'techstore', 's3://lake/ts/')(kpiMonthly.output);
 * ```
 */
export function catalogFiles(queries: LakeQueries, database: string, root: string): ListedFiles {
  return async (table, signal) => {
    signal?.throwIfAborted();
    const rows = await queries.queryAll(`SELECT DISTINCT "$path" AS "path" FROM ${quoteIdentifier(database)}.${quoteIdentifier(table.name)} ORDER BY 1`);
    const keys = table.partitionKeys.map((k) => k.name);
    return rows.map((r) => listedFileOf(root, String(r['path']), keys));
  };
}

/**
 * Registers the processed tables in Glue (`ensureTable`: nothing sent when unchanged) and brings
 * each table's partitions in line with storage: partitions with files added, partitions without
 * files any more deleted. Returns what changed.
 *
 * @example
 * ```ts
 * const { tables, added, removed } = await syncGlueCatalog(lake);
 * ```
 */
export async function syncGlueCatalog(
  lake: Pick<AwsLake, 'storage' | 'root' | 'tables' | 'catalog'>,
  options: { signal?: AbortSignal; onTable?: (table: string, index: number, total: number) => void } = {},
): Promise<{ tables: { table: string; action: string; added: number; removed: number }[]; added: number; removed: number }> {
  const catalog = lake.catalog;
  if (!catalog) return { tables: [], added: 0, removed: 0 };
  await catalog.ensureDatabase({ description: 'TechStore lake (lakeblocks): processed and curated tables' });
  const report: { table: string; action: string; added: number; removed: number }[] = [];
  for (const [i, table] of lake.tables.entries()) {
    options.signal?.throwIfAborted();
    const prefix = lakeLayout.tablePrefix('processed', table.name);
    const location = `${lake.root}${prefix}`;
    const { action } = await catalog.ensureTable(table, { location });
    let added = 0;
    let removed = 0;
    const keys = table.partitionKeys.map((k) => k.name);
    if (keys.length > 0) {
      const inStorage = new Map((await listPartitions(lake.storage, prefix, keys)).map((p) => [p.prefix.slice(prefix.length).replace(/\/$/, ''), p.values]));
      const inCatalog = new Map<string, string[]>();
      for await (const p of catalog.partitions(table)) inCatalog.set(p.name, p.values);
      const toAdd = [...inStorage].filter(([name]) => !inCatalog.has(name)).map(([, values]) => values as PartitionValues);
      const toRemove = [...inCatalog].filter(([name]) => !inStorage.has(name)).map(([, values]) => values);
      if (toAdd.length > 0) added = (await catalog.addPartitions(table, toAdd, { location })).done;
      if (toRemove.length > 0) removed = (await catalog.deletePartitions(table, toRemove)).done;
    }
    report.push({ table: table.name, action, added, removed });
    options.onTable?.(table.name, i, lake.tables.length);
  }
  return { tables: report, added: report.reduce((n, t) => n + t.added, 0), removed: report.reduce((n, t) => n + t.removed, 0) };
}

/** Deletes every object under the given `s3://` prefixes inside the lake (others are left alone). */
async function deletePrefixes(storage: Storage, root: string, prefixes: readonly string[]): Promise<void> {
  for (const uri of prefixes) {
    const key = keyOf(root, uri);
    if (key === undefined || !key.startsWith(lakeLayout.layerPrefix('curated'))) continue;
    for await (const o of storage.listAll(key)) await storage.delete(o.key);
  }
}

/** The storage key of an `s3://` URI under `root`, or `undefined` outside it. */
function keyOf(root: string, uri: string): string | undefined {
  return uri.startsWith(root) && uri.length > root.length ? uri.slice(root.length) : undefined;
}

function partitionPath(values: PartitionValues): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('/');
}
