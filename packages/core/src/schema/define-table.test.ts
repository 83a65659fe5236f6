import { describe, expect, expectTypeOf, it } from 'vitest';
import type * as z from 'zod';
import { CoreError } from '../errors/core-error.js';
import { col } from './column.js';
import { defineTable } from './define-table.js';
import { allTypes } from './fixtures/all-types.js';
import { orders } from './fixtures/techstore-orders.js';
import type { RowOf, TableOptions } from './table.js';

describe('RowOf', () => {
  it('infers the TechStore order row', () => {
    expectTypeOf<RowOf<typeof orders>>().toEqualTypeOf<{
      order_id: number;
      customer_id: number;
      order_time: Date;
      payment_method: 'card' | 'paypal' | 'wallet' | 'cod';
      discount_pct: number;
      subtotal_usd: string;
      total_usd: string;
      country: string;
      device: 'mobile' | 'desktop' | 'tablet' | null;
      source: 'organic' | 'direct' | 'paid' | 'social' | 'email' | 'referral';
    }>();
  });

  it('maps every type, nullable included', () => {
    expectTypeOf<RowOf<typeof allTypes>>().toEqualTypeOf<{
      code: string;
      n_int: number;
      n_big: bigint;
      ratio: number | null;
      amount: string;
      note: string | null;
      iso2: string;
      flag: boolean;
      signup_date: string;
      seen_at: Date | null;
      region: 'north' | 'south';
    }>();
  });

  it('agrees with the zod schema and with parse()', () => {
    expectTypeOf<z.infer<typeof orders.schema>>().toEqualTypeOf<RowOf<typeof orders>>();
    expectTypeOf(orders.parse).returns.toEqualTypeOf<RowOf<typeof orders>>();
  });

  it('checks key names at compile time (and at run time)', () => {
    expect(() =>
      defineTable({
        name: 't',
        columns: { id: col.int(), ts: col.timestamp() },
        // @ts-expect-error: 'nope' is not a column
        primaryKey: ['nope'],
      }),
    ).toThrow(/primary key column "nope"/);
    expect(() =>
      defineTable({
        name: 't',
        columns: { id: col.int(), ts: col.timestamp() },
        // @ts-expect-error: 'tz' is not a column
        partitioning: { kind: 'time', column: 'tz', granularity: 'day' },
      }),
    ).toThrow(/time partitioning column "tz"/);
  });
});

describe('defineTable', () => {
  it('resolves columns, file columns and typed partition keys (time)', () => {
    expect(orders.name).toBe('orders');
    expect(orders.columns.map((c) => c.name)).toEqual([
      'order_id', 'customer_id', 'order_time', 'payment_method', 'discount_pct',
      'subtotal_usd', 'total_usd', 'country', 'device', 'source',
    ]);
    expect(orders.fileColumns).toEqual(orders.columns);
    expect(orders.partitionKeys).toEqual([
      { name: 'year', type: { kind: 'int' }, column: 'order_time', derived: true, description: 'Year of order_time (partition key)' },
      { name: 'month', type: { kind: 'int' }, column: 'order_time', derived: true, description: 'Month (1-12) of order_time (partition key)' },
      { name: 'day', type: { kind: 'int' }, column: 'order_time', derived: true, description: 'Day of month (1-31) of order_time (partition key)' },
    ]);
    expect(orders.column('order_id')).toEqual({
      name: 'order_id', type: { kind: 'int' }, nullable: false, description: 'Order identifier',
      isPrimaryKey: true, isPartitionColumn: false, isTimeColumn: false,
    });
    expect(orders.column('order_time').isTimeColumn).toBe(true);
    expect(orders.hasColumn('year')).toBe(false);
    expect(Object.isFrozen(orders)).toBe(true);
  });

  it('moves columns-partitioning keys out of the file columns, with their own types', () => {
    expect(allTypes.fileColumns.map((c) => c.name)).not.toContain('region');
    expect(allTypes.fileColumns.map((c) => c.name)).not.toContain('signup_date');
    expect(allTypes.fileColumns).toHaveLength(allTypes.columns.length - 2);
    expect(allTypes.partitionKeys.map((k) => [k.name, k.type, k.derived])).toEqual([
      ['region', { kind: 'enum', values: ['north', 'south'] }, false],
      ['signup_date', { kind: 'date' }, false],
    ]);
    expect(allTypes.column('region').isPartitionColumn).toBe(true);
  });

  it('defaults: no partitioning, time column from time partitioning', () => {
    const t = defineTable({ name: 'products', columns: { product_id: col.int() } });
    expect(t.partitioning).toEqual({ kind: 'none' });
    expect(t.partitionKeys).toEqual([]);
    expect(t.timeColumn).toBeUndefined();
    expect(t.primaryKey).toEqual([]);
    const m = defineTable({
      name: 'reviews',
      columns: { review_time: col.timestamp() },
      partitioning: { kind: 'time', column: 'review_time', granularity: 'month' },
    });
    expect(m.timeColumn).toBe('review_time');
    expect(m.partitionKeys.map((k) => k.name)).toEqual(['year', 'month']);
  });

  it('column() of an unknown name throws InvalidArgument naming table and column', () => {
    expect(() => orders.column('nope')).toThrow(/Table "orders" has no column "nope"/);
    try {
      orders.column('nope');
    } catch (e) {
      expect((e as CoreError)._tag).toBe('InvalidArgument');
    }
  });
});

describe('definition errors', () => {
  const define = (options: TableOptions<Record<string, ReturnType<typeof col.int> | ReturnType<typeof col.string>>>) => () =>
    defineTable(options);

  function problem(fn: () => unknown): CoreError {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(CoreError);
      expect((e as CoreError)._tag).toBe('SchemaInvalid');
      return e as CoreError;
    }
    throw new Error('expected defineTable to throw');
  }

  it('bad table and column names', () => {
    const e = problem(() => defineTable({ name: 'Orders', columns: { 'order-id': col.int(), '1st': col.int(), ok_name: col.int() } }));
    expect(e.message).toContain('Invalid definition of table "Orders"');
    expect(e.message).toContain('table name "Orders" must match ^[a-z_][a-z0-9_]*$');
    expect(e.message).toContain('column name "order-id" must match');
    expect(e.message).toContain('column name "1st" must match');
    expect(e.message).not.toContain('ok_name');
    expect(e.context.table).toBe('Orders');
  });

  it('identifier length and injection attempts', () => {
    expect(problem(() => defineTable({ name: 'a'.repeat(65), columns: { id: col.int() } })).message).toContain('at most 64 characters');
    expect(problem(() => defineTable({ name: 'x"; DROP TABLE y; --', columns: { id: col.int() } })).message).toContain('must match');
  });

  it('empty columns and non-builders', () => {
    expect(problem(() => defineTable({ name: 't', columns: {} })).message).toContain('at least one column');
    const bad = { id: { type: 'int' } } as unknown as Record<string, ReturnType<typeof col.int>>;
    expect(problem(() => defineTable({ name: 't', columns: bad })).message).toContain('column "id" is not a column builder');
  });

  it('primary key: missing, nullable, duplicated', () => {
    const e = problem(() =>
      defineTable({
        name: 'orders',
        columns: { id: col.int(), note: col.string().nullable() },
        primaryKey: ['order_id', 'note', 'id', 'id'] as never,
      }),
    );
    expect(e.message).toContain('primary key column "order_id" is not a column of the table');
    expect(e.message).toContain('primary key column "note" must not be nullable');
    expect(e.message).toContain('primary key column "id" is listed twice');
    expect(e.message).toContain('(table="orders")');
  });

  it('primary key does not see Object.prototype members', () => {
    expect(problem(define({ name: 't', columns: { id: col.int() }, primaryKey: ['constructor'] as never })).message).toContain(
      'primary key column "constructor" is not a column',
    );
  });

  it('time column must exist and be a date or timestamp', () => {
    expect(problem(() => defineTable({ name: 't', columns: { id: col.int() }, timeColumn: 'ts' as never })).message).toContain(
      'time column "ts" is not a column of the table',
    );
    expect(problem(() => defineTable({ name: 't', columns: { id: col.int() }, timeColumn: 'id' })).message).toContain(
      'time column "id" must be a date or timestamp, got int',
    );
  });

  it('time partitioning: column type, nullability, clash with derived keys', () => {
    const e = problem(() =>
      defineTable({
        name: 'events',
        columns: { ts: col.timestamp().nullable(), year: col.int(), day: col.int() },
        partitioning: { kind: 'time', column: 'ts', granularity: 'month' },
      }),
    );
    expect(e.message).toContain('time partitioning column "ts" must not be nullable');
    expect(e.message).toContain('column "year" clashes with the partition key "year"');
    expect(e.message).not.toContain('column "day" clashes'); // month granularity derives no day key
    expect(problem(() => defineTable({ name: 't', columns: { n: col.int() }, partitioning: { kind: 'time', column: 'n', granularity: 'day' } })).message).toContain(
      'time partitioning column "n" must be a date or timestamp, got int',
    );
    expect(
      problem(() => defineTable({ name: 't', columns: { ts: col.date() }, partitioning: { kind: 'time', column: 'ts', granularity: 'week' as never } })).message,
    ).toContain("granularity must be 'year', 'month' or 'day'");
  });

  it('columns partitioning: existence, allowed types, nullability, something left in the files', () => {
    const e = problem(() =>
      defineTable({
        name: 'sessions',
        columns: { id: col.int(), amount: col.double(), device: col.enum(['a']).nullable(), ts: col.timestamp() },
        partitioning: { kind: 'columns', columns: ['amount', 'device', 'ts', 'nope'] as never },
      }),
    );
    expect(e.message).toContain('partition column "amount" must be int, bigint, string, enum or date, got double');
    expect(e.message).toContain('partition column "device" must not be nullable');
    expect(e.message).toContain('partition column "ts" must be int, bigint, string, enum or date, got timestamp');
    expect(e.message).toContain('partition column "nope" is not a column of the table');
    expect(problem(() => defineTable({ name: 't', columns: { c: col.string() }, partitioning: { kind: 'columns', columns: ['c'] } })).message).toContain(
      'at least one column must stay inside the files',
    );
    expect(problem(() => defineTable({ name: 't', columns: { c: col.string() }, partitioning: { kind: 'columns', columns: [] } })).message).toContain(
      'non-empty list of columns',
    );
  });

  it('column type arguments', () => {
    const e = problem(() =>
      defineTable({
        name: 'prices',
        columns: {
          a: col.decimal(39, 2),
          b: col.decimal(10, 11),
          c: col.string({ maxLength: 0 }),
          d: col.enum(['x', 'x']),
          e: col.decimal(10.5, 2),
        },
      }),
    );
    expect(e.message).toContain('column "a": decimal precision must be an integer in 1..38, got 39');
    expect(e.message).toContain('column "b": decimal scale must be an integer in 0..10 (the precision), got 11');
    expect(e.message).toContain('column "c": string maxLength must be a positive integer, got 0');
    expect(e.message).toContain('column "d": enum values must be unique, repeated: x');
    expect(e.message).toContain('column "e": decimal precision must be an integer');
    // @ts-expect-error: an enum needs at least one value
    const empty = col.enum([]);
    expect(problem(() => defineTable({ name: 't', columns: { empty } })).message).toContain('column "empty": an enum needs at least one value');
  });
});
