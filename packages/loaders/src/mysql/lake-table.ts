/**
 * Reading a lake table (Hive-partitioned Parquet under `lakeLayout.tablePrefix`) back as Arrow record
 * batches, and loading it into MySQL / MariaDB with {@link MySqlLoader}.
 *
 * Files are decoded one at a time with `parquet-wasm` (arrow-rs): Parquet → Arrow IPC → apache-arrow
 * `tableFromIPC`, with the next few files' bytes fetched meanwhile, so memory is bounded by a few files. Timestamps keep their Parquet unit
 * (microseconds) and decimals stay `Decimal128`, so both reach MySQL exactly. Partition keys, which live
 * in the path, are added as typed columns (`year`/`month`/… as Int32), so rows are complete.
 */
import {
  Bool,
  DateDay,
  Field,
  Float64,
  Int32,
  Int64,
  RecordBatch,
  Schema,
  Struct,
  Utf8,
  makeData,
  tableFromIPC,
  vectorFromArray,
  type Data,
  type DataType,
} from 'apache-arrow';
import {
  lakeLayout,
  matchesPartitionFilter,
  parsePartitionFilter,
  parsePartitionPath,
  type AnyTable,
  type ColumnType,
  type DatasetLayer,
  type PartitionFilter,
  type Storage,
} from '@lakeblocks/core';
import { LoadersError } from '../errors/index.js';
import type { LoadOptions, LoadResult, MySqlLoader } from './mysql-loader.js';

/** Options of {@link readLakeTable}. */
export interface ReadLakeTableOptions {
  /** Lake layer to read (`curated` or `processed`). */
  layer: DatasetLayer;
  /** Keep only partitions matching this filter (`'year = 2025 and month >= 10'` or an object). */
  filter?: PartitionFilter | string;
  /** Called after each file is read, with its key and row count. */
  onFile?: (file: { key: string; rows: number }) => void;
  /** Stops between files when aborted. */
  signal?: AbortSignal;
}

/** Options of {@link loadLakeTable}: read options plus the load options (mode defaults to `replace`). */
export interface LoadLakeTableOptions extends ReadLakeTableOptions, Partial<LoadOptions> {}

type ParquetWasm = typeof import('parquet-wasm');
let wasm: Promise<ParquetWasm> | undefined;

/**
 * Reads a lake table's Parquet files as Arrow record batches, file by file, with the partition key
 * columns taken from each file's path (typed as the table's partition keys). Partitions are pruned by
 * `filter` before any file is read; files are read in key order.
 *
 * @example
 * ```ts
 * for await (const batch of readLakeTable(storage, orders, { layer: 'curated', filter: 'year = 2025' })) {
 *   console.log(batch.numRows, batch.getChild('year')?.get(0));
 * }
 * ```
 */
export async function* readLakeTable(storage: Storage, table: AnyTable, options: ReadLakeTableOptions): AsyncGenerator<RecordBatch> {
  const tablePrefix = lakeLayout.tablePrefix(options.layer, table.name);
  const prefix = tablePrefix.endsWith('/') ? tablePrefix : `${tablePrefix}/`;
  const keys = table.partitionKeys.map((k) => k.name);
  const filter = typeof options.filter === 'string' ? parsePartitionFilter(options.filter) : options.filter;
  // One listing of the table (the rules of core's listPartitions: Hive `k=v/` directories of the table's
  // keys, names starting with `.` or `_` ignored), pruned by the filter before any file is read.
  const partitions = new Map<string, { raw: Record<string, string | null>; files: string[] }>();
  for await (const object of storage.listAll(prefix)) {
    const segments = object.key.slice(prefix.length).split('/');
    const name = segments.pop() ?? '';
    if (name.startsWith('.') || name.startsWith('_') || !name.endsWith('.parquet')) continue;
    if (segments.length !== keys.length || segments.some((s) => s.startsWith('.') || s.startsWith('_'))) continue;
    const path = segments.join('/');
    let partition = partitions.get(path);
    if (partition === undefined) {
      let raw: Record<string, string | null>;
      try {
        raw = keys.length > 0 ? parsePartitionPath(path, keys) : {};
      } catch {
        continue; // not a partition directory of this table's shape
      }
      if (keys.some((k) => !(k in raw)) || (filter !== undefined && !matchesPartitionFilter(raw, filter))) continue;
      partition = { raw, files: [] };
      partitions.set(path, partition);
    }
    partition.files.push(object.key);
  }
  const files: { key: string; raw: Record<string, string | null> }[] = [];
  for (const path of [...partitions.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const partition = partitions.get(path)!;
    for (const key of partition.files.sort()) files.push({ key, raw: partition.raw });
  }
  const parquet = await (wasm ??= import('parquet-wasm'));
  // Up to READ_AHEAD files are fetched while the current one is decoded (small files: latency, not bytes, dominates).
  const pending: Promise<Uint8Array>[] = [];
  let next = 0;
  const fetchMore = () => {
    while (next < files.length && pending.length < READ_AHEAD) {
      const reading = storage.get(files[next++]!.key);
      reading.catch(() => undefined); // awaited in order below
      pending.push(reading);
    }
  };
  try {
    for (const { key, raw } of files) {
      options.signal?.throwIfAborted();
      fetchMore();
      const bytes = await pending.shift()!;
      let arrow: ReturnType<typeof tableFromIPC>;
      try {
        const decoded = parquet.readParquet(bytes);
        arrow = tableFromIPC(decoded.intoIPCStream());
      } catch (error) {
        throw new LoadersError('InvalidArgument', `Could not read Parquet file ${key} of table "${table.name}": ${(error as Error).message ?? String(error)}`, {
          cause: error,
          context: { table: table.name },
        });
      }
      let rows = 0;
      for (const batch of arrow.batches) {
        rows += batch.numRows;
        if (batch.numRows > 0) yield withPartitionColumns(batch, table, raw, key);
      }
      options.onFile?.({ key, rows });
    }
  } finally {
    await Promise.allSettled(pending);
  }
}

/** Files fetched ahead of the one being decoded. */
const READ_AHEAD = 4;

/**
 * Reads a lake table with {@link readLakeTable} and loads it with `loader.load` (mode `replace` unless
 * given), under `tableName` or the table's own name.
 *
 * @example
 * ```ts
 * const result = await loadLakeTable(new MySqlLoader(pool), storage, orders, { layer: 'curated' });
 * console.log(result.rows);
 * ```
 */
export async function loadLakeTable(loader: MySqlLoader, storage: Storage, table: AnyTable, options: LoadLakeTableOptions): Promise<LoadResult> {
  const { layer, filter, onFile, ...rest } = options;
  const read: ReadLakeTableOptions = { layer };
  if (filter !== undefined) read.filter = filter;
  if (onFile !== undefined) read.onFile = onFile;
  if (rest.signal !== undefined) read.signal = rest.signal;
  return loader.load(table, readLakeTable(storage, table, read), { ...rest, mode: rest.mode ?? 'replace' });
}

function arrowTypeOf(type: ColumnType): DataType {
  switch (type.kind) {
    case 'int':
      return new Int32();
    case 'bigint':
      return new Int64();
    case 'double':
      return new Float64();
    case 'boolean':
      return new Bool();
    case 'date':
      return new DateDay();
    default:
      return new Utf8();
  }
}

function typedKeyValue(type: ColumnType, text: string | null, key: string, file: string): unknown {
  if (text === null) return null;
  const bad = () => new LoadersError('InvalidArgument', `Partition value ${key}=${JSON.stringify(text)} of ${file} is not a valid ${type.kind}`, { context: { partition: file } });
  switch (type.kind) {
    case 'int':
    case 'double': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n) || (type.kind === 'int' && !Number.isInteger(n))) throw bad();
      return n;
    }
    case 'bigint':
      if (!/^-?\d+$/.test(text)) throw bad();
      return BigInt(text);
    case 'boolean':
      if (text !== 'true' && text !== 'false') throw bad();
      return text === 'true';
    case 'date': {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) throw bad();
      return new Date(`${text}T00:00:00Z`);
    }
    default:
      return text;
  }
}

/** `length` copies of `value` as Arrow data of `type` (typed arrays filled directly for the common key types). */
function constantData(type: DataType, value: unknown, length: number): Data {
  if (value !== null) {
    if (type instanceof Int32) return makeData({ type, length, nullCount: 0, data: new Int32Array(length).fill(value as number) });
    if (type instanceof Float64) return makeData({ type, length, nullCount: 0, data: new Float64Array(length).fill(value as number) });
    if (type instanceof Int64) return makeData({ type, length, nullCount: 0, data: new BigInt64Array(length).fill(value as bigint) });
  }
  return vectorFromArray(new Array<unknown>(length).fill(value), type).data[0]!;
}

/** The batch plus one constant column per partition key the file does not already hold. */
function withPartitionColumns(batch: RecordBatch, table: AnyTable, raw: Record<string, string | null>, file: string): RecordBatch {
  const missing = table.partitionKeys.filter((k) => batch.schema.fields.every((f) => f.name !== k.name));
  if (missing.length === 0) return batch;
  const fields: Field[] = [...batch.schema.fields];
  const children = [...batch.data.children];
  for (const key of missing) {
    const type = arrowTypeOf(key.type);
    const value = typedKeyValue(key.type, raw[key.name] ?? null, key.name, file);
    fields.push(new Field(key.name, type, value === null));
    children.push(constantData(type, value, batch.numRows));
  }
  const schema = new Schema(fields, batch.schema.metadata);
  const data = makeData({ type: new Struct(fields), length: batch.numRows, nullCount: 0, children });
  return new RecordBatch(schema, data);
}
