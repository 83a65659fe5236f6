/**
 * Partition pushdown: which partitions of a model's inputs can contribute to the output partitions
 * a run rebuilds, from the model's `inputPartitions` mapping (input partition key → output
 * partition key). Engines use it to read only those input folders (DuckDB: a file list) or to put a
 * predicate on the input's partition columns (Athena).
 *
 * @module
 */
import { matchesPartitionFilter, parsePartitionFilter, type AnyTable, type PartitionFilter, type PartitionScalar, type PartitionValues } from '@lakeblocks/core';
import { TransformError } from '../errors/transform-error.js';
import type { AnyModel } from '../model/define-model.js';
import type { SqlDialect } from '../sql/dialect.js';
import { keyFilterPredicate, keyValuesPredicate, type PredicateKey } from '../sql/model-select.js';

/**
 * The input partitions a partial run may read, over the input's partition keys: any of
 * `partitions` (each naming only the mapped keys) and matching `filter`. A missing field constrains
 * nothing.
 *
 * @example
 * ```ts
 * const scope: InputPartitionScope = { keys: [{ name: 'year', kind: 'int' }, { name: 'month', kind: 'int' }], partitions: [{ year: 2025, month: 11 }] };
 * ```
 */
export interface InputPartitionScope {
  /** The mapped input partition keys, with the kind of the output key each equals (`int`, `string`, `date` …). */
  keys: PredicateKey[];
  /** Input partition values (mapped keys only) that can contribute; distinct. */
  partitions?: PartitionValues[];
  /** A filter over mapped input keys (the run's output filter, renamed). */
  filter?: PartitionFilter;
}

/**
 * What a run rebuilds: named output partitions and/or an output partition filter.
 *
 * @example
 * ```ts
 * const run: PartialRun = { partitions: [{ year: 2025, month: 11 }] };
 * ```
 */
export interface PartialRun {
  partitions?: readonly PartitionValues[] | undefined;
  filter?: PartitionFilter | string | undefined;
}

/**
 * The scope of `input` for a run rebuilding `run`'s output partitions, or `undefined` when the input
 * must be read whole: the model maps none of its partition keys, or the run rebuilds everything
 * (no partitions, no filter), or the filter names no mapped key and no partitions are named.
 *
 * @example
 * ```ts
 * // factOrders declares inputPartitions: { orders: { year: 'year', month: 'month' } }
 * inputPartitionScope(factOrders, 'orders', { partitions: [{ year: 2025, month: 11 }] });
 * // { keys: [{ name: 'year', kind: 'int' }, { name: 'month', kind: 'int' }], partitions: [{ year: 2025, month: 11 }] }
 * inputPartitionScope(factOrders, 'customers', { partitions: [{ year: 2025, month: 11 }] }); // undefined: read whole
 * ```
 */
export function inputPartitionScope(model: AnyModel, input: string, run: PartialRun): InputPartitionScope | undefined {
  const mapping = model.inputPartitions[input];
  if (mapping === undefined || (run.partitions === undefined && run.filter === undefined)) return undefined;
  const outputKinds = new Map(model.output.partitionKeys.map((k) => [k.name, k.type.kind]));
  const entries = Object.entries(mapping);
  const keys = entries.map(([inputKey, outputKey]) => ({ name: inputKey, kind: outputKinds.get(outputKey) ?? 'string' }));
  const scope: InputPartitionScope = { keys };
  if (run.partitions !== undefined) {
    const seen = new Map<string, PartitionValues>();
    for (const values of run.partitions) {
      const mapped: PartitionValues = {};
      for (const [inputKey, outputKey] of entries) {
        const v = values[outputKey];
        if (v === undefined) {
          throw new TransformError('InvalidArgument', `Partition ${JSON.stringify(values)} lacks "${outputKey}"`, { context: { model: model.name, input } });
        }
        mapped[inputKey] = v;
      }
      seen.set(JSON.stringify(mapped), mapped);
    }
    scope.partitions = [...seen.values()];
  }
  if (run.filter !== undefined) {
    const parsed = typeof run.filter === 'string' ? parsePartitionFilter(run.filter) : run.filter;
    const renamed: PartitionFilter = {};
    for (const [inputKey, outputKey] of entries) {
      const condition = parsed[outputKey];
      if (condition !== undefined) renamed[inputKey] = condition;
    }
    if (Object.keys(renamed).length > 0) scope.filter = renamed;
  }
  return scope.partitions === undefined && scope.filter === undefined ? undefined : scope;
}

/**
 * Checks that every mapped key of `scope` is a partition key of `table` (the input) whose type has
 * the kind of the output key it equals; throws `InvalidModel` otherwise.
 *
 * @example
 * ```ts
 * checkInputScope(factOrders, orders, inputPartitionScope(factOrders, 'orders', run)!);
 * ```
 */
export function checkInputScope(model: AnyModel, table: AnyTable, scope: InputPartitionScope): void {
  for (const key of scope.keys) {
    const k = table.partitionKeys.find((p) => p.name === key.name);
    const fail = (why: string) =>
      new TransformError('InvalidModel', `inputPartitions.${table.name}.${key.name}: ${why}`, { context: { model: model.name, input: table.name } });
    if (k === undefined) throw fail(`not a partition key of "${table.name}" [${table.partitionKeys.map((p) => p.name).join(', ')}]`);
    const intLike = (kind: string) => kind === 'int' || kind === 'bigint';
    if (k.type.kind !== key.kind && !(intLike(k.type.kind) && intLike(key.kind))) {
      throw fail(`its type (${k.type.kind}) differs from the output key it maps to (${key.kind})`);
    }
  }
}

/**
 * The scope as a SQL predicate over the input's partition columns, e.g.
 * `(("year" = 2025 AND "month" = 11)) AND ("year" >= 2025)`.
 *
 * @example
 * ```ts
 * inputScopePredicate(scope, athenaDialect, 'orders'); // '(("year" = 2025 AND "month" = 11))'
 * ```
 */
export function inputScopePredicate(scope: InputPartitionScope, dialect: SqlDialect, input: string): string {
  const terms: string[] = [];
  if (scope.partitions !== undefined) terms.push(`(${keyValuesPredicate(scope.keys, scope.partitions, dialect, input)})`);
  if (scope.filter !== undefined) terms.push(`(${keyFilterPredicate(scope.keys, scope.filter, dialect, input)})`);
  return terms.join(' AND ');
}

/**
 * Whether input partition values known so far (`values`: the keys of the folders walked down to,
 * typed) can still lead to a partition in scope. Keys not in `values` are not constrained yet.
 *
 * @example
 * ```ts
 * matchesInputScope(scope, { year: 2025 });            // true: month=11 may be below
 * matchesInputScope(scope, { year: 2025, month: 10 }); // false
 * ```
 */
export function matchesInputScope(scope: InputPartitionScope, values: Readonly<Record<string, PartitionScalar>>): boolean {
  const known = scope.keys.filter((k) => k.name in values);
  if (scope.partitions !== undefined) {
    const fits = scope.partitions.some((wanted) => known.every((k) => sameValue(values[k.name] ?? null, wanted[k.name], k.kind)));
    if (!fits) return false;
  }
  if (scope.filter !== undefined) {
    const partial: PartitionFilter = {};
    for (const k of known) {
      const condition = scope.filter[k.name];
      if (condition !== undefined) partial[k.name] = condition;
    }
    if (!matchesPartitionFilter(values, partial)) return false;
  }
  return true;
}

function sameValue(actual: PartitionScalar, wanted: string | number | undefined, kind: string): boolean {
  if (actual === null || wanted === undefined) return false;
  if (kind === 'int' || kind === 'bigint') return Number(actual) === Number(wanted);
  return String(actual) === String(wanted);
}
