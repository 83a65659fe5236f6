/**
 * Athena result pages as Arrow record batches (DESIGN decision 2: Arrow is the currency between
 * blocks). Types follow `ResultSetMetadata`, exactly:
 *
 * | Athena | Arrow |
 * |---|---|
 * | `tinyint`, `smallint`, `integer` | `Int32` |
 * | `bigint` | `Int64` |
 * | `double`, `float`, `real` | `Float64` |
 * | `decimal(p,s)` | `Decimal(p, s)` 128-bit, from the digits (no float on the way) |
 * | `boolean` | `Bool` |
 * | `date` | `DateDay` |
 * | `timestamp` | `Timestamp(MICROSECOND)`, microseconds kept from the text |
 * | anything else | `Utf8` |
 *
 * Every field is nullable. SDK-free.
 *
 * @example
 * ```ts
 * const batch = athenaCellsToArrow(columns, [['CO', '12'], ['MX', undefined]]);
 * batch.numRows; // 2
 * ```
 *
 * @module
 */
import { Bool, DateDay, Decimal, Field, Float64, Int32, Int64, makeData, RecordBatch, Schema, Struct, TimestampMicrosecond, Utf8, vectorFromArray, type Data, type DataType } from 'apache-arrow';
import { LoadersError } from '../errors/loaders-error.js';

/**
 * The column facts the conversion needs (an `AthenaColumn` fits).
 *
 * @example
 * ```ts
 * const c: ArrowSourceColumn = { name: 'revenue', type: 'decimal', precision: 12, scale: 2 };
 * ```
 */
export interface ArrowSourceColumn {
  name: string;
  type: string;
  precision: number | undefined;
  scale: number | undefined;
}

function baseType(type: string): string {
  return type.toLowerCase().replace(/\(.*$/, '').trim();
}

function arrowType(column: ArrowSourceColumn): DataType {
  switch (baseType(column.type)) {
    case 'tinyint':
    case 'smallint':
    case 'integer':
    case 'int':
      return new Int32();
    case 'bigint':
      return new Int64();
    case 'double':
    case 'float':
    case 'real':
      return new Float64();
    case 'decimal': {
      const m = /\((\d+)\s*,\s*(\d+)\)/.exec(column.type);
      const precision = column.precision ?? (m ? Number(m[1]) : 38);
      const scale = column.scale ?? (m ? Number(m[2]) : 0);
      return new Decimal(scale, precision, 128);
    }
    case 'boolean':
      return new Bool();
    case 'date':
      return new DateDay();
    case 'timestamp':
      return new TimestampMicrosecond(null);
    default:
      return new Utf8();
  }
}

/**
 * The Arrow schema of Athena result columns.
 *
 * @example
 * ```ts
 * athenaArrowSchema([{ name: 'n', type: 'bigint', precision: 19, scale: 0 }]).fields[0]?.type.toString(); // 'Int64'
 * ```
 */
export function athenaArrowSchema(columns: readonly ArrowSourceColumn[]): Schema {
  return new Schema(columns.map((c) => new Field(c.name, arrowType(c), true)));
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

function validity(cells: readonly (string | undefined)[]): Uint8Array {
  const bitmap = new Uint8Array(Math.ceil(cells.length / 8));
  cells.forEach((cell, i) => {
    if (cell !== undefined) bitmap[i >> 3] = (bitmap[i >> 3] ?? 0) | (1 << (i & 7));
  });
  return bitmap;
}

function fail(column: ArrowSourceColumn, cell: string): never {
  throw new LoadersError('ServiceFailure', `Athena returned ${JSON.stringify(cell)} for ${column.type} column "${column.name}", which cannot be read as that type`);
}

function column(column: ArrowSourceColumn, type: DataType, cells: readonly (string | undefined)[]): Data {
  const kind = baseType(column.type);
  const length = cells.length;
  const nullCount = cells.filter((c) => c === undefined).length;
  if (kind === 'decimal') {
    const scale = (type as Decimal).scale;
    const words = new Uint32Array(length * 4);
    cells.forEach((cell, i) => {
      if (cell === undefined) return;
      const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(cell);
      if (m === null) fail(column, cell);
      let n = BigInt(`${m[2] || '0'}${(m[3] ?? '').padEnd(scale, '0').slice(0, scale)}`);
      if (m[1] === '-') n = (1n << 128n) - n;
      for (let w = 0; w < 4; w++) words[i * 4 + w] = Number((n >> BigInt(32 * w)) & 0xffffffffn);
    });
    return makeData({ type: type as Decimal, length, nullCount, nullBitmap: validity(cells), data: words });
  }
  if (kind === 'timestamp') {
    const micros = new BigInt64Array(length);
    cells.forEach((cell, i) => {
      if (cell === undefined) return;
      const m = TIMESTAMP.exec(cell);
      if (m === null) fail(column, cell);
      const seconds = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) / 1000;
      micros[i] = BigInt(seconds) * 1_000_000n + BigInt((m[7] ?? '').padEnd(6, '0').slice(0, 6));
    });
    return makeData({ type: type as TimestampMicrosecond, length, nullCount, nullBitmap: validity(cells), data: micros });
  }
  if (kind === 'date') {
    const days = new Int32Array(length);
    cells.forEach((cell, i) => {
      if (cell === undefined) return;
      const ms = Date.parse(`${cell}T00:00:00Z`);
      if (Number.isNaN(ms)) fail(column, cell);
      days[i] = Math.round(ms / 86_400_000);
    });
    return makeData({ type: type as DateDay, length, nullCount, nullBitmap: validity(cells), data: days });
  }
  const values = cells.map((cell) => {
    if (cell === undefined) return null;
    switch (kind) {
      case 'tinyint':
      case 'smallint':
      case 'integer':
      case 'int':
        return Number(cell);
      case 'bigint':
        return BigInt(cell);
      case 'double':
      case 'float':
      case 'real':
        return cell === 'NaN' ? NaN : cell === 'Infinity' ? Infinity : cell === '-Infinity' ? -Infinity : Number(cell);
      case 'boolean':
        return cell === 'true';
      default:
        return cell;
    }
  });
  return vectorFromArray(values as never[], type).data[0] as Data;
}

/**
 * One record batch from result cells (rows of `VarCharValue`s, `undefined` for NULL).
 *
 * @example
 * ```ts
 * athenaCellsToArrow([{ name: 'day', type: 'date', precision: undefined, scale: undefined }], [['2025-01-31']]);
 * ```
 */
export function athenaCellsToArrow(columns: readonly ArrowSourceColumn[], rows: readonly (readonly (string | undefined)[])[], schema = athenaArrowSchema(columns)): RecordBatch {
  const children = columns.map((c, j) =>
    column(
      c,
      (schema.fields[j] as Field).type,
      rows.map((r) => r[j]),
    ),
  );
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows.length, children, nullCount: 0 }));
}
