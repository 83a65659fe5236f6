/**
 * Arrow record batches as `LOAD DATA` text (tab-separated, backslash escapes, `\N` for NULL), written
 * byte by byte straight from the Arrow buffers into one growing `Buffer`: no per-value strings for the
 * common column types (integers, decimals, timestamps, dates, UTF-8 strings), so the loader leaves the
 * CPU to the server. The text is byte-identical to formatting each value with `arrowColumnReaders`
 * (the general path, used for every other type): decimals exact, timestamps with their microseconds,
 * UTC wall clock.
 *
 * @example
 * ```ts
 * const out = new TsvBuffer(256 * 1024);
 * const encoders = tsvEncoders(batch, orders.columns, 'orders');
 * for (let i = 0; i < batch.numRows; i++) writeTsvRow(encoders, i, out);
 * const text = out.take(); // Buffer
 * ```
 *
 * @module
 */
import { DataType, DateUnit, TimeUnit, type Data, type RecordBatch } from 'apache-arrow';
import type { TableColumn } from '@lakeblocks/core';
import { arrowColumnReaders, formatEpochDay, timestampToString, type ColumnReader } from './arrow-rows.js';
import { checkDecimalText, type MySqlParam } from './row-values.js';

const TAB = 9;
const NEWLINE = 10;
const BACKSLASH = 92;

/**
 * A growing output buffer of `LOAD DATA` text.
 *
 * @example
 * ```ts
 * const out = new TsvBuffer(1024);
 * out.writeString('a\tb\n');
 * out.take().toString(); // 'a\tb\n'
 * ```
 */
export class TsvBuffer {
  buf: Buffer;
  pos = 0;
  private readonly initial: number;

  constructor(initialBytes: number) {
    this.initial = Math.max(64, initialBytes);
    this.buf = Buffer.allocUnsafe(this.initial);
  }

  /** Makes room for `bytes` more bytes. */
  ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Appends a string as UTF-8 (no escaping). */
  writeString(text: string): void {
    this.ensure(text.length * 3);
    this.pos += this.buf.write(text, this.pos, 'utf8');
  }

  /** The bytes written so far; the buffer starts over. */
  take(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(this.initial);
    this.pos = 0;
    return out;
  }
}

/**
 * Writes one column's value at a row as `LOAD DATA` text. Returns `false` for NULL (written as `\N`).
 *
 * @example
 * ```ts
 * const isNotNull = encoders[0]!(0, out);
 * ```
 */
export type TsvEncoder = (row: number, out: TsvBuffer) => boolean;

/** Writes the digits of a safe integer. */
function writeInteger(out: TsvBuffer, value: number): void {
  const buf = out.buf;
  let v = value;
  if (v < 0) {
    buf[out.pos++] = 45;
    v = -v;
  }
  if (v < 10) {
    buf[out.pos++] = 48 + v;
    return;
  }
  let digits = 1;
  for (let n = v; n >= 10; n = Math.floor(n / 10)) digits++;
  let p = out.pos + digits;
  out.pos = p;
  while (v >= 10) {
    const q = Math.floor(v / 10);
    buf[--p] = 48 + (v - q * 10);
    v = q;
  }
  buf[--p] = 48 + v;
}

/** Writes `value` (0..10^width-1) as exactly `width` digits. */
function writePadded(out: TsvBuffer, value: number, width: number): void {
  const buf = out.buf;
  let v = value;
  for (let p = out.pos + width - 1; p >= out.pos; p--) {
    const q = Math.floor(v / 10);
    buf[p] = 48 + (v - q * 10);
    v = q;
  }
  out.pos += width;
}

function writeNull(out: TsvBuffer): false {
  out.ensure(2);
  out.buf[out.pos++] = BACKSLASH;
  out.buf[out.pos++] = 78; // N
  return false;
}

function writeAscii(out: TsvBuffer, text: string): void {
  out.ensure(text.length);
  out.pos += out.buf.write(text, out.pos, 'latin1');
}

/** Writes a general value (as `arrowColumnReaders` reads it) as text. */
function writeParam(out: TsvBuffer, v: MySqlParam): boolean {
  if (v === null) return writeNull(out);
  if (typeof v === 'number') {
    writeAscii(out, String(v));
    return true;
  }
  if (!/[\\\t\n\r\0]/.test(v)) {
    out.writeString(v);
    return true;
  }
  out.writeString(v.replace(/[\\\t\n\r\0]/g, (ch) => ESCAPES[ch] ?? ch));
  return true;
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };

/** Escape letter of a byte that needs one in `LOAD DATA` text, else 0. */
const ESCAPE_BYTE = new Uint8Array(256);
ESCAPE_BYTE[BACKSLASH] = BACKSLASH;
ESCAPE_BYTE[TAB] = 116; // t
ESCAPE_BYTE[NEWLINE] = 110; // n
ESCAPE_BYTE[13] = 114; // r
ESCAPE_BYTE[0] = 48; // 0

/** `isValid(i)` from the validity bitmap (apache-arrow keeps `data.offset` for it, not for the values). */
function validity(data: Data): ((i: number) => boolean) | undefined {
  if (data.nullCount <= 0 || data.nullBitmap === undefined || data.nullBitmap.length === 0) return undefined;
  const bitmap = data.nullBitmap;
  const offset = data.offset;
  return (i) => {
    const at = offset + i;
    return ((bitmap[at >> 3] as number) & (1 << (at & 7))) !== 0;
  };
}

const TWO_POW_32 = 4_294_967_296;
const MICROS_PER_DAY = 86_400_000_000;

function fastEncoder(data: Data, column: TableColumn, general: ColumnReader): TsvEncoder | undefined {
  const type = data.type as DataType;
  const valid = validity(data);
  const kind = column.type.kind;
  const orNull = (write: (i: number, out: TsvBuffer) => void): TsvEncoder =>
    valid === undefined
      ? (i, out) => {
          write(i, out);
          return true;
        }
      : (i, out) => {
          if (!valid(i)) return writeNull(out);
          write(i, out);
          return true;
        };

  if (DataType.isInt(type) && (kind === 'int' || kind === 'bigint' || kind === 'double')) {
    const { bitWidth, isSigned } = type as unknown as { bitWidth: number; isSigned: boolean };
    if (bitWidth <= 32) {
      const values = data.values as unknown as Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;
      return orNull((i, out) => {
        out.ensure(12);
        writeInteger(out, values[i] as number);
      });
    }
    if (bitWidth === 64 && isSigned && kind === 'bigint') {
      const big = data.values as unknown as BigInt64Array;
      const words = new Int32Array(big.buffer, big.byteOffset, big.length * 2);
      return orNull((i, out) => {
        const high = words[i * 2 + 1] as number;
        out.ensure(21);
        // |value| < 2^52: exact as a double.
        if (high > -1_048_576 && high < 1_048_576) writeInteger(out, high * TWO_POW_32 + ((words[i * 2] as number) >>> 0));
        else writeAscii(out, (big[i] as bigint).toString());
      });
    }
    return undefined;
  }

  if (DataType.isDecimal(type) && kind === 'decimal') {
    const target = column.type as { precision: number; scale: number };
    const { scale, precision, bitWidth } = type as unknown as { scale: number; precision: number; bitWidth: number };
    // A batch decimal wider than the column is checked value by value: the general path.
    if (scale > target.scale || precision - scale > target.precision - target.scale || scale > 15) return undefined;
    const words = data.values as unknown as Uint32Array;
    const count = bitWidth / 32;
    const unit = 10 ** scale;
    return orNull((i, out) => {
      const start = i * count;
      const low = words[start] as number;
      const high = low >= 0x80000000 ? 0xffffffff : 0;
      let small = true;
      for (let w = 1; w < count; w++) {
        if (words[start + w] !== high) {
          small = false;
          break;
        }
      }
      if (!small) {
        writeAscii(out, checkDecimalText(general(i) as string, target.precision, target.scale));
        return;
      }
      let v = high === 0 ? low : low - TWO_POW_32;
      out.ensure(24);
      if (v < 0) {
        out.buf[out.pos++] = 45;
        v = -v;
      }
      if (scale === 0) {
        writeInteger(out, v);
        return;
      }
      const whole = Math.floor(v / unit);
      writeInteger(out, whole);
      out.buf[out.pos++] = 46; // .
      writePadded(out, v - whole * unit, scale);
    });
  }

  if (DataType.isTimestamp(type) && kind === 'timestamp') {
    const unit = (type as unknown as { unit: TimeUnit }).unit;
    if (unit === TimeUnit.NANOSECOND || !(data.values instanceof BigInt64Array)) return undefined;
    const big = data.values;
    const words = new Int32Array(big.buffer, big.byteOffset, big.length * 2);
    const factor = unit === TimeUnit.SECOND ? 1_000_000 : unit === TimeUnit.MILLISECOND ? 1_000 : 1;
    const limit = Math.floor(2 ** 52 / factor / TWO_POW_32); // |high word| below this: count * factor is exact
    let cachedDay = Number.NaN;
    const dayText = Buffer.alloc(11);
    let dayBytes = 0;
    return orNull((i, out) => {
      const high = words[i * 2 + 1] as number;
      out.ensure(40);
      if (high >= limit || high <= -limit) {
        writeAscii(out, timestampToString(big[i] as bigint, unit));
        return;
      }
      const micros = (high * TWO_POW_32 + ((words[i * 2] as number) >>> 0)) * factor;
      let day = Math.floor(micros / MICROS_PER_DAY);
      let rest = micros - day * MICROS_PER_DAY;
      if (rest < 0) {
        rest += MICROS_PER_DAY;
        day--;
      } else if (rest >= MICROS_PER_DAY) {
        rest -= MICROS_PER_DAY;
        day++;
      }
      if (day !== cachedDay) {
        cachedDay = day;
        dayBytes = dayText.write(`${formatEpochDay(day)} `, 0, 'latin1');
      }
      dayText.copy(out.buf, out.pos, 0, dayBytes);
      out.pos += dayBytes;
      const seconds = Math.floor(rest / 1_000_000);
      const fraction = rest - seconds * 1_000_000;
      const hours = Math.floor(seconds / 3_600);
      const minutes = Math.floor((seconds - hours * 3_600) / 60);
      writePadded(out, hours, 2);
      out.buf[out.pos++] = 58; // :
      writePadded(out, minutes, 2);
      out.buf[out.pos++] = 58;
      writePadded(out, seconds - hours * 3_600 - minutes * 60, 2);
      out.buf[out.pos++] = 46; // .
      writePadded(out, fraction, 6);
    });
  }

  if (DataType.isDate(type) && kind === 'date' && (type as unknown as { unit: number }).unit === DateUnit.DAY) {
    const days = data.values as unknown as Int32Array;
    return orNull((i, out) => writeAscii(out, formatEpochDay(days[i] as number)));
  }

  if (DataType.isUtf8(type) && (kind === 'string' || kind === 'enum')) {
    const offsets = data.valueOffsets as Int32Array;
    const bytes = data.values as Uint8Array;
    return orNull((i, out) => {
      const start = offsets[i] as number;
      const end = offsets[i + 1] as number;
      out.ensure((end - start) * 2);
      const buf = out.buf;
      let p = out.pos;
      for (let k = start; k < end; k++) {
        const b = bytes[k] as number;
        const escape = ESCAPE_BYTE[b] as number;
        if (escape === 0) buf[p++] = b;
        else {
          buf[p++] = BACKSLASH;
          buf[p++] = escape;
        }
      }
      out.pos = p;
    });
  }
  return undefined;
}

/**
 * One encoder per column of `columns`, reading the batch column of the same name: a byte-level one
 * for the common types, else the general `arrowColumnReaders` reader formatted as text. Throws
 * `InvalidArgument` (from `arrowColumnReaders`) when the batch lacks a column.
 *
 * @example
 * ```ts
 * const encoders = tsvEncoders(batch, orders.columns, 'orders');
 * ```
 */
export function tsvEncoders(batch: RecordBatch, columns: readonly TableColumn[], table: string): TsvEncoder[] {
  const readers = arrowColumnReaders(batch, columns, table);
  return columns.map((column, c) => {
    const general = readers[c] as ColumnReader;
    const data = batch.getChild(column.name)?.data[0];
    const fast = data === undefined ? undefined : fastEncoder(data, column, general);
    return fast ?? ((i, out) => writeParam(out, general(i)));
  });
}

/**
 * A value of column `column` could not be written (see `cause`).
 *
 * @example
 * ```ts
 * if (error instanceof TsvCellError) console.log(error.column);
 * ```
 */
export class TsvCellError extends Error {
  constructor(
    readonly column: number,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/**
 * Writes row `i` as one `LOAD DATA` line. Returns the index of the first column flagged in `notNull`
 * that was NULL, or -1. A value that cannot be written throws {@link TsvCellError} naming its column.
 *
 * @example
 * ```ts
 * const badColumn = writeTsvRow(encoders, 0, out, orders.columns.map((c) => !c.nullable));
 * ```
 */
export function writeTsvRow(encoders: readonly TsvEncoder[], i: number, out: TsvBuffer, notNull: readonly boolean[]): number {
  let nullColumn = -1;
  for (let c = 0; c < encoders.length; c++) {
    if (c > 0) {
      out.ensure(1);
      out.buf[out.pos++] = TAB;
    }
    let isValue: boolean;
    try {
      isValue = (encoders[c] as TsvEncoder)(i, out);
    } catch (error) {
      throw new TsvCellError(c, error);
    }
    if (!isValue && notNull[c] === true && nullColumn < 0) nullColumn = c;
  }
  out.ensure(1);
  out.buf[out.pos++] = NEWLINE;
  return nullColumn;
}

/**
 * Writes already converted values (plain rows) as one `LOAD DATA` line.
 *
 * @example
 * ```ts
 * writeTsvValues([1, 'it\'s', null], out); // 1<TAB>it's<TAB>\N<LF>
 * ```
 */
export function writeTsvValues(values: readonly MySqlParam[], out: TsvBuffer): void {
  for (let c = 0; c < values.length; c++) {
    if (c > 0) {
      out.ensure(1);
      out.buf[out.pos++] = TAB;
    }
    writeParam(out, values[c] ?? null);
  }
  out.ensure(1);
  out.buf[out.pos++] = NEWLINE;
}
