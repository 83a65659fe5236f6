/**
 * `@lakeblocks/core`: the foundation of lakeblocks — table schemas, lake layout, Hive partitions,
 * storage (local directory; S3 under `@lakeblocks/core/s3`), job bookmarks (MySQL store under
 * `@lakeblocks/core/mysql`), errors, retries and the pipeline runner.
 *
 * @packageDocumentation
 */
export { CoreError, isRetryable } from './errors/index.js';
export type { CoreErrorTag, CoreErrorOptions, ErrorContext } from './errors/index.js';

export { retry, sleep, withTimeout } from './retry/retry.js';
export { describeAwsError } from './aws/aws-error-facts.js';
export { createOwnedTempDir, sweepDeadOwnerTempDirs } from './process/owned-temp-dir.js';
export type { AwsErrorFacts, AwsErrorKind } from './aws/aws-error-facts.js';
export type { RetryOptions } from './retry/retry.js';

export type { Storage, ObjectInfo, ListPage, ListOptions, PutOptions, StreamBody } from './storage/storage.js';
export { assertValidKey } from './storage/keys.js';
export { LocalStorage } from './storage/local-storage.js';
export type { LocalStorageOptions } from './storage/local-storage.js';
export { compareKeys } from './storage/key-order.js';

export { partitionKeyNames } from './partitions/partition-spec.js';
export type { PartitionSpec, PartitionValues, TimeGranularity } from './partitions/partition-spec.js';
export {
  HIVE_DEFAULT_PARTITION,
  escapeHivePathValue,
  unescapeHivePathValue,
  partitionPath,
  parsePartitionPath,
} from './partitions/hive-path.js';
export { timePartitionValues, partitionValuesOf } from './partitions/partition-values.js';
export { matchesPartitionFilter, parsePartitionFilter } from './partitions/partition-filter.js';
export type { PartitionFilter, PartitionCondition, PartitionScalar } from './partitions/partition-filter.js';
export { listPartitions } from './partitions/list-partitions.js';
export type { PartitionInfo, ListPartitionsOptions } from './partitions/list-partitions.js';

export { LAKE_LAYERS, lakeLayout, parseLakeLocation, assertValidRunId } from './layout/lake-layout.js';
export type { LakeLayer, DatasetLayer, LakeLocation } from './layout/lake-layout.js';

// Pipeline runner: definePipeline, run logs, cost estimate (the folder barrel is the one list).
export * from './pipeline/index.js';

// Table schemas: defineTable, col and every target derived from a definition.
export * from './schema/index.js';
export { duckDbIdentifier, backtickIdentifier, duckDbString, hiveString, mySqlString } from './schema/sql-text.js';

// Job bookmarks: JobBookmarks, StorageBookmarkStore and the bookmark format.
export * from './bookmarks/index.js';
