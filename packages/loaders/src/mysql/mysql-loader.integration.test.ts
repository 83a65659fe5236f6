import { createServer } from 'node:net';
import { createHash } from 'node:crypto';
import { col, defineTable, toMySqlCreateTable } from '@lakeblocks/core';
import { connectTestMySql, type TestMySql } from '@lakeblocks/core/testing';
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadersError } from '../errors/loaders-error.js';
import { MySqlLoader } from './mysql-loader.js';
import { lineItems, makeRows, toArrowBatch } from './test-fixtures.js';

const DATABASE = 'lakeblocks_loaders_test';
let db: TestMySql;
let pool: Pool;
let serverUrl: URL;

beforeAll(async () => {
  db = await connectTestMySql({ database: DATABASE });
  serverUrl = new URL(process.env.LAKEBLOCKS_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/');
  serverUrl.pathname = `/${DATABASE}`;
  pool = createPool({ uri: serverUrl.toString(), timezone: 'Z', connectTimeout: 5_000, connectionLimit: 4 });
});
afterAll(async () => {
  await pool?.end();
  await db?.close();
});

const name = (suffix: string) => `${db.tablePrefix}${suffix}`;

async function* arrowBatches(from: number, count: number, size: number, variant = 0, extraMicros = 0) {
  for (let at = from; at < from + count; at += size) {
    yield toArrowBatch(lineItems, makeRows(at, Math.min(size, from + count - at), variant), extraMicros);
  }
}

async function query<T>(sql: string, values: unknown[] = []): Promise<T[]> {
  const [rows] = await pool.query<RowDataPacket[]>({ sql, values });
  return rows as T[];
}

/** A digest of the whole table content, in key order. */
async function digest(table: string): Promise<string> {
  const rows = await query<Record<string, unknown>>(`SELECT * FROM \`${table}\` ORDER BY item_id`);
  return createHash('sha256').update(JSON.stringify(rows, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).digest('hex');
}

describe('MySqlLoader against MariaDB', () => {
  it('upserts Arrow batches: exact counts, exact decimals and bigints, microsecond timestamps, idempotent', async () => {
    const table = name('upsert');
    const loader = new MySqlLoader(pool);
    const first = await loader.load(lineItems, arrowBatches(0, 2_500, 700, 0, 7), { mode: 'upsert', tableName: table });
    expect(first.rows).toBe(2_500);
    const [count] = await query<{ n: number; total: string }>(`SELECT COUNT(*) AS n, SUM(price_usd) AS total FROM \`${table}\``);
    const expectedTotal = makeRows(0, 2_500).reduce((sum, r) => sum + BigInt(r.price_usd.replace('.', '')), 0n);
    expect(count?.n).toBe(2_500);
    expect(count?.total).toBe(`${expectedTotal / 100n}.${String(expectedTotal % 100n).padStart(2, '0')}`);

    const [row] = await query<Record<string, unknown>>(
      `SELECT item_id, CAST(order_ref AS CHAR) AS order_ref, price_usd, weight, sold_at, DATE_FORMAT(sold_at, '%Y-%m-%d %H:%i:%s.%f') AS sold_text,
              DATE_FORMAT(ship_day, '%Y-%m-%d') AS ship_day, gift, note, channel FROM \`${table}\` WHERE item_id = 1001`,
    );
    const source = makeRows(1001, 1)[0]!;
    expect(row).toEqual({
      item_id: 1001,
      order_ref: (9_007_199_254_740_993n + 1001n).toString(),
      price_usd: source.price_usd,
      weight: 1001 / 8,
      sold_at: source.sold_at,
      sold_text: `${source.sold_at.toISOString().replace('T', ' ').slice(0, 23)}007`,
      ship_day: source.ship_day,
      gift: 0,
      note: source.note,
      channel: source.channel,
    });

    const before = await digest(table);
    const second = await loader.load(lineItems, arrowBatches(0, 2_500, 700, 0, 7), { mode: 'upsert', tableName: table });
    expect(second.rows).toBe(2_500);
    expect(await digest(table)).toBe(before);

    // Changed values overwrite, new keys are added, nothing duplicates.
    await loader.load(lineItems, makeRows(2_000, 1_000, 3), { mode: 'upsert', tableName: table });
    const [after] = await query<{ n: number; changed: string }>(`SELECT COUNT(*) AS n, (SELECT price_usd FROM \`${table}\` WHERE item_id = 2000) AS changed FROM \`${table}\``);
    expect(after).toEqual({ n: 3_000, changed: makeRows(2_000, 1, 3)[0]!.price_usd });
  });

  it('replaces through a staging table and an atomic rename; readers never see an empty table', async () => {
    const table = name('replace');
    const loader = new MySqlLoader(pool, { maxStatementBytes: 32 * 1024 });
    await loader.load(lineItems, makeRows(0, 1_000), { mode: 'replace', tableName: table });
    expect((await query<{ n: number }>(`SELECT COUNT(*) AS n FROM \`${table}\``))[0]?.n).toBe(1_000);

    const seen: number[] = [];
    let reading = true;
    const reader = (async () => {
      while (reading) {
        seen.push((await query<{ n: number }>(`SELECT COUNT(*) AS n FROM \`${table}\``))[0]?.n ?? -1);
      }
    })();
    const result = await loader.load(lineItems, arrowBatches(5_000, 3_000, 500), { mode: 'replace', tableName: table });
    reading = false;
    await reader;
    expect(result.statements).toBeGreaterThan(5);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((n) => n === 1_000 || n === 3_000)).toBe(true);
    const [{ n, lo } = { n: 0, lo: 0 }] = await query<{ n: number; lo: number }>(`SELECT COUNT(*) AS n, MIN(item_id) AS lo FROM \`${table}\``);
    expect({ n, lo }).toEqual({ n: 3_000, lo: 5_000 });
    const leftovers = await query<{ t: string }>('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ? AND table_name LIKE ?', [
      DATABASE,
      `${table}\\_\\_lb%`,
    ]);
    expect(leftovers).toEqual([]);

    const before = await digest(table);
    await loader.load(lineItems, arrowBatches(5_000, 3_000, 500), { mode: 'replace', tableName: table });
    expect(await digest(table)).toBe(before);
  });

  it('splits statements under a small packet budget and the placeholder cap', async () => {
    const table = name('small_packet');
    const loader = new MySqlLoader(pool, { maxAllowedPacket: 8 * 1024 });
    const result = await loader.load(lineItems, makeRows(0, 1_200), { mode: 'append', tableName: table });
    expect(result.maxStatementBytes).toBe(7 * 1024);
    expect(result.statements).toBeGreaterThanOrEqual(Math.ceil(result.bytes / (7 * 1024)));
    expect((await query<{ n: number }>(`SELECT COUNT(*) AS n FROM \`${table}\``))[0]?.n).toBe(1_200);
  });

  it('refuses a row larger than max_allowed_packet with a clear error', async () => {
    const table = name('big_row');
    const loader = new MySqlLoader(pool, { maxAllowedPacket: 4 * 1024 });
    const rows = makeRows(0, 3);
    rows[2] = { ...rows[2]!, note: 'x'.repeat(10_000) };
    const error = (await loader.load(lineItems, rows, { mode: 'append', tableName: table }).catch((e: unknown) => e)) as LoadersError;
    expect(error).toBeInstanceOf(LoadersError);
    expect(error._tag).toBe('PacketTooLarge');
    expect(error.message).toMatch(/Row 2 for table ".*big_row" needs about \d+ bytes.*raise max_allowed_packet/);
  });

  it('when the server refuses a statement as too large: splits and resends per chunk, a clear error per load', async () => {
    const table = name('server_packet');
    const [[{ packet } = { packet: 0 }]] = (await pool.query('SELECT @@max_allowed_packet AS packet')) as unknown as [{ packet: number }[]];
    // The loader is told the packet limit is 4x what the server enforces: its first statement is refused.
    const loader = new MySqlLoader(pool, { maxAllowedPacket: packet * 4, maxStatementBytes: packet + 1024 * 1024, attempts: 1 });
    const big = makeRows(0, Math.ceil((packet + 512 * 1024) / 60_000)).map((r) => ({ ...r, note: 'y'.repeat(60_000) }));

    let started = Date.now();
    const error = (await loader.load(lineItems, big, { mode: 'append', tableName: table, transaction: 'load' }).catch((e: unknown) => e)) as LoadersError;
    expect(error).toBeInstanceOf(LoadersError);
    expect(error._tag).toBe('PacketTooLarge');
    expect(error.message).toMatch(/Got a packet bigger than 'max_allowed_packet' bytes.*raise it \(SET GLOBAL max_allowed_packet = …\) or lower the loader's maxStatementBytes/);
    expect(Date.now() - started).toBeLessThan(10_000);

    started = Date.now();
    const result = await loader.load(lineItems, big, { mode: 'append', tableName: table });
    expect(result.splitStatements).toBeGreaterThanOrEqual(1);
    expect(result.maxStatementBytes).toBeLessThan(packet);
    expect((await query<{ n: number; len: number }>(`SELECT COUNT(*) AS n, MIN(LENGTH(note)) AS len FROM \`${table}\``))[0]).toEqual({ n: big.length, len: 60_000 });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('wraps a load in one transaction when asked: all or nothing', async () => {
    const table = name('tx');
    const loader = new MySqlLoader(pool, { maxAllowedPacket: 8 * 1024 });
    const rows = [...makeRows(0, 500), ...makeRows(10, 1)]; // a duplicate key at the end
    await expect(loader.load(lineItems, rows, { mode: 'append', tableName: table, transaction: 'load' })).rejects.toMatchObject({ _tag: 'DatabaseFailure' });
    expect((await query<{ n: number }>(`SELECT COUNT(*) AS n FROM \`${table}\``))[0]?.n).toBe(0);
    // Per chunk (the default), the statements before the failing one stay committed.
    await expect(loader.load(lineItems, rows, { mode: 'append', tableName: table })).rejects.toThrow(/Duplicate entry/);
    const n = (await query<{ n: number }>(`SELECT COUNT(*) AS n FROM \`${table}\``))[0]?.n ?? 0;
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThanOrEqual(500);
  });

  it('LOAD DATA LOCAL INFILE loads the same content as INSERT, idempotently, and never skips rows silently', async () => {
    const viaInsert = name('via_insert');
    const viaLoadData = name('via_load_data');
    const loader = new MySqlLoader(pool);
    await loader.load(lineItems, arrowBatches(0, 3_000, 700, 0, 7), { mode: 'append', tableName: viaInsert });
    const first = await loader.load(lineItems, arrowBatches(0, 3_000, 700, 0, 7), { mode: 'append', tableName: viaLoadData, method: 'load-data', loadDataChunkRows: 1_000 });
    expect(first).toMatchObject({ rows: 3_000, statements: 3 });
    expect(await digest(viaLoadData)).toBe(await digest(viaInsert));

    await loader.load(lineItems, arrowBatches(0, 3_000, 700, 0, 7), { mode: 'upsert', tableName: viaLoadData, method: 'load-data' });
    expect(await digest(viaLoadData)).toBe(await digest(viaInsert));

    // Values far larger than one stream packet are split across packets and arrive whole.
    const wide = name('load_data_wide');
    const big = makeRows(0, 40).map((r, i) => ({ ...r, note: `${'z'.repeat(59_990)}\t\\${String(i).padStart(8, '0')}` }));
    await new MySqlLoader(pool, { maxStatementBytes: 4_096 }).load(lineItems, big, { mode: 'append', tableName: wide, method: 'load-data' });
    const notes = await query<{ note: string }>(`SELECT note FROM \`${wide}\` ORDER BY item_id`);
    expect(notes.map((r) => r.note)).toEqual(big.map((r) => r.note));

    // LOCAL turns duplicate keys into warnings and skips the rows: the loader refuses and rolls back.
    const error = (await loader
      .load(lineItems, [...makeRows(3_000, 10), ...makeRows(5, 1)], { mode: 'append', tableName: viaLoadData, method: 'load-data' })
      .catch((e: unknown) => e)) as LoadersError;
    expect(error).toBeInstanceOf(LoadersError);
    expect(error.message).toMatch(/would not load every row as sent \(11 rows sent, 10 affected, 1 warnings: Duplicate entry '5'/);
    expect((await query<{ n: number }>(`SELECT COUNT(*) AS n FROM \`${viaLoadData}\``))[0]?.n).toBe(3_000);

    // A bad value in the middle of the stream ends the file early; the chunk is rolled back.
    const bad = [...makeRows(4_000, 1_500), { ...makeRows(5_500, 1)[0]!, price_usd: 'oops' }];
    await expect(loader.load(lineItems, bad, { mode: 'append', tableName: viaLoadData, method: 'load-data' })).rejects.toMatchObject({ _tag: 'InvalidArgument' });
    expect((await query<{ n: number }>(`SELECT COUNT(*) AS n FROM \`${viaLoadData}\``))[0]?.n).toBe(3_000);
  });

  it('says how to enable LOAD DATA LOCAL when the connection does not allow it', async () => {
    const noLocal = createPool({ uri: serverUrl.toString(), flags: ['-LOCAL_FILES'], connectTimeout: 5_000, connectionLimit: 1 });
    try {
      const error = (await new MySqlLoader(noLocal)
        .load(lineItems, makeRows(0, 3), { mode: 'append', tableName: name('no_local'), method: 'load-data' })
        .catch((e: unknown) => e)) as LoadersError;
      expect(error).toBeInstanceOf(LoadersError);
      expect(error.message).toMatch(/LOAD DATA LOCAL INFILE is disabled: enable local_infile .* or load with method 'insert'/);
    } finally {
      await noLocal.end();
    }
  });

  it('validates identifiers and values before touching the server', async () => {
    const loader = new MySqlLoader(pool);
    await expect(loader.load(lineItems, makeRows(0, 1), { mode: 'append', tableName: 'x`; DROP TABLE y; --' })).rejects.toMatchObject({
      _tag: 'InvalidArgument',
    });
    const bad = [{ ...makeRows(0, 1)[0]!, price_usd: '12.3.4' }];
    await expect(loader.load(lineItems, bad, { mode: 'append', tableName: name('bad_value') })).rejects.toThrow(
      /Row 0 for table ".*bad_value", column "price_usd": expected a decimal value/,
    );
    const noKey = defineTable({ name: 'no_key', columns: { a: col.int() } });
    await expect(loader.load(noKey, [{ a: 1 }], { mode: 'upsert', tableName: name('no_key') })).rejects.toThrow(/needs a primary key/);
  });
});

async function leftoverStages(table: string): Promise<string[]> {
  const rows = await query<{ t: string }>('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ? AND table_name LIKE ?', [
    DATABASE,
    `${table.slice(0, 40)}%\\_\\_lb\\_%`,
  ]);
  return rows.map((r) => r.t);
}

describe('MySqlLoader stages: upsert through LOAD DATA, concurrent loads', () => {
  it('upsert through LOAD DATA updates rows in place: no DELETE trigger, FK children and auto-increment kept, unchanged rows untouched', async () => {
    const table = name('ld_upsert');
    const child = name('ld_upsert_child');
    const audit = name('ld_upsert_audit');
    const loader = new MySqlLoader(pool);
    await pool.query(`DROP TABLE IF EXISTS \`${child}\``);
    await pool.query(`DROP TABLE IF EXISTS \`${table}\``);
    await pool.query(`DROP TABLE IF EXISTS \`${audit}\``);
    // The target as an application may have it: the loader's columns plus an auto-increment id, an
    // on-update timestamp, a DELETE trigger and a child table with ON DELETE CASCADE.
    await pool.query(
      toMySqlCreateTable(lineItems, { tableName: table, ifNotExists: false })
        .replace(/\n\) ENGINE/, ',\n  `seq` BIGINT NOT NULL AUTO_INCREMENT UNIQUE,\n  `touched_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)\n) ENGINE'),
    );
    await pool.query(`CREATE TABLE \`${audit}\` (item_id INT NOT NULL)`);
    await pool.query(`CREATE TRIGGER \`${table}_del\` AFTER DELETE ON \`${table}\` FOR EACH ROW INSERT INTO \`${audit}\` VALUES (OLD.item_id)`);
    await pool.query(
      `CREATE TABLE \`${child}\` (id INT PRIMARY KEY, item_id INT NOT NULL, FOREIGN KEY (item_id) REFERENCES \`${table}\` (item_id) ON DELETE CASCADE) ENGINE=InnoDB`,
    );
    try {
      await loader.load(lineItems, arrowBatches(0, 2_000, 700), { mode: 'upsert', tableName: table, method: 'load-data' });
      await pool.query(`INSERT INTO \`${child}\` SELECT item_id, item_id FROM \`${table}\``);
      await pool.query(`UPDATE \`${table}\` SET touched_at = '2001-01-01 00:00:00'`);
      const before = await query<{ item_id: number; seq: number }>(`SELECT item_id, seq FROM \`${table}\` ORDER BY item_id`);

      // Rows 1,000..1,499 change, 1,500..2,499 are sent unchanged or new, 0..999 are not sent at all.
      // Keys repeated within one load: the last row wins, as with INSERT.
      const batches = [
        toArrowBatch(lineItems, makeRows(1_000, 500, 1)),
        toArrowBatch(lineItems, makeRows(1_500, 1_000)),
        toArrowBatch(lineItems, makeRows(2_400, 100, 2)),
        toArrowBatch(lineItems, makeRows(2_400, 100)),
      ];
      const result = await loader.load(lineItems, batches, { mode: 'upsert', tableName: table, method: 'load-data' });
      expect(result.rows).toBe(1_700);

      expect((await query<{ n: number }>(`SELECT COUNT(*) AS n FROM \`${audit}\``))[0]?.n).toBe(0);
      expect((await query<{ n: number }>(`SELECT COUNT(*) AS n FROM \`${child}\``))[0]?.n).toBe(2_000);
      const after = await query<{ item_id: number; seq: number; price_usd: string; touched: string }>(
        `SELECT item_id, seq, price_usd, DATE_FORMAT(touched_at, '%Y') AS touched FROM \`${table}\` ORDER BY item_id`,
      );
      expect(after).toHaveLength(2_500);
      const expected = new Map([...makeRows(0, 1_000), ...makeRows(1_000, 500, 1), ...makeRows(1_500, 1_000)].map((r) => [r.item_id, r.price_usd]));
      for (const row of after) {
        expect(row.price_usd).toBe(expected.get(row.item_id));
        const old = before[row.item_id];
        if (old !== undefined) expect(row.seq).toBe(old.seq); // existing rows keep their auto-increment id
        // Only rows whose values changed were written (ON UPDATE CURRENT_TIMESTAMP fires on a real change only).
        const changed = row.item_id >= 1_000 && row.item_id < 1_500;
        if (row.item_id < 2_000) expect(row.touched !== '2001').toBe(changed);
      }
      expect(await leftoverStages(table)).toEqual([]);
    } finally {
      await pool.query(`DROP TABLE IF EXISTS \`${child}\``); // its foreign key would keep the test cleanup from dropping the table
    }
  });

  it('upsert through LOAD DATA merges in load order across merge ranges: the last of a repeated key wins', async () => {
    const table = name('upsert_ranges');
    const loader = new MySqlLoader(pool);
    await pool.query(`DROP TABLE IF EXISTS \`${table}\``);
    // 300 keys, each sent three times (variants 0, 1, 2) in batches that interleave them, so the rows of one
    // key fall in different merge ranges of 64 rows; the final values must be variant 2 for every key.
    const batches = [
      toArrowBatch(lineItems, makeRows(0, 150, 0)),
      toArrowBatch(lineItems, makeRows(150, 150, 1)),
      toArrowBatch(lineItems, makeRows(0, 150, 1)),
      toArrowBatch(lineItems, makeRows(150, 150, 0)),
      toArrowBatch(lineItems, makeRows(0, 300, 2)),
    ];
    const progress: number[] = [];
    const result = await loader.load(lineItems, batches, {
      mode: 'upsert',
      tableName: table,
      method: 'load-data',
      mergeChunkRows: 64,
      onProgress: (p: { statements: number }) => progress.push(p.statements),
    });
    expect(result.rows).toBe(900);
    expect(result.statements).toBeGreaterThanOrEqual(Math.ceil(900 / 64)); // the merge ranges are statements of their own
    expect(progress.at(-1)).toBe(result.statements); // and each is reported as it ends
    const after = await query<{ item_id: number; price_usd: string }>(`SELECT item_id, price_usd FROM \`${table}\` ORDER BY item_id`);
    expect(after).toEqual(makeRows(0, 300, 2).map((r) => ({ item_id: r.item_id, price_usd: r.price_usd })));
    expect(await leftoverStages(table)).toEqual([]);
  });

  it('drops the stages a killed load left behind (old enough, of the right table), and nothing else', async () => {
    const table = name('abandoned');
    const other = name('left_other');
    const loader = new MySqlLoader(pool);
    const stageOf = (t: string, kind: 'stage' | 'old', hex: string) => `${t.slice(0, 64 - `__lb_${kind}_`.length - 10)}__lb_${kind}_${hex}`;
    const leftovers = [stageOf(table, 'stage', 'aaaaaaaaaa'), stageOf(table, 'old', 'bbbbbbbbbb'), stageOf(other, 'stage', 'cccccccccc')];
    const lookalike = `${table}__lb_stage_notahexname`;
    for (const t of [...leftovers, lookalike]) await pool.query(`CREATE TABLE IF NOT EXISTS \`${t}\` (x INT)`);
    try {
      // Nothing is a day old: a load leaves them all.
      await loader.load(lineItems, makeRows(0, 10), { mode: 'replace', tableName: table });
      expect((await leftoverStages(table)).sort()).toEqual([leftovers[0], leftovers[1], lookalike].sort());
      // With a one-second age: only this table's stages, not the other table's, not the look-alike.
      await new Promise((r) => setTimeout(r, 2_100));
      const quick = new MySqlLoader(pool, { abandonedStageAgeMs: 1_000 });
      await quick.load(lineItems, makeRows(0, 10), { mode: 'replace', tableName: table });
      expect(await leftoverStages(table)).toEqual([lookalike]);
      expect(await leftoverStages(other)).toEqual([leftovers[2]]);
      // The explicit sweep of every table.
      expect(await quick.dropAbandonedStages()).toContain(leftovers[2]);
      expect(await leftoverStages(other)).toEqual([]);
      expect((await query<{ n: number }>(`SELECT COUNT(*) AS n FROM \`${table}\``))[0]?.n).toBe(10);
    } finally {
      for (const t of [...leftovers, lookalike]) await pool.query(`DROP TABLE IF EXISTS \`${t}\``);
    }
  });

  it('two loads into the same table at once stage separately and end with a correct table', async () => {
    const table = name('concurrent');
    const a = makeRows(0, 3_000, 1);
    const b = makeRows(2_000, 3_000, 2);
    const loader = new MySqlLoader(pool);
    const reference = async (rows: typeof a) => {
      const ref = name('concurrent_ref');
      await new MySqlLoader(pool).load(lineItems, rows, { mode: 'replace', tableName: ref });
      return digest(ref);
    };
    const digestA = await reference(a);
    const digestB = await reference(b);

    for (const method of ['load-data', 'insert'] as const) {
      // replace, twice at once: the table is exactly one of the two loads, never a mix, no stage left.
      await Promise.all([
        loader.load(lineItems, arrowBatches(0, 3_000, 500, 1), { mode: 'replace', tableName: table, method, loadDataChunkRows: 1_000 }),
        loader.load(lineItems, arrowBatches(2_000, 3_000, 500, 2), { mode: 'replace', tableName: table, method, loadDataChunkRows: 1_000 }),
      ]);
      expect([digestA, digestB]).toContain(await digest(table));
      expect(await leftoverStages(table)).toEqual([]);
    }

    // upsert through LOAD DATA, twice at once: every key of both loads, overlapping keys from one of them.
    await pool.query(`DROP TABLE IF EXISTS \`${table}\``);
    await Promise.all([
      loader.load(lineItems, arrowBatches(0, 3_000, 500, 1), { mode: 'upsert', tableName: table, method: 'load-data' }),
      loader.load(lineItems, arrowBatches(2_000, 3_000, 500, 2), { mode: 'upsert', tableName: table, method: 'load-data' }),
    ]);
    const rows = await query<{ item_id: number; price_usd: string }>(`SELECT item_id, price_usd FROM \`${table}\` ORDER BY item_id`);
    expect(rows).toHaveLength(5_000);
    const priceA = new Map(a.map((r) => [r.item_id, r.price_usd]));
    const priceB = new Map(b.map((r) => [r.item_id, r.price_usd]));
    const overlap = rows.filter((r) => r.item_id >= 2_000 && r.item_id < 3_000);
    const winner = overlap[0]!.price_usd === priceA.get(2_000) ? priceA : priceB;
    for (const r of rows) {
      const from = r.item_id < 2_000 ? priceA : r.item_id >= 3_000 ? priceB : winner;
      expect(r.price_usd).toBe(from.get(r.item_id));
    }
    expect(await leftoverStages(table)).toEqual([]);
  });

  it('drops its stage when a load fails', async () => {
    const table = name('stage_failure');
    const loader = new MySqlLoader(pool);
    const bad = [...makeRows(0, 3_000), { ...makeRows(3_000, 1)[0]!, price_usd: 'oops' }];
    for (const [mode, method] of [
      ['replace', 'load-data'],
      ['replace', 'insert'],
      ['upsert', 'load-data'],
    ] as const) {
      await expect(loader.load(lineItems, bad, { mode, tableName: table, method })).rejects.toMatchObject({ _tag: 'InvalidArgument' });
      expect(await leftoverStages(table)).toEqual([]);
    }
    // Nothing reached the table.
    expect((await query<{ n: number }>(`SELECT COUNT(*) AS n FROM \`${table}\``))[0]?.n).toBe(0);
    // In one transaction: the stage's rows and the merge commit together.
    const result = await loader.load(lineItems, arrowBatches(0, 2_500, 1_000), { mode: 'upsert', tableName: table, method: 'load-data', transaction: 'load', loadDataChunkRows: 1_000 });
    expect(result.rows).toBe(2_500);
    expect((await query<{ n: number }>(`SELECT COUNT(*) AS n FROM \`${table}\``))[0]?.n).toBe(2_500);
    expect(await leftoverStages(table)).toEqual([]);
  });
});

describe('MySqlLoader connection failures', () => {
  it('a wrong password gives AccessDenied within seconds, without printing the password', async () => {
    const url = new URL(serverUrl);
    url.password = 'Wr0ng-s3cret-pw';
    const badPool = createPool({ uri: url.toString(), connectTimeout: 3_000 });
    try {
      const started = Date.now();
      const error = (await new MySqlLoader(badPool, { baseDelayMs: 10 }).load(lineItems, makeRows(0, 1), { mode: 'append' }).catch((e: unknown) => e)) as LoadersError;
      expect(error).toBeInstanceOf(LoadersError);
      expect(error._tag).toBe('AccessDenied');
      expect(error.message).toMatch(/Access denied for user/);
      expect(error.message).toMatch(/Check the user name, password and grants/);
      expect(`${error.message} ${String(error.cause)} ${JSON.stringify(error)}`).not.toContain('Wr0ng-s3cret-pw');
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await badPool.end();
    }
  });

  it('an unreachable server gives ConnectionFailed within seconds', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = server.address() as { port: number };
        server.close(() => resolve(p));
      });
    });
    const deadPool = createPool({ host: '127.0.0.1', port, user: 'root', connectTimeout: 2_000 });
    try {
      const started = Date.now();
      const error = (await new MySqlLoader(deadPool, { baseDelayMs: 10, attempts: 2 }).load(lineItems, makeRows(0, 1), { mode: 'upsert' }).catch((e: unknown) => e)) as LoadersError;
      expect(error).toBeInstanceOf(LoadersError);
      expect(error._tag).toBe('ConnectionFailed');
      expect(error.message).toContain(`127.0.0.1:${port}`);
      expect(error.message).toMatch(/could not be reached/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await deadPool.end();
    }
  });

  it('an unknown database gives UnknownDatabase', async () => {
    const url = new URL(serverUrl);
    url.pathname = '/lakeblocks_no_such_database';
    const badPool = createPool({ uri: url.toString(), connectTimeout: 3_000 });
    try {
      const error = (await new MySqlLoader(badPool).load(lineItems, makeRows(0, 1), { mode: 'append' }).catch((e: unknown) => e)) as LoadersError;
      expect(error._tag).toBe('UnknownDatabase');
      expect(error.message).toMatch(/Unknown database 'lakeblocks_no_such_database'.*Create the database/);
    } finally {
      await badPool.end();
    }
  });
});
