/**
 * The `SELECT` that materialises a model: the model's SQL (refs rendered) wrapped in a projection
 * that casts every column to its declared type, appends the partition keys last (as CTAS and
 * `COPY … PARTITION_BY` expect) and optionally keeps only some partitions.
 *
 * @module
 */
import { parsePartitionFilter, type AnyTable, type PartitionFilter, type PartitionScalar, type PartitionValues } from '@lakeblocks/core';
import { TransformError } from '../errors/transform-error.js';
import type { AnyModel } from '../model/define-model.js';
import { renderRefs } from '../model/refs.js';
import type { SqlDialect } from './dialect.js';

/**
 * Options of {@link renderModelSelect}.
 *
 * @example
 * ```ts
 * const options: ModelSelectOptions = { resolveRef: (n) => `"${n}"`, partitions: [{ year: 2025, month: 11 }] };
 * ```
 */
export interface ModelSelectOptions {
  /** The relation text a `{{ ref('name') }}` becomes. */
  resolveRef: (name: string) => string;
  /** Keep only these partitions (each naming every partition key). */
  partitions?: readonly PartitionValues[] | undefined;
  /** Keep only partitions matching this filter (core's partition filter: an object or `'year = 2025 and month >= 11'`). */
  filter?: PartitionFilter | string | undefined;
  /**
   * Partition pushdown by SQL: input name → a predicate over that input's partition columns. Each
   * such input is read through a CTE of its own name, `WITH "orders" AS (SELECT * FROM <ref> WHERE
   * <predicate>) SELECT * FROM (<model SQL>)`, inside the casting projection (so `orders.x` and
   * `{{ ref('orders') }} AS o` both keep working, and the model's own `WITH` too), which lets an
   * engine that prunes partitions by predicate (Athena) read only those partitions.
   */
  inputFilters?: Readonly<Record<string, string>> | undefined;
}

/**
 * The output columns of a model, in file order then partition keys, each with the SQL expression
 * computing it from the model's own columns.
 *
 * @example
 * ```ts
 * outputColumns(factOrders.output, duckDbDialect).at(-1);
 * // { name: 'month', expression: 'CAST(month(CAST("order_time" AS TIMESTAMP)) AS INTEGER)', isPartitionKey: true }
 * ```
 */
export function outputColumns(table: AnyTable, dialect: SqlDialect): { name: string; expression: string; isPartitionKey: boolean }[] {
  const q = dialect.identifier;
  const files = table.fileColumns.map((c) => ({
    name: c.name,
    expression: `CAST(${q(c.name)} AS ${dialect.type(c.type)})`,
    isPartitionKey: false,
  }));
  const keys = table.partitionKeys.map((k) => ({
    name: k.name,
    expression: k.derived
      ? `CAST(${k.name}(CAST(${q(k.column)} AS ${dialect.type(table.column(k.column).type)})) AS ${dialect.type(k.type)})`
      : `CAST(${q(k.column)} AS ${dialect.type(k.type)})`,
    isPartitionKey: true,
  }));
  return [...files, ...keys];
}

/**
 * A predicate keeping only the given partitions: `("year" = 2025 AND "month" = 11) OR (…)`.
 * Checks that every partition names exactly the table's keys with values of the right type.
 *
 * @example
 * ```ts
 * partitionPredicate(factOrders.output, [{ year: 2025, month: 11 }], duckDbDialect);
 * // '("year" = 2025 AND "month" = 11)'
 * ```
 */
export function partitionPredicate(table: AnyTable, partitions: readonly PartitionValues[], dialect: SqlDialect): string {
  const keys = table.partitionKeys;
  for (const values of partitions) {
    const given = Object.keys(values);
    if (given.length !== keys.length || keys.some((k) => !(k.name in values))) {
      throw new TransformError('InvalidArgument', `Partition ${JSON.stringify(values)} must name exactly [${keys.map((k) => k.name).join(', ')}]`, {
        context: { table: table.name },
      });
    }
  }
  return keyValuesPredicate(
    keys.map((k) => ({ name: k.name, kind: k.type.kind })),
    partitions,
    dialect,
    table.name,
  );
}

/**
 * A partition key as the predicates need it: its name and its type's kind (`int`, `string`, `date` …).
 *
 * @example
 * ```ts
 * const key: PredicateKey = { name: 'year', kind: 'int' };
 * ```
 */
export interface PredicateKey {
  name: string;
  kind: string;
}

/**
 * `("k1" = v1 AND "k2" = v2) OR (…)` over the given keys, each partition naming every one of them
 * (`'1 = 0'` for none).
 *
 * @internal
 */
export function keyValuesPredicate(keys: readonly PredicateKey[], partitions: readonly PartitionValues[], dialect: SqlDialect, table: string): string {
  if (partitions.length === 0) return '1 = 0';
  return partitions
    .map((values) => `(${keys.map((k) => `${dialect.identifier(k.name)} = ${literal(values[k.name], k.kind, table)}`).join(' AND ')})`)
    .join(' OR ');
}

/**
 * A predicate over partition keys from a core partition filter (`{ year: 2025, month: { gte: 11 } }` or
 * `'year = 2025 and month >= 11'`). Every filtered key must be a partition key of the table.
 *
 * @example
 * ```ts
 * filterPredicate(factOrders.output, 'year = 2025 and month in (11, 12)', duckDbDialect);
 * // '"year" = 2025 AND "month" IN (11, 12)'
 * ```
 */
export function filterPredicate(table: AnyTable, filter: PartitionFilter | string, dialect: SqlDialect): string {
  const parsed = typeof filter === 'string' ? parsePartitionFilter(filter) : filter;
  for (const key of Object.keys(parsed)) {
    if (!table.partitionKeys.some((p) => p.name === key)) {
      throw new TransformError('InvalidArgument', `Filter key "${key}" is not a partition key of ${table.name} [${table.partitionKeys.map((p) => p.name).join(', ')}]`, {
        context: { table: table.name },
      });
    }
  }
  return keyFilterPredicate(
    table.partitionKeys.map((k) => ({ name: k.name, kind: k.type.kind })),
    parsed,
    dialect,
    table.name,
  );
}

/**
 * The terms of a parsed partition filter over the given keys, joined by `AND` (`'1 = 1'` when empty).
 *
 * @internal
 */
export function keyFilterPredicate(keys: readonly PredicateKey[], parsed: PartitionFilter, dialect: SqlDialect, table: string): string {
  const terms: string[] = [];
  for (const [key, condition] of Object.entries(parsed)) {
    const k = keys.find((p) => p.name === key);
    if (k === undefined) throw new TransformError('InvalidArgument', `Filter key "${key}" is not one of [${keys.map((p) => p.name).join(', ')}]`, { context: { table } });
    const id = dialect.identifier(key);
    const lit = (v: PartitionScalar | undefined): string => (v === null ? 'NULL' : literal(v ?? undefined, k.kind, table));
    if (condition === null || typeof condition !== 'object') {
      terms.push(condition === null ? `${id} IS NULL` : `${id} = ${lit(condition)}`);
      continue;
    }
    if ('eq' in condition) terms.push(condition.eq === null ? `${id} IS NULL` : `${id} = ${lit(condition.eq)}`);
    if ('ne' in condition) terms.push(condition.ne === null ? `${id} IS NOT NULL` : `${id} <> ${lit(condition.ne)}`);
    if (condition.gt !== undefined) terms.push(`${id} > ${lit(condition.gt)}`);
    if (condition.gte !== undefined) terms.push(`${id} >= ${lit(condition.gte)}`);
    if (condition.lt !== undefined) terms.push(`${id} < ${lit(condition.lt)}`);
    if (condition.lte !== undefined) terms.push(`${id} <= ${lit(condition.lte)}`);
    if (condition.in !== undefined) terms.push(condition.in.length === 0 ? '1 = 0' : `${id} IN (${condition.in.map(lit).join(', ')})`);
  }
  return terms.length === 0 ? '1 = 1' : terms.join(' AND ');
}

function literal(value: string | number | undefined, kind: string, table: string): string {
  if (kind === 'int' || kind === 'bigint') {
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isSafeInteger(n)) throw new TransformError('InvalidArgument', `Partition value ${JSON.stringify(value)} is not an integer`, { context: { table } });
    return String(n);
  }
  if (kind === 'date') {
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
      throw new TransformError('InvalidArgument', `Partition value ${JSON.stringify(value)} is not a YYYY-MM-DD date`, { context: { table } });
    }
    return `DATE '${value}'`;
  }
  if (value === undefined) throw new TransformError('InvalidArgument', 'Missing partition value', { context: { table } });
  return `'${String(value).replace(/'/g, "''")}'`;
}

/**
 * The full `SELECT` materialising `model` in `dialect`.
 *
 * @example
 * ```ts
 * renderModelSelect(factOrders, duckDbDialect, { resolveRef: (n) => `"${n}"` });
 * // SELECT "order_id", …, "year", "month" FROM (SELECT CAST("order_id" AS INTEGER) AS "order_id", …
 * //   FROM (<model SQL>) AS "model_rows") AS "model_output"
 * ```
 */
export function renderModelSelect(model: AnyModel, dialect: SqlDialect, options: ModelSelectOptions): string {
  const q = dialect.identifier;
  const columns = outputColumns(model.output, dialect);
  const filtered = Object.entries(options.inputFilters ?? {});
  for (const [input] of filtered) {
    if (!model.inputs.includes(input)) throw new TransformError('InvalidArgument', `Input filter for "${input}", which the model does not ref`, { context: { model: model.name, input } });
  }
  const ctes = filtered.map(([input, predicate]) => `${q(input)} AS (SELECT * FROM ${options.resolveRef(input)} WHERE ${predicate})`);
  let body = renderRefs(model.sql, (name) => (options.inputFilters?.[name] !== undefined ? q(name) : options.resolveRef(name)));
  // The CTEs wrap the model's SQL (which may have a WITH of its own), inside the projection.
  if (ctes.length > 0) body = [`WITH ${ctes.join(',\n')}`, 'SELECT * FROM (', body, `) AS ${q('model_sql')}`].join('\n');
  const lines = [
    `SELECT ${columns.map((c) => q(c.name)).join(', ')}`,
    'FROM (',
    `  SELECT ${columns.map((c) => `${c.expression} AS ${q(c.name)}`).join(',\n    ')}`,
    '  FROM (',
    body,
    `  ) AS ${q('model_rows')}`,
    `) AS ${q('model_output')}`,
  ];
  const where: string[] = [];
  if (options.partitions !== undefined || options.filter !== undefined) {
    if (model.output.partitionKeys.length === 0) {
      throw new TransformError('InvalidArgument', 'Partitions were given for an unpartitioned model', { context: { model: model.name } });
    }
  }
  if (options.partitions !== undefined) where.push(`(${partitionPredicate(model.output, options.partitions, dialect)})`);
  if (options.filter !== undefined) where.push(`(${filterPredicate(model.output, options.filter, dialect)})`);
  if (where.length > 0) lines.push(`WHERE ${where.join(' AND ')}`);
  return lines.join('\n');
}
