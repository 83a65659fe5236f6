/**
 * How a table's files are split into Hive partitions.
 *
 * - `none`: one directory, no partition keys.
 * - `time`: keys derived from a timestamp or date column: `year` (granularity `year`), `year`,
 *   `month` (`month`) or `year`, `month`, `day` (`day`), all unpadded integers (`month=1`).
 * - `columns`: identity partitioning on row columns (their values move into the path and out of the files).
 *
 * @example
 * ```ts
 * const spec: PartitionSpec = { kind: 'time', column: 'order_time', granularity: 'day' };
 * partitionKeyNames(spec); // ['year', 'month', 'day']
 * ```
 */
export type PartitionSpec =
  | { kind: 'none' }
  | { kind: 'time'; column: string; granularity: TimeGranularity }
  | { kind: 'columns'; columns: readonly string[] };

/** Granularity of time partitioning. */
export type TimeGranularity = 'year' | 'month' | 'day';

/** Partition values keyed by partition key, in key order (`{ year: 2025, month: 1 }`). */
export type PartitionValues = Record<string, string | number>;

/**
 * The partition key names a spec produces, outermost first.
 *
 * @example
 * ```ts
 * partitionKeyNames({ kind: 'time', column: 'ts', granularity: 'month' }); // ['year', 'month']
 * ```
 */
export function partitionKeyNames(spec: PartitionSpec): string[] {
  switch (spec.kind) {
    case 'none':
      return [];
    case 'time':
      return spec.granularity === 'year' ? ['year'] : spec.granularity === 'month' ? ['year', 'month'] : ['year', 'month', 'day'];
    case 'columns':
      return [...spec.columns];
  }
}
