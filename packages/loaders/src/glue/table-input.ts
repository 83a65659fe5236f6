/**
 * Pure builders of Glue Data Catalog inputs from a core table definition: the Parquet
 * `StorageDescriptor`, `TableInput`, `PartitionInput`, ordered partition values, partition
 * locations and Athena partition-projection properties. No AWS SDK import: the objects have the
 * Glue API shapes and go into `CreateTableCommand`, `BatchCreatePartitionCommand` … as they are.
 *
 * @example
 * ```ts
 * const input = toGlueTableInput(orders, { location: 's3://lake/processed/orders/' });
 * input.StorageDescriptor.SerdeInfo.SerializationLibrary; // 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
 * ```
 *
 * @module
 */
import { isValidIdentifier, partitionPath, toGlueColumns, toGluePartitionKeys, type AnyTable, type GlueColumn, type PartitionValues } from '@lakeblocks/core';
import { LoadersError } from '../errors/loaders-error.js';

/**
 * Hive's Parquet SerDe, as Athena and Spark expect it.
 *
 * @example
 * ```ts
 * sd.SerdeInfo.SerializationLibrary === PARQUET_SERDE;
 * ```
 */
export const PARQUET_SERDE = 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe';
/**
 * Hive's Parquet input format.
 *
 * @example
 * ```ts
 * sd.InputFormat === PARQUET_INPUT_FORMAT;
 * ```
 */
export const PARQUET_INPUT_FORMAT = 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat';
/**
 * Hive's Parquet output format.
 *
 * @example
 * ```ts
 * sd.OutputFormat === PARQUET_OUTPUT_FORMAT;
 * ```
 */
export const PARQUET_OUTPUT_FORMAT = 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat';

/**
 * The Glue `StorageDescriptor` lakeblocks writes for a Parquet table or partition.
 *
 * @example
 * ```ts
 * const sd: GlueStorageDescriptor = toGlueStorageDescriptor(orders, 's3://lake/processed/orders/');
 * ```
 */
export interface GlueStorageDescriptor {
  Columns: GlueColumn[];
  Location: string;
  InputFormat: string;
  OutputFormat: string;
  Compressed: boolean;
  StoredAsSubDirectories: boolean;
  SerdeInfo: { SerializationLibrary: string; Parameters: Record<string, string> };
}

/**
 * The Glue `TableInput` lakeblocks writes.
 *
 * @example
 * ```ts
 * const input: GlueTableInput = toGlueTableInput(orders, { location: 's3://lake/processed/orders/' });
 * ```
 */
export interface GlueTableInput {
  Name: string;
  Description?: string;
  TableType: 'EXTERNAL_TABLE';
  Parameters: Record<string, string>;
  PartitionKeys: GlueColumn[];
  StorageDescriptor: GlueStorageDescriptor;
}

/**
 * The Glue `PartitionInput` lakeblocks writes.
 *
 * @example
 * ```ts
 * const p: GluePartitionInput = toGluePartitionInput(orders, { year: 2025, month: 1, day: 31 }, { tableLocation: 's3://lake/processed/orders/' });
 * ```
 */
export interface GluePartitionInput {
  Values: string[];
  StorageDescriptor: GlueStorageDescriptor;
  Parameters?: Record<string, string>;
}

/**
 * Partition values: by key (`{ year: 2025, month: 1 }`, any order) or as the ordered list Glue
 * stores (`['2025', '1']`).
 *
 * @example
 * ```ts
 * const a: PartitionValuesInput = { year: 2025, month: 1, day: 31 };
 * const b: PartitionValuesInput = ['2025', '1', '31'];
 * ```
 */
export type PartitionValuesInput = PartitionValues | readonly (string | number)[];

/**
 * One projected partition key (Athena partition projection).
 *
 * @example
 * ```ts
 * const year: ProjectionKey = { type: 'integer', range: [2020, 2030] };
 * const country: ProjectionKey = { type: 'enum', values: ['co', 'mx'] };
 * ```
 */
export type ProjectionKey =
  | { type: 'integer'; range: readonly [number, number]; digits?: number }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'injected' };

/**
 * Athena partition projection for a table: Athena computes partitions from these properties
 * instead of reading them from the catalog (no partition registration needed, faster planning).
 * Time keys default to `month` 1–12 and `day` 1–31; `year` needs a range; enum columns project
 * their values; other keys need an explicit {@link ProjectionKey} (or become `injected`).
 *
 * @example
 * ```ts
 * const projection: PartitionProjection = { keys: { year: { type: 'integer', range: [2020, 2030] } } };
 * ```
 */
export interface PartitionProjection {
  /** Per-key settings; keys left out get the defaults above. */
  keys?: Record<string, ProjectionKey>;
}

/**
 * Options of {@link toGlueTableInput}.
 *
 * @example
 * ```ts
 * const options: GlueTableOptions = { location: 's3://lake/curated/fact_orders/', compression: 'ZSTD' };
 * ```
 */
export interface GlueTableOptions {
  /** `s3://bucket/prefix/` of the table's files (a trailing `/` is added). */
  location: string;
  /** Catalog name of the table; default the table's name. */
  tableName?: string;
  /** `parquet.compression` table property (default `SNAPPY`). */
  compression?: 'SNAPPY' | 'GZIP' | 'ZSTD' | 'UNCOMPRESSED';
  /** Add Athena partition-projection properties. */
  projection?: PartitionProjection;
  /** Extra table parameters (merged last). */
  parameters?: Record<string, string>;
}

/**
 * `location` checked as an `s3://bucket/prefix` URI and ending in `/`; throws `InvalidArgument`.
 *
 * @example
 * ```ts
 * normalizeS3Location('s3://lake/processed/orders', 'orders'); // 's3://lake/processed/orders/'
 * ```
 */
export function normalizeS3Location(location: unknown, table: string): string {
  if (typeof location !== 'string' || !/^s3a?:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(location)) {
    throw new LoadersError('InvalidArgument', `Location of Glue table "${table}" must be an s3://bucket/prefix URI, got ${JSON.stringify(location)}`, {
      context: { table },
    });
  }
  return location.endsWith('/') ? location : `${location}/`;
}

/**
 * `name` if it is a valid Glue database or table name (`^[a-z_][a-z0-9_]*$`, ≤ 64); throws
 * `InvalidArgument` otherwise.
 *
 * @example
 * ```ts
 * requireGlueName('techstore', 'database'); // 'techstore'
 * ```
 */
export function requireGlueName(name: unknown, what: string): string {
  if (!isValidIdentifier(name)) {
    throw new LoadersError('InvalidArgument', `Glue ${what} name ${JSON.stringify(name)} must match ^[a-z_][a-z0-9_]*$ (at most 64 characters)`);
  }
  return name;
}

/**
 * The Parquet storage descriptor of `table` at `location`: file columns, Hive Parquet formats and SerDe.
 *
 * @example
 * ```ts
 * toGlueStorageDescriptor(orders, 's3://lake/processed/orders/').Columns[0]; // { Name: 'order_id', Type: 'int', … }
 * ```
 */
export function toGlueStorageDescriptor(table: AnyTable, location: string): GlueStorageDescriptor {
  return {
    Columns: toGlueColumns(table),
    Location: location,
    InputFormat: PARQUET_INPUT_FORMAT,
    OutputFormat: PARQUET_OUTPUT_FORMAT,
    Compressed: false,
    StoredAsSubDirectories: false,
    SerdeInfo: { SerializationLibrary: PARQUET_SERDE, Parameters: { 'serialization.format': '1' } },
  };
}

/**
 * The Glue `TableInput` of `table`: external Parquet table, `classification=parquet`, typed
 * partition keys, optional projection properties.
 *
 * @example
 * ```ts
 * toGlueTableInput(orders, { location: 's3://lake/processed/orders' }).Parameters;
 * // { classification: 'parquet', EXTERNAL: 'TRUE', 'parquet.compression': 'SNAPPY' }
 * ```
 */
export function toGlueTableInput(table: AnyTable, options: GlueTableOptions): GlueTableInput {
  const name = requireGlueName(options.tableName ?? table.name, 'table');
  const location = normalizeS3Location(options.location, table.name);
  const parameters: Record<string, string> = {
    classification: 'parquet',
    EXTERNAL: 'TRUE',
    'parquet.compression': options.compression ?? 'SNAPPY',
    ...(options.projection ? partitionProjectionParameters(table, location, options.projection) : {}),
    ...options.parameters,
  };
  const input: GlueTableInput = {
    Name: name,
    TableType: 'EXTERNAL_TABLE',
    Parameters: parameters,
    PartitionKeys: toGluePartitionKeys(table),
    StorageDescriptor: toGlueStorageDescriptor(table, location),
  };
  if (table.description !== undefined) input.Description = table.description.slice(0, 2048);
  return input;
}

/**
 * Athena partition-projection table properties (`projection.enabled`, `projection.<key>.type` …,
 * `storage.location.template`). Throws `InvalidArgument` when a key needs a setting it lacks
 * (`year` without a range).
 *
 * @example
 * ```ts
 * partitionProjectionParameters(orders, 's3://lake/processed/orders/', { keys: { year: { type: 'integer', range: [2020, 2030] } } });
 * // { 'projection.enabled': 'true', 'projection.year.type': 'integer', 'projection.year.range': '2020,2030', …,
 * //   'storage.location.template': 's3://lake/processed/orders/year=${year}/month=${month}/day=${day}/' }
 * ```
 */
export function partitionProjectionParameters(table: AnyTable, location: string, projection: PartitionProjection): Record<string, string> {
  if (table.partitionKeys.length === 0) {
    throw new LoadersError('InvalidArgument', `Table "${table.name}" has no partition keys to project`, { context: { table: table.name } });
  }
  const out: Record<string, string> = { 'projection.enabled': 'true' };
  for (const key of table.partitionKeys) {
    const setting = projection.keys?.[key.name] ?? defaultProjection(table, key.name);
    out[`projection.${key.name}.type`] = setting.type;
    if (setting.type === 'integer') {
      out[`projection.${key.name}.range`] = `${setting.range[0]},${setting.range[1]}`;
      if (setting.digits !== undefined) out[`projection.${key.name}.digits`] = String(setting.digits);
    } else if (setting.type === 'enum') {
      out[`projection.${key.name}.values`] = setting.values.join(',');
    }
  }
  out['storage.location.template'] = `${normalizeS3Location(location, table.name)}${table.partitionKeys.map((k) => `${k.name}=\${${k.name}}`).join('/')}/`;
  return out;
}

function defaultProjection(table: AnyTable, key: string): ProjectionKey {
  const partitionKey = table.partitionKeys.find((k) => k.name === key);
  if (partitionKey?.derived === true && key === 'month') return { type: 'integer', range: [1, 12] };
  if (partitionKey?.derived === true && key === 'day') return { type: 'integer', range: [1, 31] };
  if (partitionKey?.type.kind === 'enum') return { type: 'enum', values: partitionKey.type.values };
  if (partitionKey?.type.kind === 'string') return { type: 'injected' };
  throw new LoadersError(
    'InvalidArgument',
    `Partition projection of table "${table.name}" needs a setting for key "${key}", e.g. { keys: { ${key}: { type: 'integer', range: [2020, 2030] } } }`,
    { context: { table: table.name } },
  );
}

/**
 * The ordered partition values Glue stores (`['2025', '1', '31']`), checked against the table's
 * keys; throws `InvalidArgument` for a missing, extra or empty value.
 *
 * @example
 * ```ts
 * partitionValueList(orders, { day: 31, month: 1, year: 2025 }); // ['2025', '1', '31']
 * ```
 */
export function partitionValueList(table: AnyTable, values: PartitionValuesInput): string[] {
  const keys = table.partitionKeys.map((k) => k.name);
  let list: string[];
  if (Array.isArray(values)) {
    list = (values as readonly (string | number)[]).map(String);
  } else {
    const record = values as PartitionValues;
    const extra = Object.keys(record).filter((k) => !keys.includes(k));
    if (extra.length > 0) throw badValues(table, values, `unknown key(s) ${extra.join(', ')}`);
    list = keys.map((k) => (record[k] === undefined ? '' : String(record[k])));
  }
  if (list.length !== keys.length) throw badValues(table, values, `expected ${keys.length} value(s) for ${keys.join(', ')}`);
  const empty = list.findIndex((v) => v === '');
  if (empty >= 0) throw badValues(table, values, `no value for key ${keys[empty]}`);
  return list;
}

function badValues(table: AnyTable, values: unknown, why: string): LoadersError {
  return new LoadersError('InvalidArgument', `Bad partition values ${JSON.stringify(values)} for table "${table.name}": ${why}`, {
    context: { table: table.name },
  });
}

/**
 * The Hive path of ordered partition values: `year=2025/month=1/day=31`.
 *
 * @example
 * ```ts
 * partitionName(orders, ['2025', '1', '31']); // 'year=2025/month=1/day=31'
 * ```
 */
export function partitionName(table: AnyTable, values: readonly string[]): string {
  return partitionPath(Object.fromEntries(table.partitionKeys.map((k, i) => [k.name, values[i] ?? ''])));
}

/**
 * The Glue `PartitionInput` of one partition: the table's storage descriptor (so partition and
 * table schemas never diverge) at `location`, default `<tableLocation><k=v/…>/`.
 *
 * @example
 * ```ts
 * toGluePartitionInput(orders, { year: 2025, month: 1, day: 31 }, { tableLocation: 's3://lake/processed/orders/' })
 *   .StorageDescriptor.Location; // 's3://lake/processed/orders/year=2025/month=1/day=31/'
 * ```
 */
export function toGluePartitionInput(
  table: AnyTable,
  values: PartitionValuesInput,
  options: { tableLocation: string; location?: string; parameters?: Record<string, string> },
): GluePartitionInput {
  const list = partitionValueList(table, values);
  const location =
    options.location === undefined
      ? `${normalizeS3Location(options.tableLocation, table.name)}${partitionName(table, list)}/`
      : normalizeS3Location(options.location, table.name);
  const input: GluePartitionInput = { Values: list, StorageDescriptor: toGlueStorageDescriptor(table, location) };
  if (options.parameters !== undefined) input.Parameters = options.parameters;
  return input;
}
