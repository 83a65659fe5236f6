/**
 * A small seeded PRNG (sfc32 seeded by cyrb128) and the sampling helpers the generator needs.
 * Same seed → same sequence on every platform (32-bit integer arithmetic only).
 *
 * @module
 */

/**
 * A deterministic random source.
 *
 * @example
 * ```ts
 * const rng = new Random('42/orders');
 * rng.int(6); // 0..5, the same for every run with seed '42/orders'
 * ```
 */
export class Random {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: string) {
    let h1 = 1779033703;
    let h2 = 3144134277;
    let h3 = 1013904242;
    let h4 = 2773480762;
    for (let i = 0; i < seed.length; i++) {
      const k = seed.charCodeAt(i);
      h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
      h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
      h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
      h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
    }
    h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
    h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
    h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
    h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
    this.#a = (h1 ^ h2 ^ h3 ^ h4) >>> 0;
    this.#b = (h2 ^ h1) >>> 0;
    this.#c = (h3 ^ h1) >>> 0;
    this.#d = (h4 ^ h1) >>> 0;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A float in [0, 1). */
  next(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [min, max] (both included). */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

/**
 * A weighted choice over fixed values, sampled by binary search over cumulative weights.
 *
 * @example
 * ```ts
 * const device = new Weighted(['mobile', 'desktop'], [55, 45]);
 * device.sample(new Random('1')); // 'mobile' about 55 % of the time
 * ```
 */
export class Weighted<T> {
  readonly values: readonly T[];
  readonly #cumulative: number[];

  constructor(values: readonly T[], weights: readonly number[]) {
    if (values.length === 0 || values.length !== weights.length) throw new Error('Weighted needs one weight per value');
    this.values = values;
    let sum = 0;
    this.#cumulative = weights.map((w) => (sum += w));
    this.#cumulative = this.#cumulative.map((c) => c / sum);
  }

  /** Index of a sampled value. */
  index(rng: Random): number {
    const u = rng.next();
    let lo = 0;
    let hi = this.#cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (u < (this.#cumulative[mid] as number)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** A sampled value. */
  sample(rng: Random): T {
    return this.values[this.index(rng)] as T;
  }
}

/**
 * Spreads `extra` units over `counts` (in place), one unit at a time into a random slot among
 * `slots` (default: every slot) whose count is below `cap`. The total is exact.
 *
 * @example
 * ```ts
 * const lines = new Uint16Array(10).fill(1);
 * spread(lines, 7, new Random('x'), 5); // sum(lines) === 17, every value <= 5
 * ```
 */
export function spread(counts: Uint16Array, extra: number, rng: Random, cap = 65_535, slots?: Int32Array): void {
  const n = slots ? slots.length : counts.length;
  if (n === 0) {
    if (extra > 0) throw new Error(`cannot spread ${extra} units over no slot`);
    return;
  }
  if (extra > n * cap) throw new Error(`cannot spread ${extra} units over ${n} slots capped at ${cap}`);
  for (let left = extra; left > 0; ) {
    const r = rng.int(n);
    const i = slots ? (slots[r] as number) : r;
    if ((counts[i] as number) >= cap) continue;
    counts[i] = (counts[i] as number) + 1;
    left--;
  }
}

/**
 * Shuffles an array in place (Fisher–Yates).
 *
 * @example
 * ```ts
 * shuffle(Int32Array.from([1, 2, 3]), new Random('s'));
 * ```
 */
export function shuffle<T extends { length: number; [i: number]: unknown }>(items: T, rng: Random): T {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}
