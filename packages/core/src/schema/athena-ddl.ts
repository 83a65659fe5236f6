/**
 * Athena (Hive DDL) `CREATE EXTERNAL TABLE` for a Parquet table in S3: file columns with comments,
 * table comment, `PARTITIONED BY` the typed partition keys, `STORED AS PARQUET`, `LOCATION`, and
 * the compression property. Literals use Hive escaping (`\'`), identifiers are backquoted.
 *
 * @example
 * ```ts
 * const ddl = toAthenaCreateTable(orders, { database: 'techstore', location: 's3://lake/processed/orders/' });
 * ```
 *
 * @module
 */
import { CoreError } from '../errors/core-error.js';
import { lakeViewColumns } from './ddl-columns.js';
import type { DdlColumn } from './ddl-columns.js';
import { requireIdentifier } from './identifier.js';
import { backtickIdentifier, hiveString } from './sql-text.js';
import type { AnyTable } from './table.js';
import { toHiveType } from './type-mapping.js';
import { parseS3Uri } from '../s3/s3-uri.js';

/**
 * Parquet compression codecs Athena writes and reads.
 *
 * @example
 * ```ts
 * const codec: AthenaParquetCompression = 'ZSTD';
 * ```
 */
export type AthenaParquetCompression = 'SNAPPY' | 'GZIP' | 'ZSTD' | 'UNCOMPRESSED';

/**
 * Options of {@link toAthenaCreateTable}.
 *
 * @example
 * ```ts
 * const options: AthenaCreateTableOptions = { database: 'techstore', location: 's3://lake/processed/orders/' };
 * ```
 */
export interface AthenaCreateTableOptions {
  /** Glue database, `^[a-z_][a-z0-9_]*$`. */
  database: string;
  /** `s3://bucket/prefix/` of the table's files (a trailing `/` is added when missing). */
  location: string;
  /** Name of the created table; default the table's name. */
  tableName?: string;
  /** `IF NOT EXISTS` (default `true`). */
  ifNotExists?: boolean;
  /** `parquet.compression` table property (default `SNAPPY`). */
  compression?: AthenaParquetCompression;
}

/**
 * `CREATE EXTERNAL TABLE` for Athena. Throws `CoreError` `InvalidArgument` for a database or table
 * name that is not an identifier, or a location that is not an `s3://` URI.
 *
 * @example
 * ```ts
 * toAthenaCreateTable(orders, { database: 'techstore', location: 's3://lake/processed/orders' });
 * // CREATE EXTERNAL TABLE IF NOT EXISTS `techstore`.`orders` (
 * //   `order_id` int COMMENT 'Order identifier',
 * //   …
 * // )
 * // COMMENT 'One row per order placed in the store.'
 * // PARTITIONED BY (
 * //   `year` int COMMENT 'Year of order_time (partition key)',
 * //   …
 * // )
 * // STORED AS PARQUET
 * // LOCATION 's3://lake/processed/orders/'
 * // TBLPROPERTIES ('parquet.compression'='SNAPPY')
 * ```
 */
export function toAthenaCreateTable(table: AnyTable, options: AthenaCreateTableOptions): string {
  const database = requireIdentifier(options.database, 'database', table.name);
  const name = requireIdentifier(options.tableName ?? table.name, 'tableName', table.name);
  const location = s3Location(table.name, options.location);
  const compression = options.compression ?? 'SNAPPY';
  if (!['SNAPPY', 'GZIP', 'ZSTD', 'UNCOMPRESSED'].includes(compression)) {
    throw new CoreError('InvalidArgument', `Unknown Parquet compression ${JSON.stringify(compression)} for table "${table.name}"`, {
      context: { table: table.name },
    });
  }

  const parts = [
    `CREATE EXTERNAL TABLE ${options.ifNotExists ?? true ? 'IF NOT EXISTS ' : ''}${backtickIdentifier(database)}.${backtickIdentifier(name)} (`,
    lakeViewColumns(table, false).map(columnDefinition).join(',\n'),
    ')',
  ];
  if (table.description !== undefined) parts.push(`COMMENT ${hiveString(table.description)}`);
  const keys = lakeViewColumns(table, true).slice(table.fileColumns.length);
  if (keys.length > 0) parts.push('PARTITIONED BY (', keys.map(columnDefinition).join(',\n'), ')');
  parts.push('STORED AS PARQUET', `LOCATION ${hiveString(location)}`, `TBLPROPERTIES (${hiveString('parquet.compression')}=${hiveString(compression)})`);
  return parts.join('\n');
}

function columnDefinition(column: DdlColumn): string {
  const comment = column.description === undefined ? '' : ` COMMENT ${hiveString(column.description)}`;
  return `  ${backtickIdentifier(column.name)} ${toHiveType(column.type)}${comment}`;
}

function s3Location(table: string, location: unknown): string {
  if (typeof location !== 'string' || !location.startsWith('s3://') || !isS3Uri(location)) {
    throw new CoreError('InvalidArgument', `Athena location for table "${table}" must be an s3://bucket/prefix URI, got ${JSON.stringify(location)}`, {
      context: { table },
    });
  }
  return location.endsWith('/') ? location : `${location}/`;
}

function isS3Uri(location: string): boolean {
  try {
    parseS3Uri(location);
    return true;
  } catch {
    return false;
  }
}
