import type { RowDataPacket } from 'mysql2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeBookmarkStoreSuite } from '../bookmarks/bookmark-store-suite.js';
import { JobBookmarks } from '../bookmarks/job-bookmarks.js';
import { CoreError } from '../errors/core-error.js';
import { createPool } from 'mysql2/promise';
import { connectTestMySql, DEFAULT_TEST_MYSQL_URL, type TestMySql } from '../testing/mysql.js';
import { MySqlBookmarkStore, type MySqlPoolLike } from './mysql-bookmark-store.js';

let db: TestMySql;
beforeAll(async () => {
  db = await connectTestMySql();
});
afterAll(async () => {
  await db?.close();
});

describeBookmarkStoreSuite(
  'MySqlBookmarkStore (MariaDB)',
  async () => {
    const store = new MySqlBookmarkStore(db.pool, { tablePrefix: db.tablePrefix });
    return {
      store,
      corrupt: async (job, text) => {
        await store.ensureTables();
        await db.pool.query(
          `INSERT INTO \`${db.tablePrefix}bookmarks\` (job, format_version, version, body, updated_at)
           VALUES (?, 1, 1, ?, UTC_TIMESTAMP(3)) ON DUPLICATE KEY UPDATE body = ?`,
          [job, text, text],
        );
      },
      cleanup: async () => undefined, // tables dropped by db.close()
    };
  },
  { enforcesConditionalWrites: true },
);

describe('MySqlBookmarkStore specifics', () => {
  it('accepts a mysql2/promise pool as MySqlPoolLike', () => {
    const pool: MySqlPoolLike = db.pool;
    expect(pool).toBeDefined();
  });

  it('creates the three tables with the configured prefix', async () => {
    const prefix = `${db.tablePrefix}x_`;
    await new MySqlBookmarkStore(db.pool, { tablePrefix: prefix }).ensureTables();
    const [rows] = await db.pool.query<Array<{ name: string } & RowDataPacket>>(
      'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE ? ORDER BY 1',
      [`${prefix.replace(/_/g, '\\_')}%`],
    );
    expect(rows.map((r) => r.name).sort()).toEqual([`${prefix}bookmark_history`, `${prefix}bookmark_leases`, `${prefix}bookmarks`]);
  });

  it('stores keys with quotes and backslashes exactly under sql_mode NO_BACKSLASH_ESCAPES, and gives the session its mode back', async () => {
    const url = new URL(process.env.LAKEBLOCKS_MYSQL_URL ?? DEFAULT_TEST_MYSQL_URL);
    url.pathname = `/${db.database}`;
    const nbe = createPool({ uri: url.toString(), connectTimeout: 5_000, connectionLimit: 1 });
    nbe.on('connection', (c: { query(sql: string): unknown }) => {
      c.query("SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_BACKSLASH_ESCAPES')");
    });
    try {
      const bookmarks = new JobBookmarks(new MySqlBookmarkStore(nbe, { tablePrefix: db.tablePrefix }));
      const keys = ["raw/o'brien.csv", 'raw/back\\slash.csv', "raw/x', 1); DROP TABLE t; --.csv"];
      const run = await bookmarks.begin('nbe/job');
      await run.commit(keys.map((key, i) => ({ key, size: i + 1, etag: `e${i}`, lastModified: new Date(1_700_000_000_000) })));
      await run.release();
      const state = await bookmarks.read('nbe/job');
      expect(state.objects.map((o) => o.key).sort()).toEqual([...keys].sort());
      const [mode] = (await nbe.query('SELECT @@SESSION.sql_mode AS m')) as unknown as [{ m: string }[]];
      expect(mode[0]?.m).toContain('NO_BACKSLASH_ESCAPES');
    } finally {
      await nbe.end();
    }
  });

  it('refuses an unsafe table prefix', () => {
    expect(() => new MySqlBookmarkStore(db.pool, { tablePrefix: 'x`; DROP TABLE y; --' })).toThrow(/Invalid MySQL table prefix/);
  });

  it('commits atomically: the bookmark row and its history row agree', async () => {
    const store = new MySqlBookmarkStore(db.pool, { tablePrefix: db.tablePrefix, historyLimit: 3 });
    const bookmarks = new JobBookmarks(store);
    for (let i = 1; i <= 5; i++) {
      const run = await bookmarks.begin('raw-to-processed/atomic');
      await run.commit([{ key: `raw/${i}.csv`, size: i, etag: `e${i}`, lastModified: new Date() }]);
      await run.release();
    }
    const [rows] = await db.pool.query<Array<{ version: number } & RowDataPacket>>(
      `SELECT version FROM \`${db.tablePrefix}bookmark_history\` WHERE job = ? ORDER BY version`,
      ['raw-to-processed/atomic'],
    );
    expect(rows.map((r) => Number(r.version))).toEqual([3, 4, 5]);
  });

  it('maps a dead server to a retryable DatabaseFailure without hanging', async () => {
    const { createPool } = await import('mysql2/promise');
    const pool = createPool({ host: '127.0.0.1', port: 1, user: 'root', password: 's3cret-password', connectTimeout: 1_000 });
    try {
      const store = new MySqlBookmarkStore(pool, { connectTimeoutMs: 3_000 });
      const error = await store.read('some/job').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CoreError);
      expect((error as CoreError)._tag).toBe('DatabaseFailure');
      expect((error as CoreError).isRetryable).toBe(true);
      expect((error as CoreError).message).not.toContain('s3cret-password');
    } finally {
      await pool.end();
    }
  });

  it('maps access denied to a non-retryable DatabaseFailure that does not print the password', async () => {
    const { createPool } = await import('mysql2/promise');
    const pool = createPool({ host: '127.0.0.1', port: 3306, user: 'lakeblocks_nobody', password: 's3cret-password', connectTimeout: 2_000 });
    try {
      const error = await new MySqlBookmarkStore(pool).read('some/job').catch((e: unknown) => e);
      expect((error as CoreError)._tag).toBe('DatabaseFailure');
      expect((error as CoreError).isRetryable).toBe(false);
      expect((error as CoreError).message).toMatch(/Access denied/);
      expect((error as CoreError).message).not.toContain('s3cret-password');
    } finally {
      await pool.end();
    }
  });

  it('times out a commit stuck behind a lock instead of hanging, then recovers', async () => {
    const store = new MySqlBookmarkStore(db.pool, { tablePrefix: db.tablePrefix, queryTimeoutMs: 500 });
    const bookmarks = new JobBookmarks(store);
    const job = 'raw-to-processed/stuck';
    const run = await bookmarks.begin(job);
    const blocker = await db.pool.getConnection();
    try {
      await blocker.beginTransaction();
      await blocker.query(`SELECT * FROM \`${db.tablePrefix}bookmark_leases\` WHERE job = ? FOR UPDATE`, [job]);
      const started = Date.now();
      const error = await run.commit([{ key: 'raw/a.csv', size: 1, etag: 'a', lastModified: new Date() }]).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect((error as CoreError)._tag).toBe('DatabaseFailure');
      expect((error as CoreError).isRetryable).toBe(true);
      expect((error as CoreError).message).toMatch(/PROTOCOL_SEQUENCE_TIMEOUT/);
    } finally {
      await blocker.rollback();
      blocker.release();
    }
    expect((await bookmarks.read(job)).version).toBe(0);
    expect((await run.commit([{ key: 'raw/a.csv', size: 1, etag: 'a', lastModified: new Date() }])).version).toBe(1);
    await run.release();
  });

  it('a commit whose COMMIT reply was lost, but which landed, is reported as landed', async () => {
    // The connection dies right after the server committed: the client cannot tell. Before, commit()
    // rejected (retryable) although the new version was stored, so the run's own state went stale
    // and its next commit failed with LeaseLost.
    let loseNextCommitReply = false;
    const pool: MySqlPoolLike = {
      async getConnection() {
        const conn = await db.pool.getConnection();
        return {
          query: (options) => conn.query(options) as Promise<[unknown, unknown]>,
          beginTransaction: () => conn.beginTransaction(),
          rollback: () => conn.rollback(),
          release: () => conn.release(),
          destroy: () => conn.destroy(),
          async commit() {
            await conn.commit();
            if (loseNextCommitReply) {
              loseNextCommitReply = false;
              throw Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true });
            }
          },
        };
      },
    };
    const bookmarks = new JobBookmarks(new MySqlBookmarkStore(pool, { tablePrefix: db.tablePrefix }));
    const job = 'raw-to-processed/lost-reply';
    const run = await bookmarks.begin(job);
    loseNextCommitReply = true;
    const first = await run.commit([{ key: 'raw/a.csv', size: 1, etag: 'a', lastModified: new Date() }]);
    expect(first.version).toBe(1);
    expect((await bookmarks.read(job)).version).toBe(1);
    expect((await run.commit([{ key: 'raw/b.csv', size: 1, etag: 'b', lastModified: new Date() }])).version).toBe(2);
    await run.release();
  });

  it('a commit that failed before COMMIT still fails', async () => {
    const pool: MySqlPoolLike = {
      async getConnection() {
        const conn = await db.pool.getConnection();
        return {
          query: (options) => conn.query(options) as Promise<[unknown, unknown]>,
          beginTransaction: () => conn.beginTransaction(),
          rollback: () => conn.rollback(),
          release: () => conn.release(),
          destroy: () => conn.destroy(),
          async commit() {
            await conn.rollback();
            throw Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true });
          },
        };
      },
    };
    const bookmarks = new JobBookmarks(new MySqlBookmarkStore(pool, { tablePrefix: db.tablePrefix }));
    const job = 'raw-to-processed/lost-commit';
    const run = await bookmarks.begin(job);
    const error = await run.commit([{ key: 'raw/a.csv', size: 1, etag: 'a', lastModified: new Date() }]).catch((e: unknown) => e);
    expect((error as CoreError)._tag).toBe('DatabaseFailure');
    expect((error as CoreError).isRetryable).toBe(true);
    expect((await bookmarks.read(job)).version).toBe(0);
    await run.release();
  });
});
