import type { Storage } from '../storage/storage.js';
import { parsePartitionPath } from './hive-path.js';
import { matchesPartitionFilter, parsePartitionFilter, type PartitionFilter, type PartitionScalar } from './partition-filter.js';

/** A partition found under a table prefix. */
export interface PartitionInfo {
  /** Decoded values, keyed by partition key, outermost first. */
  values: Record<string, PartitionScalar>;
  /** The partition's key prefix in storage, ending with `/` (`processed/orders/year=2025/month=1/`). */
  prefix: string;
  /** Number of data files in the partition. */
  files: number;
  /** Total bytes of those files. */
  bytes: number;
}

/** Options of {@link listPartitions}. */
export interface ListPartitionsOptions {
  /** Keep only partitions matching this filter (an object or SQL-like text, see {@link parsePartitionFilter}). */
  filter?: PartitionFilter | string;
  /** Only count files whose name ends with this (default `.parquet`). */
  fileSuffix?: string;
}

/**
 * Lists the Hive partitions of a table in storage, from the data files found under `tablePrefix`,
 * with file counts and sizes, pruned by an optional filter. Hidden files and temporaries (names
 * starting with `.` or `_`) are ignored, as Hive and Athena ignore them.
 *
 * @example
 * ```ts
 * const recent = await listPartitions(storage, 'processed/orders/', ['year', 'month', 'day'], {
 *   filter: 'year = 2025 and month >= 10',
 * });
 * for (const p of recent) console.log(p.prefix, p.files);
 * ```
 */
export async function listPartitions(
  storage: Storage,
  tablePrefix: string,
  keys: readonly string[],
  options: ListPartitionsOptions = {},
): Promise<PartitionInfo[]> {
  const prefix = tablePrefix.endsWith('/') ? tablePrefix : `${tablePrefix}/`;
  const filter = typeof options.filter === 'string' ? parsePartitionFilter(options.filter) : options.filter;
  const suffix = options.fileSuffix ?? '.parquet';
  const found = new Map<string, PartitionInfo>();
  for await (const object of storage.listAll(prefix)) {
    const rest = object.key.slice(prefix.length);
    const segments = rest.split('/');
    const file = segments.pop() ?? '';
    if (file.startsWith('.') || file.startsWith('_') || !file.endsWith(suffix)) continue;
    if (segments.length !== keys.length || segments.some((s) => s.startsWith('.') || s.startsWith('_'))) continue;
    let values: Record<string, PartitionScalar>;
    try {
      values = parsePartitionPath(segments.join('/'), keys);
    } catch {
      continue; // not a partition directory of this table's shape
    }
    if (filter && !matchesPartitionFilter(values, filter)) continue;
    const partitionPrefix = `${prefix}${segments.join('/')}${segments.length ? '/' : ''}`;
    const info = found.get(partitionPrefix) ?? { values, prefix: partitionPrefix, files: 0, bytes: 0 };
    info.files += 1;
    info.bytes += object.size;
    found.set(partitionPrefix, info);
  }
  return [...found.values()];
}
