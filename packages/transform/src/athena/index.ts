/**
 * `@lakeblocks/transform/athena`: the Athena engine (needs the optional peer `@aws-sdk/client-athena`).
 *
 * @packageDocumentation
 */
export { AthenaEngine } from './athena-engine.js';
export type { AthenaEngineOptions, AthenaRunResult } from './athena-engine.js';
export { AthenaQueryRunner, isRetryableAwsError } from './athena-client.js';
export type { AthenaClientLike, AthenaQueryRunnerOptions } from './athena-client.js';
export {
  ATHENA_MAX_DDL_CHARS,
  ATHENA_MAX_PARTITIONS_PER_STATEMENT,
  athenaDdlName,
  athenaRelation,
  chunkPartitions,
  ddlPartitionSpec,
  partitionLocation,
  renderAddPartitions,
  renderAthenaSelect,
  renderCtasSeries,
  renderDistinctPartitions,
  renderDropPartitions,
  renderFileLocations,
  renderPartitionLocations,
  renderTableColumns,
} from './render.js';
export type { AthenaTarget } from './render.js';
