/**
 * Column builders: `col.int()`, `col.decimal(12, 2)`, `col.enum([...])` … Each returns an immutable
 * {@link Column} that carries its logical {@link ColumnType}, its nullability, its description and
 * the zod schema that validates one value. The TS value type is tracked in the type parameters,
 * so `defineTable` can infer the row type.
 *
 * @example
 * ```ts
 * const device = col.enum(['mobile', 'desktop', 'tablet']).nullable().describe('Device used');
 * device.type;        // { kind: 'enum', values: ['mobile', 'desktop', 'tablet'] }
 * device.isNullable;  // true
 * device.zod.parse(null); // null
 * ```
 *
 * @module
 */
import * as z from 'zod';
import type { ColumnType } from './column-type.js';
import { checkDecimal, codePointLength, isCalendarDate } from './value-checks.js';

/** Earliest and latest timestamps accepted (the range every target can store, MySQL DATETIME included). */
const MIN_TIMESTAMP = new Date('0001-01-01T00:00:00.000Z');
const MAX_TIMESTAMP = new Date('9999-12-31T23:59:59.999Z');

/**
 * The TS type of one column's values: `T`, or `T | null` when the column is nullable.
 *
 * @example
 * ```ts
 * type V = ColumnValue<number, true>; // number | null
 * ```
 */
export type ColumnValue<T, N extends boolean> = N extends true ? T | null : T;

/**
 * One column of a table: logical type, nullability, description and the zod schema of its values.
 * Immutable: `.nullable()` and `.describe()` return new columns. Build columns with {@link col}.
 *
 * @typeParam T - the TS type of a non-null value.
 * @typeParam N - whether `null` is allowed.
 *
 * @example
 * ```ts
 * const total = col.decimal(12, 2).describe('Order total in USD');
 * total.zod.safeParse('12.345').success; // false: decimal(12,2) allows 2 digits after the point
 * ```
 */
export class Column<T = unknown, N extends boolean = boolean> {
  /** The logical type, from which every target type is derived. */
  readonly type: ColumnType;
  /** Whether the column accepts `null` (nullable in Arrow, no `NOT NULL` in SQL DDL). */
  readonly isNullable: N;
  /** Human description, used as column comment in Glue/Athena/DuckDB/MySQL and in the data dictionary. */
  readonly description: string | undefined;
  /** The zod schema validating one value of this column. */
  readonly zod: z.ZodType<ColumnValue<T, N>>;
  /** Phantom marker carrying the value type; never set at runtime. */
  declare readonly _value: T;

  /**
   * Prefer the {@link col} builders; the constructor is public for advanced use.
   *
   * @example
   * ```ts
   * const c = new Column<number, false>({ kind: 'int' }, false, 'Quantity');
   * ```
   */
  constructor(type: ColumnType, isNullable: N, description?: string) {
    this.type = type;
    this.isNullable = isNullable;
    this.description = description;
    let schema: z.ZodType = valueSchema(type);
    if (isNullable) schema = schema.nullable();
    if (description !== undefined) schema = schema.describe(description);
    this.zod = schema as z.ZodType<ColumnValue<T, N>>;
    Object.freeze(this);
  }

  /**
   * The same column, accepting `null` (`T | null`).
   *
   * @example
   * ```ts
   * col.int().nullable().zod.parse(null); // null
   * ```
   */
  nullable(): Column<T, true> {
    return new Column<T, true>(this.type, true, this.description);
  }

  /**
   * The same column with a description (column comment in every DDL, row of the data dictionary).
   *
   * @example
   * ```ts
   * col.int().describe('Order identifier').description; // 'Order identifier'
   * ```
   */
  describe(description: string): Column<T, N> {
    return new Column<T, N>(this.type, this.isNullable, description);
  }
}

/**
 * Any column, whatever its value type.
 *
 * @example
 * ```ts
 * const columns: Record<string, AnyColumn> = { id: col.int(), name: col.string() };
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyColumn = Column<any, boolean>;

/**
 * The TS value type of a column (nullability included).
 *
 * @example
 * ```ts
 * const c = col.bigint().nullable();
 * type V = ValueOf<typeof c>; // bigint | null
 * ```
 */
export type ValueOf<C> = C extends Column<infer T, infer N> ? ColumnValue<T, N> : never;

/**
 * Options of {@link col.string}.
 *
 * @example
 * ```ts
 * const options: StringColumnOptions = { maxLength: 2 };
 * ```
 */
export interface StringColumnOptions {
  /** At most this many characters (Unicode code points); MySQL gets `VARCHAR(maxLength)`. */
  maxLength?: number;
}

/**
 * The column builders. Every builder returns a non-null column; chain `.nullable()` and
 * `.describe(text)`. Type arguments (precision, scale, maxLength, enum values) are checked by
 * `defineTable`, which names the table and column in its error.
 *
 * @example
 * ```ts
 * const columns = {
 *   order_id: col.int().describe('Order identifier'),
 *   event_id: col.bigint(),
 *   total_usd: col.decimal(12, 2),
 *   ratio: col.double(),
 *   country: col.string({ maxLength: 2 }),
 *   opt_in: col.boolean(),
 *   signup_date: col.date(),
 *   order_time: col.timestamp(),
 *   device: col.enum(['mobile', 'desktop', 'tablet']).nullable(),
 * };
 * ```
 */
export const col = {
  /**
   * 32-bit signed integer: TS `number` (an integer in [-2^31, 2^31 - 1]).
   *
   * @example
   * ```ts
   * col.int().zod.parse(20); // 20
   * ```
   */
  int: (): Column<number, false> => new Column<number, false>({ kind: 'int' }, false),
  /**
   * 64-bit signed integer: TS `bigint` (JS numbers are refused, they cannot hold every 64-bit value).
   *
   * @example
   * ```ts
   * col.bigint().zod.parse(760958n); // 760958n
   * ```
   */
  bigint: (): Column<bigint, false> => new Column<bigint, false>({ kind: 'bigint' }, false),
  /**
   * 64-bit float: TS `number`, finite (NaN and ±Infinity are refused; MySQL cannot store them).
   *
   * @example
   * ```ts
   * col.double().zod.parse(0.5); // 0.5
   * ```
   */
  double: (): Column<number, false> => new Column<number, false>({ kind: 'double' }, false),
  /**
   * Exact decimal: TS `string` such as `'-1234.50'`, at most `precision - scale` integer digits and
   * `scale` fraction digits. Strings keep every digit exactly, where a JS number would not.
   *
   * @example
   * ```ts
   * col.decimal(12, 2).zod.parse('107.15'); // '107.15'
   * ```
   */
  decimal: (precision: number, scale: number): Column<string, false> =>
    new Column<string, false>({ kind: 'decimal', precision, scale }, false),
  /**
   * UTF-8 text: TS `string`, optionally at most `maxLength` characters.
   *
   * @example
   * ```ts
   * col.string({ maxLength: 2 }).zod.parse('PL'); // 'PL'
   * ```
   */
  string: (options: StringColumnOptions = {}): Column<string, false> =>
    new Column<string, false>({ kind: 'string', maxLength: options.maxLength }, false),
  /**
   * Boolean: TS `boolean`.
   *
   * @example
   * ```ts
   * col.boolean().zod.parse(true); // true
   * ```
   */
  boolean: (): Column<boolean, false> => new Column<boolean, false>({ kind: 'boolean' }, false),
  /**
   * Calendar date: TS `string` `'YYYY-MM-DD'`, a real date between 0001-01-01 and 9999-12-31.
   *
   * @example
   * ```ts
   * col.date().zod.safeParse('2025-02-30').success; // false
   * ```
   */
  date: (): Column<string, false> => new Column<string, false>({ kind: 'date' }, false),
  /**
   * Timestamp without time zone, microsecond unit in storage: TS `Date`, whose UTC fields are the
   * wall-clock value (`2025-01-31T23:07:42` ↔ `new Date('2025-01-31T23:07:42Z')`). Years 0001..9999.
   *
   * @example
   * ```ts
   * col.timestamp().zod.parse(new Date('2025-01-31T23:07:42Z'));
   * ```
   */
  timestamp: (): Column<Date, false> => new Column<Date, false>({ kind: 'timestamp' }, false),
  /**
   * One of a fixed list of strings: TS union of the literal values.
   *
   * @example
   * ```ts
   * const pay = col.enum(['card', 'paypal', 'wallet', 'cod']); // Column<'card' | 'paypal' | 'wallet' | 'cod', false>
   * ```
   */
  enum: <const V extends readonly [string, ...string[]]>(values: V): Column<V[number], false> =>
    new Column<V[number], false>({ kind: 'enum', values: Object.freeze([...values]) }, false),
} as const;

/** The zod schema validating one non-null value of a column type. */
function valueSchema(type: ColumnType): z.ZodType {
  switch (type.kind) {
    case 'int':
      return z.int32();
    case 'bigint':
      return z.int64();
    case 'double':
      return z.number();
    case 'boolean':
      return z.boolean();
    case 'decimal': {
      const { precision, scale } = type;
      return z.string().check((ctx) => {
        const result = checkDecimal(ctx.value, precision, scale);
        if (!result.ok) {
          ctx.issues.push(
            result.code === 'too_big'
              ? { code: 'too_big', origin: 'string', maximum: precision - scale, input: ctx.value, message: result.message }
              : { code: 'invalid_format', format: 'decimal', input: ctx.value, message: result.message },
          );
        }
      });
    }
    case 'string': {
      const { maxLength } = type;
      if (maxLength === undefined) return z.string();
      return z.string().check((ctx) => {
        const length = codePointLength(ctx.value);
        if (length > maxLength) {
          ctx.issues.push({
            code: 'too_big',
            origin: 'string',
            maximum: maxLength,
            inclusive: true,
            input: ctx.value,
            message: `expected at most ${maxLength} character(s), got ${length}`,
          });
        }
      });
    }
    case 'date':
      return z.string().check((ctx) => {
        if (!isCalendarDate(ctx.value)) {
          ctx.issues.push({
            code: 'invalid_format',
            format: 'date',
            input: ctx.value,
            message: `expected a calendar date YYYY-MM-DD (0001-01-01..9999-12-31), got ${JSON.stringify(ctx.value)}`,
          });
        }
      });
    case 'timestamp':
      return z.date().min(MIN_TIMESTAMP).max(MAX_TIMESTAMP);
    case 'enum':
      return z.enum(type.values as [string, ...string[]]);
  }
}
