/**
 * `@lakeblocks/transform/duckdb`: the local engine (needs the optional peer `@duckdb/node-api`).
 *
 * @packageDocumentation
 */
export { DuckDbEngine } from './duckdb-engine.js';
export type { DuckDbEngineOptions, RunModelOptions, ModelRunResult } from './duckdb-engine.js';
export { listInputFiles } from './input-files.js';
export { toResultRow, toResultValue } from './values.js';
export type { ResultRow, ResultValue } from './values.js';
export { commitPartitions, listPartitionDirs, recoverStagedCommits } from './partition-swap.js';
export type { CommitPlan } from './partition-swap.js';
export { writeRows } from './write-rows.js';
export type { FixtureRow } from './write-rows.js';
