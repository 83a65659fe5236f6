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

export {
  definePipeline,
  Pipeline,
  PipelineError,
  newRunId,
  runLogKey,
  RUN_LOG_VERSION,
  awsCostModel,
} from './pipeline/index.js';
export type {
  PipelineDefinition,
  StepDefinition,
  StepContext,
  SkipContext,
  StepLogger,
  ProgressUpdate,
  CounterIncrement,
  RunOptions,
  PipelineEventListener,
  PipelineEvent,
  StepEventBase,
  RunStartEvent,
  StepStartEvent,
  StepProgressEvent,
  StepRetryEvent,
  StepEndEvent,
  RunEndEvent,
  RunLog,
  StepLog,
  RunStatus,
  StepStatus,
  StepCounters,
  RunTotals,
  StepProgress,
  LogMessage,
  LoggedError,
  RunLogError,
  CostEstimate,
  CostItem,
  JsonValue,
  AwsCostModelOptions,
} from './pipeline/index.js';

export {
  col,
  Column,
  defineTable,
  formatColumnType,
  MAX_DECIMAL_PRECISION,
  IDENTIFIER_PATTERN,
  isValidIdentifier,
  MAX_IDENTIFIER_LENGTH,
  checkDecimal,
  codePointLength,
  isCalendarDate,
  toArrowType,
  toDuckDbType,
  toHiveType,
  toMySqlType,
  tsTypeName,
  toArrowSchema,
  toGlueColumns,
  toGluePartitionKeys,
  toDuckDbCreateTable,
  toDuckDbParquetView,
  toAthenaCreateTable,
  toMySqlCreateTable,
  toDataDictionary,
} from './schema/index.js';
export { duckDbIdentifier, backtickIdentifier, duckDbString, hiveString, mySqlString } from './schema/sql-text.js';
export type {
  AnyColumn,
  ColumnValue,
  StringColumnOptions,
  ValueOf,
  ColumnKind,
  ColumnType,
  ColumnTypeOf,
  AnyTable,
  ColumnsShape,
  RowOf,
  RowShape,
  Table,
  TableColumn,
  TableOptions,
  TablePartitioning,
  TableSchema,
  PartitionKey,
  RowParseResult,
  SchemaIssue,
  DecimalCheck,
  TypeContext,
  ArrowSchemaOptions,
  GlueColumn,
  DuckDbCreateTableOptions,
  DuckDbParquetViewOptions,
  AthenaCreateTableOptions,
  AthenaParquetCompression,
  MySqlCreateTableOptions,
  DataDictionaryOptions,
} from './schema/index.js';

export {
  applyCommit,
  emptyBookmark,
  indexBookmark,
  isConsumed,
  newObjects,
  DEFAULT_MAX_ENTRIES,
  DEFAULT_RETAIN_MS,
  BOOKMARK_FORMAT_VERSION,
  BOOKMARK_MIGRATIONS,
  decodeBookmark,
  encodeBookmark,
  migrateBookmarkDocument,
  assertValidJobName,
  assertLeaseCovers,
  leaseHeldError,
  leaseLostError,
  BookmarkRun,
  JobBookmarks,
  StorageBookmarkStore,
} from './bookmarks/index.js';
export type {
  ApplyCommitOptions,
  BookmarkIndex,
  BookmarkObject,
  BookmarkOperation,
  BookmarkPolicy,
  BookmarkState,
  BookmarkDocument,
  BookmarkMigrations,
  BookmarkSource,
  BookmarkHead,
  BookmarkStore,
  Lease,
  LeaseRequest,
  StoredBookmark,
  BeginOptions,
  JobBookmarksOptions,
  StorageBookmarkStoreOptions,
} from './bookmarks/index.js';
