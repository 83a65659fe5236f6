/**
 * Strict, streaming UTF-8 decoding: bytes are decoded chunk by chunk (multi-byte characters may
 * straddle chunks), a leading BOM is dropped, and the first invalid byte stops decoding with an
 * {@link IngestError} naming its byte offset and line — never a silent U+FFFD replacement.
 *
 * @module
 */
import { isAscii } from 'node:buffer';
import { IngestError } from '../errors/ingest-error.js';

const LF = 0x0a;

/**
 * Where a decoding failure happened.
 *
 * @example
 * ```ts
 * const at: Utf8Failure = { offset: 1024, line: 12, detail: 'invalid byte 0xE9' };
 * ```
 */
export interface Utf8Failure {
  /** Byte offset in the whole input (0-based). */
  offset: number;
  /** Physical line (1-based) holding that byte. */
  line: number;
  /** What is wrong. */
  detail: string;
}

/**
 * Decodes a byte stream as UTF-8, strictly: see the module description. Uses the platform's fast
 * `TextDecoder` (`fatal: true`); only when it refuses a chunk is the exact offset located, by a
 * byte-level validator.
 *
 * @example
 * ```ts
 * const decoder = new Utf8ChunkDecoder('orders.csv');
 * let text = '';
 * for await (const chunk of stream) text += decoder.decode(chunk);
 * text += decoder.end();
 * ```
 */
export class Utf8ChunkDecoder {
  readonly #file: string;
  #decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  #offset = 0;
  #lines = 1;
  #tail: Uint8Array = new Uint8Array(0);
  #first = true;

  /** @param file Named in errors. */
  constructor(file: string) {
    this.#file = file;
  }

  /** Bytes consumed so far. */
  get bytesRead(): number {
    return this.#offset;
  }

  /**
   * Decodes one chunk; returns the text it completes (possibly empty).
   *
   * @example
   * ```ts
   * new Utf8ChunkDecoder('a.csv').decode(Buffer.from('id\n1\n')); // 'id\n1\n'
   * new Utf8ChunkDecoder('a.csv').decode(Buffer.from('2\n'), 'id\n1,'); // 'id\n1,2\n'
   * ```
   *
   * @param prefix Text returned in front of the chunk's (not decoded, not counted): the unfinished
   * record a tokenizer kept from the previous chunk. Joined here, the result is one flat string
   * when it can be (an ASCII chunk and a Latin-1 prefix) rather than a concatenation, whose every
   * `charCodeAt` costs about twice as much.
   */
  decode(chunk: Uint8Array, prefix = ''): string {
    if (chunk.length === 0) return prefix;
    if (this.#first) {
      if (chunk.length >= 2 && ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff))) {
        throw this.#error({ offset: 0, line: 1, detail: 'the file is UTF-16 encoded (byte-order mark); save it as UTF-8' });
      }
    }
    if (this.#lines === 1) {
      // A NUL in the header line: UTF-16 without a byte-order mark (every other byte of ASCII text
      // is 0) or a binary file. Valid UTF-8, but no header has one; refused before it turns into a
      // confusing header mismatch.
      const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      const nul = buf.indexOf(0);
      if (nul !== -1) {
        const lf = buf.indexOf(LF);
        if (lf === -1 || nul < lf) {
          throw this.#error({ offset: this.#offset + nul, line: 1, detail: 'NUL byte in the header line (the file looks UTF-16 without a byte-order mark, or binary; save it as UTF-8)' });
        }
      }
    }
    let text: string;
    if (incompleteTailLength(this.#tail) === 0 && isAscii(chunk)) {
      // Pure ASCII between character boundaries (the common case): valid as it is, and decoded as
      // Latin-1, several times faster than the UTF-8 decoder. After a first chunk decoded this way,
      // the decoder must no longer strip a BOM (it would take a later U+FEFF for one).
      if (this.#first) this.#decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
      this.#first = false;
      this.#lines += countLf(chunk, 0, chunk.length);
      this.#offset += chunk.length;
      this.#tail = chunk.length >= 3 ? chunk.subarray(chunk.length - 3) : concat(this.#tail, chunk).subarray(-3);
      if (prefix !== '' && isLatin1(prefix)) {
        const joined = Buffer.allocUnsafe(prefix.length + chunk.length);
        joined.write(prefix, 0, 'latin1');
        joined.set(chunk, prefix.length);
        return joined.toString('latin1');
      }
      return prefix + Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    }
    this.#first = false;
    try {
      text = this.#decoder.decode(chunk, { stream: true });
    } catch (cause) {
      const rel = locateInvalidUtf8(this.#tail, chunk);
      const offset = this.#offset + rel.index;
      const line = this.#lines + countLf(chunk, 0, Math.max(0, rel.index));
      throw this.#error({ offset, line, detail: rel.detail }, cause);
    }
    this.#lines += countLf(chunk, 0, chunk.length);
    this.#offset += chunk.length;
    this.#tail = chunk.length >= 3 ? chunk.subarray(chunk.length - 3) : concat(this.#tail, chunk).subarray(-3);
    return prefix + text;
  }

  /**
   * Ends the input; fails if it stops inside a multi-byte character.
   *
   * @example
   * ```ts
   * decoder.end(); // '' unless a character was pending
   * ```
   */
  end(): string {
    try {
      return this.#decoder.decode();
    } catch (cause) {
      const pending = incompleteTailLength(this.#tail);
      throw this.#error({ offset: this.#offset - pending, line: this.#lines, detail: 'the input ends inside a multi-byte character' }, cause);
    }
  }

  #error(at: Utf8Failure, cause?: unknown): IngestError {
    return new IngestError('CsvMalformed', `Not valid UTF-8: ${at.detail} at byte offset ${at.offset}, line ${at.line}`, {
      context: { file: this.#file, line: at.line, offset: at.offset, reason: 'encoding' },
      cause,
    });
  }
}

/**
 * Counts `\n` bytes in `bytes[start, end)`.
 *
 * @example
 * ```ts
 * countLf(Buffer.from('a\nb\n'), 0, 4); // 2
 * ```
 */
export function countLf(bytes: Uint8Array, start: number, end: number): number {
  let n = 0;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let i = buf.indexOf(LF, start);
  while (i !== -1 && i < end) {
    n++;
    i = buf.indexOf(LF, i + 1);
  }
  return n;
}

/** Whether every character of `text` is below U+0100 (so Latin-1 bytes hold it exactly). */
function isLatin1(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** Bytes at the end of `tail` that start a multi-byte character not yet complete. */
function incompleteTailLength(tail: Uint8Array): number {
  for (let k = 1; k <= Math.min(3, tail.length); k++) {
    const b = tail[tail.length - k] ?? 0;
    if ((b & 0xc0) === 0x80) continue;
    const len = sequenceLength(b);
    return len > k ? k : 0;
  }
  return 0;
}

/**
 * Locates the first invalid UTF-8 byte of `chunk`, given up to 3 trailing bytes of the previous
 * chunk (a character may have started there). The index is relative to `chunk` (negative when the
 * bad sequence started in `tail`).
 *
 * @example
 * ```ts
 * locateInvalidUtf8(new Uint8Array(0), Buffer.from([0x61, 0xe9, 0x62])); // { index: 1, detail: 'invalid byte 0xE9 …' }
 * ```
 */
export function locateInvalidUtf8(tail: Uint8Array, chunk: Uint8Array): { index: number; detail: string } {
  const pending = incompleteTailLength(tail);
  const bytes = pending > 0 ? concat(tail.subarray(tail.length - pending), chunk) : chunk;
  const shift = pending;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    const len = sequenceLength(b);
    const hex = `0x${b.toString(16).toUpperCase().padStart(2, '0')}`;
    if (len === 0) return { index: i - shift, detail: `invalid byte ${hex} (not UTF-8; Latin-1 or Windows-1252?)` };
    for (let k = 1; k < len; k++) {
      const c = bytes[i + k];
      if (c === undefined) return { index: i - shift, detail: 'the input ends inside a multi-byte character' };
      let ok = (c & 0xc0) === 0x80;
      if (k === 1) {
        if (b === 0xe0 && c < 0xa0) ok = false; // overlong
        if (b === 0xed && c > 0x9f) ok = false; // surrogate
        if (b === 0xf0 && c < 0x90) ok = false; // overlong
        if (b === 0xf4 && c > 0x8f) ok = false; // > U+10FFFF
      }
      if (!ok) return { index: i - shift, detail: `invalid byte sequence starting with ${hex} (not UTF-8; Latin-1 or Windows-1252?)` };
    }
    i += len;
  }
  return { index: Math.max(0, chunk.length - 1), detail: 'invalid byte sequence' };
}
