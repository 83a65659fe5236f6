/**
 * The SDK-free Glue input builders, shared by the package barrel and `@lakeblocks/loaders/glue`.
 *
 * @example
 * ```ts
 * import { toGlueTableInput } from '@lakeblocks/loaders';
 * ```
 *
 * @module
 */
export {
  PARQUET_SERDE,
  PARQUET_INPUT_FORMAT,
  PARQUET_OUTPUT_FORMAT,
  normalizeS3Location,
  requireGlueName,
  toGlueStorageDescriptor,
  toGlueTableInput,
  toGluePartitionInput,
  partitionProjectionParameters,
  partitionValueList,
  partitionName,
} from './table-input.js';
export type {
  GlueStorageDescriptor,
  GlueTableInput,
  GluePartitionInput,
  PartitionValuesInput,
  ProjectionKey,
  PartitionProjection,
  GlueTableOptions,
} from './table-input.js';
