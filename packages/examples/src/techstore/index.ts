/**
 * The TechStore example lake: processed table definitions, curated models, the data generator,
 * the local pipeline (`runTechstore`), the business answers and the dashboard. The CLI lives in
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
export { buildCurated, CURATED_JOB } from './pipeline/curated.js';
export type { BuildCuratedOptions, CuratedResult, CuratedModelReport } from './pipeline/curated.js';
export { businessAnswers, formatAnswers } from './pipeline/answers.js';
export type { BusinessAnswers, MonthKpis, FunnelStage, Ranked } from './pipeline/answers.js';
export { techstoreCleaning } from './pipeline/cleaning.js';
export { uploadTechstoreFile, fileDigest, hasRawTable } from './pipeline/upload-data.js';
export type { UploadedFile } from './pipeline/upload-data.js';
export * from './dashboard/index.js';
