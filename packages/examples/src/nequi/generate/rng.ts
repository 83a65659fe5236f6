/**
 * A small, fast, seeded pseudo-random generator (sfc32): the same seed gives the same stream on
 * every platform, so generated datasets are reproducible byte for byte.
 *
 * @module
 */

/**
 * Seeded PRNG (sfc32, 128-bit state, seeded through splitmix32).
 *
 * @example
 * ```ts
 * const rng = new Rng(42);
 * rng.int(6); // 0..5, the same for seed 42 every time
 * ```
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const split = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = split();
    this.b = split();
    this.c = split();
    this.d = split();
    for (let i = 0; i < 12; i++) this.u32();
  }

  /**
   * The next unsigned 32-bit integer.
   *
   * @example
   * ```ts
   * new Rng(1).u32() >= 0; // true
   * ```
   */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /**
   * A float in [0, 1).
   *
   * @example
   * ```ts
   * new Rng(1).float() < 1; // true
   * ```
   */
  float(): number {
    return this.u32() / 4294967296;
  }

  /**
   * An integer in [0, n).
   *
   * @example
   * ```ts
   * new Rng(1).int(10) < 10; // true
   * ```
   */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /**
   * An integer in [min, max] (both included).
   *
   * @example
   * ```ts
   * new Rng(1).between(1, 12); // a month
   * ```
   */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /**
   * A uniformly chosen element.
   *
   * @example
   * ```ts
   * new Rng(1).pick(['a', 'b']);
   * ```
   */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /**
   * An element chosen with the given weights (same length as `items`).
   *
   * @example
   * ```ts
   * new Rng(1).weighted(['Visa', 'Amex'], [9, 1]);
   * ```
   */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.float() * total;
    for (let i = 0; i < items.length; i++) {
      x -= weights[i] ?? 0;
      if (x < 0) return items[i] as T;
    }
    return items[items.length - 1] as T;
  }

  /**
   * Shuffles an array in place (Fisher-Yates) and returns it.
   *
   * @example
   * ```ts
   * new Rng(1).shuffle([1, 2, 3]);
   * ```
   */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i] as T;
      items[i] = items[j] as T;
      items[j] = t;
    }
    return items;
  }
}
