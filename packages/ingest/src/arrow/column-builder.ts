/**
 * Growable column builders that produce Arrow `Data` directly (typed arrays, offsets, validity
 * bitmaps) for the column kinds of `@lakeblocks/core` — no per-value boxing through Arrow's generic
 * builders. Values arrive already parsed (see `cleaning/value-parsers.ts`).
 *
 * @module
 */
import { makeData, Data, RecordBatch, Struct, type DataType, type Schema, type Field } from 'apache-arrow';
import type { ColumnType } from '@lakeblocks/core';
import type { CellValue } from '../cleaning/value-parsers.js';

const encoder = new TextEncoder();

/**
 * Builds one Arrow column.
 *
 * @example
 * ```ts
 * const b = columnBuilderFor({ kind: 'int' }, new Int32());
 * b.append(1); b.appendNull();
 * const data = b.finish(); // Data<Int32>, length 2, nullCount 1
 * ```
 */
export interface ColumnBuilder {
  /** Rows appended since the last `finish`. */
  readonly length: number;
  /** Appends a parsed value of the builder's kind. */
  append(value: CellValue): void;
  /** Appends a null. */
  appendNull(): void;
  /**
   * Appends the string `text.slice(start, end)` (string columns: without making that string when
   * the builder can copy the characters directly).
   */
  appendText(text: string, start: number, end: number): void;
  /** Returns the column built so far and starts empty again. */
  finish(): Data;
}

abstract class BaseBuilder implements ColumnBuilder {
  length = 0;
  protected nulls = 0;
  protected validity: Uint8Array | undefined;
  protected capacity: number;
  protected readonly initialCapacity: number;
  /** `finish` handed the buffers over (no copy): fresh ones are allocated on the next append. */
  protected spent = false;
  constructor(
    protected readonly type: DataType,
    initialCapacity: number,
  ) {
    this.capacity = this.initialCapacity = Math.max(8, initialCapacity);
  }
  abstract append(value: CellValue): void;
  abstract finish(): Data;
  protected abstract grow(capacity: number): void;
  /** Allocates empty buffers of `this.capacity`. */
  protected abstract fresh(): void;
  protected ensure(): void {
    if (this.spent) {
      this.spent = false;
      this.capacity = this.initialCapacity;
      this.fresh();
    }
    if (this.length < this.capacity) return;
    const next = this.capacity * 2;
    this.grow(next);
    if (this.validity !== undefined) {
      const v = new Uint8Array(Math.ceil(next / 8));
      v.set(this.validity);
      this.validity = v;
    }
    this.capacity = next;
  }
  protected markValid(): void {
    if (this.validity !== undefined) this.validity[this.length >> 3]! |= 1 << (this.length & 7);
  }
  appendNull(): void {
    this.ensure();
    if (this.validity === undefined) {
      this.validity = new Uint8Array(Math.ceil(this.capacity / 8));
      for (let i = 0; i < this.length; i++) this.validity[i >> 3]! |= 1 << (i & 7);
    }
    this.nulls++;
    this.pushDefault();
    this.length++;
  }
  protected abstract pushDefault(): void;
  appendText(text: string, start: number, end: number): void {
    this.append(text.slice(start, end));
  }
  protected takeValidity(): { nullBitmap?: Uint8Array; nullCount: number } {
    const out = this.nulls > 0 && this.validity !== undefined ? { nullBitmap: this.validity.subarray(0, Math.ceil(this.length / 8)), nullCount: this.nulls } : { nullCount: 0 };
    this.validity = undefined;
    this.nulls = 0;
    return out;
  }
}

type FixedArray = Int32Array | Float64Array | BigInt64Array | Uint32Array;

/**
 * The first `used` elements of a builder's array: a view, or a copy when most of the array is unused
 * (so a small batch does not keep a large reservation alive while it waits in the writer).
 */
function keepUsed<T extends Int32Array | Uint8Array | FixedArray>(a: T, used: number): T {
  return (used < a.length >> 2 && a.length > 4096 ? a.slice(0, used) : a.subarray(0, used)) as T;
}

const wordsOf = (a: FixedArray): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, (a.byteLength / 4) | 0);

class FixedBuilder extends BaseBuilder {
  protected values: FixedArray;
  /** The same memory as 32-bit words, for writing int64 / decimal128 without BigInt. */
  protected words: Uint32Array;
  constructor(
    type: DataType,
    private readonly make: (n: number) => FixedArray,
    private readonly stride: number,
    private readonly write: (values: FixedArray, words: Uint32Array, index: number, value: CellValue) => void,
    initialCapacity: number,
  ) {
    super(type, initialCapacity);
    this.values = make(this.capacity * stride);
    this.words = wordsOf(this.values);
  }
  protected grow(capacity: number): void {
    const next = this.make(capacity * this.stride);
    (next as Int32Array).set(this.values as Int32Array);
    this.values = next;
    this.words = wordsOf(next);
  }
  append(value: CellValue): void {
    this.ensure();
    this.markValid();
    this.write(this.values, this.words, this.length, value);
    this.length++;
  }
  protected pushDefault(): void {
    // Typed arrays are zero-filled; nothing to write.
  }
  protected fresh(): void {
    this.values = this.make(this.capacity * this.stride);
    this.words = wordsOf(this.values);
  }
  finish(): Data {
    const validity = this.takeValidity();
    const data = makeData({ type: this.type, length: this.length, data: keepUsed(this.values, this.length * this.stride), ...validity } as never) as Data;
    this.length = 0;
    this.spent = true;
    return data;
  }
}

// Subclasses with the write inlined into `append`: one call per value instead of two (the generic
// `write` callback is a megamorphic call on the hottest path of the reader).

class Int32Builder extends FixedBuilder {
  constructor(type: DataType, initialCapacity: number) {
    super(type, (n) => new Int32Array(n), 1, (a, _w, i, v) => ((a as Int32Array)[i] = v as number), initialCapacity);
  }
  override append(value: CellValue): void {
    this.ensure();
    this.markValid();
    (this.values as Int32Array)[this.length++] = value as number;
  }
}

class Float64Builder extends FixedBuilder {
  constructor(type: DataType, initialCapacity: number) {
    super(type, (n) => new Float64Array(n), 1, (a, _w, i, v) => ((a as Float64Array)[i] = v as number), initialCapacity);
  }
  override append(value: CellValue): void {
    this.ensure();
    this.markValid();
    (this.values as Float64Array)[this.length++] = value as number;
  }
}

class Int64Builder extends FixedBuilder {
  constructor(type: DataType, initialCapacity: number) {
    super(type, (n) => new BigInt64Array(n), 1, writeInt64Value, initialCapacity);
  }
  override append(value: CellValue): void {
    this.ensure();
    this.markValid();
    if (typeof value === 'number') writeInt64(this.words, this.length * 2, value);
    else (this.values as BigInt64Array)[this.length] = value as bigint;
    this.length++;
  }
}

class BoolBuilder extends BaseBuilder {
  private bits: Uint8Array;
  constructor(type: DataType, initialCapacity: number) {
    super(type, initialCapacity);
    this.bits = new Uint8Array(Math.ceil(this.capacity / 8));
  }
  protected grow(capacity: number): void {
    const next = new Uint8Array(Math.ceil(capacity / 8));
    next.set(this.bits);
    this.bits = next;
  }
  append(value: CellValue): void {
    this.ensure();
    this.markValid();
    if (value === true) this.bits[this.length >> 3]! |= 1 << (this.length & 7);
    this.length++;
  }
  protected pushDefault(): void {}
  protected fresh(): void {
    this.bits = new Uint8Array(Math.ceil(this.capacity / 8));
  }
  finish(): Data {
    const validity = this.takeValidity();
    const data = makeData({ type: this.type, length: this.length, data: this.bits.subarray(0, Math.ceil(this.length / 8)), ...validity } as never) as Data;
    this.length = 0;
    this.spent = true;
    return data;
  }
}

class Utf8Builder extends BaseBuilder {
  private offsets: Int32Array;
  private bytes: Uint8Array;
  private used = 0;
  constructor(type: DataType, initialCapacity: number) {
    super(type, initialCapacity);
    this.offsets = new Int32Array(this.capacity + 1);
    this.bytes = new Uint8Array(this.capacity * 16);
  }
  protected grow(capacity: number): void {
    const next = new Int32Array(capacity + 1);
    next.set(this.offsets);
    this.offsets = next;
  }
  append(value: CellValue): void {
    this.ensure();
    this.markValid();
    const text = value as string;
    const n = text.length;
    const max = n * 3;
    if (this.used + max > this.bytes.length) {
      const next = new Uint8Array(Math.max(this.bytes.length * 2, this.used + max));
      next.set(this.bytes.subarray(0, this.used));
      this.bytes = next;
    }
    // Short ASCII text (most values) is copied in a loop: cheaper than a call into the encoder.
    let i = 0;
    if (n <= 64) {
      const bytes = this.bytes;
      const at = this.used;
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c >= 0x80) break;
        bytes[at + i] = c;
      }
    }
    if (i === n) this.used += n;
    else this.used += encoder.encodeInto(text, this.bytes.subarray(this.used)).written;
    this.length++;
    this.offsets[this.length] = this.used;
  }
  override appendText(s: string, start: number, end: number): void {
    const n = end - start;
    if (n > 64) {
      this.append(s.slice(start, end));
      return;
    }
    this.ensure();
    this.markValid();
    if (this.used + n * 3 > this.bytes.length) {
      const next = new Uint8Array(Math.max(this.bytes.length * 2, this.used + n * 3));
      next.set(this.bytes.subarray(0, this.used));
      this.bytes = next;
    }
    // ASCII is copied character by character; anything else is encoded by the platform, as `append` would.
    const bytes = this.bytes;
    const at = this.used - start;
    let i = start;
    for (; i < end; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      bytes[at + i] = c;
    }
    if (i === end) this.used += n;
    else this.used += encoder.encodeInto(s.slice(start, end), this.bytes.subarray(this.used)).written;
    this.length++;
    this.offsets[this.length] = this.used;
  }
  /** Appends a value given as its UTF-8 bytes. */
  protected appendBytes(enc: Uint8Array): void {
    this.ensure();
    this.markValid();
    const n = enc.length;
    if (this.used + n > this.bytes.length) {
      const next = new Uint8Array(Math.max(this.bytes.length * 2, this.used + n));
      next.set(this.bytes.subarray(0, this.used));
      this.bytes = next;
    }
    const bytes = this.bytes;
    const at = this.used;
    for (let k = 0; k < n; k++) bytes[at + k] = enc[k]!;
    this.used = at + n;
    this.length++;
    this.offsets[this.length] = this.used;
  }
  protected pushDefault(): void {
    this.offsets[this.length + 1] = this.used;
  }
  protected fresh(): void {
    this.offsets = new Int32Array(this.capacity + 1);
    this.bytes = new Uint8Array(this.capacity * 16);
  }
  finish(): Data {
    const validity = this.takeValidity();
    const data = makeData({
      type: this.type,
      length: this.length,
      valueOffsets: keepUsed(this.offsets, this.length + 1),
      data: keepUsed(this.bytes, this.used),
      ...validity,
    } as never) as Data;
    this.length = 0;
    this.used = 0;
    this.spent = true;
    return data;
  }
}

/**
 * A string builder for an enum column: its values' UTF-8 bytes are encoded once, and copied from
 * there (a typed-array loop, cheaper than reading the string's characters); any other text takes
 * the plain string path.
 */
class EnumUtf8Builder extends Utf8Builder {
  private readonly encoded: Map<string, Uint8Array>;
  constructor(type: DataType, initialCapacity: number, values: readonly string[]) {
    super(type, initialCapacity);
    this.encoded = new Map(values.map((v) => [v, encoder.encode(v)]));
  }
  override append(value: CellValue): void {
    const enc = this.encoded.get(value as string);
    if (enc === undefined) super.append(value);
    else this.appendBytes(enc);
  }
}

const MASK32 = 0xffffffffn;
const TWO32 = 4294967296;

/** Writes a safe integer as a little-endian two's-complement int64 into two uint32 words. */
function writeInt64(words: Uint32Array, at: number, value: number): void {
  const high = Math.floor(value / TWO32);
  words[at] = value - high * TWO32;
  words[at + 1] = high >>> 0;
}

function writeInt64Value(a: FixedArray, words: Uint32Array, i: number, v: CellValue): void {
  if (typeof v === 'bigint') (a as BigInt64Array)[i] = v;
  else writeInt64(words, i * 2, v as number);
}

/**
 * A builder for a column of the given core type, producing Arrow data of `arrowType`
 * (from `toArrowSchema`).
 *
 * @example
 * ```ts
 * const b = columnBuilderFor({ kind: 'decimal', precision: 12, scale: 2 }, new Decimal(2, 12, 128));
 * b.append(10715n); // 107.15
 * ```
 */
export function columnBuilderFor(type: ColumnType, arrowType: DataType, initialCapacity = 1024): ColumnBuilder {
  switch (type.kind) {
    case 'int':
    case 'date':
      return new Int32Builder(arrowType, initialCapacity);
    case 'double':
      return new Float64Builder(arrowType, initialCapacity);
    case 'bigint':
    case 'timestamp':
      return new Int64Builder(arrowType, initialCapacity);
    case 'decimal':
      return new FixedBuilder(
        arrowType,
        (n) => new Uint32Array(n),
        4,
        (_a, words, i, v) => {
          const o = i * 4;
          if (typeof v === 'number') {
            writeInt64(words, o, v);
            const fill = v < 0 ? 0xffffffff : 0;
            words[o + 2] = fill;
            words[o + 3] = fill;
            return;
          }
          let x = BigInt.asUintN(128, v as bigint);
          for (let k = 0; k < 4; k++) {
            words[o + k] = Number(x & MASK32);
            x >>= 32n;
          }
        },
        initialCapacity,
      );
    case 'boolean':
      return new BoolBuilder(arrowType, initialCapacity);
    case 'string':
      return new Utf8Builder(arrowType, initialCapacity);
    case 'enum':
      return new EnumUtf8Builder(arrowType, initialCapacity, type.values);
  }
}

/**
 * Assembles finished column data into a record batch of `schema`.
 *
 * @example
 * ```ts
 * const batch = recordBatchOf(schema, builders.map((b) => b.finish()));
 * ```
 */
export function recordBatchOf(schema: Schema, columns: readonly Data[], length: number): RecordBatch {
  const struct = makeData({ type: new Struct(schema.fields as Field[]), length, nullCount: 0, children: columns as Data[] });
  return new RecordBatch(schema, struct);
}
