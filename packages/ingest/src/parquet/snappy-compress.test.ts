import fc from 'fast-check';
import { snappyUncompress } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { snappyCompress, snappyMaxLength } from './snappy-compress.js';

const roundTrip = (input: Uint8Array): Uint8Array => {
  const compressed = snappyCompress(input);
  expect(compressed.length).toBeLessThanOrEqual(snappyMaxLength(input.length));
  const back = new Uint8Array(input.length);
  snappyUncompress(compressed, back);
  return back;
};

/** Bytes with structure: pieces of a small alphabet, repeats at many distances, and noise. */
const structuredBytes = fc
  .array(
    fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc.tuple(fc.constantFrom(0, 1, 0x41, 0xff), fc.integer({ min: 1, max: 3000 })).map(([b, n]) => new Uint8Array(n).fill(b)),
      fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 200 })).map(([unit, times]) => {
        const out = new Uint8Array(unit.length * times);
        for (let i = 0; i < times; i++) out.set(unit, i * unit.length);
        return out;
      }),
    ),
    { maxLength: 60 },
  )
  .map((parts) => Buffer.concat(parts));

describe('snappyCompress', () => {
  it('round-trips through an independent decoder (hyparquet) on structured and random input', () => {
    fc.assert(
      fc.property(fc.oneof(structuredBytes, fc.uint8Array({ maxLength: 5000 })), (input) => {
        expect(Buffer.from(roundTrip(input)).equals(Buffer.from(input))).toBe(true);
      }),
      { numRuns: 300, seed: 20261122 },
    );
  });

  it('round-trips inputs around the margin, probe and 64 KiB block boundaries', () => {
    for (const n of [0, 1, 3, 4, 14, 15, 16, 17, 1023, 1024, 1025, 1039, 1040, 65535, 65536, 65537, 65536 + 1024, 200_000]) {
      const text = new Uint8Array(n);
      for (let i = 0; i < n; i++) text[i] = (i * 7 + (i >> 9)) % 13 === 0 ? 0x20 : 0x61 + ((i * 31) % 5);
      expect(Buffer.from(roundTrip(text)).equals(Buffer.from(text)), `length ${n}`).toBe(true);
    }
  });

  it('compresses repetitive data and keeps incompressible data at about its size', () => {
    const zeros = new Uint8Array(100_000);
    expect(snappyCompress(zeros).length).toBeLessThan(6_000);
    const cycle = new Int32Array(10_000).map((_, i) => i % 10);
    expect(snappyCompress(new Uint8Array(cycle.buffer)).length).toBeLessThan(4_000);
    let seed = 7;
    const noise = new Uint8Array(50_000).map(() => ((seed = Math.imul(seed, 1103515245) + 12345) >>> 24) & 0xff);
    const packed = snappyCompress(noise);
    expect(packed.length).toBeGreaterThan(50_000);
    expect(packed.length).toBeLessThan(50_000 * 1.01);
    expect(Buffer.from(roundTrip(noise)).equals(Buffer.from(noise))).toBe(true);
  });

  it('returns its own array (later calls do not overwrite an earlier result)', () => {
    const a = snappyCompress(new TextEncoder().encode('first value, first value, first value'));
    const copy = a.slice();
    snappyCompress(new TextEncoder().encode('a second, different input that is longer than the first one'));
    expect(Buffer.from(a).equals(Buffer.from(copy))).toBe(true);
  });
});
