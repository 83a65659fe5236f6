/**
 * Parquet encoders: Arrow record batches of a table's file schema → one Parquet file (bytes),
 * snappy-compressed, with the lake's logical types (TIMESTAMP(MICROS, not adjusted to UTC), DATE,
 * DECIMAL(p,s), INT32/INT64, DOUBLE, BOOLEAN, UTF8 strings).
 *
 * Two implementations, measured against each other (see the README): {@link hyparquetEncoder} (pure
 * JS, `hyparquet-writer`: smaller files, cheaper for tiny files) and {@link parquetWasmEncoder}
 * (arrow-rs compiled to wasm, `parquet-wasm`: much faster for files of hundreds of rows and more).
 * {@link adaptiveEncoder}, the dataset writer's default, picks one per file by row count.
 *
 * @module
 */
import type { AnyTable, ColumnType } from '@lakeblocks/core';
import { RecordBatch, Table as ArrowTable, tableToIPC, type Data } from 'apache-arrow';
import { parquetWriteBuffer, type ColumnSource, type SchemaElement } from 'hyparquet-writer';
import { IngestError } from '../errors/ingest-error.js';

/**
 * Options of a {@link ParquetEncoder}.
 *
 * @example
 * ```ts
 * const options: EncodeOptions = { rowGroupSize: 100_000 };
 * ```
 */
export interface EncodeOptions {
  /** Rows per row group (default 122 880, DuckDB's). */
  rowGroupSize?: number;
}

/**
 * Encodes batches of one table into one Parquet file.
 *
 * @example
 * ```ts
 * const bytes = hyparquetEncoder.encode(orders, batches, { rowGroupSize: 50_000 });
 * ```
 */
export interface ParquetEncoder {
  /** Name used in measurements and messages. */
  readonly name: string;
  encode(table: AnyTable, batches: readonly RecordBatch[], options?: EncodeOptions): Uint8Array;
}

/**
 * Default rows per row group (DuckDB's).
 *
 * @example
 * ```ts
 * new ParquetDatasetWriter(storage, orders, { rowGroupSize: DEFAULT_ROW_GROUP_SIZE / 2 });
 * ```
 */
export const DEFAULT_ROW_GROUP_SIZE = 122_880;

function schemaElement(name: string, type: ColumnType, nullable: boolean): SchemaElement {
  const repetition_type = nullable ? 'OPTIONAL' : 'REQUIRED';
  switch (type.kind) {
    case 'int':
      return { name, repetition_type, type: 'INT32' };
    case 'bigint':
      return { name, repetition_type, type: 'INT64' };
    case 'double':
      return { name, repetition_type, type: 'DOUBLE' };
    case 'boolean':
      return { name, repetition_type, type: 'BOOLEAN' };
    case 'string':
    case 'enum':
      return { name, repetition_type, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
    case 'date':
      return { name, repetition_type, type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } };
    case 'timestamp':
      return { name, repetition_type, type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MICROS' } };
    case 'decimal': {
      const { precision, scale } = type;
      const physical =
        precision <= 9
          ? ({ type: 'INT32' } as const)
          : precision <= 18
            ? ({ type: 'INT64' } as const)
            : ({ type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16 } as const);
      return { name, repetition_type, ...physical, converted_type: 'DECIMAL', precision, scale, logical_type: { type: 'DECIMAL', precision, scale } };
    }
  }
}

function isValid(data: Data, i: number): boolean {
  const bitmap = data.nullBitmap;
  if (data.nullCount === 0 || bitmap === undefined || bitmap.length === 0) return true;
  const j = data.offset + i;
  return ((bitmap[j >> 3] ?? 0) & (1 << (j & 7))) !== 0;
}

/**
 * The values of one column across batches, in the shape hyparquet-writer takes. Arrow JS slices the
 * value and offset buffers of a sliced `Data` (so they are indexed from 0), but not its validity
 * bitmap or boolean bits (indexed from `offset`).
 */
function columnValues(type: ColumnType, parts: readonly Data[], total: number): ColumnSource['data'] {
  const anyNull = parts.some((d) => d.nullCount > 0);
  switch (type.kind) {
    case 'int':
    case 'date':
    case 'double':
    case 'bigint':
    case 'timestamp': {
      const wide = type.kind === 'bigint' || type.kind === 'timestamp';
      if (!anyNull) {
        const out = wide ? new BigInt64Array(total) : type.kind === 'double' ? new Float64Array(total) : new Int32Array(total);
        let at = 0;
        for (const d of parts) {
          const values = d.values as Int32Array;
          (out as Int32Array).set(values.subarray(0, d.length), at);
          at += d.length;
        }
        return out;
      }
      const out: (number | bigint | null)[] = new Array(total);
      let at = 0;
      for (const d of parts) {
        const values = d.values as Int32Array | BigInt64Array;
        for (let i = 0; i < d.length; i++) out[at++] = isValid(d, i) ? (values[i] as number | bigint) : null;
      }
      return out as number[];
    }
    case 'decimal': {
      const out: (bigint | null)[] = new Array(total);
      let at = 0;
      for (const d of parts) {
        const w = d.values as Uint32Array;
        for (let i = 0; i < d.length; i++) {
          if (!isValid(d, i)) {
            out[at++] = null;
            continue;
          }
          const o = i * 4;
          const v =
            (BigInt(w[o + 3]!) << 96n) | (BigInt(w[o + 2]!) << 64n) | (BigInt(w[o + 1]!) << 32n) | BigInt(w[o]!);
          out[at++] = BigInt.asIntN(128, v);
        }
      }
      return out as bigint[];
    }
    case 'boolean': {
      const out: (boolean | null)[] = new Array(total);
      let at = 0;
      for (const d of parts) {
        const bits = d.values as Uint8Array;
        for (let i = 0; i < d.length; i++) {
          const j = d.offset + i;
          out[at++] = isValid(d, i) ? ((bits[j >> 3] ?? 0) & (1 << (j & 7))) !== 0 : null;
        }
      }
      return out as boolean[];
    }
    case 'string':
    case 'enum': {
      const out: (Uint8Array | null)[] = new Array(total);
      let at = 0;
      for (const d of parts) {
        const offsets = d.valueOffsets as Int32Array;
        const bytes = d.values as Uint8Array;
        for (let i = 0; i < d.length; i++) {
          out[at++] = isValid(d, i) ? bytes.subarray(offsets[i]!, offsets[i + 1]!) : null;
        }
      }
      return out as Uint8Array[];
    }
  }
}

/**
 * The pure-JS encoder (`hyparquet-writer`): reads the Arrow buffers directly (strings as
 * zero-copy byte views), snappy, statistics on. 20-45% smaller files than parquet-wasm on the
 * TechStore orders; as fast for files of ~16 rows, slower from ~128 rows up.
 *
 * @example
 * ```ts
 * const bytes = hyparquetEncoder.encode(orders, [batch]);
 * ```
 */
export const hyparquetEncoder: ParquetEncoder = {
  name: 'hyparquet-writer',
  encode(table, batches, options = {}) {
    const columns = table.fileColumns;
    const total = batches.reduce((n, b) => n + b.numRows, 0);
    const schema: SchemaElement[] = [{ name: 'schema', num_children: columns.length }];
    const columnData: ColumnSource[] = columns.map((c, k) => {
      schema.push(schemaElement(c.name, c.type, c.nullable));
      const parts = batches.map((b) => b.data.children[k]!);
      return { name: c.name, data: columnValues(c.type, parts, total) };
    });
    try {
      const buffer = parquetWriteBuffer({
        columnData,
        schema,
        codec: 'SNAPPY',
        rowGroupSize: options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE,
        createdBy: 'lakeblocks ingest (hyparquet-writer)',
      });
      return new Uint8Array(buffer);
    } catch (cause) {
      throw new IngestError('WriteFailed', `Parquet encoding failed for table "${table.name}": ${(cause as Error).message}`, {
        context: { table: table.name },
        cause,
      });
    }
  },
};

/**
 * Batches as one Arrow IPC stream (what parquet-wasm reads).
 *
 * @example
 * ```ts
 * const ipc = arrowIpcStream([batch]);
 * ```
 */
export function arrowIpcStream(batches: readonly RecordBatch[]): Uint8Array {
  return tableToIPC(new ArrowTable(batches as RecordBatch[]), 'stream');
}

/**
 * Columns parquet-wasm writes without dictionary encoding: primary-key columns, timestamps and
 * numbers (int, bigint, decimal, double). Keys and timestamps are (nearly) all distinct, so a
 * dictionary is built only to be abandoned; for numbers, dictionary indices are barely smaller
 * than the values once snappy has run, and building the dictionary is the costliest step.
 * Measured (`bench/encoder-options.ts`, 524,288 transactions rows): with keys and timestamps plain,
 * 1.5-2x faster and ~15% smaller than parquet-wasm's default (a dictionary on every column); also
 * making the numbers plain, 468 → 299 ms CPU (-36%) and 8.87 → 7.88 MB. Text, enums, dates and
 * booleans keep their dictionary (few distinct values per file, where it pays).
 *
 * @example
 * ```ts
 * plainColumns(events); // ['event_id', 'session_id', 'timestamp', 'product_id', 'qty', 'cart_size', 'discount_pct', 'amount_usd']
 * ```
 */
export function plainColumns(table: AnyTable): string[] {
  const plain = new Set(['timestamp', 'int', 'bigint', 'decimal', 'double']);
  return table.fileColumns.filter((c) => c.isPrimaryKey || plain.has(c.type.kind)).map((c) => c.name);
}

/**
 * Rows from which {@link adaptiveEncoder} (by default) and the dataset writer's encode workers use parquet-wasm.
 *
 * @example
 * ```ts
 * adaptiveEncoder({ largeFileRows: ADAPTIVE_LARGE_FILE_ROWS * 2 });
 * ```
 */
export const ADAPTIVE_LARGE_FILE_ROWS = 256;

type ParquetWasm = typeof import('parquet-wasm');
let wasm: ParquetWasm | undefined;

/**
 * Loads `parquet-wasm` (once); {@link parquetWasmEncoder} needs it before its first use.
 *
 * @example
 * ```ts
 * await loadParquetWasm();
 * parquetWasmEncoder.encode(orders, [batch]);
 * ```
 */
export async function loadParquetWasm(): Promise<void> {
  wasm ??= await import('parquet-wasm');
}

/**
 * The wasm encoder (`parquet-wasm`, arrow-rs): batches go over as Arrow IPC, snappy. Call
 * {@link loadParquetWasm} first.
 *
 * @example
 * ```ts
 * await loadParquetWasm();
 * const bytes = parquetWasmEncoder.encode(orders, [batch]);
 * ```
 */
export const parquetWasmEncoder: ParquetEncoder = {
  name: 'parquet-wasm',
  encode(table, batches, options = {}) {
    if (wasm === undefined) throw new IngestError('InvalidArgument', 'parquet-wasm is not loaded: await loadParquetWasm() first');
    const ipc = arrowIpcStream(batches);
    const wasmTable = wasm.Table.fromIPCStream(ipc);
    let builder = new wasm.WriterPropertiesBuilder()
      .setCompression(wasm.Compression.SNAPPY)
      .setMaxRowGroupSize(options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE)
      .setCreatedBy('lakeblocks ingest (parquet-wasm)');
    for (const name of plainColumns(table)) builder = builder.setColumnDictionaryEnabled(name, false);
    const props = builder.build();
    try {
      return wasm.writeParquet(wasmTable, props);
    } catch (cause) {
      throw new IngestError('WriteFailed', `Parquet encoding failed for table "${table.name}": ${String(cause)}`, {
        context: { table: table.name },
        cause,
      });
    }
  },
};

/**
 * Picks the encoder per file by its row count: `hyparquet-writer` for small files (cheaper per
 * call, smaller output — the common case of day partitions), `parquet-wasm` for files of at least
 * `largeFileRows` rows (default 256; 1.7-3.6x faster from there on in our measurement). Falls back to hyparquet-writer when parquet-wasm was
 * not loaded ({@link loadParquetWasm}).
 *
 * @example
 * ```ts
 * await loadParquetWasm();
 * const writer = new ParquetDatasetWriter(storage, orders, { encoder: adaptiveEncoder({ largeFileRows: 4096 }) });
 * ```
 */
export function adaptiveEncoder(options: { largeFileRows?: number } = {}): ParquetEncoder {
  const threshold = options.largeFileRows ?? ADAPTIVE_LARGE_FILE_ROWS;
  return {
    name: `adaptive(${threshold})`,
    encode(table, batches, encodeOptions) {
      const rows = batches.reduce((n, b) => n + b.numRows, 0);
      return (rows >= threshold && wasm !== undefined ? parquetWasmEncoder : hyparquetEncoder).encode(table, batches, encodeOptions);
    },
  };
}
