/**
 * What a reader of a local lake sees, checked independently of lakeblocks with DuckDB: stray files
 * (temp files, anything that is not Parquet) in `processed/` and `curated/`, Parquet files that do
 * not read, and the content of each table compared with a reference lake (`EXCEPT ALL` both ways,
 * so duplicates count), optionally only over the partitions present. Test-only.
 *
 * @module
 */
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/** Every file under `dir`, relative to it, `/`-separated (none when `dir` is absent). */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (at: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(at, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const e of entries) {
      const path = join(at, e.name);
      if (e.isDirectory()) await walk(path);
      else out.push(relative(dir, path).split('\\').join('/'));
    }
  };
  await walk(dir);
  return out.sort();
}

/** Table directories of a layer (`processed`, `curated`). */
export async function tablesOf(lakeDir: string, layer: string): Promise<string[]> {
  try {
    const entries = await readdir(join(lakeDir, layer), { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/**
 * Files in `processed/` and `curated/` a reader globbing `**∕*.parquet` would pick up but should
 * not (names not ending `.parquet` are listed under `other`, temp files under `temp`).
 */
export async function strayFiles(lakeDir: string): Promise<{ temp: string[]; other: string[] }> {
  const temp: string[] = [];
  const other: string[] = [];
  for (const layer of ['processed', 'curated']) {
    for (const f of await listFiles(join(lakeDir, layer))) {
      const name = f.split('/').pop() ?? f;
      if (/\.tmp$/.test(name) || name.startsWith('.')) temp.push(`${layer}/${f}`);
      else if (!name.endsWith('.parquet')) other.push(`${layer}/${f}`);
    }
  }
  return { temp, other };
}

const sq = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** A DuckDB connection for the comparisons; close with `closeSync()` on the instance. */
export async function openDuck(): Promise<{ conn: DuckDBConnection; close: () => void }> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const conn = await instance.connect();
  return {
    conn,
    close: () => {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

/** Parquet files of the two layers that DuckDB cannot read (each file is tried when the glob fails). */
export async function unreadableParquet(conn: DuckDBConnection, lakeDir: string, layers: readonly string[] = ['processed', 'curated']): Promise<string[]> {
  const bad: string[] = [];
  for (const layer of layers) {
    const files = (await listFiles(join(lakeDir, layer))).filter((f) => f.endsWith('.parquet'));
    if (files.length === 0) continue;
    try {
      await conn.run(`SELECT count(*) FROM read_parquet(${sq(join(lakeDir, layer, '**', '*.parquet'))})`);
      continue;
    } catch {
      // find the culprits below
    }
    for (const f of files) {
      try {
        await conn.run(`SELECT count(*) FROM read_parquet(${sq(join(lakeDir, layer, f))})`);
      } catch (error) {
        bad.push(`${layer}/${f}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
  }
  return bad;
}

/** Differences of one table between two lakes. */
export interface TableDiff {
  table: string;
  /** Rows in `actual` missing from `expected` (duplicates counted). */
  extra: number;
  /** Rows of `expected` missing from `actual`. */
  missing: number;
  rows: number;
}

/**
 * A lake's tables of one layer read once into DuckDB temp tables (`<name>__<table>`), each row with
 * its partition directory `_dir`; a table without files is absent from `tables`.
 */
export interface LayerSnapshot {
  name: string;
  layer: string;
  tables: string[];
}

let snapshots = 0;

/** Reads every table of `layer` in `lakeDir` into DuckDB once (drop it with {@link dropSnapshot}). */
export async function snapshotLayer(conn: DuckDBConnection, lakeDir: string, layer: string): Promise<LayerSnapshot> {
  const name = `s${++snapshots}_${layer}`;
  const tables: string[] = [];
  for (const table of await tablesOf(lakeDir, layer)) {
    const root = join(lakeDir, layer, table);
    if (!(await listFiles(root)).some((f) => f.endsWith('.parquet'))) continue;
    await conn.run(
      `CREATE TEMP TABLE "${name}__${table}" AS SELECT * EXCLUDE (filename), regexp_replace(substr(filename, ${root.length + 2}), '/?[^/]*$', '') AS _dir
       FROM read_parquet(${sq(join(root, '**', '*.parquet'))}, hive_partitioning = true, filename = true, union_by_name = true)`,
    );
    tables.push(table);
  }
  return { name, layer, tables };
}

/** Drops a snapshot's temp tables. */
export async function dropSnapshot(conn: DuckDBConnection, snapshot: LayerSnapshot): Promise<void> {
  for (const table of snapshot.tables) await conn.run(`DROP TABLE IF EXISTS "${snapshot.name}__${table}"`);
}

/**
 * Compares every table of a layer by content (`EXCEPT ALL` both ways, with each row's partition
 * directory). With `onlyPresentPartitions`, `expected` is restricted to the partition directories
 * `actual` has: a partially built lake must hold complete, correct partitions, never a partial one.
 */
export async function compareSnapshots(
  conn: DuckDBConnection,
  expected: LayerSnapshot,
  actual: LayerSnapshot,
  options: { onlyPresentPartitions?: boolean } = {},
): Promise<TableDiff[]> {
  const count = async (sql: string) => Number((await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM (${sql})`)).getRowObjectsJson()[0]?.n ?? 0);
  const diffs: TableDiff[] = [];
  for (const table of expected.tables) {
    const e = `"${expected.name}__${table}"`;
    const a = `"${actual.name}__${table}"`;
    if (!actual.tables.includes(table)) {
      if (!options.onlyPresentPartitions) diffs.push({ table, extra: 0, missing: await count(`SELECT * FROM ${e}`), rows: 0 });
      continue;
    }
    const exp = options.onlyPresentPartitions ? `(SELECT * FROM ${e} WHERE _dir IN (SELECT DISTINCT _dir FROM ${a}))` : e;
    diffs.push({
      table,
      extra: await count(`SELECT * FROM ${a} EXCEPT ALL SELECT * FROM ${exp}`),
      missing: await count(`SELECT * FROM ${exp} EXCEPT ALL SELECT * FROM ${a}`),
      rows: await count(`SELECT * FROM ${a}`),
    });
  }
  for (const table of actual.tables) if (!expected.tables.includes(table)) diffs.push({ table, extra: await count(`SELECT * FROM "${actual.name}__${table}"`), missing: 0, rows: 0 });
  return diffs;
}

/** Only the tables that differ. */
export function differing(diffs: readonly TableDiff[]): TableDiff[] {
  return diffs.filter((d) => d.extra !== 0 || d.missing !== 0);
}

/** Whether a path exists. */
export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
