/**
 * MySqlLoader when the server kills its connection in the middle of a load (`KILL <id>` from a
 * second connection, as a failover, an operator or `wait_timeout` would), and when the server
 * cannot be reached or never answers (DESIGN decisions 5 and 8). Whatever the loader reports, a
 * rerun leaves exactly the rows of a clean load; `replace` readers see the old rows until the swap.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { createConnection, createPool, type Connection, type Pool, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadersError } from '../errors/loaders-error.js';
import { MySqlLoader, type LoadOptions } from './mysql-loader.js';
import { lineItems, makeRows, toArrowBatch } from './test-fixtures.js';

const DATABASE = 'lakeblocks_loaders_test';
const PREFIX = `rel_${Date.now().toString(36)}_${randomBytes(2).toString('hex')}_`;
const ROWS = 4_000;
let url: URL;
let admin: Connection;
let reference = '';
const tally = { loads: 0, kills: 0, recoveredInPlace: 0, failedClearly: 0, reruns: 0 };

beforeAll(async () => {
  url = new URL(process.env.LAKEBLOCKS_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/');
  url.pathname = `/${DATABASE}`;
  admin = await createConnection({ uri: url.toString(), connectTimeout: 5_000 });
  const pool = createPool({ uri: url.toString(), timezone: 'Z', connectTimeout: 5_000, connectionLimit: 2 });
  try {
    await new MySqlLoader(pool).load(lineItems, batches(0, ROWS), { mode: 'replace', tableName: `${PREFIX}reference` });
  } finally {
    await pool.end();
  }
  reference = await digest(`${PREFIX}reference`);
});

afterAll(async () => {
  if (!admin) return;
  console.info(`[reliability] MySQL kill: ${JSON.stringify(tally)}`);
  const [tables] = await admin.query<RowDataPacket[]>('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ? AND table_name LIKE ?', [
    DATABASE,
    `${PREFIX.replace(/_/g, '\\_')}%`,
  ]);
  for (const { t } of tables as { t: string }[]) await admin.query(`DROP TABLE IF EXISTS \`${t}\``);
  await admin.end();
});

function* batches(from: number, count: number, variant = 0) {
  for (let at = from; at < from + count; at += 500) yield toArrowBatch(lineItems, makeRows(at, Math.min(500, from + count - at), variant));
}

/** A digest of the whole table content in key order (`''` when the table does not exist). */
async function digest(table: string): Promise<string> {
  const [exists] = await admin.query<RowDataPacket[]>('SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?', [DATABASE, table]);
  if (exists.length === 0) return '';
  const [rows] = await admin.query<RowDataPacket[]>(`SELECT * FROM \`${table}\` ORDER BY item_id`);
  return createHash('sha256')
    .update(JSON.stringify(rows, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)))
    .digest('hex');
}

async function count(table: string): Promise<number> {
  const [rows] = await admin.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${table}\``);
  return Number((rows[0] as { n: number }).n);
}

/**
 * One load whose connection is killed from the admin connection once `killAfter` statements have
 * been sent (the next statement is then in flight), or after `killAfterMs`.
 */
async function killedLoad(
  table: string,
  options: Omit<LoadOptions, 'tableName'>,
  kill: { afterStatements?: number; afterMs?: number },
  source: () => Iterable<ReturnType<typeof toArrowBatch>> = () => batches(0, ROWS),
) {
  const pool: Pool = createPool({ uri: url.toString(), timezone: 'Z', connectTimeout: 5_000, connectionLimit: 2 });
  let current: number | undefined;
  pool.on('acquire', (connection: { threadId: number }) => {
    current = connection.threadId;
  });
  let killed: Promise<unknown> | undefined;
  const killNow = () => {
    if (killed || current === undefined) return;
    tally.kills++;
    killed = admin.query(`KILL ${Number(current)}`).catch((e: unknown) => e);
  };
  const timer = kill.afterMs === undefined ? undefined : setTimeout(killNow, kill.afterMs);
  tally.loads++;
  try {
    const loader = new MySqlLoader(pool, { maxRowsPerStatement: 200, baseDelayMs: 10, attempts: 3, connectTimeoutMs: 5_000 });
    const outcome = await loader
      .load(lineItems, source(), {
        ...options,
        tableName: table,
        onProgress: ({ statements }) => {
          if (kill.afterStatements !== undefined && statements >= kill.afterStatements) killNow();
        },
      })
      .then(
        (result) => ({ ok: true as const, result }),
        (error: unknown) => ({ ok: false as const, error }),
      );
    clearTimeout(timer);
    await killed;
    if (outcome.ok) tally.recoveredInPlace++;
    else {
      tally.failedClearly++;
      expect(outcome.error).toBeInstanceOf(LoadersError);
      expect((outcome.error as LoadersError).message).toContain(table);
      expect((outcome.error as LoadersError).message).not.toMatch(/INSERT INTO|VALUES \(/); // never the SQL or its values
    }
    return { ...outcome, killed: killed !== undefined };
  } finally {
    await pool.end();
  }
}

async function rerun(table: string, options: Omit<LoadOptions, 'tableName'>) {
  tally.reruns++;
  const pool = createPool({ uri: url.toString(), timezone: 'Z', connectTimeout: 5_000, connectionLimit: 2 });
  try {
    return await new MySqlLoader(pool, { maxRowsPerStatement: 200 }).load(lineItems, batches(0, ROWS), { ...options, tableName: table });
  } finally {
    await pool.end();
  }
}

describe('MySqlLoader: the server kills the connection mid-load', () => {
  it.each([1, 4, 11, 19])('upsert (chunk transactions), killed after %i statements: recovers or fails clearly; the rerun leaves exactly the right rows', async (at) => {
    const table = `${PREFIX}upsert_${at}`;
    const first = await killedLoad(table, { mode: 'upsert' }, { afterStatements: at });
    expect(first.killed).toBe(true);
    if (first.ok) expect(await digest(table)).toBe(reference); // the killed INSERT was retried on a fresh connection
    await rerun(table, { mode: 'upsert' });
    expect(await digest(table)).toBe(reference);
  });

  it.each([2, 13])('append in one transaction, killed after %i statements: fails, nothing committed; the rerun leaves exactly the right rows', async (at) => {
    const table = `${PREFIX}append_${at}`;
    const first = await killedLoad(table, { mode: 'append', transaction: 'load' }, { afterStatements: at });
    expect(first.ok).toBe(false);
    expect((first as { error: LoadersError }).error._tag).toBe('ConnectionFailed');
    expect(await count(table)).toBe(0);
    await rerun(table, { mode: 'append', transaction: 'load' });
    expect(await digest(table)).toBe(reference);
  });

  it.each([3, 16])('replace, killed after %i statements: readers keep the old rows, no staging table is left; the rerun swaps in exactly the new rows', async (at) => {
    const table = `${PREFIX}replace_${at}`;
    const pool = createPool({ uri: url.toString(), timezone: 'Z', connectTimeout: 5_000, connectionLimit: 2 });
    await new MySqlLoader(pool).load(lineItems, batches(0, 1_000, 9), { mode: 'replace', tableName: table });
    await pool.end();
    const old = await digest(table);
    const first = await killedLoad(table, { mode: 'replace' }, { afterStatements: at });
    expect(await digest(table)).toBe(first.ok ? reference : old);
    const [stages] = await admin.query<RowDataPacket[]>('SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_name LIKE ?', [
      DATABASE,
      `${table}\\_\\_lb%`,
    ]);
    expect(stages).toEqual([]);
    await rerun(table, { mode: 'replace' });
    expect(await digest(table)).toBe(reference);
  });

  it.each([60, 150, 300])('upsert through LOAD DATA LOCAL, killed after %i ms: the rerun leaves exactly the right rows', async (ms) => {
    const table = `${PREFIX}loaddata_${ms}`;
    await killedLoad(table, { mode: 'upsert', method: 'load-data', loadDataChunkRows: 1_000 }, { afterMs: ms });
    await rerun(table, { mode: 'upsert', method: 'load-data', loadDataChunkRows: 1_000 });
    expect(await digest(table)).toBe(reference);
  });
});

describe('MySqlLoader: a server that never answers', () => {
  let server: Server;
  const held = new Set<Socket>();
  beforeAll(async () => {
    // Accepts TCP connections and never sends the MySQL handshake: a hung proxy or a frozen host.
    server = createServer((socket) => {
      held.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('fails with a clear error within the configured connect timeout, not the pool default', async () => {
    const { port } = server.address() as { port: number };
    const pool = createPool({ host: '127.0.0.1', port, user: 'root', connectTimeout: 60_000 });
    try {
      const started = Date.now();
      const error = await new MySqlLoader(pool, { connectTimeoutMs: 1_500, attempts: 3, baseDelayMs: 10 })
        .load(lineItems, makeRows(0, 10), { mode: 'upsert', tableName: `${PREFIX}never` })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      const elapsed = Date.now() - started;
      expect(error).toBeInstanceOf(LoadersError);
      expect((error as LoadersError)._tag).toMatch(/^(Timeout|ConnectionFailed)$/);
      expect((error as LoadersError).message).toMatch(/did not finish within 1500 ms/);
      expect((error as LoadersError).message).toContain(`${PREFIX}never`);
      // A bound, not a speed claim: one connect timeout (a timed-out connect is not retried) plus slack.
      expect(elapsed).toBeLessThan(1_500 + 2_500);
    } finally {
      // mysql2's pool.end() waits for the pending handshake (up to the pool's own connectTimeout,
      // 60 s here): let the fake server hang up first.
      for (const socket of held) socket.destroy();
      await pool.end().catch(() => undefined);
    }
  });
});
