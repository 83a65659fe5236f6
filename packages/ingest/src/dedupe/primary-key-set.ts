/**
 * The set of primary keys seen by `dedupe: 'keep-first'`, kept compact: a growable bitset for
 * non-negative integer keys (1 bit per possible value, so 13.3 M ids between 7.5 M and 20.8 M
 * take 2.6 MB instead of the ~400 MB of a `Set<number>`), an exact open-addressing hash set of
 * doubles for other numbers (negative, fractional, or too sparse for the bitset: at most 16 bytes
 * per key), and a `Set<string>` for composite and text keys. Exact: no hashing that could call two
 * different keys equal, so no row is ever rejected as a duplicate by mistake.
 *
 * @module
 */

/**
 * What the CSV reader needs of a set of seen keys: a `Set<string | number>` fits, and so does
 * {@link PrimaryKeySet} (the compact default).
 *
 * @example
 * ```ts
 * const seen: SeenKeys = new PrimaryKeySet();
 * if (!seen.has(42)) seen.add(42);
 * ```
 */
export interface SeenKeys {
  has(key: string | number): boolean;
  add(key: string | number): unknown;
}

/** The bitset never covers more than this many values (2^31 bits = 256 MiB). */
const MAX_BITSET_BITS = 2 ** 31;
/** A bitset up to this size is always fine (covers keys below 8,388,608). */
const BITSET_FLOOR_BYTES = 1 << 20;
/** Beyond the floor, the bitset may take up to twice this many bytes per key held (the hash set's cost). */
const BITSET_BYTES_PER_KEY = 16;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** An exact hash set of doubles (open addressing, linear probing, NaN marks an empty slot). */
class NumberHashSet {
  #slots = new Float64Array(0);
  #mask = -1;
  size = 0;

  static #hash(key: number): number {
    f64[0] = key;
    let h = Math.imul(u32[0]! ^ Math.imul(u32[1]!, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  }

  get bytes(): number {
    return this.#slots.byteLength;
  }

  has(key: number): boolean {
    if (this.size === 0) return false;
    const slots = this.#slots;
    for (let i = NumberHashSet.#hash(key) & this.#mask; ; i = (i + 1) & this.#mask) {
      const s = slots[i]!;
      if (s === key) return true;
      if (s !== s) return false; // NaN: empty
    }
  }

  /** Adds `key` (not already present, not NaN). */
  insert(key: number): void {
    if ((this.size + 1) * 2 > this.#slots.length) this.#resize(Math.max(16, this.#slots.length * 2));
    this.#place(key);
    this.size++;
  }

  /** Calls `fn` with every key, in no particular order. */
  forEach(fn: (key: number) => void): void {
    for (const s of this.#slots) if (s === s) fn(s);
  }

  /** Keeps only the keys for which `keep` is true. */
  retain(keep: (key: number) => boolean): void {
    const old = this.#slots;
    this.#slots = new Float64Array(old.length).fill(Number.NaN);
    this.size = 0;
    for (const s of old) {
      if (s === s && keep(s)) {
        this.#place(s);
        this.size++;
      }
    }
  }

  #place(key: number): void {
    const slots = this.#slots;
    let i = NumberHashSet.#hash(key) & this.#mask;
    while (slots[i] === slots[i]) i = (i + 1) & this.#mask;
    slots[i] = key;
  }

  #resize(capacity: number): void {
    const old = this.#slots;
    this.#slots = new Float64Array(capacity).fill(Number.NaN);
    this.#mask = capacity - 1;
    for (const s of old) if (s === s) this.#place(s);
  }
}

/**
 * A compact, exact set of primary keys (see the module description). Numbers follow `Set`
 * semantics (`0` and `-0` are the same key; the number `1` and the string `'1'` are different keys).
 *
 * @example
 * ```ts
 * import { PrimaryKeySet } from '@lakeblocks/ingest';
 * const seen = new PrimaryKeySet();
 * seen.add(7_475_327); seen.add('A\u0000B');
 * seen.has(7_475_327); // true
 * seen.size; // 2
 * ```
 */
export class PrimaryKeySet implements SeenKeys {
  #bits = new Uint32Array(0);
  #numbers = new NumberHashSet();
  #strings = new Set<string>();
  #size = 0;

  /** Keys held. */
  get size(): number {
    return this.#size;
  }

  /** Bytes held by the bitset and the number hash set (strings not counted). */
  get numericBytes(): number {
    return this.#bits.byteLength + this.#numbers.bytes;
  }

  /** Where the keys are: bitset size, numbers in the hash set, strings (for diagnostics and tests). */
  get layout(): { bitsetBytes: number; hashedNumbers: number; strings: number } {
    return { bitsetBytes: this.#bits.byteLength, hashedNumbers: this.#numbers.size, strings: this.#strings.size };
  }

  /** Whether `key` was added. */
  has(key: string | number): boolean {
    if (typeof key === 'string') return this.#strings.has(key);
    if (key !== key) return false; // NaN is never a key (a Set would hold it: see add)
    const k = key + 0; // -0 → 0
    if (k >= 0 && k < this.#bits.length * 32 && Number.isInteger(k)) {
      if ((this.#bits[k >>> 5]! & (1 << (k & 31))) !== 0) return true;
    }
    return this.#numbers.size > 0 && this.#numbers.has(k);
  }

  /** Adds `key`; returns the set (like `Set.add`). NaN is refused (`RangeError`): it is not a key value. */
  add(key: string | number): this {
    if (typeof key === 'string') {
      if (!this.#strings.has(key)) {
        this.#strings.add(key);
        this.#size++;
      }
      return this;
    }
    if (key !== key) throw new RangeError('NaN is not a primary key value');
    if (this.has(key)) return this;
    const k = key + 0;
    if (Number.isInteger(k) && k >= 0 && k < MAX_BITSET_BITS && this.#coverBits(k)) {
      this.#bits[k >>> 5]! |= 1 << (k & 31);
    } else {
      this.#numbers.insert(k);
    }
    this.#size++;
    return this;
  }

  /**
   * Calls `fn` with every key: integers held by the bitset in increasing order, then the other
   * numbers, then the strings (e.g. to add one set's keys to another).
   *
   * @example
   * ```ts
   * const all = new PrimaryKeySet();
   * fileKeys.forEach((k) => all.add(k));
   * ```
   */
  forEach(fn: (key: string | number) => void): void {
    const bits = this.#bits;
    for (let w = 0; w < bits.length; w++) {
      let word = bits[w]!;
      while (word !== 0) {
        const low = word & -word;
        fn(w * 32 + (31 - Math.clz32(low)));
        word ^= low;
      }
    }
    this.#numbers.forEach(fn);
    for (const s of this.#strings) fn(s);
  }

  /** Grows the bitset to cover `k` when that stays compact; false when `k` should go to the hash set. */
  #coverBits(k: number): boolean {
    const words = this.#bits.length;
    if (k < words * 32) return true;
    const needed = Math.floor(k / 32) + 1;
    // Doubling keeps growth amortised O(1); the budget (at most twice the per-key cost of the hash
    // set, or the floor) keeps a few huge ids from allocating a huge bitset.
    const grown = Math.min(Math.max(needed, words * 2, 256), MAX_BITSET_BITS / 32);
    const budget = Math.max(BITSET_FLOOR_BYTES, 2 * (this.#size + 1) * BITSET_BYTES_PER_KEY);
    if (grown * 4 > budget) return false;
    const bits = new Uint32Array(grown);
    bits.set(this.#bits);
    this.#bits = bits;
    // Keys parked in the hash set that the bitset now covers move into it.
    const limit = grown * 32;
    if (this.#numbers.size > 0) {
      this.#numbers.retain((x) => {
        if (Number.isInteger(x) && x >= 0 && x < limit) {
          bits[x >>> 5]! |= 1 << (x & 31);
          return false;
        }
        return true;
      });
    }
    return true;
  }
}
