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
import { inputPartitionScope, inputScopePredicate } from '../pushdown/input-partitions.js';
import { partitionPredicate, renderModelSelect } from '../sql/model-select.js';
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
 * The model's `SELECT` in Athena's dialect, refs rendered to quoted Glue tables. With `partitions`,
 * each input the model maps in `inputPartitions` is read through a CTE keeping only the input
 * partitions that can contribute (`WITH "orders" AS (SELECT * FROM "db"."orders" WHERE (("year" =
 * 2025 AND "month" = 11)))`): Athena prunes partitions on that predicate, so the statement scans
 * only those folders.
 *
 * @example
 * ```ts
 * renderAthenaSelect(kpiMonthly, { database: 'techstore', location: 's3://lake/curated/kpi_monthly/', models: ['fact_orders_enriched'] });
 * ```
 */
export function renderAthenaSelect(model: AnyModel, target: AthenaTarget, partitions?: readonly PartitionValues[]): string {
  const models = new Set(target.models ?? []);
  const inputFilters: Record<string, string> = {};
  if (partitions !== undefined) {
    for (const input of model.inputs) {
      const scope = inputPartitionScope(model, input, { partitions });
      if (scope !== undefined) inputFilters[input] = inputScopePredicate(scope, athenaDialect, input);
    }
  }
  return renderModelSelect(model, athenaDialect, {
    resolveRef: (name) => athenaRelation(models.has(name) ? target.database : (target.inputDatabase ?? target.database), name),
    partitions,
    inputFilters,
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

/**
 * Longest DDL statement the engine sends (characters). Athena's query string limit is 262,144 bytes;
 * this leaves room for multi-byte characters in partition values.
 *
 * @example
 * ```ts
 * renderAddPartitions(fact.output, 'db', 'fact', entries); // each statement ≤ ATHENA_MAX_DDL_CHARS
 * ```
 */
export const ATHENA_MAX_DDL_CHARS = 60_000;

/**
 * `SELECT "column_name" FROM information_schema.columns …`: the columns of a table in catalog order
 * (data columns, then partition keys); no rows when the table does not exist.
 *
 * @example
 * ```ts
 * renderTableColumns('curated', 'kpi'); // SELECT "column_name" FROM "information_schema"."columns" WHERE … ORDER BY "ordinal_position"
 * ```
 */
export function renderTableColumns(database: string, table: string): string {
  athenaDdlName(database, table); // validates both names
  return `SELECT "column_name" FROM "information_schema"."columns" WHERE "table_schema" = ${quoteString(database)} AND "table_name" = ${quoteString(table)} ORDER BY "ordinal_position"`;
}

/**
 * The partitions a table has in the catalog (`"<table>$partitions"`, so partitions without files too),
 * each with the directories its files are in (`"$path"` up to the last `/`; `NULL` for a partition
 * without files), optionally only among `within`.
 *
 * @example
 * ```ts
 * renderPartitionLocations(fact.output, 'curated', 'fact_orders');
 * // SELECT "p"."year", "p"."month", "f"."location" FROM "curated"."fact_orders$partitions" AS "p" LEFT JOIN (SELECT DISTINCT …) AS "f" ON …
 * ```
 */
export function renderPartitionLocations(table: AnyTable, database: string, tableName: string, within?: readonly PartitionValues[]): string {
  athenaDdlName(database, tableName);
  const keys = table.partitionKeys.map((k) => quoteIdentifier(k.name));
  if (keys.length === 0) throw new TransformError('InvalidArgument', 'The table is not partitioned', { context: { table: tableName } });
  const where = within === undefined ? '' : ` WHERE ${partitionPredicate(table, within, athenaDialect)}`;
  const files = `SELECT DISTINCT ${keys.join(', ')}, regexp_replace("$path", '[^/]*$', '') AS "location" FROM ${athenaRelation(database, tableName)}${where}`;
  return [
    `SELECT ${keys.map((k) => `"p".${k}`).join(', ')}, "f"."location"`,
    `FROM ${athenaRelation(database, `${tableName}$partitions`)} AS "p"`,
    `LEFT JOIN (${files}) AS "f" ON ${keys.map((k) => `"p".${k} = "f".${k}`).join(' AND ')}`,
    ...(within === undefined ? [] : [`WHERE ${partitionPredicate(table, within, { ...athenaDialect, identifier: (n) => `"p".${quoteIdentifier(n)}` })}`]),
    `ORDER BY ${keys.map((_, i) => i + 1).join(', ')}`,
  ].join('\n');
}

/**
 * The directories an unpartitioned table's files are in (`"$path"` up to the last `/`).
 *
 * @example
 * ```ts
 * renderFileLocations('curated', 'kpi'); // SELECT DISTINCT regexp_replace("$path", '[^/]*$', '') AS "location" FROM "curated"."kpi"
 * ```
 */
export function renderFileLocations(database: string, tableName: string): string {
  athenaDdlName(database, tableName);
  return `SELECT DISTINCT regexp_replace("$path", '[^/]*$', '') AS "location" FROM ${athenaRelation(database, tableName)}`;
}

/**
 * `ALTER TABLE … ADD IF NOT EXISTS PARTITION (…) LOCATION '…' PARTITION …`, several partitions per
 * statement: at most `maxPartitions` (default 100) and {@link ATHENA_MAX_DDL_CHARS} characters each.
 *
 * @example
 * ```ts
 * renderAddPartitions(fact.output, 'curated', 'fact_orders', [{ values: { year: 2025, month: 11 }, location: 's3://lake/curated/fact_orders/_runs/r1/year=2025/month=11/' }]);
 * // ["ALTER TABLE `curated`.`fact_orders` ADD IF NOT EXISTS\nPARTITION (`year` = 2025, `month` = 11) LOCATION 's3://…/'"]
 * ```
 */
export function renderAddPartitions(
  table: AnyTable,
  database: string,
  tableName: string,
  entries: readonly { values: PartitionValues; location: string }[],
  maxPartitions = ATHENA_MAX_PARTITIONS_PER_STATEMENT,
): string[] {
  const head = `ALTER TABLE ${athenaDdlName(database, tableName)} ADD IF NOT EXISTS`;
  const specs = entries.map((e) => `${ddlPartitionSpec(table, e.values)} LOCATION ${hiveString(checkLocation(e.location))}`);
  return batchStatements(head, specs, '\n', maxPartitions);
}

/**
 * `ALTER TABLE … DROP IF EXISTS PARTITION (…), PARTITION (…)`, batched like {@link renderAddPartitions}.
 *
 * @example
 * ```ts
 * renderDropPartitions(fact.output, 'curated', 'fact_orders', [{ year: 2025, month: 12 }]);
 * // ['ALTER TABLE `curated`.`fact_orders` DROP IF EXISTS PARTITION (`year` = 2025, `month` = 12)']
 * ```
 */
export function renderDropPartitions(table: AnyTable, database: string, tableName: string, partitions: readonly PartitionValues[], maxPartitions = ATHENA_MAX_PARTITIONS_PER_STATEMENT): string[] {
  const head = `ALTER TABLE ${athenaDdlName(database, tableName)} DROP IF EXISTS`;
  return batchStatements(head, partitions.map((p) => ddlPartitionSpec(table, p)), ', ', maxPartitions, ' ');
}

function batchStatements(head: string, items: readonly string[], separator: string, maxItems: number, headSeparator = '\n'): string[] {
  chunkPartitions([], maxItems); // validates maxItems
  const statements: string[] = [];
  let current: string[] = [];
  let length = head.length + headSeparator.length;
  for (const item of items) {
    const extra = item.length + (current.length > 0 ? separator.length : 0);
    if (current.length > 0 && (current.length >= maxItems || length + extra > ATHENA_MAX_DDL_CHARS)) {
      statements.push(`${head}${headSeparator}${current.join(separator)}`);
      current = [];
      length = head.length + headSeparator.length;
    }
    if (head.length + headSeparator.length + item.length > ATHENA_MAX_DDL_CHARS) {
      throw new TransformError('InvalidArgument', `A partition spec is too long for one Athena statement (${item.length} characters)`);
    }
    length += item.length + (current.length > 0 ? separator.length : 0);
    current.push(item);
  }
  if (current.length > 0) statements.push(`${head}${headSeparator}${current.join(separator)}`);
  return statements;
}
