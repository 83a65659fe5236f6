/**
 * Reading a lake table (Hive-partitioned Parquet under `lakeLayout.tablePrefix`) back as Arrow record
 * batches, and loading it into MySQL / MariaDB with {@link MySqlLoader}.
 *
 * Files are decoded one at a time with `parquet-wasm` (arrow-rs): Parquet → Arrow IPC → apache-arrow
 * `tableFromIPC`, so memory is bounded by the largest file. Timestamps keep their Parquet unit
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
  type DataType,
} from 'apache-arrow';
import {
  lakeLayout,
  listPartitions,
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
  const prefix = lakeLayout.tablePrefix(options.layer, table.name);
  const keys = table.partitionKeys.map((k) => k.name);
  const partitions = await listPartitions(storage, prefix, keys, options.filter === undefined ? {} : { filter: options.filter });
  partitions.sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));
  const parquet = await (wasm ??= import('parquet-wasm'));
  for (const partition of partitions) {
    const files: string[] = [];
    for await (const object of storage.listAll(partition.prefix)) {
      const name = object.key.slice(partition.prefix.length);
      if (name.includes('/') || name.startsWith('.') || name.startsWith('_') || !name.endsWith('.parquet')) continue;
      files.push(object.key);
    }
    files.sort();
    const raw = keys.length > 0 ? parsePartitionPath(partition.prefix.slice(prefix.length), keys) : {};
    for (const key of files) {
      options.signal?.throwIfAborted();
      const bytes = await storage.get(key);
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
  }
}

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

/** The batch plus one constant column per partition key the file does not already hold. */
function withPartitionColumns(batch: RecordBatch, table: AnyTable, raw: Record<string, string | null>, file: string): RecordBatch {
  const missing = table.partitionKeys.filter((k) => batch.schema.fields.every((f) => f.name !== k.name));
  if (missing.length === 0) return batch;
  const fields: Field[] = [...batch.schema.fields];
  const children = [...batch.data.children];
  for (const key of missing) {
    const type = arrowTypeOf(key.type);
    const value = typedKeyValue(key.type, raw[key.name] ?? null, key.name, file);
    const vector = vectorFromArray(new Array<unknown>(batch.numRows).fill(value), type);
    fields.push(new Field(key.name, type, value === null));
    children.push(vector.data[0]!);
  }
  const schema = new Schema(fields, batch.schema.metadata);
  const data = makeData({ type: new Struct(fields), length: batch.numRows, nullCount: 0, children });
  return new RecordBatch(schema, data);
}
