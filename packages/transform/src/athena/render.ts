/**
 * Rendering models for Athena (Trino DML for CTAS / INSERT INTO; Hive DDL, with backticks, for
 * DROP TABLE and ALTER TABLE … PARTITION), split so that no statement writes more than 100
 * partitions (Athena's limit per CTAS and per INSERT INTO).
 *
 * @module
 */
import { partitionPath, type AnyTable, type PartitionValues } from '@lakeblocks/core';
import { TransformError } from '../errors/transform-error.js';
import type { AnyModel } from '../model/define-model.js';
import { athenaDialect, quoteIdentifier, quoteString } from '../sql/dialect.js';
import { renderModelSelect } from '../sql/model-select.js';
import { hiveString as coreHiveString } from '@lakeblocks/core';

/**
 * Athena's limit of partitions written by one CTAS or INSERT INTO statement.
 *
 * @example
 * ```ts
 * chunkPartitions(partitions, ATHENA_MAX_PARTITIONS_PER_STATEMENT);
 * ```
 */
export const ATHENA_MAX_PARTITIONS_PER_STATEMENT = 100;

/**
 * Where a model's output and inputs live in the Glue catalog and S3.
 *
 * @example
 * ```ts
 * const target: AthenaTarget = { database: 'techstore_curated', inputDatabase: 'techstore', location: 's3://lake/curated/kpi_monthly/', models: ['fact_orders_enriched'] };
 * ```
 */
export interface AthenaTarget {
  /** Glue database of the curated tables (the model's table and the models it refs). */
  database: string;
  /** Glue database of the processed tables the model refs (default `database`). */
  inputDatabase?: string;
  /** The table's S3 location, ending with `/` (`s3://bucket/prefix/curated/<model>/`). */
  location: string;
  /** Names that are models (rendered in `database`); other refs are processed tables (in `inputDatabase`). */
  models?: readonly string[];
}

/**
 * `"database"."table"`: a relation in Athena DML.
 *
 * @example
 * ```ts
 * athenaRelation('techstore', 'orders'); // '"techstore"."orders"'
 * ```
 */
export function athenaRelation(database: string, table: string): string {
  return `${quoteIdentifier(database)}.${quoteIdentifier(table)}`;
}

/**
 * `` `database`.`table` ``: a table in Athena DDL (Hive syntax).
 *
 * @example
 * ```ts
 * athenaDdlName('techstore', 'orders'); // '`techstore`.`orders`'
 * ```
 */
export function athenaDdlName(database: string, table: string): string {
  for (const n of [database, table]) {
    if (!/^[a-z_][a-z0-9_]*$/.test(n)) throw new TransformError('InvalidArgument', `Invalid Glue name ${JSON.stringify(n)}`);
  }
  return `\`${database}\`.\`${table}\``;
}

function checkLocation(location: string): string {
  if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^']*)?\/$/.test(location)) {
    throw new TransformError('InvalidArgument', `Athena location must be an s3:// URI ending with "/": ${JSON.stringify(location)}`);
  }
  return location;
}

/**
 * The model's `SELECT` in Athena's dialect, refs rendered to quoted Glue tables.
 *
 * @example
 * ```ts
 * renderAthenaSelect(kpiMonthly, { database: 'techstore', location: 's3://lake/curated/kpi_monthly/', models: ['fact_orders_enriched'] });
 * ```
 */
export function renderAthenaSelect(model: AnyModel, target: AthenaTarget, partitions?: readonly PartitionValues[]): string {
  const models = new Set(target.models ?? []);
  return renderModelSelect(model, athenaDialect, {
    resolveRef: (name) => athenaRelation(models.has(name) ? target.database : (target.inputDatabase ?? target.database), name),
    partitions,
  });
}

/**
 * `SELECT DISTINCT <keys> FROM (<model>) ORDER BY <keys>`: the partitions a run will write (optionally
 * among `within`).
 *
 * @example
 * ```ts
 * renderDistinctPartitions(factOrders, target); // SELECT DISTINCT "year", "month" FROM (…) AS "m" ORDER BY 1, 2
 * ```
 */
export function renderDistinctPartitions(model: AnyModel, target: AthenaTarget, within?: readonly PartitionValues[]): string {
  const keys = model.output.partitionKeys.map((k) => quoteIdentifier(k.name));
  if (keys.length === 0) throw new TransformError('InvalidArgument', 'The model is not partitioned', { context: { model: model.name } });
  return `SELECT DISTINCT ${keys.join(', ')} FROM (\n${renderAthenaSelect(model, target, within)}\n) AS "m" ORDER BY ${keys.map((_, i) => i + 1).join(', ')}`;
}

/**
 * Splits partitions into groups of at most `size` (default 100), in order.
 *
 * @example
 * ```ts
 * chunkPartitions(Array.from({ length: 250 }, (_, i) => ({ year: 2000 + i })), 100).map((c) => c.length); // [100, 100, 50]
 * ```
 */
export function chunkPartitions<T>(partitions: readonly T[], size = ATHENA_MAX_PARTITIONS_PER_STATEMENT): T[][] {
  if (!Number.isInteger(size) || size < 1 || size > ATHENA_MAX_PARTITIONS_PER_STATEMENT) {
    throw new TransformError('InvalidArgument', `Partitions per statement must be 1..${ATHENA_MAX_PARTITIONS_PER_STATEMENT}, got ${size}`);
  }
  const chunks: T[][] = [];
  for (let i = 0; i < partitions.length; i += size) chunks.push(partitions.slice(i, i + size));
  return chunks;
}

/**
 * Writes `model` as a new table `tableName` at `location` with CTAS — then `INSERT INTO` for the
 * next groups — so that no statement writes more than `maxPartitions` partitions. `partitions`
 * lists every partition the model produces (from {@link renderDistinctPartitions}); unpartitioned
 * models are one CTAS.
 *
 * @example
 * ```ts
 * const statements = renderCtasSeries(factOrders, target, { tableName: 'fact_orders_enriched', partitions });
 * // ['CREATE TABLE "techstore"."fact_orders_enriched" WITH (…) AS SELECT … WHERE ("year" = 2020 AND "month" = 1) OR …',
 * //  'INSERT INTO "techstore"."fact_orders_enriched" SELECT … WHERE …']
 * ```
 */
export function renderCtasSeries(
  model: AnyModel,
  target: AthenaTarget,
  options: { tableName: string; location?: string; partitions?: readonly PartitionValues[]; maxPartitions?: number },
): string[] {
  const location = checkLocation(options.location ?? target.location);
  const keys = model.output.partitionKeys.map((k) => k.name);
  const relation = athenaRelation(target.database, options.tableName);
  const properties = [`format = 'PARQUET'`, `write_compression = 'SNAPPY'`, `external_location = ${quoteString(location)}`];
  if (keys.length > 0) properties.push(`partitioned_by = ARRAY[${keys.map(quoteString).join(', ')}]`);
  const ctas = (select: string) => `CREATE TABLE ${relation}\nWITH (${properties.join(', ')})\nAS\n${select}`;
  if (keys.length === 0) return [ctas(renderAthenaSelect(model, target))];
  const partitions = options.partitions ?? [];
  if (partitions.length === 0) return [ctas(renderAthenaSelect(model, target, []))]; // an empty table
  const chunks = chunkPartitions(partitions, options.maxPartitions);
  return chunks.map((chunk, i) => {
    const select = renderAthenaSelect(model, target, chunk);
    return i === 0 ? ctas(select) : `INSERT INTO ${relation}\n${select}`;
  });
}

/**
 * `PARTITION (year = 2025, month = 11)`, the Hive DDL partition spec.
 *
 * @example
 * ```ts
 * ddlPartitionSpec(factOrders.output, { year: 2025, month: 11 }); // 'PARTITION (`year` = 2025, `month` = 11)'
 * ```
 */
export function ddlPartitionSpec(table: AnyTable, values: PartitionValues): string {
  const terms = table.partitionKeys.map((k) => {
    const v = values[k.name];
    if (v === undefined) throw new TransformError('InvalidArgument', `Partition ${JSON.stringify(values)} lacks "${k.name}"`, { context: { table: table.name } });
    const text = k.type.kind === 'int' || k.type.kind === 'bigint' ? String(Number(v)) : hiveString(String(v));
    if (text === 'NaN') throw new TransformError('InvalidArgument', `Partition value ${JSON.stringify(v)} is not an integer`, { context: { table: table.name } });
    return `\`${k.name}\` = ${text}`;
  });
  return `PARTITION (${terms.join(', ')})`;
}

/**
 * The Hive path of a partition under a location: `<location>year=2025/month=11/`.
 *
 * @example
 * ```ts
 * partitionLocation('s3://lake/curated/t/_runs/r1/', factOrders.output, { year: 2025, month: 11 }); // 's3://lake/curated/t/_runs/r1/year=2025/month=11/'
 * ```
 */
export function partitionLocation(location: string, table: AnyTable, values: PartitionValues): string {
  // Core's Hive escaping (what Athena/Trino write for CTAS partitions), not URI encoding.
  return `${location}${partitionPath(Object.fromEntries(table.partitionKeys.map((k) => [k.name, values[k.name] ?? ''])))}/`;
}

/**
 * A Hive / Athena DDL string literal (`ALTER TABLE … PARTITION (…) LOCATION '…'`): Hive's lexer
 * escapes with `\` and concatenates adjacent literals, so the SQL `''` would silently drop a quote.
 * This is core's `hiveString`.
 *
 * @example
 * ```ts
 * hiveString("Cote d'Ivoire"); // "'Cote d\\'Ivoire'"
 * ```
 */
export const hiveString: (value: string) => string = coreHiveString;
