/**
 * A model: a curated table defined by SQL over named inputs (processed tables or other models).
 *
 * @module
 */
import type { AnyTable } from '@lakeblocks/core';
import { TransformError } from '../errors/transform-error.js';
import { refsOf } from './refs.js';

/**
 * How a run writes a model's output.
 *
 * - `replace`: every run rebuilds the whole table (marts over all history).
 * - `overwrite_partitions`: a run may name the partitions to rebuild; only those are rewritten,
 *   the others are left untouched (a run without a partition list rebuilds everything).
 *
 * @example
 * ```ts
 * const mode: WriteMode = 'overwrite_partitions';
 * ```
 */
export type WriteMode = 'replace' | 'overwrite_partitions';

/**
 * What {@link defineModel} takes.
 *
 * @example
 * ```ts
 * const options: ModelOptions<typeof dailyRevenue> = {
 *   output: dailyRevenue,
 *   sql: "SELECT CAST(order_time AS DATE) AS day, sum(total_usd) AS revenue_usd FROM {{ ref('orders') }} GROUP BY 1",
 * };
 * ```
 */
export interface ModelOptions<T extends AnyTable> {
  /**
   * Output schema and partitioning: a core table definition whose name is the model's name. The
   * SQL returns its row columns (any order, extra columns ignored); time-partition keys (`year`,
   * `month`, `day`) are derived by the engine from the time column, and every column is cast to its
   * declared type.
   */
  output: T;
  /** One `SELECT` (CTEs allowed) in the DuckDB ∩ Athena subset, inputs as `{{ ref('name') }}`. No trailing `;`. */
  sql: string;
  /** Default `replace`. */
  writeMode?: WriteMode;
  /** What the model answers; defaults to the output table's description. */
  description?: string;
  /**
   * Which partitions of an input can contribute to an output partition (partition pushdown), per
   * input: `{ orders: { year: 'year', month: 'month' } }` declares that the rows of output partition
   * `year=2025/month=11` come only from `orders` rows stored under `year=2025/month=11` (each entry maps
   * an input partition key to the output partition key with the same value and type). A run that
   * rebuilds some partitions (named, or a filter) then reads only those input folders. Inputs not
   * listed are read whole — the default, right for any SQL (dimension tables, inputs not aligned
   * with the output). A wrong mapping silently drops rows: declare it only when the SQL makes every
   * output partition key equal to the mapped input key (e.g. both derived from the same time column).
   */
  inputPartitions?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/**
 * A defined model (frozen).
 *
 * @example
 * ```ts
 * model.name;    // 'kpi_monthly'
 * model.inputs;  // ['fact_orders_enriched']
 * ```
 */
export interface Model<T extends AnyTable = AnyTable> {
  /** The output table's name. */
  readonly name: string;
  readonly output: T;
  readonly sql: string;
  /** The names the SQL refers to with `{{ ref() }}`, in order of first use. */
  readonly inputs: readonly string[];
  readonly writeMode: WriteMode;
  readonly description: string | undefined;
  /** Input partition key → output partition key, per input whose partitions are pushed down (see {@link ModelOptions.inputPartitions}); `{}` when none. */
  readonly inputPartitions: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/**
 * Any model.
 *
 * @example
 * ```ts
 * const models: AnyModel[] = [factOrders, kpiMonthly];
 * ```
 */
export type AnyModel = Model<AnyTable>;

/**
 * Defines a model, checking its SQL's refs (only `{{ ref('name') }}` templates, no self reference,
 * no trailing `;`), that `overwrite_partitions` is only used on a partitioned output, and that
 * `inputPartitions` names refs and output partition keys (the input side is checked by the engine).
 *
 * @example
 * ```ts
 * import { col, defineTable } from '@lakeblocks/core';
 * import { defineModel } from '@lakeblocks/transform';
 *
 * const ordersByCountry = defineModel({
 *   output: defineTable({ name: 'orders_by_country', columns: { country: col.string(), orders: col.bigint() } }),
 *   sql: "SELECT country, count(*) AS orders FROM {{ ref('orders') }} GROUP BY country",
 * });
 * ordersByCountry.inputs; // ['orders']
 *
 * // A month of the output reads only that month's folders of the day-partitioned orders when rebuilt alone.
 * const ordersByMonth = defineModel({
 *   output: defineTable({ name: 'orders_by_month', columns: { order_id: col.int(), order_time: col.timestamp() },
 *     partitioning: { kind: 'time', column: 'order_time', granularity: 'month' } }),
 *   sql: "SELECT order_id, order_time FROM {{ ref('orders') }}",
 *   writeMode: 'overwrite_partitions',
 *   inputPartitions: { orders: { year: 'year', month: 'month' } },
 * });
 * ```
 */
export function defineModel<T extends AnyTable>(options: ModelOptions<T>): Model<T> {
  const name = options.output.name;
  const sql = options.sql.trim();
  if (sql === '') throw new TransformError('InvalidModel', 'Model SQL is empty', { context: { model: name } });
  if (sql.endsWith(';')) throw new TransformError('InvalidModel', 'Model SQL must be one statement without a trailing ";"', { context: { model: name } });
  const inputs = refsOf(sql, name);
  if (inputs.includes(name)) throw new TransformError('InvalidModel', 'A model cannot ref itself', { context: { model: name } });
  const writeMode = options.writeMode ?? 'replace';
  if (writeMode !== 'replace' && writeMode !== 'overwrite_partitions') {
    throw new TransformError('InvalidModel', `Unknown write mode ${JSON.stringify(writeMode)}`, { context: { model: name } });
  }
  if (writeMode === 'overwrite_partitions' && options.output.partitionKeys.length === 0) {
    throw new TransformError('InvalidModel', 'overwrite_partitions needs a partitioned output table', { context: { model: name } });
  }
  return Object.freeze({
    name,
    output: options.output,
    sql,
    inputs: Object.freeze(inputs),
    writeMode,
    description: options.description ?? options.output.description,
    inputPartitions: checkInputPartitions(options.inputPartitions ?? {}, inputs, options.output, name),
  });
}

const KEY = /^[a-z_][a-z0-9_]*$/;

function checkInputPartitions(
  given: Readonly<Record<string, Readonly<Record<string, string>>>>,
  inputs: readonly string[],
  output: AnyTable,
  model: string,
): Readonly<Record<string, Readonly<Record<string, string>>>> {
  const outputKeys = output.partitionKeys.map((k) => k.name);
  const checked: Record<string, Readonly<Record<string, string>>> = {};
  for (const [input, mapping] of Object.entries(given)) {
    const fail = (why: string) => new TransformError('InvalidModel', `inputPartitions.${input}: ${why}`, { context: { model, input } });
    if (!inputs.includes(input)) throw fail(`the SQL does not ref('${input}')`);
    if (mapping === null || typeof mapping !== 'object' || Object.keys(mapping).length === 0) throw fail('map at least one input partition key to an output partition key');
    for (const [inputKey, outputKey] of Object.entries(mapping)) {
      if (!KEY.test(inputKey)) throw fail(`${JSON.stringify(inputKey)} is not a partition key name`);
      if (!outputKeys.includes(outputKey)) {
        throw fail(`${JSON.stringify(outputKey)} is not a partition key of the output [${outputKeys.join(', ')}]`);
      }
    }
    checked[input] = Object.freeze({ ...mapping });
  }
  return Object.freeze(checked);
}

/**
 * Orders models so that every model comes after the models it refs (inputs that are not models
 * are processed tables). Throws `InvalidModel` on a cycle or a duplicate name.
 *
 * @example
 * ```ts
 * sortModels([kpiMonthly, factOrders]).map((m) => m.name); // ['fact_orders_enriched', 'kpi_monthly']
 * ```
 */
export function sortModels<M extends AnyModel>(models: readonly M[]): M[] {
  const byName = new Map<string, M>();
  for (const m of models) {
    if (byName.has(m.name)) throw new TransformError('InvalidModel', `Two models are named "${m.name}"`, { context: { model: m.name } });
    byName.set(m.name, m);
  }
  const sorted: M[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (m: M, path: string[]): void => {
    const s = state.get(m.name);
    if (s === 'done') return;
    if (s === 'visiting') {
      throw new TransformError('InvalidModel', `Models ref each other in a cycle: ${[...path, m.name].join(' → ')}`, { context: { model: m.name } });
    }
    state.set(m.name, 'visiting');
    for (const input of m.inputs) {
      const dep = byName.get(input);
      if (dep) visit(dep, [...path, m.name]);
    }
    state.set(m.name, 'done');
    sorted.push(m);
  };
  for (const m of models) visit(m, []);
  return sorted;
}
