/**
 * `@lakeblocks/transform`: curated SQL models, rendered for DuckDB (`@lakeblocks/transform/duckdb`)
 * and Athena (`@lakeblocks/transform/athena`).
 *
 * @packageDocumentation
 */
export { TransformError } from './errors/index.js';
export type { TransformErrorTag, TransformErrorOptions } from './errors/index.js';
export { defineModel, sortModels } from './model/define-model.js';
export type { AnyModel, Model, ModelOptions, WriteMode } from './model/define-model.js';
export { refsOf, renderRefs } from './model/refs.js';
export { checkInputScope, inputPartitionScope, inputScopePredicate, matchesInputScope } from './pushdown/input-partitions.js';
export type { InputPartitionScope, PartialRun } from './pushdown/input-partitions.js';
export { athenaDialect, duckDbDialect, quoteIdentifier, quoteString, toAthenaSqlType } from './sql/dialect.js';
export type { SqlDialect } from './sql/dialect.js';
export { filterPredicate, outputColumns, partitionPredicate, renderModelSelect } from './sql/model-select.js';
export type { ModelSelectOptions, PredicateKey } from './sql/model-select.js';
export { assertSqlSubset, checkSqlSubset, SHARED_FUNCTIONS } from './sql-subset/check-sql-subset.js';
export type { SqlSubsetIssue } from './sql-subset/check-sql-subset.js';
