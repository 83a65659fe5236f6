/**
 * The shape of a table definition returned by `defineTable`: metadata, the zod row schema, the
 * resolved column list, partition keys, and `parse` / `safeParse`.
 *
 * @example
 * ```ts
 * import { defineTable, col, type RowOf } from '@lakeblocks/core';
 * const products = defineTable({
 *   name: 'products',
 *   columns: { product_id: col.int(), name: col.string() },
 *   primaryKey: ['product_id'],
 * });
 * type Product = RowOf<typeof products>; // { product_id: number; name: string }
 * ```
 *
 * @module
 */
import type * as z from 'zod';
import type { PartitionSpec, TimeGranularity } from '../partitions/partition-spec.js';
import type { AnyColumn, ValueOf } from './column.js';
import type { ColumnType } from './column-type.js';
import type { PartitionKey } from './partition-keys.js';
import type { RowParseResult } from './row-validation.js';

/**
 * The columns of a table: column name → column builder.
 *
 * @example
 * ```ts
 * const shape: ColumnsShape = { order_id: col.int(), order_time: col.timestamp() };
 * ```
 */
export type ColumnsShape = Record<string, AnyColumn>;

/**
 * The row type of a columns shape.
 *
 * @example
 * ```ts
 * type R = RowShape<{ id: Column<number, false>; note: Column<string, true> }>; // { id: number; note: string | null }
 * ```
 */
export type RowShape<C extends ColumnsShape> = { -readonly [K in keyof C]: ValueOf<C[K]> };

/**
 * The zod object schema of a row: strict (unknown keys are issues), one entry per column.
 *
 * @example
 * ```ts
 * const schema: TableSchema<typeof orders.shape> = orders.schema;
 * ```
 */
export type TableSchema<C extends ColumnsShape> = z.ZodObject<{ -readonly [K in keyof C]: C[K]['zod'] }, z.core.$strict>;

/**
 * Partitioning of a table, with column names checked against the table's columns at compile time.
 * Same shape as {@link PartitionSpec}.
 *
 * @example
 * ```ts
 * const p: TablePartitioning<'order_time'> = { kind: 'time', column: 'order_time', granularity: 'day' };
 * ```
 */
export type TablePartitioning<K extends string = string> =
  | { readonly kind: 'none' }
  | { readonly kind: 'time'; readonly column: K; readonly granularity: TimeGranularity }
  | { readonly kind: 'columns'; readonly columns: readonly K[] };

/**
 * What `defineTable` takes.
 *
 * @example
 * ```ts
 * const options: TableOptions<{ id: Column<number, false> }> = { name: 't', columns: { id: col.int() }, primaryKey: ['id'] };
 * ```
 */
export interface TableOptions<C extends ColumnsShape> {
  /** Table name, `^[a-z_][a-z0-9_]*$` (the directory under `processed/` and the catalog name). */
  readonly name: string;
  /** What one row is; table comment in every DDL. */
  readonly description?: string;
  /** Column name → builder, in storage order. */
  readonly columns: C;
  /** Primary key columns (non-null). Default: none. */
  readonly primaryKey?: readonly (keyof C & string)[];
  /** The column saying when a row happened (`date` or `timestamp`). Default: the time-partitioning column, if any. */
  readonly timeColumn?: keyof C & string;
  /** How files are split into Hive partitions. Default: `{ kind: 'none' }`. */
  readonly partitioning?: TablePartitioning<keyof C & string>;
}

/**
 * One resolved column of a table, in definition order.
 *
 * @example
 * ```ts
 * orders.column('order_id');
 * // { name: 'order_id', type: { kind: 'int' }, nullable: false, description: 'Order identifier',
 * //   isPrimaryKey: true, isPartitionColumn: false, isTimeColumn: false }
 * ```
 */
export interface TableColumn {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
  readonly description: string | undefined;
  /** Part of the primary key. */
  readonly isPrimaryKey: boolean;
  /** A `columns`-partitioning key: its value lives in the path, not inside the Parquet files. */
  readonly isPartitionColumn: boolean;
  /** The table's time column. */
  readonly isTimeColumn: boolean;
}

/**
 * A table defined once, from which every target is derived (see `defineTable`).
 *
 * @example
 * ```ts
 * orders.fileColumns.map((c) => c.name);    // columns stored inside the Parquet files
 * orders.partitionKeys.map((k) => k.name);  // ['year', 'month', 'day']
 * const row = orders.parse(input);          // typed row, or CoreError SchemaInvalid
 * ```
 */
export interface Table<C extends ColumnsShape = ColumnsShape> {
  readonly name: string;
  readonly description: string | undefined;
  /** The column builders as given. */
  readonly shape: Readonly<C>;
  /** The zod row schema (strict object); usable wherever zod is. */
  readonly schema: TableSchema<C>;
  /** Every row column, in definition order. */
  readonly columns: readonly TableColumn[];
  /** The columns stored inside the Parquet files: every row column except `columns`-partitioning keys. */
  readonly fileColumns: readonly TableColumn[];
  readonly primaryKey: readonly (keyof C & string)[];
  readonly timeColumn: (keyof C & string) | undefined;
  readonly partitioning: PartitionSpec;
  /** Typed partition keys, outermost first (`year`, `month`, `day` are `int`). */
  readonly partitionKeys: readonly PartitionKey[];
  /**
   * The column named `name`; throws `CoreError` `InvalidArgument` when there is none.
   *
   * @example
   * ```ts
   * orders.column('country').type; // { kind: 'string', maxLength: 2 }
   * ```
   */
  column(name: string): TableColumn;
  /**
   * Whether the table has a row column named `name`.
   *
   * @example
   * ```ts
   * orders.hasColumn('year'); // false: time partition keys are not row columns
   * ```
   */
  hasColumn(name: string): boolean;
  /**
   * Validates a row; returns it typed, or throws `CoreError` `SchemaInvalid` listing the issues.
   *
   * @example
   * ```ts
   * const order = orders.parse(candidate);
   * ```
   */
  parse(row: unknown): RowShape<C>;
  /**
   * Validates a row without throwing.
   *
   * @example
   * ```ts
   * const r = orders.safeParse(candidate);
   * if (!r.success) console.error(r.issues.map((i) => i.message));
   * ```
   */
  safeParse(row: unknown): RowParseResult<RowShape<C>>;
}

/**
 * Any table, whatever its columns: what the target generators accept.
 *
 * @example
 * ```ts
 * const all: AnyTable[] = [orders, products];
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTable = Table<any>;

/**
 * The TS row type of a table.
 *
 * @example
 * ```ts
 * type Order = RowOf<typeof orders>;
 * // { order_id: number; order_time: Date; device: 'mobile' | 'desktop' | 'tablet' | null; … }
 * ```
 */
export type RowOf<T extends AnyTable> = T extends Table<infer C> ? RowShape<C> : never;
