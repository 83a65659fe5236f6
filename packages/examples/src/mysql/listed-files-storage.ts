/**
 * A read-only view of a lake that shows a curated table's *live* files — as the catalog lists them
 * — in the lake's own layout, so loaders' `readLakeTable` (and `loadLakeTable`) reads them as if
 * they were under `curated/<table>/<k=v>/…/*.parquet`.
 *
 * Why: a curated table built on Athena does not live there. `AthenaEngine` (packages/transform)
 * writes every run under a fresh prefix `curated/<table>/_runs/<run-id>/` (partitions below it as
 * `year=…/month=…/`), repoints the Glue table or its partitions at it, and deletes the superseded
 * prefixes afterwards; Athena names CTAS files without a `.parquet` extension. A partition rebuild
 * leaves the table's partitions spread over several runs' prefixes. So the files to read are the
 * ones the catalog points at (Athena's `"$path"`), not a listing of `curated/<table>/`.
 *
 * @module
 */
import type { Readable } from 'node:stream';
import { CoreError, lakeLayout, type ListOptions, type ListPage, type ObjectInfo, type Storage } from '@lakeblocks/core';

/**
 * One live file of a curated table: its storage key in the lake, and its Hive partition path
 * (`year=2025/month=11`; `''` for an unpartitioned table).
 *
 * @example
 * ```ts
 * const f: ListedFile = { key: 'curated/kpi_monthly/_runs/m1a2_ff00aa/20251122_0001_abc', partition: '' };
 * ```
 */
export interface ListedFile {
  key: string;
  partition: string;
}

/**
 * The live files of one table, as the catalog lists them.
 *
 * @example
 * ```ts
 * const files: ListedFiles = async (table) => (await athena.queryAll(`SELECT DISTINCT "$path" AS p FROM ${table}`)).map(…);
 * ```
 */
export type ListedFiles = (table: { name: string; partitionKeys: readonly { name: string }[] }, signal?: AbortSignal) => Promise<readonly ListedFile[]>;

/**
 * The live file of an `s3://` URI under the lake's `root` (`s3://bucket/prefix/`), with its Hive
 * partition path taken from the directories just above the file (one `key=value` per partition
 * key, in order). Throws a `CoreError` (`InvalidArgument`) for a URI outside the lake or without
 * the table's partition directories.
 *
 * @example
 * ```ts
 * listedFileOf('s3://lake/ts/', 's3://lake/ts/curated/f/_runs/r1/year=2025/month=11/x', ['year', 'month']);
 * // { key: 'curated/f/_runs/r1/year=2025/month=11/x', partition: 'year=2025/month=11' }
 * ```
 */
export function listedFileOf(root: string, uri: string, partitionKeys: readonly string[]): ListedFile {
  if (!uri.startsWith(root) || uri.length === root.length) {
    throw new CoreError('InvalidArgument', `The catalog lists a file outside the lake ${root}`, { context: { file: uri } });
  }
  const key = uri.slice(root.length);
  const segments = key.split('/');
  const dirs = segments.slice(0, -1);
  const partition = dirs.slice(dirs.length - partitionKeys.length);
  if (partition.length !== partitionKeys.length || partition.some((s, i) => !s.startsWith(`${partitionKeys[i]}=`))) {
    throw new CoreError('InvalidArgument', `The catalog lists a file not under partition directories ${partitionKeys.map((k) => `${k}=…`).join('/')}`, { context: { file: uri } });
  }
  return { key, partition: partition.join('/') };
}

/**
 * A read-only `Storage` over `storage` in which `curated/<table>/` holds exactly `files` (renamed
 * `<partition>/<nnnnn>-<name>.parquet`, in the given order) and nothing else; every other key reads
 * through to `storage`. Writes and deletes throw.
 *
 * @example
 * ```ts
 * const view = listedFilesStorage(lake.storage, 'kpi_monthly', await files(kpiMonthly.output));
 * for await (const batch of readLakeTable(view, kpiMonthly.output, { layer: 'curated' })) console.log(batch.numRows);
 * ```
 */
export function listedFilesStorage(storage: Storage, table: string, files: readonly ListedFile[]): Storage {
  const prefix = lakeLayout.tablePrefix('curated', table);
  const byKey = new Map<string, string>();
  const objects: ObjectInfo[] = files.map((f, i) => {
    const name = (f.key.split('/').pop() ?? '').replace(/\.parquet$/, '').replace(/^[._]+/, '');
    const key = `${prefix}${f.partition === '' ? '' : `${f.partition}/`}${String(i).padStart(5, '0')}-${name}.parquet`;
    byKey.set(key, f.key);
    return { key, size: 0, etag: '', lastModified: new Date(0) };
  });
  objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const real = (key: string) => byKey.get(key) ?? (key.startsWith(prefix) ? undefined : key);
  const missing = (key: string) => new CoreError('NotFound', 'Not a live file of the listed table', { context: { table, key } });
  const readOnly = (): never => {
    throw new CoreError('InvalidArgument', 'This view of the lake is read-only', { context: { table } });
  };
  const listPage = async (p: string, options: ListOptions = {}): Promise<ListPage> => {
    if (!p.startsWith(prefix) && !prefix.startsWith(p)) return storage.list(p, options);
    const under = objects.filter((o) => o.key.startsWith(p) && (options.continuationToken === undefined || o.key > options.continuationToken));
    const size = options.pageSize ?? 1000;
    const page = under.slice(0, size);
    const last = page.at(-1);
    return { objects: page, ...(under.length > size && last ? { nextToken: last.key } : {}) };
  };
  return {
    root: storage.root,
    uri: (key) => storage.uri(real(key) ?? key),
    async get(key, options) {
      const k = real(key);
      if (k === undefined) throw missing(key);
      return storage.get(k, options);
    },
    async getStream(key, options): Promise<Readable> {
      const k = real(key);
      if (k === undefined) throw missing(key);
      return storage.getStream(k, options);
    },
    put: readOnly,
    putStream: readOnly,
    delete: readOnly,
    list: listPage,
    async *listAll(p, options = {}) {
      // Only the table's files when the prefix covers it (a wider prefix is not needed by readers).
      if (p.startsWith(prefix) || prefix.startsWith(p)) {
        for (const o of objects) if (o.key.startsWith(p)) yield o;
        return;
      }
      yield* storage.listAll(p, options);
    },
    async exists(key) {
      const k = real(key);
      return k === undefined ? false : storage.exists(k);
    },
    async stat(key) {
      const k = real(key);
      const info = k === undefined ? undefined : await storage.stat(k);
      return info === undefined ? undefined : { ...info, key };
    },
  };
}
