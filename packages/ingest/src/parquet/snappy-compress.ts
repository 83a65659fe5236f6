/**
 * A snappy compressor (the raw format Parquet's SNAPPY codec uses: a varint of the uncompressed
 * length, then literals and back-references). The input is cut into 64 KiB blocks compressed
 * independently, each with a 16 K-entry hash table of 4-byte sequences; a run of unmatched bytes
 * makes the search skip ahead faster, so incompressible data costs little. Any valid snappy
 * decoder reads the output (the tests decode it with hyparquet's and DuckDB's).
 *
 * @module
 */

const BLOCK = 1 << 16;
const MAX_HASH_BITS = 14;
/** Bytes at a block's end where no match starts (a match compares 4 bytes at a time). */
const INPUT_MARGIN = 15;
const fullTable = new Uint16Array(1 << MAX_HASH_BITS);
/** Output scratch (compression is synchronous); the result is copied out of it. */
let scratch = new Uint8Array(1 << 16);

/**
 * Upper bound of the compressed size of `length` bytes.
 *
 * @example
 * ```ts
 * const out = new Uint8Array(snappyMaxLength(input.length));
 * ```
 */
export function snappyMaxLength(length: number): number {
  return 32 + length + Math.floor(length / 6);
}

const load32 = (b: Uint8Array, p: number): number => b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);

/**
 * Compresses `input` with snappy into a new array (exactly the compressed length).
 *
 * @example
 * ```ts
 * const page = snappyCompress(new TextEncoder().encode('abcabcabcabc'));
 * ```
 */
export function snappyCompress(input: Uint8Array): Uint8Array {
  if (scratch.length < snappyMaxLength(input.length)) scratch = new Uint8Array(snappyMaxLength(input.length));
  const out = scratch;
  let o = 0;
  // Preamble: the uncompressed length as a varint.
  for (let n = input.length; ; ) {
    if (n < 0x80) {
      out[o++] = n;
      break;
    }
    out[o++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  for (let start = 0; start < input.length; start += BLOCK) {
    o = compressBlock(input, start, Math.min(input.length, start + BLOCK), out, o);
  }
  return out.slice(0, o);
}

function emitLiteral(input: Uint8Array, from: number, to: number, out: Uint8Array, o: number): number {
  const n = to - from - 1;
  if (n < 60) {
    out[o++] = n << 2;
  } else if (n < 0x100) {
    out[o++] = 60 << 2;
    out[o++] = n;
  } else if (n < 0x10000) {
    out[o++] = 61 << 2;
    out[o++] = n & 0xff;
    out[o++] = n >>> 8;
  } else if (n < 0x1000000) {
    out[o++] = 62 << 2;
    out[o++] = n & 0xff;
    out[o++] = (n >>> 8) & 0xff;
    out[o++] = n >>> 16;
  } else {
    out[o++] = 63 << 2;
    out[o++] = n & 0xff;
    out[o++] = (n >>> 8) & 0xff;
    out[o++] = (n >>> 16) & 0xff;
    out[o++] = n >>> 24;
  }
  if (to - from < 16) {
    for (let i = from; i < to; i++) out[o++] = input[i]!;
  } else {
    out.set(input.subarray(from, to), o);
    o += to - from;
  }
  return o;
}

/** One back-reference of 1..64 bytes, in its shortest form. */
function emitCopyUpTo64(offset: number, length: number, out: Uint8Array, o: number): number {
  if (length >= 4 && length < 12 && offset < 2048) {
    out[o++] = 1 | ((length - 4) << 2) | ((offset >>> 8) << 5);
    out[o++] = offset & 0xff;
  } else {
    out[o++] = 2 | ((length - 1) << 2);
    out[o++] = offset & 0xff;
    out[o++] = offset >>> 8;
  }
  return o;
}

function emitCopy(offset: number, length: number, out: Uint8Array, o: number): number {
  // Pieces of 64 while at least 68 remain (so the last piece is never under 4 bytes), then 60 if needed.
  while (length >= 68) {
    o = emitCopyUpTo64(offset, 64, out, o);
    length -= 64;
  }
  if (length > 64) {
    o = emitCopyUpTo64(offset, 60, out, o);
    length -= 60;
  }
  return emitCopyUpTo64(offset, length, out, o);
}

function compressBlock(input: Uint8Array, start: number, end: number, out: Uint8Array, o: number): number {
  let nextEmit = start;
  if (end - start >= INPUT_MARGIN) {
    // A table no larger than the block needs (clearing 16 K entries per small page would dominate).
    let bits = 8;
    while (bits < MAX_HASH_BITS && 1 << bits < end - start) bits++;
    const shift = 32 - bits;
    const table = fullTable.subarray(0, 1 << bits);
    table.fill(0);
    const hash = (v: number): number => Math.imul(v, 0x1e35a7bd) >>> shift;
    const ipLimit = end - INPUT_MARGIN;
    let ip = start + 1;
    let nextValue = load32(input, ip);
    search: for (;;) {
      // Look for a 4-byte match, skipping further the longer nothing matched.
      let skip = 32;
      let nextIp = ip;
      let candidate: number;
      let value: number;
      do {
        ip = nextIp;
        value = nextValue;
        const h = hash(value);
        nextIp = ip + (skip++ >> 5);
        if (nextIp > ipLimit) break search;
        nextValue = load32(input, nextIp);
        candidate = start + table[h]!;
        table[h] = ip - start;
      } while (value !== load32(input, candidate));

      o = emitLiteral(input, nextEmit, ip, out, o);
      // Emit copies as long as the bytes right after one copy match again.
      for (;;) {
        const base = ip;
        let matched = 4;
        while (ip + matched < end && input[candidate + matched] === input[ip + matched]) matched++;
        ip += matched;
        o = emitCopy(base - candidate, matched, out, o);
        nextEmit = ip;
        if (ip >= ipLimit) break search;
        table[hash(load32(input, ip - 1))] = ip - 1 - start;
        value = load32(input, ip);
        const h = hash(value);
        candidate = start + table[h]!;
        table[h] = ip - start;
        if (value !== load32(input, candidate)) break;
      }
      ip++;
      nextValue = load32(input, ip);
    }
  }
  if (nextEmit < end) o = emitLiteral(input, nextEmit, end, out, o);
  return o;
}
