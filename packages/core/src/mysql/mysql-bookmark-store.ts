import { randomUUID } from 'node:crypto';
import { emptyBookmark, type BookmarkState } from '../bookmarks/bookmark.js';
import { BOOKMARK_FORMAT_VERSION, decodeBookmark, encodeBookmark } from '../bookmarks/bookmark-format.js';
import type { BookmarkHead, BookmarkStore, Lease, LeaseRequest, StoredBookmark } from '../bookmarks/bookmark-store.js';
import { assertValidJobName } from '../bookmarks/job-name.js';
import { assertLeaseCovers, leaseHeldError, leaseLostError } from '../bookmarks/lease-errors.js';
import { CoreError } from '../errors/core-error.js';
import { isDeadLocalOwner } from '../process/local-process.js';
import { retry, withTimeout } from '../retry/retry.js';
import { classifyMysqlError, connectionIsBroken } from './mysql-errors.js';
import { allowBackslashEscapes, restoreSqlMode } from './sql-mode.js';

/**
 * The part of a mysql2/promise pool connection that lakeblocks uses. A `PoolConnection` from
 * `mysql2/promise` fits; so does any driver offering the same calls.
 *
 * @example
 * ```ts
 * const conn: MySqlConnectionLike = await pool.getConnection();
 * ```
 */
export interface MySqlConnectionLike {
  /** Runs one statement; `?` placeholders are filled from `values` by the driver's escaping. */
  query(options: { sql: string; values?: unknown[]; timeout?: number; rowsAsArray?: boolean }): Promise<[unknown, unknown]>;
  beginTransaction(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /** Returns the connection to the pool. */
  release(): void;
  /** Closes the connection for good (used after a timeout or a fatal error). */
  destroy?(): void;
}

/**
 * The part of a mysql2/promise pool that lakeblocks uses: `getConnection()`. Pass the pool from
 * `mysql2/promise`'s `createPool`; mysql2 stays an optional peer dependency.
 *
 * @example
 * ```ts
 * import { createPool } from 'mysql2/promise';
 * const pool: MySqlPoolLike = createPool({ uri: process.env.DATABASE_URL, connectTimeout: 10_000 });
 * ```
 */
export interface MySqlPoolLike {
  getConnection(): Promise<MySqlConnectionLike>;
}

/**
 * Options of {@link MySqlBookmarkStore}.
 *
 * @example
 * ```ts
 * new MySqlBookmarkStore(pool, { tablePrefix: 'etl_', queryTimeoutMs: 5_000, historyLimit: 20 });
 * ```
 */
export interface MySqlBookmarkStoreOptions {
  /** Prefix of the three table names (default `lakeblocks_`): `<prefix>bookmarks`, `<prefix>bookmark_history`, `<prefix>bookmark_leases`. */
  tablePrefix?: string;
  /** Versions kept in the history table, the current one included (default 10). */
  historyLimit?: number;
  /** Client-side timeout of every statement, in ms (default 10,000; mysql2's `timeout` query option). */
  queryTimeoutMs?: number;
  /** Bound on taking a connection from the pool, and on BEGIN/COMMIT/ROLLBACK, in ms (default 10,000). */
  connectTimeoutMs?: number;
  /** Create the tables on first use with `CREATE TABLE IF NOT EXISTS` (default true). */
  createTables?: boolean;
}

interface Tables {
  bookmarks: string;
  history: string;
  leases: string;
  /** Unquoted names, for messages. */
  names: { bookmarks: string; history: string; leases: string };
}

interface LeaseRow {
  owner: string;
  token: string;
  acquired_at: string | null;
  expires_at: string;
  live: number | string | boolean;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Bookmarks in MySQL or MariaDB tables (an RDS instance works), through a mysql2/promise pool
 * described structurally ({@link MySqlPoolLike}):
 *
 * - `lakeblocks_bookmarks` (job PK, format_version, version, body LONGTEXT JSON, updated_at);
 * - `lakeblocks_bookmark_history` (job, version) PK: the last `historyLimit` versions;
 * - `lakeblocks_bookmark_leases` (job PK, owner, token, acquired_at, expires_at).
 *
 * Leases are taken with one conditional `UPDATE … WHERE token = '' OR expires_at <= now`, so of
 * racing runs exactly one wins; expiry uses the database clock (UTC), so hosts' clocks do not
 * matter. A lease whose owner is `<hostname>:<pid>` of this host with that pid gone (a SIGKILLed
 * run) is taken over at once, by an `UPDATE … WHERE token = <its token>`. A commit is one transaction: lock the lease row (`SELECT … FOR UPDATE`) and check the
 * token and expiry, lock the bookmark row and check its version, write the new version, append it
 * to the history and trim the history. Every statement has a client-side timeout; a connection
 * that timed out is destroyed, not returned to the pool. When the connection is lost around COMMIT
 * the store reads the bookmark back, so a commit that landed is reported as landed. Failures are CoreError
 * `DatabaseFailure`, retryable for lost connections, lock wait timeouts and deadlocks. Values go
 * through mysql2's placeholders (`query`, not server-side prepared statements, which pin RDS Proxy
 * connections); table names are validated and backtick-quoted.
 *
 * @example
 * ```ts
 * import { createPool } from 'mysql2/promise';
 * import { JobBookmarks } from '@lakeblocks/core';
 * import { MySqlBookmarkStore } from '@lakeblocks/core/mysql';
 * const pool = createPool({ uri: process.env.DATABASE_URL, connectTimeout: 10_000 });
 * const bookmarks = new JobBookmarks(new MySqlBookmarkStore(pool));
 * const run = await bookmarks.begin('raw-to-processed/orders');
 * ```
 */
export class MySqlBookmarkStore implements BookmarkStore {
  readonly location: string;
  readonly historyLimit: number;
  readonly #pool: MySqlPoolLike;
  readonly #tables: Tables;
  readonly #queryTimeoutMs: number;
  readonly #connectTimeoutMs: number;
  readonly #createTables: boolean;
  #schemaReady: Promise<void> | undefined;

  constructor(pool: MySqlPoolLike, options: MySqlBookmarkStoreOptions = {}) {
    this.#pool = pool;
    const prefix = options.tablePrefix ?? 'lakeblocks_';
    this.#tables = tableNames(prefix);
    this.historyLimit = options.historyLimit ?? 10;
    if (!Number.isInteger(this.historyLimit) || this.historyLimit < 1 || this.historyLimit > 1000) {
      throw new CoreError('InvalidArgument', `historyLimit must be an integer from 1 to 1000, got ${options.historyLimit}`);
    }
    this.#queryTimeoutMs = positive(options.queryTimeoutMs ?? 10_000, 'queryTimeoutMs');
    this.#connectTimeoutMs = positive(options.connectTimeoutMs ?? 10_000, 'connectTimeoutMs');
    this.#createTables = options.createTables ?? true;
    this.location = `mysql table ${this.#tables.names.bookmarks}`;
  }

  /**
   * Creates the three tables if they do not exist. Called automatically before first use (unless
   * `createTables: false`); call it yourself to fail fast at start-up.
   *
   * @example
   * ```ts
   * await new MySqlBookmarkStore(pool).ensureTables();
   * ```
   */
  ensureTables(): Promise<void> {
    if (this.#schemaReady === undefined) {
      this.#schemaReady = this.#createSchema().catch((error: unknown) => {
        this.#schemaReady = undefined;
        throw error;
      });
    }
    return this.#schemaReady;
  }

  async acquireLease(job: string, request: LeaseRequest): Promise<Lease> {
    assertValidJobName(job);
    const ttlUs = ttlMicros(request.ttlMs, job);
    const owner = String(request.owner).slice(0, 255);
    const token = randomUUID();
    const { leases } = this.#tables;
    await this.#ready();
    // Idempotent (same token on every attempt), so deadlocks between racing inserts can be retried.
    const row = await retry(
      () =>
        this.#withConnection(async (conn) => {
          await this.#q(conn, 'create lease row', `INSERT IGNORE INTO ${leases} (job, owner, token, acquired_at, expires_at) VALUES (?, '', '', NULL, UTC_TIMESTAMP(3))`, [job], job);
          await this.#q(
            conn,
            'acquire lease',
            `UPDATE ${leases} SET owner = ?, token = ?, acquired_at = UTC_TIMESTAMP(3), expires_at = TIMESTAMPADD(MICROSECOND, ?, UTC_TIMESTAMP(3))
             WHERE job = ? AND (token = '' OR expires_at <= UTC_TIMESTAMP(3))`,
            [owner, token, ttlUs, job],
            job,
          );
          const row = await this.#leaseRow(conn, job);
          if (row === undefined || row.token === token || row.token === '' || !isDeadLocalOwner(row.owner)) return row;
          // Held by a process of this host that no longer runs: take it over, conditional on its
          // token, so of two successors only one wins.
          await this.#q(
            conn,
            'take over lease of a dead process',
            `UPDATE ${leases} SET owner = ?, token = ?, acquired_at = UTC_TIMESTAMP(3), expires_at = TIMESTAMPADD(MICROSECOND, ?, UTC_TIMESTAMP(3))
             WHERE job = ? AND token = ?`,
            [owner, token, ttlUs, job, row.token],
            job,
          );
          return this.#leaseRow(conn, job);
        }),
      { attempts: 4, baseDelayMs: 20, shouldRetry: isDeadlock },
    );
    if (row === undefined || row.token !== token) {
      throw leaseHeldError(job, row && row.token !== '' ? { owner: row.owner, expiresAt: parseUtc(row.expires_at) } : undefined, this.#leaseLocation());
    }
    return { job, owner, token, acquiredAt: parseUtc(row.acquired_at ?? row.expires_at), expiresAt: parseUtc(row.expires_at) };
  }

  async renewLease(lease: Lease, ttlMs: number): Promise<Lease> {
    assertValidJobName(lease.job);
    const ttlUs = ttlMicros(ttlMs, lease.job);
    const { leases } = this.#tables;
    await this.#ready();
    const row = await this.#withConnection(async (conn) => {
      await this.#q(
        conn,
        'renew lease',
        `UPDATE ${leases} SET acquired_at = UTC_TIMESTAMP(3), expires_at = TIMESTAMPADD(MICROSECOND, ?, UTC_TIMESTAMP(3))
         WHERE job = ? AND token = ? AND expires_at > UTC_TIMESTAMP(3)`,
        [ttlUs, lease.job, lease.token],
        lease.job,
      );
      return this.#leaseRow(conn, lease.job);
    });
    this.#assertHeld(lease, row);
    const held = row as LeaseRow;
    return { ...lease, acquiredAt: parseUtc(held.acquired_at ?? held.expires_at), expiresAt: parseUtc(held.expires_at) };
  }

  async releaseLease(lease: Lease): Promise<void> {
    assertValidJobName(lease.job);
    const { leases } = this.#tables;
    await this.#ready();
    await this.#withConnection((conn) =>
      this.#q(
        conn,
        'release lease',
        `UPDATE ${leases} SET token = '', expires_at = UTC_TIMESTAMP(3) WHERE job = ? AND token = ?`,
        [lease.job, lease.token],
        lease.job,
      ),
    );
  }

  async currentLease(job: string): Promise<Lease | undefined> {
    assertValidJobName(job);
    await this.#ready();
    const row = await this.#withConnection((conn) => this.#leaseRow(conn, job));
    if (row === undefined || row.token === '') return undefined;
    return {
      job,
      owner: row.owner,
      token: row.token,
      acquiredAt: parseUtc(row.acquired_at ?? row.expires_at),
      expiresAt: parseUtc(row.expires_at),
    };
  }

  async read(job: string): Promise<StoredBookmark> {
    assertValidJobName(job);
    const { bookmarks } = this.#tables;
    await this.#ready();
    const rows = await this.#withConnection((conn) =>
      this.#q<Array<{ version: number | string; body: string }>>(
        conn,
        'read bookmark',
        `SELECT version, body FROM ${bookmarks} WHERE job = ?`,
        [job],
        job,
      ),
    );
    const row = rows[0];
    if (row === undefined) return { state: emptyBookmark(job), revision: null };
    const version = Number(row.version);
    return { state: this.#decode(job, row.body, version, this.#tables.names.bookmarks), revision: String(version) };
  }

  async head(job: string): Promise<BookmarkHead> {
    assertValidJobName(job);
    const { bookmarks, history } = this.#tables;
    await this.#ready();
    return this.#withConnection(async (conn) => {
      const current = await this.#q<Array<{ version: number | string }>>(conn, 'read bookmark version', `SELECT version FROM ${bookmarks} WHERE job = ?`, [job], job);
      const archived = await this.#q<Array<{ v: number | string | null }>>(conn, 'read history versions', `SELECT MAX(version) AS v FROM ${history} WHERE job = ?`, [job], job);
      const stored = current[0] === undefined ? undefined : Number(current[0].version);
      const newestArchived = archived[0]?.v == null ? 0 : Number(archived[0].v);
      return { revision: stored === undefined ? null : String(stored), version: Math.max(stored ?? 0, newestArchived) };
    });
  }

  async write(lease: Lease, expectedRevision: string | null, next: BookmarkState): Promise<StoredBookmark> {
    const job = assertLeaseCovers(lease, next);
    const { bookmarks, history } = this.#tables;
    const body = encodeBookmark(next);
    await this.#ready();
    const commit = this.#transaction(async (conn) => {
      const leaseRow = await this.#leaseRow(conn, job, true);
      this.#assertHeld(lease, leaseRow);
      const current = await this.#q<Array<{ version: number | string }>>(
        conn,
        'lock bookmark',
        `SELECT version FROM ${bookmarks} WHERE job = ? FOR UPDATE`,
        [job],
        job,
      );
      const currentRevision = current[0] === undefined ? null : String(Number(current[0].version));
      if (currentRevision !== expectedRevision) {
        throw leaseLostError(job, `the bookmark was changed by another run since this run read it (version ${currentRevision ?? 'none'})`, this.location);
      }
      if (current[0] === undefined) {
        await this.#q(
          conn,
          'insert bookmark',
          `INSERT INTO ${bookmarks} (job, format_version, version, body, updated_at) VALUES (?, ?, ?, ?, UTC_TIMESTAMP(3))`,
          [job, BOOKMARK_FORMAT_VERSION, next.version, body],
          job,
        );
      } else {
        await this.#q(
          conn,
          'update bookmark',
          `UPDATE ${bookmarks} SET format_version = ?, version = ?, body = ?, updated_at = UTC_TIMESTAMP(3) WHERE job = ?`,
          [BOOKMARK_FORMAT_VERSION, next.version, body, job],
          job,
        );
      }
      await this.#q(
        conn,
        'append bookmark history',
        `INSERT INTO ${history} (job, version, format_version, body, committed_at) VALUES (?, ?, ?, ?, UTC_TIMESTAMP(3))
         ON DUPLICATE KEY UPDATE format_version = ?, body = ?, committed_at = UTC_TIMESTAMP(3)`,
        [job, next.version, BOOKMARK_FORMAT_VERSION, body, BOOKMARK_FORMAT_VERSION, body],
        job,
      );
      await this.#q(
        conn,
        'trim bookmark history',
        `DELETE FROM ${history} WHERE job = ? AND (version <= ? OR version > ?)`,
        [job, next.version - this.historyLimit, next.version],
        job,
      );
    });
    try {
      await commit;
    } catch (error) {
      // A lost connection or a timeout around COMMIT leaves its outcome unknown: the server may have
      // committed. Look before reporting a failure, or the caller would redo (or give up) a commit
      // that landed, and this run's next commit would fail against its own version.
      if (!(error instanceof CoreError && error._tag === 'DatabaseFailure' && error.isRetryable)) throw error;
      if ((await this.#storedBody(job, next.version).catch(() => undefined)) !== body) throw error;
    }
    return { state: next, revision: String(next.version) };
  }

  async history(job: string): Promise<BookmarkState[]> {
    assertValidJobName(job);
    const { history } = this.#tables;
    await this.#ready();
    const rows = await this.#withConnection((conn) =>
      this.#q<Array<{ version: number | string; body: string }>>(
        conn,
        'read bookmark history',
        `SELECT version, body FROM ${history} WHERE job = ? ORDER BY version DESC LIMIT ${this.historyLimit}`,
        [job],
        job,
      ),
    );
    return rows.map((r) => this.#decode(job, r.body, Number(r.version), this.#tables.names.history));
  }

  async readVersion(job: string, version: number): Promise<BookmarkState | undefined> {
    assertValidJobName(job);
    if (!Number.isInteger(version) || version < 1) return undefined;
    const { history } = this.#tables;
    await this.#ready();
    const rows = await this.#withConnection((conn) =>
      this.#q<Array<{ version: number | string; body: string }>>(
        conn,
        'read bookmark version',
        `SELECT version, body FROM ${history} WHERE job = ? AND version = ?`,
        [job, version],
        job,
      ),
    );
    const row = rows[0];
    return row === undefined ? undefined : this.#decode(job, row.body, Number(row.version), this.#tables.names.history);
  }

  // ---- internals ----

  #decode(job: string, body: string | Buffer, version: number, table: string): BookmarkState {
    const location = `mysql table ${table} (job = ${JSON.stringify(job)}, version ${version})`;
    const state = decodeBookmark(typeof body === 'string' ? body : body.toString('utf8'), { job, location });
    if (state.version !== version) {
      throw new CoreError(
        'BookmarkCorrupt',
        `Bookmark of job ${JSON.stringify(job)} at ${location} is unreadable: its body says version ${state.version}`,
        { context: { job, location } },
      );
    }
    return state;
  }

  /** The stored body of the job's bookmark if it is at `version`, else `undefined`. */
  async #storedBody(job: string, version: number): Promise<string | undefined> {
    const rows = await this.#withConnection((conn) =>
      this.#q<Array<{ body: string | Buffer }>>(
        conn,
        'check an uncertain commit',
        `SELECT body FROM ${this.#tables.bookmarks} WHERE job = ? AND version = ?`,
        [job, version],
        job,
      ),
    );
    const body = rows[0]?.body;
    return body === undefined ? undefined : typeof body === 'string' ? body : body.toString('utf8');
  }

  #assertHeld(lease: Lease, row: LeaseRow | undefined): void {
    const where = this.#leaseLocation();
    if (row === undefined) throw leaseLostError(lease.job, 'the lease record is gone', where);
    if (row.token !== lease.token) {
      throw leaseLostError(lease.job, row.token === '' ? 'it was released' : `it was taken over by ${JSON.stringify(row.owner)}`, where);
    }
    if (!truthy(row.live)) throw leaseLostError(lease.job, `it expired at ${parseUtc(row.expires_at).toISOString()}`, where);
  }

  #leaseLocation(): string {
    return `mysql table ${this.#tables.names.leases}`;
  }

  async #leaseRow(conn: MySqlConnectionLike, job: string, forUpdate = false): Promise<LeaseRow | undefined> {
    const rows = await this.#q<LeaseRow[]>(
      conn,
      forUpdate ? 'lock lease' : 'read lease',
      `SELECT owner, token, CAST(acquired_at AS CHAR) AS acquired_at, CAST(expires_at AS CHAR) AS expires_at,
              (expires_at > UTC_TIMESTAMP(3)) AS live
       FROM ${this.#tables.leases} WHERE job = ?${forUpdate ? ' FOR UPDATE' : ''}`,
      [job],
      job,
    );
    return rows[0];
  }

  async #ready(): Promise<void> {
    if (this.#createTables) await this.ensureTables();
  }

  async #createSchema(): Promise<void> {
    const { bookmarks, history, leases } = this.#tables;
    const job = 'job VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL';
    const table = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4';
    await this.#withConnection(async (conn) => {
      await this.#q(
        conn,
        'create bookmarks table',
        `CREATE TABLE IF NOT EXISTS ${bookmarks} (
           ${job} PRIMARY KEY,
           format_version INT NOT NULL,
           version BIGINT NOT NULL,
           body LONGTEXT NOT NULL,
           updated_at DATETIME(3) NOT NULL
         ) ${table}`,
        [],
      );
      await this.#q(
        conn,
        'create bookmark history table',
        `CREATE TABLE IF NOT EXISTS ${history} (
           ${job},
           version BIGINT NOT NULL,
           format_version INT NOT NULL,
           body LONGTEXT NOT NULL,
           committed_at DATETIME(3) NOT NULL,
           PRIMARY KEY (job, version)
         ) ${table}`,
        [],
      );
      await this.#q(
        conn,
        'create bookmark leases table',
        `CREATE TABLE IF NOT EXISTS ${leases} (
           ${job} PRIMARY KEY,
           owner VARCHAR(255) NOT NULL,
           token VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
           acquired_at DATETIME(3) NULL,
           expires_at DATETIME(3) NOT NULL
         ) ${table}`,
        [],
      );
    });
  }

  async #q<T = unknown>(conn: MySqlConnectionLike, what: string, sql: string, values: unknown[], job?: string): Promise<T> {
    try {
      const [rows] = await conn.query({ sql, values, timeout: this.#queryTimeoutMs, rowsAsArray: false });
      return rows as T;
    } catch (error) {
      throw classifyMysqlError(error, `MySQL bookmark store: ${what}`, { job, location: this.location });
    }
  }

  async #withConnection<T>(fn: (conn: MySqlConnectionLike, session: { broken: boolean }) => Promise<T>): Promise<T> {
    const conn = await this.#getConnection();
    const session = { broken: false };
    let savedMode: string | undefined;
    try {
      // Values go through mysql2's client-side escaping: not under NO_BACKSLASH_ESCAPES (see sql-mode.ts).
      savedMode = await allowBackslashEscapes(conn, this.#queryTimeoutMs).catch((error: unknown) => {
        throw error instanceof CoreError ? error : classifyMysqlError(error, 'MySQL bookmark store: sql_mode', { location: this.location });
      });
      return await fn(conn, session);
    } catch (error) {
      if (connectionIsBroken(error)) session.broken = true;
      throw error;
    } finally {
      if (!session.broken && savedMode !== undefined) {
        await restoreSqlMode(conn, savedMode, this.#queryTimeoutMs).catch(() => {
          session.broken = true; // a session left in another mode must not go back to the pool
        });
      }
      if (session.broken && conn.destroy !== undefined) conn.destroy();
      else conn.release();
    }
  }

  async #transaction<T>(fn: (conn: MySqlConnectionLike) => Promise<T>): Promise<T> {
    return this.#withConnection(async (conn, session) => {
      await this.#bounded('BEGIN', () => conn.beginTransaction());
      try {
        const result = await fn(conn);
        await this.#bounded('COMMIT', () => conn.commit());
        return result;
      } catch (error) {
        if (connectionIsBroken(error)) {
          session.broken = true;
        } else {
          // A failed rollback leaves the connection in doubt: keep the original error, drop the connection.
          await this.#bounded('ROLLBACK', () => conn.rollback()).catch(() => {
            session.broken = true;
          });
        }
        throw error;
      }
    });
  }

  async #bounded(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await withTimeout(this.#connectTimeoutMs, `MySQL ${what}`, () => fn());
    } catch (error) {
      throw classifyMysqlError(error, `MySQL bookmark store: ${what}`, { location: this.location });
    }
  }

  async #getConnection(): Promise<MySqlConnectionLike> {
    const pending = this.#pool.getConnection();
    try {
      return await withTimeout(this.#connectTimeoutMs, 'MySQL getConnection', () => pending);
    } catch (error) {
      // If the connection arrives after we gave up, hand it straight back.
      pending.then(
        (late) => late.release(),
        () => undefined,
      );
      throw classifyMysqlError(error, 'MySQL bookmark store: get connection', { location: this.location });
    }
  }
}

function tableNames(prefix: string): Tables {
  const names = {
    bookmarks: `${prefix}bookmarks`,
    history: `${prefix}bookmark_history`,
    leases: `${prefix}bookmark_leases`,
  };
  for (const name of Object.values(names)) {
    if (!IDENTIFIER.test(name) || name.length > 64) {
      throw new CoreError(
        'InvalidArgument',
        `Invalid MySQL table prefix ${JSON.stringify(prefix)}: table names must match [A-Za-z_][A-Za-z0-9_]* and fit in 64 characters`,
      );
    }
  }
  return {
    bookmarks: `\`${names.bookmarks}\``,
    history: `\`${names.history}\``,
    leases: `\`${names.leases}\``,
    names,
  };
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new CoreError('InvalidArgument', `${name} must be a positive number, got ${value}`);
  return value;
}

function ttlMicros(ttlMs: number, job: string): number {
  if (!Number.isFinite(ttlMs) || ttlMs < 1) {
    throw new CoreError('InvalidArgument', `Lease ttlMs must be a positive number of milliseconds, got ${ttlMs}`, { context: { job } });
  }
  return Math.round(ttlMs) * 1000;
}

/** Parses `YYYY-MM-DD hh:mm:ss[.fff]` written by `CAST(datetime AS CHAR)` as UTC. */
function parseUtc(text: string): Date {
  return new Date(`${text.replace(' ', 'T')}Z`);
}

function truthy(value: number | string | boolean): boolean {
  return value === true || value === 1 || value === '1';
}

function isDeadlock(error: unknown): boolean {
  return error instanceof CoreError && error._tag === 'DatabaseFailure' && error.isRetryable && /ER_LOCK_DEADLOCK|errno 1213/.test(error.message);
}
