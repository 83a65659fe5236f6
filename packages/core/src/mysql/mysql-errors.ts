import { CoreError, type ErrorContext } from '../errors/core-error.js';

/** mysql2 error codes (and Node socket codes) worth another attempt. */
const RETRYABLE_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_SERVER_SHUTDOWN',
  'ER_QUERY_INTERRUPTED',
  'ER_CONNECTION_KILLED',
  'ER_CLIENT_INTERACTION_TIMEOUT',
]);

/**
 * Server error numbers worth another attempt: 1040 too many connections, 1053 server shutdown,
 * 1203 too many user connections, 1205 lock wait timeout, 1213 deadlock, 1317 query interrupted,
 * 1927 connection killed (MariaDB), 2006 server gone away, 2013 lost connection, 4031 idle client
 * disconnected (MySQL 8).
 */
const RETRYABLE_ERRNOS = new Set([1040, 1053, 1203, 1205, 1213, 1317, 1927, 2006, 2013, 4031]);

/** The fields of a mysql2 error that we read; everything else (notably `sql`, with its values) is ignored. */
interface MysqlErrorFields {
  code?: unknown;
  errno?: unknown;
  sqlState?: unknown;
  sqlMessage?: unknown;
  message?: unknown;
  fatal?: unknown;
}

/**
 * Maps an error from mysql2 (or the socket under it) to a CoreError `DatabaseFailure` naming what
 * failed, with `isRetryable` set for transient failures — lost connections, query timeouts, lock
 * wait timeouts, deadlocks, too many connections — and unset for permanent ones (access denied,
 * unknown database, syntax errors). The message carries the server's message, code, errno and
 * SQLSTATE, never the SQL text or its values, nor any connection setting such as the password.
 * A CoreError passes through unchanged, except a `Timeout`, which becomes a retryable
 * `DatabaseFailure`.
 *
 * @example
 * ```ts
 * try {
 *   await conn.query({ sql: 'SELECT 1', timeout: 5000 });
 * } catch (err) {
 *   throw classifyMysqlError(err, 'SELECT 1', { table: 'lakeblocks_bookmarks' });
 * }
 * ```
 */
export function classifyMysqlError(error: unknown, what: string, context: ErrorContext = {}): CoreError {
  if (error instanceof CoreError) {
    if (error._tag !== 'Timeout') return error;
    return new CoreError('DatabaseFailure', `${what} failed: ${error.message}`, { isRetryable: true, cause: error, context });
  }
  const e = (typeof error === 'object' && error !== null ? error : {}) as MysqlErrorFields;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const errno = typeof e.errno === 'number' ? e.errno : undefined;
  const sqlState = typeof e.sqlState === 'string' ? e.sqlState : undefined;
  const text =
    typeof e.sqlMessage === 'string'
      ? e.sqlMessage
      : typeof e.message === 'string'
        ? e.message
        : String(error);
  const retryable =
    (code !== undefined && RETRYABLE_CODES.has(code)) ||
    (errno !== undefined && RETRYABLE_ERRNOS.has(errno)) ||
    // SQLSTATE class 08: connection exception; 40001: serialization failure (deadlock).
    (sqlState !== undefined && (sqlState.startsWith('08') || sqlState === '40001'));
  const details = [
    code === undefined ? undefined : `code ${code}`,
    errno === undefined ? undefined : `errno ${errno}`,
    sqlState === undefined ? undefined : `SQLSTATE ${sqlState}`,
  ].filter((x) => x !== undefined);
  const suffix = details.length === 0 ? '' : ` [${details.join(', ')}]`;
  return new CoreError('DatabaseFailure', `${what} failed: ${text}${suffix}`, {
    isRetryable: retryable,
    cause: sanitizedCause(error, text, { code, errno, sqlState, fatal: e.fatal === true }),
    context,
  });
}

/**
 * A copy of the driver error without its `sql` property: that holds the statement with its values
 * inlined (whole bookmark bodies), which would flood logs.
 */
function sanitizedCause(
  error: unknown,
  text: string,
  fields: { code: string | undefined; errno: number | undefined; sqlState: string | undefined; fatal: boolean },
): unknown {
  if (!(error instanceof Error)) return error;
  const copy = new Error(text) as Error & Record<string, unknown>;
  copy.name = error.name;
  if (error.stack !== undefined) copy.stack = error.stack;
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) copy[k] = v;
  return copy;
}

/**
 * Whether a connection that saw this error must be destroyed rather than returned to the pool:
 * fatal protocol errors, and client-side timeouts, after which the server may still be running
 * the statement on that connection.
 *
 * @example
 * ```ts
 * if (connectionIsBroken(err)) conn.destroy(); else conn.release();
 * ```
 */
export function connectionIsBroken(error: unknown): boolean {
  if (error instanceof CoreError) {
    return error._tag === 'Timeout' || (error._tag === 'DatabaseFailure' && connectionIsBroken(error.cause));
  }
  if (typeof error !== 'object' || error === null) return false;
  const e = error as MysqlErrorFields;
  return e.fatal === true || e.code === 'PROTOCOL_SEQUENCE_TIMEOUT' || e.code === 'PROTOCOL_CONNECTION_LOST';
}
