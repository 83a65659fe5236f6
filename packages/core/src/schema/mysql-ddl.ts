/**
 * MySQL / MariaDB DDL for loading a table into RDS: `CREATE TABLE IF NOT EXISTS` with `NOT NULL`,
 * `PRIMARY KEY`, column and table comments, `CHECK` constraints for enum values, InnoDB and utf8mb4.
 *
 * @example
 * ```ts
 * await connection.query(toMySqlCreateTable(orders));
 * ```
 *
 * @module
 */
import { CoreError } from '../errors/core-error.js';
import { tableViewColumns } from './ddl-columns.js';
import type { DdlColumn } from './ddl-columns.js';
import { requireIdentifier } from './identifier.js';
import { backtickIdentifier, mySqlString, truncate } from './sql-text.js';
import type { AnyTable } from './table.js';
import { MYSQL_MAX_VARCHAR, toMySqlType } from './type-mapping.js';

/**
 * MySQL's limit on a column comment (characters); longer descriptions are cut.
 *
 * @example
 * ```ts
 * description.length > MYSQL_COLUMN_COMMENT_MAX_LENGTH; // would be cut in MySQL
 * ```
 */
export const MYSQL_COLUMN_COMMENT_MAX_LENGTH = 1024;

/**
 * MySQL's limit on a table comment (characters); longer descriptions are cut.
 *
 * @example
 * ```ts
 * description.length > MYSQL_TABLE_COMMENT_MAX_LENGTH; // would be cut in MySQL
 * ```
 */
export const MYSQL_TABLE_COMMENT_MAX_LENGTH = 2048;
/** InnoDB's largest index key (DYNAMIC row format), in bytes. */
const INNODB_MAX_KEY_BYTES = 3072;

/**
 * Options of {@link toMySqlCreateTable}.
 *
 * @example
 * ```ts
 * const options: MySqlCreateTableOptions = { tableName: 'fact_orders', includePartitionColumns: true };
 * ```
 */
export interface MySqlCreateTableOptions {
  /** Name of the created table; default the table's name. Must match `^[a-z_][a-z0-9_]*$`. */
  tableName?: string;
  /** `CREATE TABLE IF NOT EXISTS` (default) rather than `CREATE TABLE`. */
  ifNotExists?: boolean;
  /** Add the time-derived partition keys (`year`, `month`, `day`) as `INT NOT NULL` columns. Default `false`. */
  includePartitionColumns?: boolean;
}

/**
 * `CREATE TABLE` for MySQL 8 / MariaDB 10.2+: types per `TYPE-MAPPING.md` (`DATETIME(6)` for
 * timestamps, `VARCHAR(n)` / `TEXT` for strings, `VARCHAR(255)` for a string primary-key column
 * without `maxLength`), `NOT NULL` on non-null columns, string primary-key columns in
 * `utf8mb4_bin` (keys compare exactly as in the lake), `CHECK (c IN (…))` for enums, comments
 * escaped and cut to MySQL's limits. Throws `CoreError` `InvalidArgument` when the string
 * primary-key columns exceed InnoDB's 3072-byte key limit. Assumes the default SQL mode
 * (backslash escapes on).
 *
 * @example
 * ```ts
 * toMySqlCreateTable(orders);
 * // CREATE TABLE IF NOT EXISTS `orders` (
 * //   `order_id` INT NOT NULL COMMENT 'Order identifier',
 * //   …
 * //   PRIMARY KEY (`order_id`),
 * //   CHECK (`payment_method` IN ('card', 'paypal', 'wallet', 'cod'))
 * // ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='One row per order placed in the store.';
 * ```
 */
export function toMySqlCreateTable(table: AnyTable, options: MySqlCreateTableOptions = {}): string {
  const name = requireIdentifier(options.tableName ?? table.name, 'tableName', table.name);
  const columns = tableViewColumns(table, options.includePartitionColumns ?? false);
  const keys = columns.filter((c) => c.isPrimaryKey);
  checkKeyLength(table.name, keys);

  const lines = columns.map(columnDefinition);
  if (keys.length > 0) lines.push(`  PRIMARY KEY (${keys.map((c) => backtickIdentifier(c.name)).join(', ')})`);
  lines.push(...columns.flatMap(checkConstraint).map((check) => `  CHECK (${check})`));

  const ifNotExists = options.ifNotExists ?? true ? 'IF NOT EXISTS ' : '';
  const comment = table.description === undefined ? '' : ` COMMENT=${mySqlString(truncate(table.description, MYSQL_TABLE_COMMENT_MAX_LENGTH))}`;
  return `CREATE TABLE ${ifNotExists}${backtickIdentifier(name)} (\n${lines.join(',\n')}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4${comment};`;
}

function columnDefinition(column: DdlColumn): string {
  const type = toMySqlType(column.type, { primaryKey: column.isPrimaryKey });
  const textual = column.type.kind === 'string' || column.type.kind === 'enum';
  const collate = column.isPrimaryKey && textual ? ' COLLATE utf8mb4_bin' : '';
  const nullability = column.nullable ? ' NULL' : ' NOT NULL';
  const comment =
    column.description === undefined ? '' : ` COMMENT ${mySqlString(truncate(column.description, MYSQL_COLUMN_COMMENT_MAX_LENGTH))}`;
  return `  ${backtickIdentifier(column.name)} ${type}${collate}${nullability}${comment}`;
}

function checkConstraint(column: DdlColumn): string[] {
  const ident = backtickIdentifier(column.name);
  if (column.type.kind === 'enum') return [`${ident} IN (${column.type.values.map(mySqlString).join(', ')})`];
  if (column.type.kind === 'string' && column.type.maxLength !== undefined && column.type.maxLength > MYSQL_MAX_VARCHAR) {
    return [`CHAR_LENGTH(${ident}) <= ${column.type.maxLength}`];
  }
  return [];
}

function checkKeyLength(table: string, keys: readonly DdlColumn[]): void {
  let bytes = 0;
  for (const key of keys) {
    const match = /^VARCHAR\((\d+)\)$/.exec(toMySqlType(key.type, { primaryKey: true }));
    if (match !== null) bytes += 4 * Number(match[1]);
    else if (key.type.kind === 'string') bytes = Infinity; // TEXT cannot be a key without a prefix
  }
  if (bytes > INNODB_MAX_KEY_BYTES) {
    throw new CoreError(
      'InvalidArgument',
      `The primary key of table "${table}" (${keys.map((k) => k.name).join(', ')}) is too long for a MySQL InnoDB index: its string columns need ${bytes} bytes in utf8mb4, the limit is ${INNODB_MAX_KEY_BYTES}; give them a smaller maxLength`,
      { context: { table } },
    );
  }
}
