/**
 * Test helper: Athena behind an `aws-sdk-client-mock` of `AthenaClient` that really runs the SQL,
 * on DuckDB, against the lake's files in a real S3-compatible store (s3rver).
 *
 * - Tables: the Glue tables (processed, from the Glue fake) and the tables Athena's own DDL creates
 *   (`CREATE TABLE … WITH (external_location …) AS`, `CREATE EXTERNAL TABLE`, `ALTER TABLE … ADD /
 *   SET LOCATION / DROP PARTITION`, `DROP TABLE`), kept in an in-memory catalog as Athena keeps
 *   them: a location per table and per partition.
 * - Reads: before each statement, the objects under the locations of the tables it names are
 *   mirrored to a local directory (listed again every time; downloaded only when new or with a
 *   changed ETag, several at a time), and each of those tables becomes a DuckDB view over the files
 *   its catalog entry points at (re-created only when that file list changed), with the `"$path"`
 *   pseudo-column (the file's `s3://` URI) and `"<table>$partitions"` views. One DuckDB instance
 *   serves every statement.
 * - CTAS and `INSERT INTO`: the SELECT runs on DuckDB (`COPY … PARTITION_BY`), and the files are
 *   uploaded under the statement's location as Athena names them: `<query-id>_<n>`, no extension.
 * - Results: typed as Athena types them (`ColumnInfo`), values as `VarCharValue`s, paged by 1,000.
 *
 * @module
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  type ColumnInfo,
  type StartQueryExecutionCommandInput,
} from '@aws-sdk/client-athena';
import type { TableInput } from '@aws-sdk/client-glue';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { toDuckDbType, type AnyTable, type Storage } from '@lakeblocks/core';
import { mockClient } from 'aws-sdk-client-mock';

/**
 * A table in the fake's catalog: its location, partition keys and partitions (each with its own location).
 *
 * @example
 * ```ts
 * athena.catalog.get('fact_orders_enriched')?.partitions.get('2025/11')?.location; // 's3://lake/ts/curated/fact_orders_enriched/_runs/…/year=2025/month=11/'
 * ```
 */
export interface FakeAthenaTable {
  location: string;
  keys: string[];
  /** Partition values joined by `/` → the partition's values and location. */
  partitions: Map<string, { values: Record<string, string>; location: string }>;
}

interface Execution {
  sql: string;
  state: 'SUCCEEDED' | 'FAILED';
  reason?: string;
  statementType: 'DML' | 'DDL';
  substatementType: string;
  columns: ColumnInfo[];
  rows: (string | null)[][];
}

/**
 * Options of {@link duckDbAthena}.
 *
 * @example
 * ```ts
 * const options: DuckDbAthenaOptions = { storage, root: 's3://lake/ts/', database: 'techstore', workDir, tables, glueTables: glue.tables };
 * ```
 */
export interface DuckDbAthenaOptions {
  /** The lake (an `S3Storage` on s3rver). */
  storage: Storage;
  /** `s3://bucket/prefix/` of the lake: storage keys are relative to it. */
  root: string;
  /** The Glue database the queries run in. */
  database: string;
  /** A local scratch directory (the mirror and the CTAS output). */
  workDir: string;
  /** Definitions of every table the queries may name (processed tables and model outputs). */
  tables: readonly AnyTable[];
  /** The Glue tables (the Glue fake's), read as Athena reads Glue tables. */
  glueTables: ReadonlyMap<string, TableInput>;
}

/**
 * Starts the fake (see the module description). `restore()` removes the mock and closes DuckDB.
 *
 * @example
 * ```ts
 * const athena = await duckDbAthena({ storage, root: 's3://lake/ts/', database: 'techstore', workDir, tables, glueTables: glue.tables });
 * // … run the pipeline with an AthenaClient …
 * athena.restore();
 * ```
 */
export async function duckDbAthena(options: DuckDbAthenaOptions) {
  const { storage, root, database } = options;
  const mirror = join(options.workDir, 'mirror');
  await mkdir(mirror, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const db: DuckDBConnection = await instance.connect();
  await db.run(`CREATE SCHEMA IF NOT EXISTS ${dq(database)}`);
  await db.run(`SET schema = ${sq(database)}`);
  const defs = new Map(options.tables.map((t) => [t.name, t]));
  const catalog = new Map<string, FakeAthenaTable>();
  const mirrored = new Map<string, string>(); // key → etag
  const views = new Map<string, string>(); // view → the SQL it was created with
  const started: StartQueryExecutionCommandInput[] = [];
  const executions: Execution[] = [];
  const athena = mockClient(AthenaClient);
  let queue: Promise<unknown> = Promise.resolve();

  const defOf = (name: string): AnyTable | undefined => defs.get(name.replace(/__stage_[a-z0-9_]+$/, ''));

  /** Mirrors the objects under `prefixes` (storage keys): new or changed ones downloaded, vanished ones removed. */
  async function sync(prefixes: readonly string[] = ['processed/', 'curated/']): Promise<void> {
    const listed = new Map<string, string>();
    for (const prefix of prefixes) for await (const o of storage.listAll(prefix)) listed.set(o.key, o.etag);
    const changed = [...listed].filter(([key, etag]) => mirrored.get(key) !== etag);
    await inParallel(changed, DOWNLOADS, async ([key, etag]) => {
      const path = join(mirror, key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, await storage.get(key));
      mirrored.set(key, etag);
    });
    for (const key of [...mirrored.keys()]) {
      if (listed.has(key) || !prefixes.some((p) => key.startsWith(p))) continue;
      await rm(join(mirror, key), { force: true });
      mirrored.delete(key);
    }
  }

  /** The storage prefixes a table's files can be under: its catalog entry's (or Glue table's) location and its partitions'. */
  function prefixesOf(name: string): string[] {
    const entry = catalog.get(name);
    const locations = entry ? [entry.location, ...[...entry.partitions.values()].map((p) => p.location)] : [options.glueTables.get(name)?.StorageDescriptor?.Location ?? ''];
    return locations.filter((l) => l.startsWith(root)).map((l) => l.slice(root.length));
  }

  /** The fewest prefixes covering `prefixes` (one under another is dropped). */
  function outermost(prefixes: readonly string[]): string[] {
    const kept: string[] = [];
    for (const p of [...new Set(prefixes)].sort()) if (!kept.some((k) => p.startsWith(k))) kept.push(p);
    return kept;
  }

  /** The known tables a statement names (every identifier that is one: a superset of those it reads). */
  function tablesIn(sql: string): string[] {
    const known = new Set([...options.glueTables.keys(), ...catalog.keys()]);
    return [...new Set([...sql.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)].map((m) => m[0]))].filter((t) => known.has(t));
  }

  /** Mirrored files under an `s3://` location (the lake's keys under it). */
  const filesUnder = (location: string): string[] => {
    if (!location.startsWith(root)) return [];
    const prefix = location.slice(root.length);
    return [...mirrored.keys()].filter((k) => k.startsWith(prefix) && !/(^|\/)[._][^/]*$/.test(k)).sort().map((k) => join(mirror, k));
  };

  const pathColumn = `${sq(root)} || replace(substr("filename", ${mirror.length + 2}), ${sq(sep)}, '/') AS "$path"`;

  function emptyRelation(def: AnyTable): string {
    const cols = [...def.fileColumns, ...def.partitionKeys].map((c) => `CAST(NULL AS ${toDuckDbType(c.type)}) AS ${dq(c.name)}`);
    return `SELECT ${cols.join(', ')}, CAST(NULL AS VARCHAR) AS "$path" WHERE false`;
  }

  function relationOf(name: string): string | undefined {
    const def = defOf(name);
    const glue = options.glueTables.get(name);
    const entry = catalog.get(name);
    if (!def || (!glue && !entry)) return undefined;
    const fileCols = def.fileColumns.map((c) => dq(c.name)).join(', ');
    if (entry && entry.keys.length > 0) {
      const parts = [...entry.partitions.values()].flatMap((p) => {
        const files = filesUnder(p.location);
        if (files.length === 0) return [];
        const keys = def.partitionKeys.map((k) => `CAST(${sq(p.values[k.name] ?? '')} AS ${toDuckDbType(k.type)}) AS ${dq(k.name)}`);
        return [`SELECT ${fileCols}, ${keys.join(', ')}, ${pathColumn} FROM read_parquet([${files.map(sq).join(', ')}], filename = true)`];
      });
      return parts.length === 0 ? emptyRelation(def) : parts.join('\nUNION ALL\n');
    }
    const files = filesUnder(entry ? entry.location : (glue?.StorageDescriptor?.Location ?? ''));
    if (files.length === 0) return emptyRelation(def);
    const keys = def.partitionKeys;
    const hive = keys.length > 0 ? `hive_partitioning = true, hive_types = {${keys.map((k) => `${sq(k.name)}: ${toDuckDbType(k.type)}`).join(', ')}}` : 'hive_partitioning = false';
    const all = [...def.fileColumns, ...keys].map((c) => dq(c.name)).join(', ');
    return `SELECT ${all}, ${pathColumn} FROM read_parquet([${files.map(sq).join(', ')}], ${hive}, filename = true)`;
  }

  /** (Re)creates a view unless it already stands with this SQL. */
  async function view(name: string, relation: string): Promise<void> {
    if (views.get(name) === relation) return;
    await db.run(`CREATE OR REPLACE VIEW ${dq(database)}.${dq(name)} AS ${relation}`);
    views.set(name, relation);
  }

  /** Mirrors the files of the tables `sql` names and brings their views up to date. */
  async function refreshViews(sql: string): Promise<void> {
    const names = tablesIn(sql);
    await sync(outermost(names.flatMap(prefixesOf)));
    for (const name of names) {
      const relation = relationOf(name);
      if (relation !== undefined) await view(name, relation);
      const entry = catalog.get(name);
      const def = defOf(name);
      if (entry && def && entry.keys.length > 0) {
        const cols = def.partitionKeys.map((k) => `CAST(NULL AS ${toDuckDbType(k.type)}) AS ${dq(k.name)}`);
        const rows = [...entry.partitions.values()].map((p) => `SELECT ${def.partitionKeys.map((k) => `CAST(${sq(p.values[k.name] ?? '')} AS ${toDuckDbType(k.type)}) AS ${dq(k.name)}`).join(', ')}`);
        await view(`${name}$partitions`, rows.length > 0 ? rows.join(' UNION ALL ') : `SELECT ${cols.join(', ')} WHERE false`);
      }
    }
  }

  /** Runs `select` into Parquet files under `location`, named as Athena names them. */
  async function write(queryId: string, select: string, location: string, keys: readonly string[]): Promise<string[]> {
    await refreshViews(select);
    const out = join(options.workDir, 'ctas', queryId);
    await mkdir(out, { recursive: true });
    if (keys.length > 0) await db.run(`COPY (${select}) TO ${sq(out)} (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (${keys.map(dq).join(', ')}))`);
    else await db.run(`COPY (${select}) TO ${sq(join(out, 'data.parquet'))} (FORMAT parquet, COMPRESSION snappy)`);
    const written: string[] = [];
    const walk = async (dir: string): Promise<string[]> => (await readdir(dir, { withFileTypes: true })).flatMap((d) => (d.isDirectory() ? [] : [join(dir, d.name)])).concat(
      ...(await Promise.all((await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => walk(join(dir, d.name))))),
    );
    const prefix = location.slice(root.length);
    const files = (await walk(out)).sort().map((file, i) => {
      const dirs = relative(out, dirname(file)).split(sep).filter((s) => s !== '');
      written.push(dirs.join('/'));
      return { file, key: `${prefix}${dirs.map((d) => `${d}/`).join('')}${queryId}_${String(i).padStart(5, '0')}` };
    });
    await inParallel(files, DOWNLOADS, async ({ file, key }) => storage.put(key, await readFile(file)));
    await rm(out, { recursive: true, force: true });
    return written;
  }

  const parseSpec = (spec: string): Record<string, string> =>
    Object.fromEntries([...spec.matchAll(/`(\w+)` = (?:'((?:[^'\\]|\\.)*)'|(-?\d+))/g)].map((m) => [m[1] as string, (m[2] ?? m[3]) as string]));
  const specKey = (entry: FakeAthenaTable, values: Record<string, string>) => entry.keys.map((k) => String(Number(values[k]) || values[k])).join('/');
  const tableOf = (name: string): FakeAthenaTable => {
    const entry = catalog.get(name);
    if (!entry) throw new Error(`Table ${database}.${name} does not exist`);
    return entry;
  };

  async function execute(id: string, sql: string): Promise<Omit<Execution, 'sql' | 'state'>> {
    const ddl = (substatementType: string) => ({ statementType: 'DDL' as const, substatementType, columns: [], rows: [] });
    let m: RegExpExecArray | null;
    if ((m = /^CREATE TABLE "(\w+)"\."(\w+)"\nWITH \((.*)\)\nAS\n([\s\S]*)$/.exec(sql))) {
      const [, , name, props, select] = m as unknown as [string, string, string, string, string];
      const location = /external_location = '([^']+)'/.exec(props)?.[1] ?? '';
      const keys = [...(/partitioned_by = ARRAY\[([^\]]*)\]/.exec(props)?.[1] ?? '').matchAll(/'(\w+)'/g)].map((k) => k[1] as string);
      if (catalog.has(name)) throw new Error(`Table ${name} already exists`);
      const dirs = await write(id, select, location, keys);
      const entry: FakeAthenaTable = { location, keys, partitions: new Map() };
      for (const d of new Set(dirs)) addDir(entry, d);
      catalog.set(name, entry);
      return ddl('CREATE_TABLE_AS_SELECT');
    }
    if ((m = /^INSERT INTO "(\w+)"\."(\w+)"\n([\s\S]*)$/.exec(sql))) {
      const entry = tableOf(m[2] as string);
      for (const d of new Set(await write(id, m[3] as string, entry.location, entry.keys))) addDir(entry, d);
      return { statementType: 'DML', substatementType: 'INSERT', columns: [], rows: [] };
    }
    if ((m = /^DROP TABLE IF EXISTS `(\w+)`\.`(\w+)`$/.exec(sql))) {
      catalog.delete(m[2] as string);
      await db.run(`DROP VIEW IF EXISTS ${dq(database)}.${dq(m[2] as string)}`);
      views.delete(m[2] as string);
      return ddl('DROP_TABLE');
    }
    if ((m = /^CREATE EXTERNAL TABLE (?:IF NOT EXISTS )?`(\w+)`\.`(\w+)` \(/.exec(sql))) {
      const name = m[2] as string;
      const location = /\nLOCATION '([^']+)'/.exec(sql)?.[1] ?? '';
      const keys = /\nPARTITIONED BY \(/.test(sql) ? (defOf(name)?.partitionKeys.map((k) => k.name) ?? []) : [];
      if (!catalog.has(name)) catalog.set(name, { location, keys, partitions: new Map() });
      return ddl('CREATE_TABLE');
    }
    if ((m = /^ALTER TABLE `(\w+)`\.`(\w+)` ADD IF NOT EXISTS\n([\s\S]*)$/.exec(sql))) {
      const entry = tableOf(m[2] as string);
      for (const p of (m[3] as string).matchAll(/PARTITION \(([^)]*)\) LOCATION '([^']+)'/g)) {
        const values = parseSpec(p[1] as string);
        const key = specKey(entry, values);
        if (!entry.partitions.has(key)) entry.partitions.set(key, { values, location: p[2] as string });
      }
      return ddl('ALTER_TABLE_ADD_PARTITION');
    }
    if ((m = /^ALTER TABLE `(\w+)`\.`(\w+)` PARTITION \(([^)]*)\) SET LOCATION '([^']+)'$/.exec(sql))) {
      const entry = tableOf(m[2] as string);
      const values = parseSpec(m[3] as string);
      entry.partitions.set(specKey(entry, values), { values, location: m[4] as string });
      return ddl('ALTER_TABLE');
    }
    if ((m = /^ALTER TABLE `(\w+)`\.`(\w+)` SET LOCATION '([^']+)'$/.exec(sql))) {
      tableOf(m[2] as string).location = m[3] as string;
      return ddl('ALTER_TABLE');
    }
    if ((m = /^ALTER TABLE `(\w+)`\.`(\w+)` DROP IF EXISTS ([\s\S]*)$/.exec(sql))) {
      const entry = tableOf(m[2] as string);
      for (const p of (m[3] as string).matchAll(/PARTITION \(([^)]*)\)/g)) entry.partitions.delete(specKey(entry, parseSpec(p[1] as string)));
      return ddl('ALTER_TABLE_DROP_PARTITION');
    }
    if ((m = /FROM "information_schema"\."columns" WHERE "table_schema" = '(\w+)' AND "table_name" = '(\w+)'/.exec(sql))) {
      const def = catalog.has(m[2] as string) ? defOf(m[2] as string) : undefined;
      const names = def ? [...def.fileColumns, ...def.partitionKeys].map((c) => c.name) : [];
      return { statementType: 'DML', substatementType: 'SELECT', columns: [{ Name: 'column_name', Type: 'varchar' }], rows: names.map((n) => [n]) };
    }
    if (!/^\s*(SELECT|WITH)\b/i.test(sql)) throw new Error(`The DuckDB Athena fake does not know this statement: ${sql.slice(0, 80)}`);
    await refreshViews(sql);
    const described = (await db.runAndReadAll(`DESCRIBE ${sql}`)).getRowObjectsJson() as { column_name: string; column_type: string }[];
    const columns = described.map((c) => athenaColumn(c.column_name, c.column_type));
    const text = described.map((c, i) => `CAST(${dq(c.column_name)} AS VARCHAR) AS "c${i}"`).join(', ');
    const rows = (await db.runAndReadAll(`SELECT ${text} FROM (${sql}) AS "q"`)).getRows().map((r) => r.map((v) => (v === null ? null : String(v))));
    return { statementType: 'DML', substatementType: 'SELECT', columns, rows };
  }

  function addDir(entry: FakeAthenaTable, dir: string): void {
    if (entry.keys.length === 0 || dir === '') return;
    const values = Object.fromEntries(dir.split('/').map((s) => s.split('=') as [string, string]));
    entry.partitions.set(specKey(entry, values), { values, location: `${entry.location}${dir}/` });
  }

  athena.on(StartQueryExecutionCommand).callsFake(async (input: StartQueryExecutionCommandInput) => {
    started.push(input);
    const id = `q${started.length}`;
    const sql = input.QueryString ?? '';
    // One statement at a time, as they would finish on Athena before the next is sent.
    const run = queue.then(async () => {
      try {
        executions.push({ sql, state: 'SUCCEEDED', ...(await execute(id, sql)) });
      } catch (error) {
        executions.push({ sql, state: 'FAILED', reason: (error as Error).message, statementType: 'DML', substatementType: 'SELECT', columns: [], rows: [] });
      }
    });
    queue = run;
    await run;
    return { QueryExecutionId: id };
  });
  const executionOf = (id: string): Execution => {
    const e = executions[Number(id.slice(1)) - 1];
    if (!e) throw new Error(`No query ${id}`);
    return e;
  };
  athena.on(GetQueryExecutionCommand).callsFake((input: { QueryExecutionId: string }) => {
    const e = executionOf(input.QueryExecutionId);
    return {
      QueryExecution: {
        QueryExecutionId: input.QueryExecutionId,
        Query: e.sql,
        StatementType: e.statementType,
        SubstatementType: e.substatementType,
        Status: { State: e.state, ...(e.reason ? { StateChangeReason: e.reason } : {}) },
        Statistics: { DataScannedInBytes: 1_000, EngineExecutionTimeInMillis: 3 },
      },
    };
  });
  const PAGE = 1000;
  athena.on(GetQueryResultsCommand).callsFake((input: { QueryExecutionId: string; NextToken?: string }) => {
    const e = executionOf(input.QueryExecutionId);
    const cells = (values: readonly (string | null)[]) => ({ Data: values.map((v) => (v === null ? {} : { VarCharValue: v })) });
    const all = e.statementType === 'DML' && e.substatementType === 'SELECT' ? [e.columns.map((c) => c.Name ?? ''), ...e.rows] : [];
    const from = input.NextToken === undefined ? 0 : Number(input.NextToken);
    const page = all.slice(from, from + PAGE);
    return {
      ResultSet: { ResultSetMetadata: { ColumnInfo: e.columns }, Rows: page.map(cells) },
      ...(from + PAGE < all.length ? { NextToken: String(from + PAGE) } : {}),
    };
  });

  return {
    athena,
    started,
    catalog,
    /** The live files of a catalog table (its partitions' or its location's), as `s3://` URIs. */
    liveFiles(name: string): string[] {
      const entry = catalog.get(name);
      if (!entry) return [];
      const locations = entry.keys.length > 0 ? [...entry.partitions.values()].map((p) => p.location) : [entry.location];
      return locations.flatMap((l) => filesUnder(l)).map((f) => `${root}${relative(mirror, f).split(sep).join('/')}`);
    },
    /** Mirrors the lake's `processed/` and `curated/` now (otherwise each statement mirrors the tables it names). */
    sync: () => sync(),
    mirror,
    restore(): void {
      athena.restore();
      db.closeSync();
      instance.closeSync();
    },
  };
}

/** How many objects move between s3rver and the mirror at once. */
const DOWNLOADS = 8;

/** Runs `task` over `items`, at most `limit` at a time; rejects with the first failure once the others have settled. */
async function inParallel<T>(items: readonly T[], limit: number, task: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await task(items[next++] as T);
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

function athenaColumn(name: string, duckType: string): ColumnInfo {
  const t = duckType.toUpperCase();
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  if (decimal) return { Name: name, Type: 'decimal', Precision: Number(decimal[1]), Scale: Number(decimal[2]) };
  const map: Record<string, string> = {
    TINYINT: 'tinyint',
    SMALLINT: 'smallint',
    INTEGER: 'integer',
    BIGINT: 'bigint',
    HUGEINT: 'bigint',
    DOUBLE: 'double',
    FLOAT: 'float',
    BOOLEAN: 'boolean',
    DATE: 'date',
    TIMESTAMP: 'timestamp',
    VARCHAR: 'varchar',
  };
  return { Name: name, Type: map[t] ?? 'varchar' };
}

function dq(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function sq(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
