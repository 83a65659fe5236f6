/**
 * The lakeblocks Parquet encoder: reads the Arrow buffers of a table's batches and writes the
 * Parquet bytes itself, with no intermediate form (no IPC stream, no arrays of JS values) and no
 * fixed cost per file beyond the footer. Flat schemas only (the lake's column kinds).
 *
 * What it writes, per column chunk:
 * - Data pages v1, snappy, of at most ~1 MiB of values; definition levels (nullable columns only)
 *   as one RLE run when a page has no null, else as the validity bits bit-packed.
 * - Strings, enums and dates (not primary keys) dictionary-encoded (a PLAIN dictionary page, then
 *   RLE/bit-packed indices), falling back to PLAIN while building when the values are mostly
 *   distinct or the dictionary passes 1 MiB. Everything else PLAIN: keys, timestamps and numbers
 *   are (nearly) all distinct, where a dictionary is built only to be abandoned.
 * - Statistics: null count, and min/max (type-defined order, declared in the footer's column
 *   orders) except for 16-byte decimals, strings longer than 256 bytes and doubles with a NaN.
 *
 * @module
 */
import type { AnyTable, ColumnType } from '@lakeblocks/core';
import type { Data, RecordBatch } from 'apache-arrow';
import { IngestError } from '../errors/ingest-error.js';
import { DEFAULT_ROW_GROUP_SIZE, type ParquetEncoder } from './parquet-encoder.js';
import { snappyCompress } from './snappy-compress.js';
import { TType, ThriftCompactWriter } from './thrift-compact-writer.js';

/** Parquet physical types (the footer's `Type` enum). */
const Physical = { BOOLEAN: 0, INT32: 1, INT64: 2, DOUBLE: 5, BYTE_ARRAY: 6, FIXED_LEN_BYTE_ARRAY: 7 } as const;
const Encoding = { PLAIN: 0, RLE: 3, RLE_DICTIONARY: 8 } as const;
const PageType = { DATA_PAGE: 0, DICTIONARY_PAGE: 2 } as const;
const ConvertedType = { UTF8: 0, DECIMAL: 5, DATE: 6 } as const;
const SNAPPY = 1;
const MAGIC = new Uint8Array([0x50, 0x41, 0x52, 0x31]); // PAR1
/** The footer's `created_by`, in the `<app> version <x> (build <y>)` form readers parse. */
const CREATED_BY = 'lakeblocks version 0.1.0 (build ingest)';

/** Uncompressed values per data page (about; a page holds whole groups of 8 rows). */
const PAGE_BYTES = 1 << 20;
/** A dictionary larger than this falls back to PLAIN. */
const DICTIONARY_MAX_BYTES = 1 << 20;
/** Longest string kept as a min/max statistic (longer ones would bloat the footer). */
const STAT_MAX_BYTES = 256;

/** How one column is laid out in the file. */
interface ColumnPlan {
  name: string;
  /** The name as UTF-8 (footer). */
  nameBytes: Uint8Array;
  type: ColumnType;
  nullable: boolean;
  physical: number;
  /** Bytes per value in the file for fixed-width physical types (0 for BOOLEAN and BYTE_ARRAY). */
  width: number;
  /** Bytes per value in the Arrow buffer (16 for decimals, whatever the file width). */
  sourceWidth: number;
  dictionary: boolean;
}

const plansByTable = new WeakMap<AnyTable, readonly ColumnPlan[]>();

/** The column plans of a table (computed once per table). */
function plansOf(table: AnyTable): readonly ColumnPlan[] {
  let plans = plansByTable.get(table);
  if (plans === undefined) plansByTable.set(table, (plans = table.fileColumns.map(planColumn)));
  return plans;
}

function planColumn(c: AnyTable['fileColumns'][number]): ColumnPlan {
  const base = { name: c.name, nameBytes: new TextEncoder().encode(c.name), type: c.type, nullable: c.nullable };
  const dictionary = !c.isPrimaryKey;
  switch (c.type.kind) {
    case 'int':
      return { ...base, physical: Physical.INT32, width: 4, sourceWidth: 4, dictionary: false };
    case 'date':
      return { ...base, physical: Physical.INT32, width: 4, sourceWidth: 4, dictionary };
    case 'bigint':
    case 'timestamp':
      return { ...base, physical: Physical.INT64, width: 8, sourceWidth: 8, dictionary: false };
    case 'double':
      return { ...base, physical: Physical.DOUBLE, width: 8, sourceWidth: 8, dictionary: false };
    case 'boolean':
      return { ...base, physical: Physical.BOOLEAN, width: 0, sourceWidth: 0, dictionary: false };
    case 'string':
    case 'enum':
      return { ...base, physical: Physical.BYTE_ARRAY, width: 0, sourceWidth: 0, dictionary };
    case 'decimal': {
      const p = c.type.precision;
      const physical = p <= 9 ? Physical.INT32 : p <= 18 ? Physical.INT64 : Physical.FIXED_LEN_BYTE_ARRAY;
      return { ...base, physical, width: p <= 9 ? 4 : p <= 18 ? 8 : 16, sourceWidth: 16, dictionary: false };
    }
  }
}

/** A growing byte buffer. */
class ByteSink {
  buf: Uint8Array;
  at = 0;
  constructor(capacity = 1024) {
    this.buf = new Uint8Array(capacity);
  }
  ensure(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.at + n));
    grown.set(this.buf.subarray(0, this.at));
    this.buf = grown;
  }
  u8(b: number): void {
    this.ensure(1);
    this.buf[this.at++] = b;
  }
  u32(v: number): void {
    this.ensure(4);
    const b = this.buf;
    b[this.at++] = v & 0xff;
    b[this.at++] = (v >>> 8) & 0xff;
    b[this.at++] = (v >>> 16) & 0xff;
    b[this.at++] = v >>> 24;
  }
  varint(n: number): void {
    this.ensure(5);
    while (n >= 0x80) {
      this.buf[this.at++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.at++] = n;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
  }
  view(): Uint8Array {
    return this.buf.subarray(0, this.at);
  }
}

/**
 * Working arrays reused from chunk to chunk (encoding is synchronous): a chunk's validity, values,
 * string ranges and dictionary state are views of these, so a file of many small chunks allocates
 * little more than its output.
 */
const scratchI32: Int32Array<ArrayBuffer>[] = [];
const scratchU8: Uint8Array<ArrayBuffer>[] = [];
const I32 = { starts: 0, ends: 1, indices: 2, slots: 3, hashes: 4, firsts: 5, entryStart: 6, entryEnd: 7 } as const;
const U8 = { validity: 0, values: 1 } as const;

function scratchInt32(slot: number, n: number): Int32Array<ArrayBuffer> {
  let a = scratchI32[slot];
  if (a === undefined || a.length < n) scratchI32[slot] = a = new Int32Array(Math.max(n, 1024, 2 * (a?.length ?? 0)));
  return a.subarray(0, n);
}

function scratchUint8(slot: number, n: number): Uint8Array<ArrayBuffer> {
  let a = scratchU8[slot];
  if (a === undefined || a.length < n) scratchU8[slot] = a = new Uint8Array(Math.max(n, 4096, 2 * (a?.length ?? 0)));
  return a.subarray(0, n);
}

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Is row `i` of `d` valid? (The validity bitmap of a sliced `Data` is indexed from its offset.) */
function isValid(d: Data, i: number): boolean {
  const bitmap = d.nullBitmap;
  if (bitmap === undefined || bitmap.length === 0) return true;
  const j = d.offset + i;
  return (bitmap[j >> 3]! & (1 << (j & 7))) !== 0;
}

/** The rows [from, to) of one Arrow `Data`: a part of a column chunk. */
interface Segment {
  data: Data;
  from: number;
  to: number;
}

/** One column chunk's content, gathered from its segments. */
interface Gathered {
  rows: number;
  /** Validity bits (LSB first) of the chunk's rows, or undefined when none is null. */
  validity: Uint8Array | undefined;
  nonNull: number;
  /** Fixed width: the non-null values in file layout. BOOLEAN: their bits. BYTE_ARRAY: unused. */
  values: Uint8Array;
  /** BYTE_ARRAY: start/end byte offsets of each non-null value into `strings` parts. */
  strings: { bytes: Uint8Array; starts: Int32Array; ends: Int32Array } | undefined;
}

/** Null rows among rows [from, to) of `d`. */
function nullsIn(d: Data, from: number, to: number): number {
  if (d.nullCount === 0) return 0;
  if (from === 0 && to === d.length) return d.nullCount;
  let nulls = 0;
  for (let i = from; i < to; i++) if (!isValid(d, i)) nulls++;
  return nulls;
}

/** Copies the validity bits of rows [from, to) of `d` to bit `at` onwards of `out` (which starts zeroed). */
function copyValidity(d: Data, from: number, to: number, out: Uint8Array, at: number): void {
  const bitmap = d.nullBitmap;
  if (d.nullCount === 0 || bitmap === undefined || bitmap.length === 0) {
    for (let i = from; i < to; i++, at++) out[at >> 3]! |= 1 << (at & 7);
    return;
  }
  let j = d.offset + from;
  if ((j & 7) === 0 && (at & 7) === 0) {
    // Byte-aligned on both sides: whole bytes, then mask the bits past the range.
    const n = to - from;
    out.set(bitmap.subarray(j >> 3, (j + n + 7) >> 3), at >> 3);
    if ((n & 7) !== 0) out[(at + n) >> 3]! &= (1 << (n & 7)) - 1;
    return;
  }
  for (let i = from; i < to; i++, j++, at++) if ((bitmap[j >> 3]! & (1 << (j & 7))) !== 0) out[at >> 3]! |= 1 << (at & 7);
}

function gather(plan: ColumnPlan, segments: readonly Segment[], rows: number): Gathered {
  let nulls = 0;
  for (const s of segments) nulls += nullsIn(s.data, s.from, s.to);
  const nonNull = rows - nulls;
  let validity: Uint8Array | undefined;
  if (nulls > 0) {
    validity = scratchUint8(U8.validity, (rows + 7) >> 3).fill(0);
    let r = 0;
    for (const s of segments) {
      copyValidity(s.data, s.from, s.to, validity, r);
      r += s.to - s.from;
    }
  }
  if (plan.physical === Physical.BYTE_ARRAY) {
    // Values stay where they are; one copy of the bytes when the chunk spans several batches.
    const starts = scratchInt32(I32.starts, nonNull);
    const ends = scratchInt32(I32.ends, nonNull);
    let single: Uint8Array | undefined = segments.length === 1 ? (segments[0]!.data.values as Uint8Array) : undefined;
    let sink: ByteSink | undefined;
    if (single === undefined) {
      let total = 0;
      for (const s of segments) {
        const off = s.data.valueOffsets as Int32Array;
        total += off[s.to]! - off[s.from]!;
      }
      sink = new ByteSink(total);
    }
    let k = 0;
    for (const s of segments) {
      const off = s.data.valueOffsets as Int32Array;
      const src = s.data.values as Uint8Array;
      const all = s.data.nullCount === 0;
      const shift = sink === undefined ? 0 : sink.at - off[s.from]!;
      if (sink !== undefined) sink.bytes(src.subarray(off[s.from]!, off[s.to]!));
      for (let i = s.from; i < s.to; i++) {
        if (!all && !isValid(s.data, i)) continue;
        starts[k] = off[i]! + shift;
        ends[k++] = off[i + 1]! + shift;
      }
    }
    single ??= sink!.view();
    return { rows, validity, nonNull, values: new Uint8Array(0), strings: { bytes: single, starts, ends } };
  }
  if (plan.physical === Physical.BOOLEAN) {
    const values = new Uint8Array((nonNull + 7) >> 3);
    let k = 0;
    for (const s of segments) {
      const bits = s.data.values as Uint8Array;
      for (let i = s.from; i < s.to; i++) {
        if (!isValid(s.data, i)) continue;
        const j = s.data.offset + i;
        if ((bits[j >> 3]! & (1 << (j & 7))) !== 0) values[k >> 3]! |= 1 << (k & 7);
        k++;
      }
    }
    return { rows, validity, nonNull, values, strings: undefined };
  }
  const { width, sourceWidth } = plan;
  const values = scratchUint8(U8.values, nonNull * width);
  const reverse = plan.physical === Physical.FIXED_LEN_BYTE_ARRAY; // little-endian decimal128 → big-endian
  const out32 = new Int32Array(values.buffer, values.byteOffset, values.length >> 2);
  let o = 0; // in bytes
  for (const s of segments) {
    const src = bytesOf(s.data.values as ArrayBufferView);
    if (!reverse && width === sourceWidth && s.data.nullCount === 0) {
      values.set(src.subarray(s.from * width, s.to * width), o);
      o += (s.to - s.from) * width;
      continue;
    }
    const all = s.data.nullCount === 0;
    if (!reverse && (src.byteOffset & 3) === 0) {
      // Word copies: the low 1 or 2 words of each source value.
      const src32 = new Int32Array(src.buffer, src.byteOffset, src.length >> 2);
      const words = width >> 2;
      const stride = sourceWidth >> 2;
      let w = o >> 2;
      const bitmap = s.data.nullBitmap!;
      const shift = s.data.offset;
      for (let i = s.from; i < s.to; i++) {
        if (!all && (bitmap[(i + shift) >> 3]! & (1 << ((i + shift) & 7))) === 0) continue;
        const at = i * stride;
        out32[w++] = src32[at]!;
        if (words === 2) out32[w++] = src32[at + 1]!;
      }
      o = w << 2;
      continue;
    }
    for (let i = s.from; i < s.to; i++) {
      if (!all && !isValid(s.data, i)) continue;
      const at = i * sourceWidth;
      if (reverse) for (let b = 0; b < 16; b++) values[o + b] = src[at + 15 - b]!;
      else for (let b = 0; b < width; b++) values[o + b] = src[at + b]!;
      o += width;
    }
  }
  return { rows, validity, nonNull, values, strings: undefined };
}

/** Unsigned lexicographic comparison of two byte ranges. */
function compareBytes(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): number {
  const n = Math.min(aEnd - aStart, bEnd - bStart);
  for (let i = 0; i < n; i++) {
    const d = a[aStart + i]! - b[bStart + i]!;
    if (d !== 0) return d;
  }
  return aEnd - aStart - (bEnd - bStart);
}

/** Min and max of a chunk's non-null values, in the file's byte form; undefined when not written. */
function minMax(plan: ColumnPlan, g: Gathered, dictionary: Dictionary | undefined): { min: Uint8Array; max: Uint8Array } | undefined {
  const n = g.nonNull;
  if (n === 0) return undefined;
  if (dictionary !== undefined && plan.physical === Physical.BYTE_ARRAY) {
    // Each distinct value once: its first occurrence.
    const { bytes, starts, ends } = g.strings!;
    const firsts = dictionary.firsts;
    let lo = firsts[0]!;
    let hi = lo;
    for (let k = 1; k < dictionary.entries; k++) {
      const i = firsts[k]!;
      if (compareBytes(bytes, starts[i]!, ends[i]!, bytes, starts[lo]!, ends[lo]!) < 0) lo = i;
      else if (compareBytes(bytes, starts[i]!, ends[i]!, bytes, starts[hi]!, ends[hi]!) > 0) hi = i;
    }
    if (ends[lo]! - starts[lo]! > STAT_MAX_BYTES || ends[hi]! - starts[hi]! > STAT_MAX_BYTES) return undefined;
    return { min: bytes.slice(starts[lo], ends[lo]), max: bytes.slice(starts[hi], ends[hi]) };
  }
  switch (plan.physical) {
    case Physical.INT32: {
      const v = new Int32Array(g.values.buffer, g.values.byteOffset, n);
      let lo = 0;
      let hi = 0;
      for (let i = 1; i < n; i++) {
        if (v[i]! < v[lo]!) lo = i;
        else if (v[i]! > v[hi]!) hi = i;
      }
      return { min: g.values.slice(lo * 4, lo * 4 + 4), max: g.values.slice(hi * 4, hi * 4 + 4) };
    }
    case Physical.INT64: {
      const w = new Int32Array(g.values.buffer, g.values.byteOffset, n * 2);
      const less = (a: number, b: number): boolean => w[2 * a + 1]! < w[2 * b + 1]! || (w[2 * a + 1] === w[2 * b + 1] && w[2 * a]! >>> 0 < w[2 * b]! >>> 0);
      let lo = 0;
      let hi = 0;
      for (let i = 1; i < n; i++) {
        if (less(i, lo)) lo = i;
        else if (less(hi, i)) hi = i;
      }
      return { min: g.values.slice(lo * 8, lo * 8 + 8), max: g.values.slice(hi * 8, hi * 8 + 8) };
    }
    case Physical.DOUBLE: {
      const v = new Float64Array(g.values.buffer, g.values.byteOffset, n);
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < n; i++) {
        const x = v[i]!;
        if (x !== x) return undefined; // NaN: no order to state
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      // The spec asks for -0.0 as a zero minimum and +0.0 as a zero maximum.
      if (lo === 0) lo = -0;
      if (hi === 0) hi = 0;
      return { min: bytesOf(new Float64Array([lo])), max: bytesOf(new Float64Array([hi])) };
    }
    case Physical.BOOLEAN: {
      let ones = 0;
      for (let i = 0; i < n; i++) ones += (g.values[i >> 3]! >> (i & 7)) & 1;
      return { min: new Uint8Array([ones === n ? 1 : 0]), max: new Uint8Array([ones > 0 ? 1 : 0]) };
    }
    case Physical.BYTE_ARRAY: {
      const { bytes, starts, ends } = g.strings!;
      let lo = 0;
      let hi = 0;
      for (let i = 1; i < n; i++) {
        if (compareBytes(bytes, starts[i]!, ends[i]!, bytes, starts[lo]!, ends[lo]!) < 0) lo = i;
        else if (compareBytes(bytes, starts[i]!, ends[i]!, bytes, starts[hi]!, ends[hi]!) > 0) hi = i;
      }
      if (ends[lo]! - starts[lo]! > STAT_MAX_BYTES || ends[hi]! - starts[hi]! > STAT_MAX_BYTES) return undefined;
      return { min: bytes.slice(starts[lo], ends[lo]), max: bytes.slice(starts[hi], ends[hi]) };
    }
    default:
      return undefined;
  }
}

/** The dictionary page being built (compressed into a new array before the next chunk). */
const dictionaryPage = new ByteSink(1 << 12);

/** A dictionary of a chunk's values: indices per non-null value, and the PLAIN dictionary page. */
interface Dictionary {
  indices: Int32Array;
  entries: number;
  /** Per entry, the (non-null) value index of its first occurrence. */
  firsts: Int32Array;
  page: Uint8Array;
}

/** Builds a dictionary of a chunk's strings, or undefined when it would not pay (mostly distinct, or too large). */
function stringDictionary(g: Gathered): Dictionary | undefined {
  const { bytes, starts, ends } = g.strings!;
  const n = g.nonNull;
  // At most n entries (and the build stops past half of them), so a table of 2n slots never fills.
  let capacity = 64;
  while (capacity < n * 2) capacity <<= 1;
  const slots = scratchInt32(I32.slots, capacity).fill(-1);
  const hashes = scratchInt32(I32.hashes, n);
  const firsts = scratchInt32(I32.firsts, n);
  const entryStart = scratchInt32(I32.entryStart, n);
  const entryEnd = scratchInt32(I32.entryEnd, n);
  let entries = 0;
  const page = dictionaryPage;
  page.at = 0;
  const indices = scratchInt32(I32.indices, n);
  for (let i = 0; i < n; i++) {
    const s = starts[i]!;
    const e = ends[i]!;
    let h = 0x811c9dc5 | 0; // signed, as Math.imul's results and the Int32Array of hashes are
    for (let p = s; p < e; p++) h = Math.imul(h ^ bytes[p]!, 0x01000193);
    let slot = h & (capacity - 1);
    let k: number;
    for (;;) {
      k = slots[slot]!;
      if (k === -1) break;
      if (hashes[k] === h && compareBytes(bytes, s, e, bytes, entryStart[k]!, entryEnd[k]!) === 0) break;
      slot = (slot + 1) & (capacity - 1);
    }
    if (k === -1) {
      k = entries++;
      if ((entries * 2 > i + 1 && i >= 255) || page.at > DICTIONARY_MAX_BYTES) return undefined;
      hashes[k] = h;
      firsts[k] = i;
      entryStart[k] = s;
      entryEnd[k] = e;
      page.u32(e - s);
      page.bytes(bytes.subarray(s, e));
      slots[slot] = k;
    }
    indices[i] = k;
  }
  return { indices, entries, firsts, page: page.view() };
}

/** A dictionary of a chunk's INT32 values (dates). */
function int32Dictionary(g: Gathered): Dictionary | undefined {
  const n = g.nonNull;
  const v = new Int32Array(g.values.buffer, g.values.byteOffset, n);
  const seen = new Map<number, number>();
  const page = dictionaryPage;
  page.at = 0;
  const indices = scratchInt32(I32.indices, n);
  for (let i = 0; i < n; i++) {
    let k = seen.get(v[i]!);
    if (k === undefined) {
      k = seen.size;
      if ((k + 1) * 2 > i + 1 && i >= 255) return undefined;
      seen.set(v[i]!, k);
      page.u32(v[i]!);
    }
    indices[i] = k;
  }
  return { indices, entries: seen.size, firsts: new Int32Array(0), page: page.view() };
}

/**
 * Appends values [from, to) of `values` with the RLE / bit-packing hybrid: runs of 8 or more equal
 * values (after completing the pending group of 8) as RLE runs, the rest bit-packed.
 */
function writeHybrid(out: ByteSink, values: Int32Array, from: number, to: number, bitWidth: number): void {
  const byteWidth = (bitWidth + 7) >> 3;
  const flushPacked = (a: number, b: number): void => {
    if (a >= b) return;
    const groups = (b - a + 7) >> 3;
    out.varint((groups << 1) | 1);
    out.ensure(groups * bitWidth);
    const buf = out.buf;
    let acc = 0;
    let bits = 0;
    for (let i = a; i < a + groups * 8; i++) {
      acc |= (i < b ? values[i]! : 0) << bits;
      bits += bitWidth;
      while (bits >= 8) {
        buf[out.at++] = acc & 0xff;
        acc >>>= 8;
        bits -= 8;
      }
    }
  };
  let packedFrom = from;
  let i = from;
  while (i < to) {
    const v = values[i]!;
    let j = i + 1;
    while (j < to && values[j] === v) j++;
    const pad = (8 - ((i - packedFrom) & 7)) & 7;
    if (j - i - pad >= 8) {
      flushPacked(packedFrom, i + pad);
      const run = j - i - pad;
      out.varint(run << 1);
      out.ensure(byteWidth);
      for (let b = 0; b < byteWidth; b++) out.buf[out.at++] = (v >>> (8 * b)) & 0xff;
      packedFrom = j;
    }
    i = j;
  }
  flushPacked(packedFrom, to);
}

/** Output of one column chunk: its pages (headers included) and the footer's numbers for it. */
interface ChunkOut {
  parts: Uint8Array[];
  compressed: number;
  uncompressed: number;
  dictionaryOffset: number | undefined;
  dataOffset: number;
  encodings: number[];
  nullCount: number;
  stats: { min: Uint8Array; max: Uint8Array } | undefined;
}

const headerWriter = new ThriftCompactWriter();

function pageHeader(type: number, uncompressed: number, compressed: number, rows: number, encoding: number): Uint8Array {
  const w = headerWriter;
  w.reset();
  w.beginStruct();
  w.i32Field(1, type);
  w.i32Field(2, uncompressed);
  w.i32Field(3, compressed);
  if (type === PageType.DICTIONARY_PAGE) {
    w.structField(7);
    w.i32Field(1, rows);
    w.i32Field(2, encoding);
  } else {
    w.structField(5);
    w.i32Field(1, rows);
    w.i32Field(2, encoding);
    w.i32Field(3, Encoding.RLE);
    w.i32Field(4, Encoding.RLE);
  }
  w.endStruct();
  w.endStruct();
  return w.finish().slice();
}

/** Rows per data page: whole groups of 8 (so validity bytes split cleanly), about {@link PAGE_BYTES} of values. */
function rowsPerPage(plan: ColumnPlan, g: Gathered, pageBytes: number, indexBits: number): number {
  let valueBytes: number;
  if (indexBits > 0) valueBytes = (g.nonNull * indexBits) / 8;
  else if (plan.physical === Physical.BYTE_ARRAY) {
    const { starts, ends } = g.strings!;
    valueBytes = 4 * g.nonNull;
    for (let i = 0; i < g.nonNull; i++) valueBytes += ends[i]! - starts[i]!;
  } else valueBytes = plan.physical === Physical.BOOLEAN ? g.nonNull / 8 : g.values.length;
  const perRow = Math.max(valueBytes / Math.max(1, g.rows), 1 / 8);
  return Math.max(8, Math.floor(pageBytes / perRow / 8) * 8);
}

/** The page being built (encoding is synchronous, so one serves every call; its bytes are compressed into a new array). */
const pageBody = new ByteSink(1 << 16);

function encodeChunk(plan: ColumnPlan, segments: readonly Segment[], rows: number, fileOffset: number, pageBytes: number): ChunkOut {
  const g = gather(plan, segments, rows);
  if (!plan.nullable && g.nonNull < rows) throw new Error(`column "${plan.name}" is not nullable but holds ${rows - g.nonNull} null(s)`);
  const out: ChunkOut = {
    parts: [],
    compressed: 0,
    uncompressed: 0,
    dictionaryOffset: undefined,
    dataOffset: fileOffset,
    encodings: [Encoding.PLAIN, Encoding.RLE],
    nullCount: rows - g.nonNull,
    stats: undefined,
  };
  const addPage = (type: number, body: Uint8Array, pageRows: number, encoding: number): void => {
    const compressed = snappyCompress(body);
    const header = pageHeader(type, body.length, compressed.length, pageRows, encoding);
    out.parts.push(header, compressed);
    out.compressed += header.length + compressed.length;
    out.uncompressed += header.length + body.length;
  };
  const dictionary = !plan.dictionary || g.nonNull === 0 ? undefined : plan.physical === Physical.BYTE_ARRAY ? stringDictionary(g) : int32Dictionary(g);
  out.stats = minMax(plan, g, dictionary);
  if (dictionary !== undefined) {
    out.dictionaryOffset = fileOffset;
    addPage(PageType.DICTIONARY_PAGE, dictionary.page, dictionary.entries, Encoding.PLAIN);
    out.dataOffset = fileOffset + out.compressed;
    out.encodings.push(Encoding.RLE_DICTIONARY);
  }
  const bitWidth = dictionary === undefined ? 0 : Math.max(1, 32 - Math.clz32(dictionary.entries - 1));
  const step = rowsPerPage(plan, g, pageBytes, bitWidth);
  const body = pageBody;
  let value = 0; // index of the page's first non-null value
  for (let first = 0; first < rows; first += step) {
    const last = Math.min(rows, first + step);
    const pageRows = last - first;
    body.at = 0;
    let present = pageRows;
    if (plan.nullable) {
      body.u32(0); // the levels' byte length, patched below
      const lengthAt = body.at;
      if (g.validity === undefined) {
        body.varint(pageRows << 1);
        body.u8(1);
      } else {
        const bytes = g.validity.subarray(first >> 3, (last + 7) >> 3);
        present = 0;
        if (first === 0 && last === rows) present = g.nonNull;
        else for (let i = first; i < last; i++) present += (g.validity[i >> 3]! >> (i & 7)) & 1;
        body.varint(bytes.length << 1 | 1);
        body.bytes(bytes);
      }
      const levels = body.at - lengthAt;
      body.buf[lengthAt - 4] = levels & 0xff;
      body.buf[lengthAt - 3] = (levels >>> 8) & 0xff;
      body.buf[lengthAt - 2] = (levels >>> 16) & 0xff;
      body.buf[lengthAt - 1] = levels >>> 24;
    }
    const end = value + present;
    if (dictionary !== undefined) {
      body.u8(bitWidth);
      writeHybrid(body, dictionary.indices, value, end, bitWidth);
    } else if (plan.physical === Physical.BYTE_ARRAY) {
      const { bytes, starts, ends } = g.strings!;
      for (let i = value; i < end; i++) {
        const s = starts[i]!;
        const e = ends[i]!;
        body.ensure(4 + e - s);
        body.u32(e - s);
        body.buf.set(bytes.subarray(s, e), body.at);
        body.at += e - s;
      }
    } else if (plan.physical === Physical.BOOLEAN) {
      // Bit-packed values of this page's non-null values, from bit `value` of the chunk's bits.
      const n = end - value;
      body.ensure((n + 7) >> 3);
      const start = body.at;
      body.buf.fill(0, start, start + ((n + 7) >> 3));
      for (let i = 0; i < n; i++) {
        const b = value + i;
        if ((g.values[b >> 3]! >> (b & 7)) & 1) body.buf[start + (i >> 3)]! |= 1 << (i & 7);
      }
      body.at += (n + 7) >> 3;
    } else {
      body.bytes(g.values.subarray(value * plan.width, end * plan.width));
    }
    addPage(PageType.DATA_PAGE, body.view(), pageRows, dictionary === undefined ? Encoding.PLAIN : Encoding.RLE_DICTIONARY);
    value = end;
  }
  return out;
}

/** A converted type and the matching logical type that has no parameters (the union member `logical`). */
function annotation(w: ThriftCompactWriter, converted: number, logical: number): void {
  w.i32Field(6, converted);
  w.structField(10);
  w.structField(logical);
  w.endStruct();
  w.endStruct();
}

function writeSchemaElement(w: ThriftCompactWriter, plan: ColumnPlan): void {
  w.beginStruct();
  w.i32Field(1, plan.physical);
  if (plan.physical === Physical.FIXED_LEN_BYTE_ARRAY) w.i32Field(2, 16);
  w.i32Field(3, plan.nullable ? 1 : 0);
  w.binaryField(4, plan.nameBytes);
  const t = plan.type;
  switch (t.kind) {
    case 'string':
    case 'enum':
      annotation(w, ConvertedType.UTF8, 1); // STRING
      break;
    case 'date':
      annotation(w, ConvertedType.DATE, 6); // DATE
      break;
    case 'timestamp':
      // No converted type: TIMESTAMP_MICROS would mean adjusted to UTC.
      w.structField(10);
      w.structField(8); // TIMESTAMP
      w.boolField(1, false); // isAdjustedToUTC
      w.structField(2); // unit
      w.structField(2); // MICROS
      w.endStruct();
      w.endStruct();
      w.endStruct();
      w.endStruct();
      break;
    case 'decimal':
      w.i32Field(6, ConvertedType.DECIMAL);
      w.i32Field(7, t.scale);
      w.i32Field(8, t.precision);
      w.structField(10);
      w.structField(5); // DECIMAL
      w.i32Field(1, t.scale);
      w.i32Field(2, t.precision);
      w.endStruct();
      w.endStruct();
      break;
    default:
      break;
  }
  w.endStruct();
}

function footer(plans: readonly ColumnPlan[], totalRows: number, rowGroups: { rows: number; chunks: ChunkOut[] }[]): Uint8Array {
  const w = new ThriftCompactWriter();
  w.beginStruct();
  w.i32Field(1, 1); // version
  w.listField(2, TType.STRUCT, plans.length + 1);
  w.beginStruct();
  w.binaryField(4, 'schema');
  w.i32Field(5, plans.length);
  w.endStruct();
  for (const plan of plans) writeSchemaElement(w, plan);
  w.i64Field(3, totalRows);
  w.listField(4, TType.STRUCT, rowGroups.length);
  for (const group of rowGroups) {
    w.beginStruct();
    w.listField(1, TType.STRUCT, group.chunks.length);
    group.chunks.forEach((chunk, k) => {
      const plan = plans[k]!;
      w.beginStruct();
      w.i64Field(2, chunk.dictionaryOffset ?? chunk.dataOffset);
      w.structField(3);
      w.i32Field(1, plan.physical);
      w.listField(2, TType.I32, chunk.encodings.length);
      for (const e of chunk.encodings) w.i32(e);
      w.listField(3, TType.BINARY, 1);
      w.binary(plan.nameBytes);
      w.i32Field(4, SNAPPY);
      w.i64Field(5, group.rows);
      w.i64Field(6, chunk.uncompressed);
      w.i64Field(7, chunk.compressed);
      w.i64Field(9, chunk.dataOffset);
      if (chunk.dictionaryOffset !== undefined) w.i64Field(11, chunk.dictionaryOffset);
      w.structField(12);
      w.i64Field(3, chunk.nullCount);
      if (chunk.stats !== undefined) {
        w.binaryField(5, chunk.stats.max);
        w.binaryField(6, chunk.stats.min);
      }
      w.endStruct();
      w.endStruct();
      w.endStruct();
    });
    w.i64Field(2, group.chunks.reduce((n, c) => n + c.uncompressed, 0));
    w.i64Field(3, group.rows);
    w.i64Field(5, group.chunks[0]?.dictionaryOffset ?? group.chunks[0]?.dataOffset ?? 4);
    w.i64Field(6, group.chunks.reduce((n, c) => n + c.compressed, 0));
    w.endStruct();
  }
  w.binaryField(6, CREATED_BY);
  // Column orders: type-defined for every column, so readers trust min_value/max_value.
  w.listField(7, TType.STRUCT, plans.length);
  for (let k = 0; k < plans.length; k++) {
    w.beginStruct();
    w.structField(1);
    w.endStruct();
    w.endStruct();
  }
  w.endStruct();
  return w.finish();
}

/**
 * Options of {@link encodeArrowParquet}.
 *
 * @example
 * ```ts
 * const options: ArrowParquetOptions = { rowGroupSize: 50_000, pageBytes: 256 * 1024 };
 * ```
 */
export interface ArrowParquetOptions {
  /** Rows per row group (default 122 880). */
  rowGroupSize?: number;
  /** Uncompressed bytes of values per data page, about (default 1 MiB). */
  pageBytes?: number;
}

/**
 * Encodes batches of a table's file schema (`toArrowSchema(table)`) into one Parquet file.
 *
 * @example
 * ```ts
 * const bytes = encodeArrowParquet(orders, [batch], { rowGroupSize: 50_000 });
 * ```
 */
export function encodeArrowParquet(table: AnyTable, batches: readonly RecordBatch[], options: ArrowParquetOptions = {}): Uint8Array {
  const pageBytes = Math.max(1, Math.floor(options.pageBytes ?? PAGE_BYTES));
  const plans = plansOf(table);
  const rowGroupSize = Math.max(1, Math.floor(options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE));
  const totalRows = batches.reduce((n, b) => n + b.numRows, 0);
  const parts: Uint8Array[] = [MAGIC];
  let offset = MAGIC.length;
  const rowGroups: { rows: number; chunks: ChunkOut[] }[] = [];
  // Walk the batches in row-group ranges; each range is a list of (batch, from, to).
  let batchIndex = 0;
  let within = 0;
  for (let first = 0; first < totalRows; first += rowGroupSize) {
    const rows = Math.min(rowGroupSize, totalRows - first);
    const ranges: { batch: RecordBatch; from: number; to: number }[] = [];
    for (let left = rows; left > 0; ) {
      const batch = batches[batchIndex]!;
      const take = Math.min(left, batch.numRows - within);
      if (take > 0) ranges.push({ batch, from: within, to: within + take });
      within += take;
      left -= take;
      if (within === batch.numRows) {
        batchIndex++;
        within = 0;
      }
    }
    const chunks = plans.map((plan, k) => {
      const segments = ranges.map((r) => ({ data: r.batch.data.children[k]!, from: r.from, to: r.to }));
      const chunk = encodeChunk(plan, segments, rows, offset, pageBytes);
      for (const p of chunk.parts) parts.push(p);
      offset += chunk.compressed;
      return chunk;
    });
    rowGroups.push({ rows, chunks });
  }
  const meta = footer(plans, totalRows, rowGroups);
  const tail = new Uint8Array(8);
  new DataView(tail.buffer).setUint32(0, meta.length, true);
  tail.set(MAGIC, 4);
  parts.push(meta, tail);
  const out = new Uint8Array(offset + meta.length + 8);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The lakeblocks encoder as a {@link ParquetEncoder} (the dataset writer's default): no per-file
 * fixed cost, so it serves the many small files of day partitions and large files alike.
 *
 * @example
 * ```ts
 * const writer = new ParquetDatasetWriter(storage, events, { encoder: arrowParquetEncoder });
 * ```
 */
export const arrowParquetEncoder: ParquetEncoder = {
  name: 'lakeblocks',
  encode(table, batches, options = {}) {
    try {
      return encodeArrowParquet(table, batches, options);
    } catch (cause) {
      throw new IngestError('WriteFailed', `Parquet encoding failed for table "${table.name}": ${(cause as Error).message}`, {
        context: { table: table.name },
        cause,
      });
    }
  },
};
