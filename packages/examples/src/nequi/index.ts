/**
 * The Nequi example lake: processed table definitions, the design's cleaning rules, the synthetic
 * data generator, the curated models, and the end-to-end pipeline and CLI.
 *
 * @module
 */
export * from './tables.js';
export * from './cleaning.js';
export * from './models/index.js';
export { generateNequi, NEQUI_HEADERS, NEQUI_SIZES, TRANSACTION_ERRORS } from './generate/generate-nequi.js';
export type { GenerateNequiOptions, GenerateNequiSummary, GeneratedFile } from './generate/generate-nequi.js';
export { MCC_CODES } from './generate/mcc-catalog.js';
export { Rng } from './generate/rng.js';
export { uploadNequiSources, sourceDigest, NEQUI_SOURCE_BATCH, NEQUI_SOURCE_FILES } from './pipeline/upload-sources.js';
export type { NequiUpload } from './pipeline/upload-sources.js';
export { nequiPipeline } from './pipeline/nequi-pipeline.js';
export type { NequiPipelineOptions, NequiMySqlOptions } from './pipeline/nequi-pipeline.js';
export { buildNequiCurated, NEQUI_CURATED_JOB } from './pipeline/nequi-curated.js';
export type { NequiCuratedResult } from './pipeline/nequi-curated.js';
export { loadNequiToMySql } from './pipeline/mysql-load.js';
export type { LoadNequiOptions, NequiTableLoad } from './pipeline/mysql-load.js';
export { runNequiMicroBatch, splitTransactions } from './pipeline/micro-batch.js';
export type { MicroBatchResult } from './pipeline/micro-batch.js';
export { runDuckDbBaseline, fingerprintLake } from './baseline/duckdb-baseline.js';
export type { DuckDbBaselineResult } from './baseline/duckdb-baseline.js';
export { ATHENA_ENGINE_VERSION, runNequiModelsOnAthena, nequiAnalystQuery, nequiAthenaEngineOptions, nequiWorkGroups, provisionNequiWorkGroups } from './athena/athena-config.js';
export type { NequiAwsLake, NequiWorkGroupLimits } from './athena/athena-config.js';
export { nequiDataDictionary } from './pipeline/data-dictionary.js';
export { nequiHtmlReport, NEQUI_REPORT_QUERIES } from './pipeline/html-report.js';
export { nequiCli, parseDuration } from './cli/nequi-cli.js';
export type { CliIo } from './cli/nequi-cli.js';
