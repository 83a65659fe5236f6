/**
 * A session guard for client-side escaping: mysql2 (`query({ sql, values })`) and `LOAD DATA … ESCAPED
 * BY '\\'` escape quotes and backslashes with a backslash, which a session in sql_mode
 * `NO_BACKSLASH_ESCAPES` (a common RDS parameter-group setting) reads as a plain character — a value
 * could then end its string literal and inject SQL. Code that sends escaped values switches that mode
 * off on the session it uses and restores the session's own mode before giving the connection back.
 *
 * @module
 */
import { CoreError } from '../errors/core-error.js';
import { withTimeout } from '../retry/retry.js';
import type { MySqlConnectionLike } from './mysql-bookmark-store.js';

/** Only names of sql_mode flags: a mode string anything else could not be restored safely. */
const SQL_MODE = /^[A-Z_,]*$/;

/**
 * Switches `NO_BACKSLASH_ESCAPES` off on `conn`'s session when it is on. Returns the session's
 * original sql_mode to give to {@link restoreSqlMode} (or `undefined`: nothing was changed).
 * Throws a `CoreError` `DatabaseFailure` when the session reports a mode that is not a plain list of
 * flag names.
 *
 * @example
 * ```ts
 * const saved = await allowBackslashEscapes(conn, 10_000);
 * try { await conn.query({ sql: 'INSERT INTO t VALUES (?)', values: ["it's"] }); }
 * finally { await restoreSqlMode(conn, saved, 10_000); }
 * ```
 */
export async function allowBackslashEscapes(conn: MySqlConnectionLike, timeoutMs: number): Promise<string | undefined> {
  const [rows] = await withTimeout(timeoutMs, 'Reading sql_mode', () => conn.query({ sql: 'SELECT @@SESSION.sql_mode AS sql_mode', timeout: timeoutMs }));
  const mode = String((rows as { sql_mode?: unknown }[])[0]?.sql_mode ?? '');
  const flags = mode.split(',').filter((m) => m !== '');
  if (!flags.includes('NO_BACKSLASH_ESCAPES')) return undefined;
  if (!SQL_MODE.test(mode)) throw new CoreError('DatabaseFailure', `Unexpected sql_mode ${JSON.stringify(mode)}: refusing to send escaped values with NO_BACKSLASH_ESCAPES set`);
  const cleared = flags.filter((m) => m !== 'NO_BACKSLASH_ESCAPES').join(',');
  await withTimeout(timeoutMs, 'Setting sql_mode', () => conn.query({ sql: `SET SESSION sql_mode = '${cleared}'`, timeout: timeoutMs }));
  return mode;
}

/**
 * Puts back the sql_mode {@link allowBackslashEscapes} returned (nothing to do for `undefined`).
 *
 * @example
 * ```ts
 * await restoreSqlMode(conn, saved, 10_000);
 * ```
 */
export async function restoreSqlMode(conn: MySqlConnectionLike, mode: string | undefined, timeoutMs: number): Promise<void> {
  if (mode === undefined) return;
  if (!SQL_MODE.test(mode)) throw new CoreError('DatabaseFailure', `Refusing to restore sql_mode ${JSON.stringify(mode)}`);
  await withTimeout(timeoutMs, 'Restoring sql_mode', () => conn.query({ sql: `SET SESSION sql_mode = '${mode}'`, timeout: timeoutMs }));
}
