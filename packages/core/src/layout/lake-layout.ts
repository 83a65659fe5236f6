import { assertValidJobName } from '../bookmarks/job-name.js';
import { parseS3Uri } from '../s3/s3-uri.js';
import { isValidIdentifier } from '../schema/identifier.js';
import { CoreError } from '../errors/core-error.js';
import { partitionPath } from '../partitions/hive-path.js';
import type { PartitionValues } from '../partitions/partition-spec.js';
import { assertValidKey } from '../storage/keys.js';

const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/**
 * Checks that a run id is usable as a file name and a single storage key segment:
 * 1–200 characters of `A–Z a–z 0–9 . _ -`, starting with a letter or digit. Throws an
 * `InvalidArgument` {@link CoreError} otherwise.
 *
 * @example
 * ```ts
 * assertValidRunId('nightly-2025-01-31'); // ok
 * assertValidRunId('../evil'); // throws
 * ```
 */
export function assertValidRunId(runId: string): void {
  if (typeof runId !== 'string' || !RUN_ID_PATTERN.test(runId)) {
    throw new CoreError(
      'InvalidArgument',
      `Invalid run id ${JSON.stringify(runId)}: use 1-200 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit`,
    );
  }
}

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
  if (!isValidIdentifier(name)) {
    throw new CoreError('InvalidArgument', `Invalid table name ${JSON.stringify(name)}: use lower-case letters, digits and _ (at most 64)`, {
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
    assertValidRunId(runId);
    return `rejects/${table(tableName)}/${runId}.csv`;
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
    assertValidRunId(runId);
    return `_state/runs/${runId}.json`;
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
  if (location.startsWith('s3://')) return { kind: 's3', ...parseS3Uri(location) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location) && !location.startsWith('file://')) {
    throw new CoreError('InvalidArgument', `Unsupported lake location ${JSON.stringify(location)}: use a directory or s3://bucket/prefix`);
  }
  const path = location.startsWith('file://') ? decodeURIComponent(new URL(location).pathname) : location;
  if (path === '') throw new CoreError('InvalidArgument', 'Lake location is empty');
  return { kind: 'local', path };
}
