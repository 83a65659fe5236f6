import { randomBytes } from 'node:crypto';
import type { RowDataPacket } from 'mysql2';
import { createConnection, createPool, type Pool } from 'mysql2/promise';

/**
 * Default server for tests: the local MariaDB, user root, no password.
 *
 * @example
 * ```ts
 * const url = process.env.LAKEBLOCKS_MYSQL_URL ?? DEFAULT_TEST_MYSQL_URL;
 * ```
 */
export const DEFAULT_TEST_MYSQL_URL = 'mysql://root@127.0.0.1:3306/';
/**
 * The database tests work in.
 *
 * @example
 * ```ts
 * await pool.query(`USE ${TEST_MYSQL_DATABASE}`);
 * ```
 */
export const TEST_MYSQL_DATABASE = 'lakeblocks_core_test';

/**
 * What {@link connectTestMySql} returns.
 *
 * @example
 * ```ts
 * const { pool, tablePrefix, close } = await connectTestMySql();
 * ```
 */
export interface TestMySql {
  /** A mysql2/promise pool on {@link TEST_MYSQL_DATABASE}. */
  pool: Pool;
  /** The database name. */
  database: string;
  /** A table prefix unique to this call (`t_<random>_`), so parallel test files never share tables. */
  tablePrefix: string;
  /** Drops every table starting with {@link tablePrefix}, then closes the pool. */
  close(): Promise<void>;
}

/**
 * Options of {@link connectTestMySql}.
 *
 * @example
 * ```ts
 * await connectTestMySql({ url: 'mysql://ci:ci@db:3306/', keepTables: true });
 * ```
 */
export interface ConnectTestMySqlOptions {
  /** Server URL without database (default: env `LAKEBLOCKS_MYSQL_URL`, else {@link DEFAULT_TEST_MYSQL_URL}). */
  url?: string;
  /** Database to create and use (default {@link TEST_MYSQL_DATABASE}). */
  database?: string;
  /** Keep the tables on close (to inspect them after a failure). */
  keepTables?: boolean;
}

/**
 * Connects tests to a real MySQL/MariaDB server (DESIGN decision 9): by default the MariaDB on
 * 127.0.0.1:3306 as root with no password, or the server in env `LAKEBLOCKS_MYSQL_URL`
 * (`mysql://user:pass@host:port/`). Ensures database `lakeblocks_core_test` exists and returns a
 * pool on it plus a table prefix unique to this call; `close()` drops the prefixed tables and
 * ends the pool. Any package's tests can reuse it (`@lakeblocks/core/src/testing/mysql.ts`).
 * Connection errors never include the password.
 *
 * @example
 * ```ts
 * import { afterAll, beforeAll } from 'vitest';
 * import { connectTestMySql, type TestMySql } from '../testing/mysql.js';
 * let db: TestMySql;
 * beforeAll(async () => { db = await connectTestMySql(); });
 * afterAll(() => db.close());
 * // new MySqlBookmarkStore(db.pool, { tablePrefix: db.tablePrefix })
 * ```
 */
export async function connectTestMySql(options: ConnectTestMySqlOptions = {}): Promise<TestMySql> {
  const url = options.url ?? process.env.LAKEBLOCKS_MYSQL_URL ?? DEFAULT_TEST_MYSQL_URL;
  const database = options.database ?? TEST_MYSQL_DATABASE;
  if (!/^[A-Za-z0-9_]+$/.test(database)) throw new Error(`Invalid test database name ${JSON.stringify(database)}`);
  const server = serverUri(url);
  const where = redact(server);

  let admin;
  try {
    admin = await createConnection({ uri: server, connectTimeout: 5_000 });
  } catch (error) {
    throw new Error(
      `Cannot connect to the test MySQL server at ${where}: ${(error as Error).message}. ` +
        'Start MariaDB on 127.0.0.1:3306 or set LAKEBLOCKS_MYSQL_URL',
    );
  }
  try {
    await admin.query(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4`);
  } finally {
    await admin.end();
  }

  const pool = createPool({ uri: dbUri(server, database), connectTimeout: 5_000, connectionLimit: 10 });
  const tablePrefix = `t_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}_`;
  return {
    pool,
    database,
    tablePrefix,
    async close() {
      try {
        if (!options.keepTables) {
          const [rows] = await pool.query<Array<{ name: string } & RowDataPacket>>(
            'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? AND table_name LIKE ?',
            [database, `${tablePrefix.replace(/_/g, '\\_')}%`],
          );
          for (const { name } of rows) await pool.query(`DROP TABLE IF EXISTS \`${name.replace(/`/g, '')}\``);
        }
      } finally {
        await pool.end();
      }
    },
  };
}

function serverUri(url: string): string {
  const u = new URL(url);
  u.pathname = '/';
  return u.toString();
}

function dbUri(server: string, database: string): string {
  const u = new URL(server);
  u.pathname = `/${database}`;
  return u.toString();
}

/** The URL with its password replaced by `***`. */
function redact(url: string): string {
  const u = new URL(url);
  if (u.password !== '') u.password = '***';
  return u.toString();
}
