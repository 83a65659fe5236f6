/**
 * MySQL / MariaDB failures as {@link LoadersError}s a person can act on. Builds on core's
 * `classifyMysqlError` (which decides retryability and strips the SQL text and its values from
 * the cause) and gives the common failures their own tag and advice:
 *
 * | failure | tag | retryable |
 * |---|---|---|
 * | 1045 access denied, 1044 / 1142 / 1143 no privilege | `AccessDenied` | no |
 * | 1049 unknown database | `UnknownDatabase` | no |
 * | 1153 / 1301 packet larger than `max_allowed_packet` | `PacketTooLarge` | no |
 * | 1148 / 3948 / 4166 (MariaDB) local infile disabled | `DatabaseFailure` (with how to enable it) | no |
 * | refused / unreachable / lost connection, 2006 server gone, 2013 lost | `ConnectionFailed` | yes |
 * | client-side timeout | `Timeout` | yes |
 * | anything else (deadlock, lock wait, syntax …) | `DatabaseFailure` | as core decides |
 *
 * Messages never contain the password, the SQL text or the values.
 *
 * @example
 * ```ts
 * try {
 *   await conn.query({ sql: 'SELECT 1', timeout: 5_000 });
 * } catch (err) {
 *   throw classifyLoaderMysqlError(err, 'SELECT 1', { table: 'orders' });
 * }
 * ```
 *
 * @module
 */
import { CoreError } from '@lakeblocks/core';
import { classifyMysqlError } from '@lakeblocks/core/mysql';
import { LoadersError, type LoadersErrorContext } from '../errors/loaders-error.js';

const ACCESS_DENIED = new Set([1044, 1045, 1142, 1143, 1227, 1698]);
const CONNECTION = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
]);

interface Fields {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
  sqlMessage?: unknown;
}

/**
 * Maps a mysql2 (or socket) error to a {@link LoadersError}; see the module table. `what` names
 * the operation (`'INSERT into orders'`). A `LoadersError` passes through unchanged.
 *
 * @example
 * ```ts
 * const error = classifyLoaderMysqlError(err, 'connect', { database: 'shop' });
 * if (error._tag === 'AccessDenied') console.error(error.message);
 * ```
 */
export function classifyLoaderMysqlError(error: unknown, what: string, context: LoadersErrorContext = {}): LoadersError {
  if (error instanceof LoadersError) return error;
  if (error instanceof CoreError && error._tag === 'Timeout') {
    return new LoadersError('Timeout', `MySQL ${what}: ${error.message}; the server may be overloaded or a lock is held`, { isRetryable: true, cause: error, context });
  }
  const core = classifyMysqlError(error, `MySQL ${what}`);
  const e = (typeof error === 'object' && error !== null ? error : {}) as Fields;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const errno = typeof e.errno === 'number' ? e.errno : undefined;
  const options = { cause: core.cause ?? core, context };
  if (errno !== undefined && ACCESS_DENIED.has(errno)) {
    return new LoadersError('AccessDenied', `${core.message}. Check the user name, password and grants (the password is never shown)`, options);
  }
  if (errno === 1049 || code === 'ER_BAD_DB_ERROR') {
    return new LoadersError('UnknownDatabase', `${core.message}. Create the database (CREATE DATABASE …) or fix the database name in the connection settings`, options);
  }
  if (errno === 1153 || errno === 1301 || code === 'ER_NET_PACKET_TOO_LARGE') {
    return new LoadersError(
      'PacketTooLarge',
      `${core.message}. A statement exceeded the server's max_allowed_packet: raise it (SET GLOBAL max_allowed_packet = …) or lower the loader's maxStatementBytes`,
      options,
    );
  }
  if (errno === 1148 || errno === 3948 || errno === 4166 || errno === 2068 || code === 'ER_NOT_ALLOWED_COMMAND') {
    return new LoadersError(
      'DatabaseFailure',
      `${core.message}. LOAD DATA LOCAL INFILE is disabled: enable local_infile on the server (SET GLOBAL local_infile = 1, or the RDS parameter group) or load with method 'insert'`,
      options,
    );
  }
  if (code === 'PROTOCOL_SEQUENCE_TIMEOUT') {
    return new LoadersError('Timeout', `${core.message}. The statement did not finish within its timeout`, { ...options, isRetryable: true });
  }
  if ((code !== undefined && CONNECTION.has(code)) || errno === 2006 || errno === 2013 || errno === 1927 || errno === 1053) {
    return new LoadersError(
      'ConnectionFailed',
      `${core.message}. The MySQL server could not be reached or closed the connection: check host, port, network and that the server is up`,
      { ...options, isRetryable: true },
    );
  }
  return new LoadersError('DatabaseFailure', core.message, { ...options, isRetryable: core.isRetryable });
}
