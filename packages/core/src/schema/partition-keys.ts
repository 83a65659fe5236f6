/**
 * Typed partition keys of a table. Time partitioning derives `year`, `month`, `day` (type `int`,
 * unpadded in paths) from a date or timestamp column; `columns` partitioning uses row columns as
 * keys, with their own types. Keys are listed outermost first, as in the Hive path.
 *
 * @example
 * ```ts
 * orders.partitionKeys.map((k) => `${k.name} ${formatColumnType(k.type)}`);
 * // ['year int', 'month int', 'day int']
 * ```
 *
 * @module
 */
import { partitionKeyNames } from '../partitions/partition-spec.js';
import type { PartitionSpec } from '../partitions/partition-spec.js';
import type { ColumnType } from './column-type.js';

/**
 * One partition key (a `name=value` directory level of the Hive path).
 *
 * @example
 * ```ts
 * const key: PartitionKey = {
 *   name: 'year', type: { kind: 'int' }, column: 'order_time', derived: true,
 *   description: 'Year of order_time (partition key)',
 * };
 * ```
 */
export interface PartitionKey {
  /** Key name as it appears in the path (`year` in `year=2025`). */
  readonly name: string;
  /** Type of the key: `int` for time-derived keys, the column's type otherwise. */
  readonly type: ColumnType;
  /** The row column the key comes from. */
  readonly column: string;
  /** `true` for time-derived keys (never a row column), `false` for identity keys (a row column moved into the path). */
  readonly derived: boolean;
  /** Description, used as Glue/Athena comment and in the data dictionary. */
  readonly description: string;
}

/**
 * What {@link partitionKeysOf} needs to know about a row column.
 *
 * @example
 * ```ts
 * const source: PartitionSourceColumn = { type: { kind: 'date' }, description: 'Signup day' };
 * ```
 */
export interface PartitionSourceColumn {
  readonly type: ColumnType;
  readonly description: string | undefined;
}

const TIME_PART_LABEL: Readonly<Record<string, string>> = { year: 'Year', month: 'Month (1-12)', day: 'Day of month (1-31)' };

/**
 * The typed partition keys produced by `spec` over `columns` (the spec is assumed valid: checked by
 * `defineTable`).
 *
 * @example
 * ```ts
 * partitionKeysOf({ kind: 'columns', columns: ['country'] }, new Map([['country', { type: { kind: 'string' }, description: undefined }]]));
 * // [{ name: 'country', type: { kind: 'string' }, column: 'country', derived: false, description: 'Partition key: column country' }]
 * ```
 */
export function partitionKeysOf(spec: PartitionSpec, columns: ReadonlyMap<string, PartitionSourceColumn>): PartitionKey[] {
  switch (spec.kind) {
    case 'none':
      return [];
    case 'time':
      return partitionKeyNames(spec).map((name) => ({
        name,
        type: { kind: 'int' },
        column: spec.column,
        derived: true,
        description: `${TIME_PART_LABEL[name] ?? name} of ${spec.column} (partition key)`,
      }));
    case 'columns':
      return spec.columns.map((name) => {
        const source = columns.get(name);
        return {
          name,
          type: source?.type ?? { kind: 'string' },
          column: name,
          derived: false,
          description: source?.description ?? `Partition key: column ${name}`,
        };
      });
  }
}
