/**
 * The TechStore example lake: processed table definitions, curated models, the data generator,
 * the pipeline (`runTechstore`, on a local directory or on S3 + Glue + Athena), the business
 * answers and the dashboard. The CLI lives in
 * `cli/` (`pnpm techstore <command>`).
 *
 * @module
 */
export * from './tables.js';
export * from './models/index.js';
export * from './generate/index.js';
export { checkTechstoreDataset } from './generate/check-dataset.js';
export type { DatasetCheck } from './generate/check-dataset.js';
export { runTechstore, DASHBOARD_KEY } from './pipeline/run-techstore.js';
export type { RunTechstoreOptions, RunTechstoreResult } from './pipeline/run-techstore.js';
export { buildCurated, CURATED_JOB, CURATED_INPUTS_KEY, duckDbCuratedEngine } from './pipeline/curated.js';
export type { BuildCuratedOptions, CuratedEngine, CuratedResult, CuratedModelReport } from './pipeline/curated.js';
export { businessAnswers, formatAnswers } from './pipeline/answers.js';
export type { BusinessAnswers, LakeQueries, MonthKpis, FunnelStage, Ranked } from './pipeline/answers.js';
export { athenaCuratedEngine, openAwsLake, syncGlueCatalog } from './pipeline/aws/aws-lake.js';
export type { AwsLake } from './pipeline/aws/aws-lake.js';
export { AwsOptionsError, isS3Lake, resolveAws } from './pipeline/aws/aws-options.js';
export type { AwsNeed, ResolvedAws, TechstoreAwsOptions } from './pipeline/aws/aws-options.js';
export { techstoreCleaning } from './pipeline/cleaning.js';
export { uploadTechstoreFile, fileDigest, hasRawTable } from './pipeline/upload-data.js';
export type { UploadedFile } from './pipeline/upload-data.js';
export * from './dashboard/index.js';
