/**
 * The slice of Thrift's compact protocol that Parquet metadata needs (page headers and the file
 * footer): structs, lists, i32/i64 as zigzag varints, binary, booleans in the field header.
 *
 * @module
 */

/**
 * Compact-protocol type codes used in field headers and list headers.
 *
 * @example
 * ```ts
 * w.listField(2, TType.STRUCT, columns.length); // a list of structs follows
 * ```
 */
export const TType = { TRUE: 1, FALSE: 2, I32: 5, I64: 6, BINARY: 8, LIST: 9, STRUCT: 12 } as const;

/**
 * Writes Thrift compact-protocol bytes into a growing buffer. Fields are written in increasing
 * id order inside {@link beginStruct} / {@link endStruct}.
 *
 * @example
 * ```ts
 * const w = new ThriftCompactWriter();
 * w.beginStruct();
 * w.i32Field(1, 42);
 * w.endStruct();
 * const bytes = w.finish();
 * ```
 */
export class ThriftCompactWriter {
  #buf = new Uint8Array(256);
  #at = 0;
  #lastField = 0;
  readonly #stack: number[] = [];

  /** Empties the writer, to write a new message into the same buffer. */
  reset(): void {
    this.#at = 0;
    this.#lastField = 0;
    this.#stack.length = 0;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#at;
  }

  #ensure(n: number): void {
    if (this.#at + n <= this.#buf.length) return;
    const grown = new Uint8Array(Math.max(this.#buf.length * 2, this.#at + n));
    grown.set(this.#buf.subarray(0, this.#at));
    this.#buf = grown;
  }

  #byte(b: number): void {
    this.#ensure(1);
    this.#buf[this.#at++] = b;
  }

  /** Unsigned varint of a non-negative safe integer. */
  varint(n: number): void {
    this.#ensure(10);
    while (n >= 0x80) {
      this.#buf[this.#at++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.#buf[this.#at++] = n;
  }

  #zigzag(n: number): void {
    this.varint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  #fieldHeader(id: number, type: number): void {
    const delta = id - this.#lastField;
    if (delta > 0 && delta <= 15) {
      this.#byte((delta << 4) | type);
    } else {
      this.#byte(type);
      this.#zigzag(id);
    }
    this.#lastField = id;
  }

  /** Starts a struct (top level, a list element, or after {@link structField}). */
  beginStruct(): void {
    this.#stack.push(this.#lastField);
    this.#lastField = 0;
  }

  /** Ends the current struct (writes the stop byte). */
  endStruct(): void {
    this.#byte(0);
    this.#lastField = this.#stack.pop() ?? 0;
  }

  /** A struct-valued field: follow with its fields and {@link endStruct}. */
  structField(id: number): void {
    this.#fieldHeader(id, TType.STRUCT);
    this.beginStruct();
  }

  i32Field(id: number, value: number): void {
    this.#fieldHeader(id, TType.I32);
    this.#zigzag(value);
  }

  /** An i64 field from a safe integer (offsets, sizes and counts all are). */
  i64Field(id: number, value: number): void {
    this.#fieldHeader(id, TType.I64);
    this.#zigzag(value);
  }

  boolField(id: number, value: boolean): void {
    this.#fieldHeader(id, value ? TType.TRUE : TType.FALSE);
  }

  binaryField(id: number, value: Uint8Array | string): void {
    this.#fieldHeader(id, TType.BINARY);
    this.binary(value);
  }

  /** A binary value (a list element, or after a binary field header). */
  binary(value: Uint8Array | string): void {
    const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
    this.varint(bytes.length);
    this.#ensure(bytes.length);
    this.#buf.set(bytes, this.#at);
    this.#at += bytes.length;
  }

  /** A list field of `size` elements of `elementType`; write the elements next. */
  listField(id: number, elementType: number, size: number): void {
    this.#fieldHeader(id, TType.LIST);
    if (size < 15) {
      this.#byte((size << 4) | elementType);
    } else {
      this.#byte(0xf0 | elementType);
      this.varint(size);
    }
  }

  /** An i32 list element. */
  i32(value: number): void {
    this.#zigzag(value);
  }

  /** The bytes written (a view: copy it before {@link reset}). */
  finish(): Uint8Array {
    return this.#buf.subarray(0, this.#at);
  }
}
