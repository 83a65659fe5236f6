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
export { uploadNequiSources, NEQUI_SOURCE_FILES } from './pipeline/upload-sources.js';
export { nequiPipeline } from './pipeline/nequi-pipeline.js';
export type { NequiPipelineOptions } from './pipeline/nequi-pipeline.js';
export { nequiDataDictionary } from './pipeline/data-dictionary.js';
export { nequiHtmlReport, NEQUI_REPORT_QUERIES } from './pipeline/html-report.js';
export { nequiCli } from './cli/nequi-cli.js';
export type { CliIo } from './cli/nequi-cli.js';
