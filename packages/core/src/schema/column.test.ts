import { describe, expect, expectTypeOf, it } from 'vitest';
import { col, Column } from './column.js';
import type { ValueOf } from './column.js';

describe('col builders', () => {
  it('record the logical type, nullability and description, immutably', () => {
    const base = col.decimal(12, 2);
    const described = base.describe('Total');
    const nullable = described.nullable();
    expect(base.type).toEqual({ kind: 'decimal', precision: 12, scale: 2 });
    expect(base.isNullable).toBe(false);
    expect(base.description).toBeUndefined();
    expect(described.description).toBe('Total');
    expect(nullable.isNullable).toBe(true);
    expect(nullable.description).toBe('Total');
    expect(nullable).toBeInstanceOf(Column);
    expect(Object.isFrozen(base)).toBe(true);
  });

  it('carry the description into the zod schema', () => {
    expect(col.int().describe('Order identifier').zod.description).toBe('Order identifier');
  });

  it('infer value types', () => {
    expectTypeOf<ValueOf<ReturnType<typeof col.int>>>().toEqualTypeOf<number>();
    expectTypeOf<ValueOf<ReturnType<typeof col.bigint>>>().toEqualTypeOf<bigint>();
    const e = col.enum(['a', 'b']).nullable();
    expectTypeOf<ValueOf<typeof e>>().toEqualTypeOf<'a' | 'b' | null>();
    const ts = col.timestamp();
    expectTypeOf<ValueOf<typeof ts>>().toEqualTypeOf<Date>();
  });
});

describe('column validation', () => {
  const ok = (c: Column, v: unknown) => c.zod.safeParse(v).success;

  it('int: 32-bit integers only', () => {
    const c = col.int();
    expect(ok(c, 2147483647)).toBe(true);
    expect(ok(c, -2147483648)).toBe(true);
    expect(ok(c, 2147483648)).toBe(false);
    expect(ok(c, 1.5)).toBe(false);
    expect(ok(c, '1')).toBe(false);
    expect(ok(c, null)).toBe(false);
  });

  it('bigint: JS bigint in the 64-bit range, not numbers', () => {
    const c = col.bigint();
    expect(ok(c, 9223372036854775807n)).toBe(true);
    expect(ok(c, 9223372036854775808n)).toBe(false);
    expect(ok(c, 1)).toBe(false);
  });

  it('double: finite numbers', () => {
    const c = col.double();
    expect(ok(c, 0.1)).toBe(true);
    expect(ok(c, Number.NaN)).toBe(false);
    expect(ok(c, Number.POSITIVE_INFINITY)).toBe(false);
  });

  it('string: maxLength counts characters, not UTF-16 units', () => {
    const c = col.string({ maxLength: 2 });
    expect(ok(c, 'PL')).toBe(true);
    expect(ok(c, '👍👍')).toBe(true);
    expect(ok(c, 'POL')).toBe(false);
    expect(ok(col.string(), 'x'.repeat(100_000))).toBe(true);
  });

  it('timestamp: valid Dates in years 0001..9999', () => {
    const c = col.timestamp();
    expect(ok(c, new Date('2025-01-31T23:07:42Z'))).toBe(true);
    expect(ok(c, new Date('invalid'))).toBe(false);
    expect(ok(c, new Date(Date.UTC(10000, 0, 1)))).toBe(false);
    expect(ok(c, '2025-01-31T23:07:42')).toBe(false);
  });

  it('date: real calendar dates as strings', () => {
    const c = col.date();
    expect(ok(c, '2024-02-29')).toBe(true);
    expect(ok(c, '2025-02-30')).toBe(false);
    expect(ok(c, new Date())).toBe(false);
  });

  it('boolean and enum', () => {
    expect(ok(col.boolean(), false)).toBe(true);
    expect(ok(col.boolean(), 'False')).toBe(false);
    expect(ok(col.enum(['card', 'cod']), 'cod')).toBe(true);
    expect(ok(col.enum(['card', 'cod']), 'Card')).toBe(false);
  });

  it('nullable accepts null but not undefined', () => {
    const c = col.int().nullable();
    expect(ok(c, null)).toBe(true);
    expect(ok(c, undefined)).toBe(false);
  });
});
