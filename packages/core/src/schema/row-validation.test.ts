import { describe, expect, it } from 'vitest';
import { CoreError } from '../errors/core-error.js';
import { allTypes } from './fixtures/all-types.js';
import { orders, sampleOrder } from './fixtures/techstore-orders.js';

describe('safeParse', () => {
  it('accepts a good row and returns it', () => {
    const r = orders.safeParse(sampleOrder);
    expect(r).toEqual({ success: true, data: sampleOrder });
    expect(orders.safeParse({ ...sampleOrder, device: null }).success).toBe(true);
  });

  it('accepts a row of every type', () => {
    const row = {
      code: 'A-1', n_int: -5, n_big: 9007199254740993n, ratio: null, amount: '-1234567890123456789012345678.0123456789',
      note: null, iso2: 'ES', flag: true, signup_date: '2024-02-29', seen_at: new Date('2025-10-31T00:00:00Z'), region: 'north',
    };
    expect(allTypes.safeParse(row)).toEqual({ success: true, data: row });
  });

  it('wrong type: path, code and a message naming table and column', () => {
    const r = orders.safeParse({ ...sampleOrder, discount_pct: '20' });
    expect(r).toEqual({
      success: false,
      issues: [{ path: ['discount_pct'], code: 'invalid_type', message: 'orders.discount_pct: expected int, received "20"' }],
    });
  });

  it('non-integer and out-of-range ints', () => {
    const r = orders.safeParse({ ...sampleOrder, order_id: 1.5, customer_id: 2 ** 31 });
    expect(r.success).toBe(false);
    if (r.success) return;
    expect(r.issues).toEqual([
      { path: ['order_id'], code: 'invalid_type', message: 'orders.order_id: expected int, received number 1.5' },
      { path: ['customer_id'], code: 'too_big', message: expect.stringMatching(/^orders\.customer_id: Too big: expected number to be <=2147483647/) },
    ]);
  });

  it('null in a non-null column, missing value', () => {
    const { country: _drop, ...missing } = sampleOrder;
    const r = orders.safeParse({ ...missing, order_time: null });
    expect(r.success).toBe(false);
    if (r.success) return;
    expect(r.issues).toEqual([
      { path: ['order_time'], code: 'invalid_type', message: 'orders.order_time: expected timestamp, received null' },
      { path: ['country'], code: 'invalid_type', message: 'orders.country: missing value, expected string(2)' },
    ]);
  });

  it('missing nullable column is an issue too (null must be explicit)', () => {
    const { device: _drop, ...rest } = sampleOrder;
    const r = orders.safeParse(rest);
    expect(r.success).toBe(false);
    if (r.success) return;
    expect(r.issues[0]?.message).toBe('orders.device: missing value, expected enum(mobile|desktop|tablet) or null');
  });

  it('bad date 2025-02-30', () => {
    const r = allTypes.safeParse({
      code: 'A', n_int: 1, n_big: 1n, ratio: 1, amount: '1', note: null, iso2: 'ES', flag: true,
      signup_date: '2025-02-30', seen_at: null, region: 'south',
    });
    expect(r.success).toBe(false);
    if (r.success) return;
    expect(r.issues).toEqual([
      {
        path: ['signup_date'],
        code: 'invalid_format',
        message: 'all_types.signup_date: expected a calendar date YYYY-MM-DD (0001-01-01..9999-12-31), got "2025-02-30"',
      },
    ]);
  });

  it('decimal with too many digits', () => {
    const r = orders.safeParse({ ...sampleOrder, subtotal_usd: '107.155', total_usd: '12345678901.00' });
    expect(r.success).toBe(false);
    if (r.success) return;
    expect(r.issues).toEqual([
      {
        path: ['subtotal_usd'],
        code: 'invalid_format',
        message: 'orders.subtotal_usd: decimal(12,2) allows at most 2 digit(s) after the point, got 3 in "107.155"',
      },
      {
        path: ['total_usd'],
        code: 'too_big',
        message: 'orders.total_usd: decimal(12,2) allows at most 10 digit(s) before the point, got 11 in "12345678901.00"',
      },
    ]);
  });

  it('decimal given as a number is a type error', () => {
    const r = orders.safeParse({ ...sampleOrder, total_usd: 85.72 });
    expect(r.success || r.issues).toEqual([
      { path: ['total_usd'], code: 'invalid_type', message: 'orders.total_usd: expected decimal(12,2), received number 85.72' },
    ]);
  });

  it('enum outside its values shows what was received', () => {
    const r = orders.safeParse({ ...sampleOrder, payment_method: 'bitcoin' });
    expect(r.success || r.issues).toEqual([
      {
        path: ['payment_method'],
        code: 'invalid_value',
        message: 'orders.payment_method: Invalid option: expected one of "card"|"paypal"|"wallet"|"cod", received "bitcoin"',
      },
    ]);
  });

  it('string longer than maxLength', () => {
    const r = orders.safeParse({ ...sampleOrder, country: 'POL' });
    expect(r.success || r.issues).toEqual([
      { path: ['country'], code: 'too_big', message: 'orders.country: expected at most 2 character(s), got 3' },
    ]);
  });

  it('unknown keys: one issue per key', () => {
    const r = orders.safeParse({ ...sampleOrder, year: 2025, extra: 1 });
    expect(r.success || r.issues).toEqual([
      { path: ['year'], code: 'unrecognized_keys', message: 'orders.year: not a column of table "orders"' },
      { path: ['extra'], code: 'unrecognized_keys', message: 'orders.extra: not a column of table "orders"' },
    ]);
  });

  it('not an object', () => {
    const r = orders.safeParse('1,13917,2025-01-31T23:07:42');
    expect(r.success || r.issues).toEqual([
      { path: [], code: 'invalid_type', message: 'orders: Invalid input: expected object, received string' },
    ]);
  });

  it('invalid Date in a timestamp column', () => {
    const r = orders.safeParse({ ...sampleOrder, order_time: new Date('not a time') });
    expect(r.success || r.issues).toEqual([
      { path: ['order_time'], code: 'invalid_type', message: 'orders.order_time: expected timestamp, received Invalid Date' },
    ]);
  });
});

describe('parse', () => {
  it('returns the typed row', () => {
    const order = orders.parse(sampleOrder);
    expect(order.order_time.toISOString()).toBe('2025-01-31T23:07:42.000Z');
  });

  it('throws CoreError SchemaInvalid listing every issue, naming the table', () => {
    let error: unknown;
    try {
      orders.parse({ ...sampleOrder, payment_method: 'bitcoin', discount_pct: null });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CoreError);
    const e = error as CoreError;
    expect(e._tag).toBe('SchemaInvalid');
    expect(e.isRetryable).toBe(false);
    expect(e.context.table).toBe('orders');
    expect(e.message).toBe(
      'Row does not match table "orders" (2 issues): ' +
        'orders.payment_method: Invalid option: expected one of "card"|"paypal"|"wallet"|"cod", received "bitcoin"; ' +
        'orders.discount_pct: expected int, received null (table="orders")',
    );
    expect(e.cause).toBeDefined();
  });

  it('caps the message at ten issues', () => {
    const junk = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`x${i}`, i]));
    expect(() => orders.parse({ ...sampleOrder, ...junk })).toThrow(/orders\.x9: not a column[^;]*; … and 5 more/);
  });
});
