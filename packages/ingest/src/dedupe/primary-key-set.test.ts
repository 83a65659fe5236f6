import { describe, expect, it } from 'vitest';
import { PrimaryKeySet } from './primary-key-set.js';

describe('PrimaryKeySet', () => {
  it('holds boundary integers exactly: 0, word edges, large and beyond the bitset', () => {
    const keys = [0, 1, 31, 32, 33, 63, 64, 8_388_607, 8_388_608, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 1e15];
    const set = new PrimaryKeySet();
    for (const k of keys) {
      expect(set.has(k)).toBe(false);
      set.add(k);
      expect(set.has(k)).toBe(true);
    }
    expect(set.size).toBe(keys.length);
    for (const k of keys) {
      expect(set.has(k + 1) || keys.includes(k + 1)).toBe(keys.includes(k + 1));
      if (k > 0) expect(set.has(k - 1)).toBe(keys.includes(k - 1));
    }
    // Re-adding changes nothing.
    for (const k of keys) set.add(k);
    expect(set.size).toBe(keys.length);
  });

  it('stays small for sparse or huge keys (no 256 MiB bitset for one large id)', () => {
    const set = new PrimaryKeySet();
    set.add(2 ** 31 - 1);
    set.add(2_000_000_000);
    set.add(1e12);
    expect(set.numericBytes).toBeLessThan(1024);
    expect(set.layout).toEqual({ bitsetBytes: 0, hashedNumbers: 3, strings: 0 });
    expect(set.has(2 ** 31 - 1) && set.has(2_000_000_000) && set.has(1e12)).toBe(true);
    expect(set.has(2 ** 31 - 2)).toBe(false);
  });

  it('negative, fractional and signed-zero keys follow Set semantics', () => {
    const set = new PrimaryKeySet();
    set.add(-1).add(-0).add(1.5).add(-(2 ** 53)).add(Number.POSITIVE_INFINITY);
    expect(set.has(-1)).toBe(true);
    expect(set.has(0)).toBe(true); // -0 and 0 are one key, as in a Set
    expect(set.has(-0)).toBe(true);
    expect(set.has(1.5)).toBe(true);
    expect(set.has(1)).toBe(false);
    expect(set.has(2)).toBe(false);
    expect(set.has(-(2 ** 53))).toBe(true);
    expect(set.has(Number.POSITIVE_INFINITY)).toBe(true);
    expect(set.has(Number.NEGATIVE_INFINITY)).toBe(false);
    expect(set.size).toBe(5);
    set.add(0);
    expect(set.size).toBe(5);
    expect(() => set.add(Number.NaN)).toThrow(RangeError);
    expect(set.has(Number.NaN)).toBe(false);
  });

  it('keeps numbers and strings apart (1 is not "1"), composite keys as strings', () => {
    const set = new PrimaryKeySet();
    set.add(1).add('1').add('a\u0000b').add('');
    expect(set.size).toBe(4);
    expect(set.has('1') && set.has(1) && set.has('a\u0000b') && set.has('')).toBe(true);
    expect(set.has('2')).toBe(false);
    expect(set.has('a\u0000c')).toBe(false);
  });

  it('moves keys parked in the hash set into the bitset when it grows over them', () => {
    const set = new PrimaryKeySet();
    // 50 M is beyond the 1 MiB floor of an empty set: parked in the hash set.
    set.add(50_000_000);
    expect(set.numericBytes).toBeLessThan(1024);
    // Enough dense keys that the bitset may cover 50 M (6.25 MB at 16 bytes per key ≈ 400 k keys).
    for (let k = 0; k < 500_000; k++) set.add(k * 100);
    expect(set.has(50_000_000)).toBe(true);
    expect(set.layout.hashedNumbers).toBe(0);
    expect(set.size).toBe(500_001);
    set.add(50_000_000);
    expect(set.size).toBe(500_001);
    expect(set.has(49_999_999)).toBe(false);
    expect(set.layout.bitsetBytes).toBeLessThan(2 * 16 * 500_000);
  });

  it('13.3 M consecutive ids take a couple of MB', () => {
    const set = new PrimaryKeySet();
    const first = 7_475_327;
    for (let i = 0; i < 13_305_915; i++) set.add(first + i);
    expect(set.size).toBe(13_305_915);
    expect(set.has(first - 1)).toBe(false);
    expect(set.has(first)).toBe(true);
    expect(set.has(first + 13_305_914)).toBe(true);
    expect(set.has(first + 13_305_915)).toBe(false);
    expect(set.numericBytes).toBeLessThan(8 * 1024 * 1024); // a Set<number> of them: ~400 MB
  });

  it('agrees with a Set on a random mix of keys (seeded)', () => {
    let seed = 12345;
    const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const set = new PrimaryKeySet();
    const reference = new Set<string | number>();
    for (let i = 0; i < 200_000; i++) {
      const r = rand();
      const key =
        r < 0.4
          ? Math.floor(rand() * 300_000)
          : r < 0.55
            ? Math.floor(rand() * 2 ** 40)
            : r < 0.7
              ? -Math.floor(rand() * 1000)
              : r < 0.8
                ? Math.floor(rand() * 1000) / 4
                : r < 0.9
                  ? String(Math.floor(rand() * 5000))
                  : Math.floor(rand() * 40_000_000);
      if (set.has(key) !== reference.has(key)) throw new Error(`has(${String(key)}) disagrees at step ${i}`);
      set.add(key);
      reference.add(key);
    }
    expect(set.size).toBe(reference.size);
    expect([...reference].filter((k) => !set.has(k))).toEqual([]);
    // forEach visits every key once (bitset, hashed numbers, strings).
    const visited: (string | number)[] = [];
    set.forEach((k) => visited.push(k));
    expect(visited).toHaveLength(reference.size);
    expect(new Set(visited).size).toBe(reference.size);
    expect(visited.filter((k) => !reference.has(k))).toEqual([]);
    expect(set.layout.bitsetBytes).toBeGreaterThan(0);
    expect(set.layout.hashedNumbers).toBeGreaterThan(0);
  });
});
