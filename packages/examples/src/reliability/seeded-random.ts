/**
 * A small seeded PRNG (xorshift32) for the crash suites, so a failing chain can be replayed by its
 * seed. Test-only; not exported from the package.
 *
 * @module
 */

/**
 * Numbers in [0, 1) from `seed`, the same sequence for the same seed.
 *
 * @example
 * ```ts
 * const random = seededRandom(42);
 * const delayMs = Math.round(random() * 800);
 * ```
 */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
}
