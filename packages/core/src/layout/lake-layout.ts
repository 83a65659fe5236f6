import { assertValidJobName } from '../bookmarks/job-name.js';
import { CoreError } from '../errors/core-error.js';
import { partitionPath } from '../partitions/hive-path.js';
import type { PartitionValues } from '../partitions/partition-spec.js';
import { assertValidKey } from '../storage/keys.js';

/** The layers of a lake, in the order data flows through them. */
export const LAKE_LAYERS = ['raw', 'processed', 'curated', 'rejects', 'reports', '_state'] as const;

/** One layer of a lake. */
export type LakeLayer = (typeof LAKE_LAYERS)[number];

/** The layers that hold Parquet datasets. */
export type DatasetLayer = 'processed' | 'curated';

function segment(what: string, value: string): string {
  if (value === '' || value.includes('/') || value === '.' || value === '..') {
    throw new CoreError('InvalidArgument', `Invalid ${what} ${JSON.stringify(value)}: must be one non-empty path segment`);
  }
  assertValidKey(value);
  return value;
}

function table(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) {
    throw new CoreError('InvalidArgument', `Invalid table name ${JSON.stringify(name)}: use lower-case letters, digits and _`, {
      context: { table: name },
    });
  }
  return name;
}

/**
 * Key builders for the lake layout of DESIGN.md. Keys are relative to a {@link Storage} root, so
 * the same keys serve a local directory and `s3://bucket/prefix`; `storage.uri(key)` gives the
 * absolute location an engine needs.
 *
 * ```
 * raw/<table>/<batch>/<file>                         byte-for-byte uploads
 * processed/<table>/year=2025/month=1/day=31/<file>  typed Parquet
 * curated/<table>/year=2025/month=1/<file>
 * rejects/<table>/<run-id>.csv
 * reports/<name>
 * _state/bookmarks/<job>.json   _state/runs/<run-id>.json
 * ```
 *
 * Every builder validates what it is given: a table, batch, file or run id can never add a path
 * segment or walk out of its directory.
 *
 * @example
 * ```ts
 * import { lakeLayout } from '@lakeblocks/core';
 * lakeLayout.rawFile('orders', '2025-12', 'orders_2025_12.csv'); // 'raw/orders/2025-12/orders_2025_12.csv'
 * lakeLayout.partitionPrefix('processed', 'orders', { year: 2025, month: 1, day: 31 });
 * // 'processed/orders/year=2025/month=1/day=31/'
 * ```
 */
export const lakeLayout = {
  /** `<layer>/` */
  layerPrefix(layer: LakeLayer): string {
    if (!LAKE_LAYERS.includes(layer)) throw new CoreError('InvalidArgument', `Unknown lake layer ${JSON.stringify(layer)}`);
    return `${layer}/`;
  },
  /** `<layer>/<table>/` */
  tablePrefix(layer: LakeLayer, tableName: string): string {
    return `${lakeLayout.layerPrefix(layer)}${table(tableName)}/`;
  },
  /** `raw/<table>/<batch>/` */
  rawBatchPrefix(tableName: string, batch: string): string {
    return `raw/${table(tableName)}/${segment('batch', batch)}/`;
  },
  /** `raw/<table>/<batch>/<file>`: where an accepted upload is copied, byte for byte. */
  rawFile(tableName: string, batch: string, file: string): string {
    return `${lakeLayout.rawBatchPrefix(tableName, batch)}${segment('file name', file)}`;
  },
  /** `<layer>/<table>/<k=v/…>/`: a partition's directory (the table prefix when unpartitioned). */
  partitionPrefix(layer: DatasetLayer, tableName: string, values: PartitionValues = {}): string {
    const path = partitionPath(values);
    return `${lakeLayout.tablePrefix(layer, tableName)}${path}${path ? '/' : ''}`;
  },
  /** `<layer>/<table>/<k=v/…>/<file>`: a data file of a dataset. */
  dataFile(layer: DatasetLayer, tableName: string, values: PartitionValues, file: string): string {
    return `${lakeLayout.partitionPrefix(layer, tableName, values)}${segment('file name', file)}`;
  },
  /** `rejects/<table>/<run-id>.csv`: every row a run rejected, with its reason. */
  rejectsFile(tableName: string, runId: string): string {
    return `rejects/${table(tableName)}/${segment('run id', runId)}.csv`;
  },
  /** `reports/<name>`: dashboards, data dictionaries and other reports. */
  reportFile(name: string): string {
    return `reports/${segment('report name', name)}`;
  },
  /** `_state/bookmarks/<job>.json`; a job name may contain `/` (`raw-to-processed/orders`). */
  bookmarkFile(job: string): string {
    assertValidJobName(job);
    return `_state/bookmarks/${job}.json`;
  },
  /** `_state/runs/<run-id>.json`: the run log of one pipeline run. */
  runLogFile(runId: string): string {
    return `_state/runs/${segment('run id', runId)}.json`;
  },
} as const;

/** Where a lake lives, parsed from a location string. */
export type LakeLocation = { kind: 'local'; path: string } | { kind: 's3'; bucket: string; prefix: string };

/**
 * Parses a lake location: `s3://bucket/prefix` (prefix may be empty) or a local directory
 * (`./.lake`, `/data/lake`, `file:///data/lake`).
 *
 * @example
 * ```ts
 * parseLakeLocation('s3://my-bucket/lakes/techstore'); // { kind: 's3', bucket: 'my-bucket', prefix: 'lakes/techstore' }
 * parseLakeLocation('./.lake'); // { kind: 'local', path: './.lake' }
 * ```
 */
export function parseLakeLocation(location: string): LakeLocation {
  if (location.startsWith('s3://')) {
    const rest = location.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash === -1 ? rest : rest.slice(0, slash);
    const prefix = slash === -1 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
      throw new CoreError('InvalidArgument', `Invalid S3 bucket name in ${JSON.stringify(location)}`);
    }
    if (prefix !== '') assertValidKey(prefix);
    return { kind: 's3', bucket, prefix };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location) && !location.startsWith('file://')) {
    throw new CoreError('InvalidArgument', `Unsupported lake location ${JSON.stringify(location)}: use a directory or s3://bucket/prefix`);
  }
  const path = location.startsWith('file://') ? decodeURIComponent(new URL(location).pathname) : location;
  if (path === '') throw new CoreError('InvalidArgument', 'Lake location is empty');
  return { kind: 'local', path };
}
