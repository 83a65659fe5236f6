/**
 * The TechStore data generator.
 *
 * @module
 */
export { generateTechstore, tableFiles } from './generate.js';
export type { GenerateOptions, GenerateResult, GeneratedTable, TechstoreTableName } from './generate.js';
export { REAL_COUNTS } from './distributions.js';
