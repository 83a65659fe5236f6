// Issue 5's done-when: every curated TechStore table loads into MariaDB with exact row counts, and a
// second load leaves counts and content unchanged. The curated Parquet is read independently by DuckDB.
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { LocalStorage } from '@lakeblocks/core';
import { connectTestMySql, type TestMySql } from '@lakeblocks/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { techstoreModels } from '../models/index.js';
import { duckContent, mysqlContent, type Content } from '../../testing/curated-content.js';
import { testLakeRoot } from '../testing/techstore-lake.js';
import { loadCuratedToMySql, parseMySqlUrl } from './mysql-load.js';
import { runTechstore } from './run-techstore.js';

describe('curated TechStore tables into MariaDB', () => {
  let lakeDir: string;
  let db: TestMySql;
  let duck: DuckDBConnection;
  let expected: Map<string, Content>;

  beforeAll(async () => {
    db = await connectTestMySql({ database: 'lakeblocks_examples_test' });
    lakeDir = await mkdtemp(join(testLakeRoot(), 'techstore-mysql-'));
    await runTechstore({ lakeDir, scale: 0.01, seed: 'mysql', durable: false, tmpDir: testLakeRoot() });
    duck = await (await DuckDBInstance.create(':memory:')).connect();
    expected = new Map();
    for (const m of techstoreModels) expected.set(m.output.name, await duckContent(duck, lakeDir, m.output));
  }, 240_000);

  afterAll(async () => {
    duck?.closeSync();
    await db?.close();
    if (lakeDir) await rm(lakeDir, { recursive: true, force: true });
  });

  it('loads every curated table with exact counts and content, and a second load changes nothing', async () => {
    const storage = new LocalStorage(lakeDir, { durable: false });
    for (const round of [1, 2]) {
      const loads = await loadCuratedToMySql({ storage, pool: db.pool, tablePrefix: db.tablePrefix, queryTimeoutMs: 60_000 });
      expect(loads.map((l) => l.table)).toEqual(techstoreModels.map((m) => m.output.name));
      for (const m of techstoreModels) {
        const want = expected.get(m.output.name)!;
        expect(want.rows, `${m.output.name} is empty in the curated lake`).toBeGreaterThan(0);
        expect(loads.find((l) => l.table === m.output.name)!.rows, `${m.output.name} rows loaded (round ${round})`).toBe(want.rows);
        expect(await mysqlContent(db, `${db.tablePrefix}${m.output.name}`, m.output), `${m.output.name} in MariaDB (round ${round})`).toEqual(want);
      }
    }
  }, 240_000);

  it('rejects a bad URL without printing the password', () => {
    expect(() => parseMySqlUrl('postgres://u:s3cret@h/db')).toThrow(/u:\*\*\*@h\/db: the scheme must be mysql:\/\//);
    expect(() => parseMySqlUrl('mysql://u:s3cret@h:3306/')).toThrow(/name a database/);
    expect(() => parseMySqlUrl('not a url')).toThrow(/not a URL/);
    for (const url of ['postgres://u:s3cret@h/db', 'mysql://u:s3cret@h:3306/']) {
      try {
        parseMySqlUrl(url);
      } catch (error) {
        expect((error as Error).message).not.toContain('s3cret');
      }
    }
  });

  it('fails the run within seconds naming the mysql-load step when the server is unreachable, without the password', async () => {
    const started = Date.now();
    const error = await runTechstore({ lakeDir, durable: false, mysql: { url: 'mysql://root:s3cret@127.0.0.1:1/x', connectTimeoutMs: 2_000 } }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toMatch(/mysql-load/);
    expect(error!.message.split('\n')).toHaveLength(1);
    expect(error!.message).not.toContain('s3cret');
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);
});
