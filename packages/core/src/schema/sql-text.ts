/**
 * Quoting of identifiers and string literals for the SQL dialects the schema module emits.
 * Identifiers are validated by `defineTable` already; quoting them anyway keeps reserved words
 * (`order`, `date`, `timestamp` …) usable as column names.
 *
 * @example
 * ```ts
 * duckDbIdentifier('order');         // '"order"'
 * duckDbString("it's");              // "'it''s'"
 * hiveString("it's");                // "'it\\'s'"
 * mySqlString('C:\\path');           // "'C:\\\\path'"
 * ```
 *
 * @module
 */
import { CoreError } from '../errors/core-error.js';


/**
 * A DuckDB (standard SQL) quoted identifier: `"name"`, inner `"` doubled.
 *
 * @example
 * ```ts
 * duckDbIdentifier('orders'); // '"orders"'
 * ```
 */
export function duckDbIdentifier(name: string): string {
  refuseUnquotable(name, 'an identifier');
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * A MySQL / Hive (Athena DDL) quoted identifier: `` `name` ``, inner backticks doubled.
 *
 * @example
 * ```ts
 * backtickIdentifier('orders'); // '`orders`'
 * ```
 */
export function backtickIdentifier(name: string): string {
  refuseUnquotable(name, 'an identifier');
  return `\`${name.replaceAll('`', '``')}\``;
}

/**
 * A DuckDB (standard SQL) string literal: single quotes, inner `'` doubled; backslashes are literal.
 *
 * @example
 * ```ts
 * duckDbString("O'Brien"); // "'O''Brien'"
 * ```
 */
export function duckDbString(value: string): string {
  refuseUnquotable(value, 'a string literal');
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * A Hive / Athena DDL string literal. Hive's lexer treats `\` as the escape character and
 * concatenates adjacent literals (so the SQL-standard `''` would silently drop the quote): `\` and
 * `'` are backslash-escaped, and control characters become `\n`, `\r`, `\t`.
 *
 * @example
 * ```ts
 * hiveString("Customer's country"); // "'Customer\\'s country'"
 * ```
 */
export function hiveString(value: string): string {
  refuseUnquotable(value, 'a string literal');
  const escaped = value
    .replaceAll('\\', '\\\\')
    .replaceAll("'", "\\'")
    .replaceAll('\n', '\\n')
    .replaceAll('\r', '\\r')
    .replaceAll('\t', '\\t');
  return `'${escaped}'`;
}

/**
 * A MySQL / MariaDB string literal for the default SQL mode (backslash escapes on): `\` doubled,
 * `'` doubled, NUL as `\0`.
 *
 * @example
 * ```ts
 * mySqlString("it's"); // "'it''s'"
 * ```
 */
export function mySqlString(value: string): string {
  refuseUnquotable(value, 'a string literal');
  const escaped = value.replaceAll('\\', '\\\\').replaceAll("'", "''").replaceAll('\0', '\\0');
  return `'${escaped}'`;
}

/**
 * `text` cut to at most `max` characters (code points), ending in `…` when cut. Used for comment
 * length limits (Glue 255, MySQL column 1024, MySQL table 2048).
 *
 * @example
 * ```ts
 * truncate('abcdef', 4); // 'abc…'
 * ```
 */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** NUL cannot be written into SQL text safely on any target; an empty identifier is never valid. */
function refuseUnquotable(text: string, what: string): void {
  if (text.includes('\u0000') || (what === 'an identifier' && text === '')) {
    throw new CoreError('InvalidArgument', `Cannot quote ${JSON.stringify(text)} as ${what}`);
  }
}
